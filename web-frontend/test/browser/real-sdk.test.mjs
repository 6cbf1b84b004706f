// The broadcaster page on the REAL IVS Web Broadcast SDK bundle (from node_modules). Real IVS is out of reach,
// so the test uses the SDK's one offline path that fails fast and deterministically: an expired token, which
// join() rejects in milliseconds (a valid-looking token would only time out after about 63 s).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBackend } from '../support/backend.mjs';
import { CHOSEN_SDK, eventually, launchBrowser, openPage, screenshot } from '../support/browser.mjs';

/** @type {import('../support/backend.mjs').Backend} */
let backend;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  [backend, browser] = await Promise.all([startBackend(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

/**
 * The same token with its `exp` an hour in the past (the SDK reads claims; it does not check signatures).
 * @param {string} token
 */
function expire(token) {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  claims.exp = Math.floor(Date.now() / 1000) - 3600;
  claims.iat = claims.exp - 60;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

/**
 * Rewrites every token in a JSON value.
 * @param {any} value
 * @returns {any}
 */
function expireAll(value) {
  if (Array.isArray(value)) return value.map(expireAll);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'token' && typeof v === 'string' ? expire(v) : expireAll(v)]));
  }
  return value;
}

test('with the real SDK, an expired stage token puts the stage in the page\'s error state, in words', async () => {
  const name = `real-sdk-${process.pid}`;
  await backend.createBroadcast({ namespace: 'default', name, apiKey: 'real-sdk-key' });
  await backend.setStages('default', name, [{ id: 'r1' }]);
  const id = backend.stageId('r1');
  const { page, context } = await openPage(browser, { sdk: 'real' });
  // Every token the gateway hands out (list, fresh token, socket snapshot) arrives expired.
  await page.route(/\/livebroadcasts\/[^/]+\/(stages|stage-token)$/, async (route) => {
    const response = await route.fetch();
    const body = expireAll(await response.json());
    await route.fulfill({ response, json: body });
  });
  await page.routeWebSocket(/\/events\?ticket=/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      const text = typeof message === 'string' ? message : message.toString('utf8');
      try {
        ws.send(JSON.stringify(expireAll(JSON.parse(text))));
      } catch {
        ws.send(text);
      }
    });
  });
  await page.goto(`${backend.gatewayUrl}/broadcaster?namespace=default&name=${name}&${CHOSEN_SDK}`);
  await eventually(() => page.textContent('#sdk-state').then((t) => /1\.41\.0/.test(String(t))),
    { timeout: 10_000, message: 'the real SDK 1.41.0 loaded' });
  await page.fill('#api-key', 'real-sdk-key');
  await page.click('#start');

  const row = `#stages tr[data-stage-id="${id}"]`;
  await eventually(() => page.$eval(row, (r) => /** @type {HTMLElement} */ (r).dataset.link === 'errored'
    && /expired/i.test(r.textContent ?? '') && /retrying in \d+ s/i.test(r.textContent ?? '')),
  { timeout: 10_000, message: 'stage errored with words' });
  assert.match(String(await page.textContent('#status')), /with errors/);
  await screenshot(page, 'broadcaster-real-sdk-expired-token');
  await page.click('#stop');
  await context.close();
});

test('the SDK is taken from the gateway when it has a copy, else from the pinned version on AWS\'s CDN', async () => {
  const { page, context } = await openPage(browser);
  /** @type {string[]} */
  const asked = [];
  await page.route(/\/vendor\/amazon-ivs-web-broadcast\.js$/, (route) => {
    asked.push(route.request().url());
    return route.fulfill({ status: 404, body: 'not here' });
  });
  page.on('request', (r) => { if (r.url().includes('web-broadcast.live-video.net')) asked.push(r.url()); });
  // As a production gateway serves it: without local mode's relay in the page.
  await page.route(/\/viewer\/(\?.*)?$/, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/<meta name="stagefleet-local-media"[^>]*>/, '');
    await route.fulfill({ status: response.status(), contentType: 'text/html; charset=utf-8', body });
  });
  await page.goto(`${backend.gatewayUrl}/viewer/`);
  await eventually(() => page.textContent('#sdk-state').then((t) => /stand-in/.test(String(t))),
    { message: 'SDK loaded' });
  assert.deepEqual(asked, [`${backend.gatewayUrl}/vendor/amazon-ivs-web-broadcast.js`,
    'https://web-broadcast.live-video.net/1.41.0/amazon-ivs-web-broadcast.js']);
  assert.match(String(await page.textContent('#sdk-state')), /web-broadcast\.live-video\.net\/1\.41\.0/);
  await context.close();
});
