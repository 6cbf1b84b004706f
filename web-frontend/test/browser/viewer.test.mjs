// The viewer page in headless Chromium, on the stand-in SDK, against the backend (real gateway by default).

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
 * A new broadcast with the given stages.
 * @param {string[]} labels
 * @param {Partial<import('../support/backend.mjs').BroadcastSpec>} [spec]
 */
async function broadcast(labels, spec = {}) {
  const name = `watch-${process.pid}-${++counter}`;
  await backend.createBroadcast({ namespace: NS, name, apiKey: `key-${name}`, ...spec });
  if (labels.length) await backend.setStages(NS, name, labels.map((id) => ({ id })));
  return name;
}

/**
 * Opens the viewer page for a broadcast (it starts watching at once).
 * @param {string} name
 */
async function openViewer(name) {
  const opened = await openPage(browser, { ivsEndpoint: backend.ivsEndpoint });
  // Record every picture change, to prove a move never blanks the video.
  await opened.page.addInitScript(() => {
    const descriptor = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
    /** @type {{at: number, tracks: number}[]} */
    const sets = [];
    Object.assign(window, { __srcObjectSets: sets });
    Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
      configurable: true,
      get() { return descriptor?.get?.call(this); },
      set(value) {
        sets.push({ at: Date.now(), tracks: value ? value.getTracks().length : 0 });
        descriptor?.set?.call(this, value);
      },
    });
  });
  await opened.page.goto(`${backend.gatewayUrl}/viewer?namespace=${NS}&name=${name}&${CHOSEN_SDK}`);
  return opened;
}

/** @param {import('playwright-core').Page} page */
const phase = (page) => page.$eval('#status', (e) => /** @type {HTMLElement} */ (e).dataset.phase);

/** @param {import('playwright-core').Page} page */
const videoState = (page) => page.$eval('#video', (element) => {
  const v = /** @type {HTMLVideoElement} */ (element);
  return { paused: v.paused, muted: v.muted, width: v.videoWidth, time: v.currentTime, ready: v.readyState };
});

/** @param {import('playwright-core').Page} page */
async function waitUntilPlaying(page) {
  const first = await eventually(async () => {
    const v = await videoState(page);
    return !v.paused && v.width > 0 && v.ready >= 2 && v;
  }, { message: 'video playing' });
  await eventually(async () => (await videoState(page)).time > first.time, { message: 'video time advancing' });
}

