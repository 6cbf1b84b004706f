// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) with fake camera and microphone,
// and helpers to serve the pages the stand-in SDK or the real SDK bundle.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { RESULTS, SDK_FILE, WEB_FRONTEND } from './backend.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * The query that makes a page load the SDK from the gateway's path (answered by the stand-in or the real bundle)
 * even when the gateway runs in local mode, whose pages otherwise use the local stage client.
 */
export const CHOSEN_SDK = `sdk=${encodeURIComponent('/vendor/amazon-ivs-web-broadcast.js')}`;
const STAND_IN = join(WEB_FRONTEND, 'test/stand-in-sdk/stand-in-sdk.js');

/** Launches Chromium the way the pages need it in CI. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
}

/**
 * A fresh context and page whose SDK requests (gateway copy or CDN) get the stand-in, or the real bundle from
 * node_modules. Requests to AWS hosts other than the SDK itself (analytics, device config) are refused, as they
 * would fail without network anyway. Page errors are collected in `errors`.
 * With an IVS emulator endpoint, the stand-in presents every token to the emulator before it "connects"
 * (its /__stand-in/join and /leave requests are forwarded to the emulator's /_emulator/join and /leave), so a token
 * the emulator refuses fails the join as IVS would (STAGEFLEET_WEB_VERIFY_JOINS=0 turns this off).
 * @param {import('playwright-core').Browser} browser
 * @param {{sdk?: 'stand-in' | 'real', ivsEndpoint?: string | null}} [options]
 */
export async function openPage(browser, { sdk = 'stand-in', ivsEndpoint = null } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 860 } });
  if (ivsEndpoint && process.env.STAGEFLEET_WEB_VERIFY_JOINS !== '0') {
    await context.addInitScript(() => { Object.assign(window, { __standInVerifyJoins: true }); });
    await context.route(/\/__stand-in\/(join|leave)$/, async (route) => {
      const operation = route.request().url().endsWith('/join') ? 'join' : 'leave';
      const response = await fetch(`${ivsEndpoint}/_emulator/${operation}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: route.request().postData() ?? '{}',
      });
      await route.fulfill({ status: response.status, contentType: 'application/json', body: await response.text() });
    });
  }
  await context.route(/live-video\.net/, (route) => route.abort('internetdisconnected'));
  const body = readFileSync(sdk === 'real' ? SDK_FILE : STAND_IN);
  await context.route(/\/amazon-ivs-web-broadcast\.js(\?.*)?$/, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body }));
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/**
 * Saves a full-page screenshot into test-results/.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Polls until `check` returns a truthy value (which is returned), or fails with the last value seen.
 * @template T
 * @param {() => Promise<T> | T} check
 * @param {{timeout?: number, interval?: number, message?: string}} [options]
 * @returns {Promise<T>}
 */
export async function eventually(check, { timeout = 5_000, interval = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  /** @type {unknown} */
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return /** @type {T} */ (last);
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${message} not reached within ${timeout} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/**
 * The stand-in's record of what happened.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<StandInEventRecord[]>}
 */
export function standInEvents(page) {
  return page.evaluate(() => window.__standIn?.events ?? []);
}

/**
 * @typedef {{seq: number, at: number, type: string, stageArn: string, stageId: string, participantId: string,
 *   detail: Record<string, unknown>}} StandInEventRecord
 */

/**
 * The stages the stand-in has joined and not left.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<{stageArn: string, stageId: string, participantId: string, publishing: string[], subscribed: boolean}[]>}
 */
export function joinedStages(page) {
  return page.evaluate(() => window.__standIn?.joined() ?? []);
}
