// Local mode end to end: the broadcaster page with Chromium's fake camera and viewer pages in other tabs, against
// `stagefleet local` (real gateway, emulator). No SDK is loaded: the pages use the local stage client and the
// gateway's signalling relay, so the viewers must show the broadcaster's camera, frame after frame.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBackend } from '../support/backend.mjs';
import { eventually, launchBrowser, openPage, screenshot } from '../support/browser.mjs';

/** @type {import('../support/backend.mjs').Backend} */
let backend;
/** @type {import('playwright-core').Browser} */
let browser;
const NS = 'default';

before(async () => {
  [backend, browser] = await Promise.all([startBackend(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

/**
 * A page that records every request for the SDK or an AWS host (local mode must make none).
 */
async function localPage() {
  const opened = await openPage(browser);
  /** @type {string[]} */
  const remote = [];
  opened.page.on('request', (r) => {
    if (/amazon-ivs-web-broadcast|live-video\.net/.test(r.url())) remote.push(r.url());
  });
  return { ...opened, remote };
}

/**
 * Frames the page's video presents during about a second (requestVideoFrameCallback), and its size.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 */
function frames(page, selector) {
  return page.$eval(selector, (element) => new Promise((resolve) => {
    const video = /** @type {HTMLVideoElement} */ (element);
    let count = 0;
    const started = performance.now();
    const done = () => resolve({ count, width: video.videoWidth, height: video.videoHeight });
    const tick = () => {
      count += 1;
      if (performance.now() - started < 1_000) video.requestVideoFrameCallback(tick);
      else done();
    };
    video.requestVideoFrameCallback(tick);
    setTimeout(done, 3_000);
  }));
}

/**
 * Waits until the viewer page shows moving pictures of the broadcaster camera's shape.
 * @param {import('playwright-core').Page} viewer
 * @param {{width: number, height: number}} camera
 */
async function waitForCamera(viewer, camera) {
  return eventually(async () => {
    const seen = /** @type {{count: number, width: number, height: number}} */ (await frames(viewer, '#video'));
    // WebRTC may send a smaller picture at first (bandwidth estimation); the camera's shape stays.
    return seen.count >= 5 && seen.width > 0 && seen.width * camera.height === seen.height * camera.width && seen;
  }, { timeout: 20_000, interval: 200, message: 'the broadcaster\'s camera on the viewer page, frames advancing' });
}

test('in local mode a viewer sees the broadcaster\'s camera, keeps seeing it after a move, and on a stage added mid-broadcast', async () => {
  const name = `local-${process.pid}`;
  const apiKey = `key-${name}`;
  await backend.createBroadcast({ namespace: NS, name, apiKey });
  await backend.setStages(NS, name, [{ id: 'l1' }]);

  const broadcaster = await localPage();
  await broadcaster.page.goto(`${backend.gatewayUrl}/broadcaster?namespace=${NS}&name=${name}`);
  await eventually(() => broadcaster.page.textContent('#sdk-state').then((t) => /Local mode/.test(String(t))),
    { message: 'the local stage client, not the SDK' });
  await broadcaster.page.fill('#api-key', apiKey);
  await broadcaster.page.click('#start');
  const first = backend.stageId('l1');
  await eventually(() => broadcaster.page.$eval(`#stages tr[data-stage-id="${first}"]`,
    (r) => /** @type {HTMLElement} */ (r).dataset.publishing === 'true'), { timeout: 10_000, message: 'publishing' });
  assert.equal(await broadcaster.page.isVisible('#live-badge'), true, 'LIVE once the stage client publishes');
  const camera = /** @type {{count: number, width: number, height: number}} */ (await frames(broadcaster.page, '#preview'));
  assert.ok(camera.width > 0 && camera.height > 0, 'the fake camera runs');

  const viewer = await localPage();
  await viewer.page.goto(`${backend.gatewayUrl}/viewer?namespace=${NS}&name=${name}`);
  await waitForCamera(viewer.page, camera);
  assert.equal(await viewer.page.$eval('#stage-id', (e) => e.textContent), first);
  await screenshot(viewer.page, 'viewer-local-media');
  await screenshot(broadcaster.page, 'broadcaster-local-media');

  // A second stage comes while live; the first drains, so the viewer is moved onto the new one.
  await backend.setStages(NS, name, [{ id: 'l1', state: 'Draining' }, { id: 'l2' }]);
  const second = backend.stageId('l2');
  await eventually(() => viewer.page.$eval('#stage-id', (e) => e.textContent).then((t) => t === second),
    { timeout: 15_000, message: 'the viewer moved to the new stage' });
  await waitForCamera(viewer.page, camera);

  // A viewer arriving once only the new stage is left watches it too.
  await backend.setStages(NS, name, [{ id: 'l2' }]);
  const late = await localPage();
  await late.page.goto(`${backend.gatewayUrl}/viewer?namespace=${NS}&name=${name}`);
  await waitForCamera(late.page, camera);
  assert.equal(await late.page.$eval('#stage-id', (e) => e.textContent), second);

  for (const page of [broadcaster, viewer, late]) {
    assert.deepEqual(page.remote, [], 'local mode loads no SDK and calls no AWS host');
    assert.deepEqual(page.errors, []);
  }
  await broadcaster.page.click('#stop');
  await eventually(async () => !(await broadcaster.page.isVisible('#live-badge')), { message: 'LIVE gone after Stop' });
  for (const page of [broadcaster, viewer, late]) await page.context.close();
});