test('the video plays muted with the stage\'s picture, and a click turns the sound on', async () => {
  const name = await broadcast(['v1']);
  const { page, context, errors } = await openViewer(name);
  await waitUntilPlaying(page);
  const v = await videoState(page);
  assert.equal(v.muted, true, 'starts muted (autoplay policy)');
  assert.equal(await page.isVisible('#unmute'), true, 'offers to unmute');
  assert.equal(await phase(page), 'watching');
  const [joined] = await joinedStages(page);
  assert.equal(joined.stageId, backend.stageId('v1'));
  assert.equal(joined.subscribed, true);
  assert.deepEqual(joined.publishing, [], 'a viewer publishes nothing');
  const join = (await standInEvents(page)).find((e) => e.type === 'join');
  assert.equal(join?.detail.canPublish, false, 'joined with a SUBSCRIBE token');
  if (backend.ivsEndpoint) {
    const verified = (await standInEvents(page)).filter((e) => e.type === 'emulator-join');
    assert.deepEqual(verified.map((e) => e.detail.publish), [false], 'the IVS emulator accepted the token');
  }
  await screenshot(page, 'viewer');

  await page.click('#unmute');
  await eventually(async () => {
    const now = await videoState(page);
    return !now.muted && !now.paused;
  }, { message: 'playing with sound' });
  assert.equal(await page.isVisible('#unmute'), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a draining stage moves the viewer: the new stage is joined before the old one is left', async () => {
  const name = await broadcast(['m1']);
  const { page, context } = await openViewer(name);
  await waitUntilPlaying(page);
  const [oldId] = [backend.stageId('m1')];
  await backend.setStages(NS, name, [{ id: 'm1', state: 'Draining' }, { id: 'm2' }]);
  const newId = backend.stageId('m2');
  await eventually(async () => (await joinedStages(page)).map((s) => s.stageId).join() === newId,
    { timeout: 5_000, message: 'moved to the new stage' });
  const events = await standInEvents(page);
  const joinedNew = events.find((e) => e.type === 'join' && e.stageId === newId);
  const leftOld = events.find((e) => e.type === 'leave' && e.stageId === oldId);
  assert.ok(joinedNew && leftOld, 'joined the new stage and left the old one');
  assert.ok(joinedNew.seq < leftOld.seq, 'joined the new stage before leaving the old one');
  /** @type {{at: number, tracks: number}[]} */
  const sets = await page.evaluate(() => /** @type {any} */ (window).__srcObjectSets);
  const firstPicture = sets.findIndex((s) => s.tracks > 0);
  assert.ok(firstPicture >= 0);
  assert.deepEqual(sets.slice(firstPicture).filter((s) => s.tracks === 0), [], 'the video was never blanked');
  assert.ok(sets.some((s) => s.tracks > 0 && s.at >= joinedNew.at && s.at <= leftOld.at),
    'the new picture was shown before the old stage was left');
  await waitUntilPlaying(page);
  assert.equal(await page.$eval('#stage-id', (e) => e.textContent), newId);
  await context.close();
});

test('a full broadcast (503) shows "full, retrying in N s"', async () => {
  const name = await broadcast(['f1'], { viewersPerStage: 1, minStages: 1, maxStages: 1 });
  // Take the one seat (once the gateway has seen the stage: until then it answers 409).
  await eventually(async () => (await fetch(`${backend.gatewayUrl}/api/v1/namespaces/${NS}/livebroadcasts/${name}/viewers`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).ok, { message: 'the one seat taken' });
  const { page, context } = await openViewer(name);
  await eventually(async () => (await phase(page)) === 'waiting-seat', { message: 'waiting for a seat' });
  assert.match(String(await page.textContent('#status')), /full: waiting for a seat, retrying in \d+ s/);
  assert.deepEqual(await joinedStages(page), []);
  await screenshot(page, 'viewer-full');
  await context.close();
});

test('a deleted broadcast ends the viewing', async () => {
  const name = await broadcast(['d1']);
  const { page, context } = await openViewer(name);
  await waitUntilPlaying(page);
  await backend.deleteBroadcast(NS, name);
  await eventually(async () => (await phase(page)) === 'ended', { timeout: 10_000, message: 'ended state' });
  assert.match(String(await page.textContent('#status')), /the broadcast has ended/i);
  assert.deepEqual(await joinedStages(page), [], 'the stage was left');
  await screenshot(page, 'viewer-ended');
  await context.close();
});

test('an unknown broadcast (404) is "not found", not "ended", and offers Watch again', async () => {
  const { page, context } = await openViewer('no-such-show');
  await eventually(async () => (await phase(page)) === 'not-found', { message: 'not-found state' });
  assert.match(String(await page.textContent('#status')), /no such broadcast/i);
  assert.doesNotMatch(String(await page.textContent('#status')), /ended/i);
  assert.equal(await page.isEnabled('#watch'), true, 'Watch can be pressed again');
  await screenshot(page, 'viewer-not-found');
  await context.close();
});

test('at 390 px neither page scrolls sideways, and no page load asks for a missing favicon', async () => {
  const name = await broadcast(['n1']);
  const { page, context } = await openPage(browser, { ivsEndpoint: backend.ivsEndpoint });
  await page.setViewportSize({ width: 390, height: 844 });
  /** @type {string[]} */
  const missing = [];
  page.on('response', (r) => { if (r.status() === 404) missing.push(r.url()); });
  for (const path of [`/broadcaster?namespace=${NS}&name=${name}&${CHOSEN_SDK}`,
    `/viewer?namespace=${NS}&name=${name}&${CHOSEN_SDK}`]) {
    await page.goto(backend.gatewayUrl + path);
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path.split('?')[0]} is ${width} px wide at 390 px`);
    await screenshot(page, `narrow${path.split('?')[0].replace('/', '-')}`);
  }
  assert.deepEqual(missing, [], 'no 404 on load');
  await context.close();
});
