// The broadcaster page in headless Chromium, on the stand-in SDK, against the backend (real gateway by default).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBackend } from '../support/backend.mjs';
import { CHOSEN_SDK, eventually, joinedStages, launchBrowser, openPage, screenshot, standInEvents } from '../support/browser.mjs';

/** @type {import('../support/backend.mjs').Backend} */
let backend;
/** @type {import('playwright-core').Browser} */
let browser;
const NS = 'default';
let counter = 0;

before(async () => {
  [backend, browser] = await Promise.all([startBackend(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

/**
 * A new broadcast with the given stages (labels, or stages with their feed), and a broadcaster page for it with the
 * key typed in (not started).
 * @param {(string | import('../support/backend.mjs').StageSpec)[]} labels
 * @param {{apiKey?: string, beforeLoad?: (page: import('playwright-core').Page) => Promise<void>}} [options]
 */
async function broadcastWithPage(labels, options = {}) {
  const name = `show-${process.pid}-${++counter}`;
  const apiKey = `key-${name}-s3cret`;
  await backend.createBroadcast({ namespace: NS, name, apiKey });
  await backend.setStages(NS, name, labels.map((s) => (typeof s === 'string' ? { id: s } : s)));
  const { context, page, errors } = await openPage(browser, { ivsEndpoint: backend.ivsEndpoint });
  await options.beforeLoad?.(page);
  await page.goto(`${backend.gatewayUrl}/broadcaster?namespace=${NS}&name=${name}&${CHOSEN_SDK}`);
  await page.fill('#api-key', options.apiKey ?? apiKey);
  return { name, apiKey, context, page, errors };
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string[]} ids
 */
async function waitUntilPublishingTo(page, ids, timeout = 5_000) {
  const want = [...ids].sort().join(',');
  await eventually(async () => (await joinedStages(page)).map((s) => s.stageId).sort().join(',') === want,
    { timeout, message: `publishing to exactly [${want}]` });
}

/** @param {import('playwright-core').Page} page */
const rowLinks = (page) => page.$$eval('#stages tbody tr[data-stage-id]',
  (rows) => Object.fromEntries(rows.map((r) => [/** @type {HTMLElement} */ (r).dataset.stageId,
    /** @type {HTMLElement} */ (r).dataset.link])));

test('Start joins every stage publish-only, one stream per track, and shows them connected', async () => {
  const { page, context, apiKey, errors } = await broadcastWithPage(['a1', 'b1']);
  const [a, b] = [backend.stageId('a1'), backend.stageId('b1')];
  await eventually(() => page.$eval('#preview', (v) => /** @type {HTMLVideoElement} */ (v).videoWidth > 0),
    { message: 'camera preview' });
  await page.click('#start');
  await waitUntilPublishingTo(page, [a, b]);
  for (const stage of await joinedStages(page)) {
    assert.deepEqual([...stage.publishing].sort(), ['audio', 'video'], `streams published to ${stage.stageId}`);
    assert.equal(stage.subscribed, false, 'the broadcaster subscribes to nobody');
  }
  const joins = (await standInEvents(page)).filter((e) => e.type === 'join');
  assert.ok(joins.every((e) => e.detail.canPublish === true), 'joined with PUBLISH tokens');
  if (backend.ivsEndpoint) {
    const verified = (await standInEvents(page)).filter((e) => e.type === 'emulator-join');
    assert.deepEqual(verified.map((e) => [e.stageId, e.detail.publish]).sort(), [[a, true], [b, true]].sort(),
      'the IVS emulator accepted each token for publishing');
  }
  await eventually(async () => {
    const links = await rowLinks(page);
    return links[a] === 'connected' && links[b] === 'connected';
  }, { message: 'both rows connected' });
  await eventually(() => page.$eval('#socket-state', (e) => /** @type {HTMLElement} */ (e).dataset.state === 'open'),
    { message: 'events socket open' });

  // Viewers as the SDK reports them; mute reaches every stage.
  await page.evaluate((id) => window.__standIn?.setSubscriberCount(id, 7), a);
  await eventually(() => page.$eval(`#stages tr[data-stage-id="${a}"] td:nth-child(5)`, (td) => td.textContent === '7'),
    { message: 'viewer count shown' });
  await page.click('#mute-audio');
  await eventually(async () => {
    const mutes = (await standInEvents(page)).filter((e) => e.type === 'mute' && e.detail.kind === 'audio'
      && e.detail.muted === true);
    return new Set(mutes.map((e) => e.stageId)).size === 2;
  }, { message: 'microphone muted on both stages' });

  // The key stays out of the URL, in sessionStorage.
  assert.ok(!page.url().includes(apiKey), 'the API key is not in the URL');
  const stored = await page.evaluate(() => Object.values(sessionStorage));
  assert.ok(stored.includes(apiKey), 'the API key is kept in sessionStorage');
  await screenshot(page, 'broadcaster');

  await page.click('#stop');
  await waitUntilPublishingTo(page, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a stage added to status is joined within 2 s; a stage removed is left; draining is shown', async () => {
  const { name, page, context } = await broadcastWithPage(['a2']);
  await page.click('#start');
  const a = backend.stageId('a2');
  await waitUntilPublishingTo(page, [a]);
  await eventually(() => page.$eval('#socket-state', (e) => /** @type {HTMLElement} */ (e).dataset.state === 'open'),
    { message: 'events socket open' });

  await backend.setStages(NS, name, [{ id: 'a2' }, { id: 'c2' }]);
  const c = backend.stageId('c2');
  await waitUntilPublishingTo(page, [a, c], 2_000);

  await backend.setStages(NS, name, [{ id: 'a2', state: 'Draining' }, { id: 'c2' }]);
  await eventually(() => page.$eval(`#stages tr[data-stage-id="${a}"]`, (r) => /** @type {HTMLElement} */ (r).dataset.state === 'Draining'),
    { timeout: 2_000, message: 'stage shown as draining' });
  assert.equal((await joinedStages(page)).length, 2, 'still publishing to the draining stage');

  await backend.setStages(NS, name, [{ id: 'c2' }]);
  await waitUntilPublishingTo(page, [c], 2_000);
  assert.equal(await page.$(`#stages tr[data-stage-id="${a}"]`), null, 'the removed stage left the table');
  await context.close();
});

test('the events socket killed mid-broadcast reconnects with backoff and resyncs from the snapshot', async () => {
  let refuse = false;
  /** @type {import('playwright-core').WebSocketRoute[]} */
  const routes = [];
  let connections = 0;
  const { name, page, context, errors } = await broadcastWithPage(['a3', 'b3'], {
    beforeLoad: (p) => p.routeWebSocket(/\/events\?ticket=/, (ws) => {
      connections += 1;
      if (refuse) {
        ws.close({ code: 1011, reason: 'refused by test' });
        return;
      }
      ws.connectToServer();
      routes.push(ws);
    }),
  });
  await page.click('#start');
  const [a, b] = [backend.stageId('a3'), backend.stageId('b3')];
  await waitUntilPublishingTo(page, [a, b]);
  await eventually(() => page.$eval('#socket-state', (e) => /** @type {HTMLElement} */ (e).dataset.state === 'open'),
    { message: 'events socket open' });

  // The network drops; while the page cannot reach the gateway, one stage goes and another comes.
  refuse = true;
  for (const ws of routes) await ws.close({ code: 1006, reason: 'killed by test' });
  await eventually(() => page.$eval('#socket-state', (e) => /** @type {HTMLElement} */ (e).dataset.state === 'reconnecting'),
    { message: 'page notices the socket is gone' });
  await backend.setStages(NS, name, [{ id: 'b3' }, { id: 'd3' }]);
  const d = backend.stageId('d3');
  await eventually(() => connections >= 3, { timeout: 8_000, message: 'page retries' });
  assert.deepEqual((await joinedStages(page)).map((s) => s.stageId).sort(), [a, b].sort(), 'nothing changed while cut off');

  refuse = false;
  await waitUntilPublishingTo(page, [b, d], 20_000);
  await eventually(() => page.$eval('#socket-state', (e) => /** @type {HTMLElement} */ (e).dataset.state === 'open'),
    { message: 'events socket open again' });
  const events = await standInEvents(page);
  assert.equal(events.filter((e) => e.type === 'token-reused').length, 0, 'no token was used twice');
  assert.equal(events.filter((e) => e.type === 'join' && e.stageId === b).length, 1, 'the kept stage was not rejoined');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an expired token is replaced by a fresh one and the stage is joined', async () => {
  const { page, context } = await broadcastWithPage(['a4']);
  const a = backend.stageId('a4');
  await page.evaluate((id) => window.__standIn?.rejectNextJoin(id, { code: 2 }), a);
  /** @type {string[]} */
  const tokenRequests = [];
  page.on('request', (r) => { if (r.url().endsWith('/stage-token')) tokenRequests.push(r.method()); });
  await page.click('#start');
  await waitUntilPublishingTo(page, [a]);
  const events = (await standInEvents(page)).filter((e) => e.stageId === a);
  const rejected = events.find((e) => e.type === 'join-rejected');
  const joined = events.find((e) => e.type === 'join');
  assert.ok(rejected && joined && rejected.seq < joined.seq, 'rejected first, joined after');
  assert.notEqual(rejected.participantId, joined.participantId, 'the rejoin used a different (fresh) token');
  assert.deepEqual(tokenRequests, ['POST'], 'one fresh token was fetched');
  await eventually(async () => (await rowLinks(page))[a] === 'connected', { message: 'row connected' });
  await context.close();
});

test('a join rejected after its stage was left is ignored', async () => {
  const { name, page, context } = await broadcastWithPage(['a5']);
  await page.click('#start');
  const a = backend.stageId('a5');
  await waitUntilPublishingTo(page, [a]);
  await eventually(() => page.$eval('#socket-state', (e) => /** @type {HTMLElement} */ (e).dataset.state === 'open'),
    { message: 'events socket open' });
  // The next stage's join hangs for a while, then fails: by then the stage is gone.
  await page.evaluate(() => window.__standIn?.rejectNextJoin('*', { code: 3, delayMs: 1_200 }));
  await backend.setStages(NS, name, [{ id: 'a5' }, { id: 'e5' }]);
  const e = backend.stageId('e5');
  await eventually(async () => (await standInEvents(page)).some((x) => x.type === 'join-attempt' && x.stageId === e),
    { timeout: 2_000, message: 'join attempted' });
  await backend.setStages(NS, name, [{ id: 'a5' }]);
  await eventually(async () => (await standInEvents(page)).some((x) => x.type === 'leave' && x.stageId === e),
    { timeout: 2_000, message: 'stage left' });
  const rejection = await eventually(async () => (await standInEvents(page))
    .find((x) => x.type === 'join-rejected' && x.stageId === e), { timeout: 3_000, message: 'late rejection' });
  assert.equal(rejection.detail.afterLeave, true);
  // Give a wrongly-written page time to retry; it must not.
  await page.waitForTimeout(1_500);
  const attempts = (await standInEvents(page)).filter((x) => x.type === 'join-attempt' && x.stageId === e);
  assert.equal(attempts.length, 1, 'no new attempt after the late rejection');
  assert.equal(await page.$(`#stages tr[data-stage-id="${e}"]`), null, 'the left stage is not shown');
  assert.equal((await rowLinks(page))[a], 'connected');
  await context.close();
});

test('a wrong API key is refused in words', async () => {
  const { page, context } = await broadcastWithPage(['a6'], { apiKey: 'not-the-key' });
  await page.click('#start');
  const text = await eventually(async () => {
    const error = await page.$('#error:not([hidden])');
    return error && error.textContent();
  }, { message: 'error shown' });
  assert.match(String(text), /API key/i);
  assert.deepEqual(await joinedStages(page), []);
  await screenshot(page, 'broadcaster-wrong-key');
  await context.close();
});

test('LIVE shows only while a stage reports publishing, and the Viewers column comes from the status', async () => {
  const { name, page, context } = await broadcastWithPage(['a7']);
  const a = backend.stageId('a7');
  // The first join hangs, then times out: until the retry publishes, the page must not claim to be live.
  await page.evaluate(() => window.__standIn?.rejectNextJoin('*', { code: 3, delayMs: 1_500 }));
  await page.click('#start');
  await eventually(async () => /Not live yet: connecting to 1 stage…/.test(String(await page.textContent('#status'))),
    { message: 'not live while connecting' });
  assert.equal(await page.isVisible('#live-badge'), false, 'no LIVE before anything publishes');
  await screenshot(page, 'broadcaster-connecting');
  await waitUntilPublishingTo(page, [a], 10_000);
  await eventually(() => page.isVisible('#live-badge'), { message: 'LIVE once publishing' });
  assert.match(String(await page.textContent('#status')), /^Live on 1 of 1 stage\./);

  await backend.setStages(NS, name, [{ id: 'a7', viewers: 3 }]);
  await eventually(() => page.$eval(`#stages tr[data-stage-id="${a}"] td:nth-child(5)`, (td) => td.textContent === '3'),
    { message: 'the status\'s viewer count shown' });
  await page.click('#stop');
  await eventually(async () => !(await page.isVisible('#live-badge')), { message: 'LIVE gone after Stop' });
  await context.close();
});

/** @param {import('playwright-core').Page} page */
const rowFeeds = (page) => page.$$eval('#stages tbody tr[data-stage-id]',
  (rows) => Object.fromEntries(rows.map((r) => {
    const row = /** @type {HTMLElement} */ (r);
    return [row.dataset.stageId, { feed: row.dataset.feed, source: row.dataset.source ?? null, link: row.dataset.link,
      words: row.children[1]?.textContent }];
  })));

test('replicated fan-out over 7 stages: publishes into the 2 origins only, shows 5 replicas, follows a fallback', async () => {
  const replicas = ['r1f', 'r2f', 'r3f', 'r4f', 'r5f'];
  /** @type {(r3: import('../support/backend.mjs').StageSpec) => import('../support/backend.mjs').StageSpec[]} */
  const stages = (r3) => [{ id: 'o1f', feed: 'origin' },
    ...replicas.map((id) => (id === 'r3f' ? r3 : { id, feed: /** @type {const} */ ('replica'), source: 'o1f' })),
    { id: 'o2f', feed: 'origin' }];
  const { name, page, context, errors } = await broadcastWithPage(stages({ id: 'r3f', feed: 'replica', source: 'o1f' }));
  const [o1, o2, r3] = ['o1f', 'o2f', 'r3f'].map((label) => backend.stageId(label));
  await page.click('#start');
  await waitUntilPublishingTo(page, [o1, o2]);
  const feeds = await eventually(async () => {
    const seen = await rowFeeds(page);
    return Object.keys(seen).length === 7 && seen;
  }, { message: 'all 7 stages shown' });
  for (const label of replicas) {
    assert.deepEqual(feeds[backend.stageId(label)], { feed: 'replica', source: o1, link: 'replicated', words: `replica of ${o1}` });
  }
  assert.deepEqual([feeds[o1].feed, feeds[o2].feed], ['origin', 'origin']);
  await eventually(async () => /^Live on 2 of 2 stages; 5 stages fed by IVS replication\./.test(String(await page.textContent('#status'))),
    { message: 'live on the origins, replicas named' });
  const joins = (await standInEvents(page)).filter((e) => e.type === 'join-attempt');
  assert.deepEqual(joins.map((e) => e.stageId).sort(), [o1, o2].sort(), 'ceil(7 / 6) = 2 uploads, never one into a replica');
  await screenshot(page, 'broadcaster-fan-out');

  // Replication into r3 fails: the operator makes it an origin and the page publishes into it at once.
  await backend.setStages(NS, name, stages({ id: 'r3f', feed: 'origin' }));
  await waitUntilPublishingTo(page, [o1, o2, r3], 2_000);
  await eventually(async () => (await rowFeeds(page))[r3]?.feed === 'origin', { message: 'r3 shown as an origin' });

  // Replication works again: the page keeps publishing into r3 until the hand-over is safe, then leaves it.
  await backend.setStages(NS, name, stages({ id: 'r3f', feed: 'replica', source: 'o1f' }));
  await eventually(async () => /leaving once replication carries it/.test(String(await page.textContent(
    `#stages tr[data-stage-id="${r3}"]`))), { message: 'r3 handing over' });
  assert.equal((await joinedStages(page)).length, 3, 'still publishing into r3 during the hand-over');
  await waitUntilPublishingTo(page, [o1, o2], 15_000);
  assert.equal((await rowFeeds(page))[r3]?.link, 'replicated');
  assert.deepEqual(errors, []);
  await context.close();
});
