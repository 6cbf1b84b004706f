// Page settings read from the page's own URL: where the gateway is and where the SDK comes from.
// Pure: no DOM, no SDK, so node's test runner checks it.

export const SDK_VERSION = '1.41.0';
export const SDK_CDN_URL = `https://web-broadcast.live-video.net/${SDK_VERSION}/amazon-ivs-web-broadcast.js`;
export const SDK_VENDOR_PATH = '/vendor/amazon-ivs-web-broadcast.js';

/**
 * @typedef {object} PageSettings
 * @property {string} gatewayBase  the gateway's origin (plus any path prefix), without a trailing slash
 * @property {string[]} sdkUrls    where to load the SDK from, tried in order
 * @property {string} namespace    broadcast namespace to prefill ('' when not given)
 * @property {string} name         broadcast name to prefill ('' when not given)
 * @property {string | null} localMedia  local mode's signalling relay (a ws:// URL) when stages are the emulator's
 */

/**
 * Reads the page's settings from its URL. `?gateway=` points at a gateway when the page is served elsewhere;
 * `?sdk=` replaces the SDK location (by default the gateway's copy first, then the pinned version on AWS's CDN).
 * A gateway in local mode names its media relay in the page (`localMediaPath`): the stages are the emulator's, so
 * the page uses the local stage client, unless `?sdk=` asks for a particular SDK.
 * @param {string} href the page's URL
 * @param {string | null} [localMediaPath] the relay's path from the page's `stagefleet-local-media` meta tag
 * @returns {PageSettings}
 */
export function pageSettings(href, localMediaPath = null) {
  const url = new URL(href);
  const params = url.searchParams;
  const gatewayBase = trimSlash(params.get('gateway') || url.origin);
  const sdk = params.get('sdk');
  const sdkUrls = sdk ? [new URL(sdk, url).href] : [gatewayBase + SDK_VENDOR_PATH, SDK_CDN_URL];
  return {
    gatewayBase,
    sdkUrls,
    namespace: params.get('namespace') || params.get('ns') || '',
    name: params.get('name') || '',
    localMedia: localMediaPath && !sdk ? socketUrl(gatewayBase, localMediaPath) : null,
  };
}

/**
 * The WebSocket URL for a path on the gateway (http → ws, https → wss).
 * @param {string} gatewayBase
 * @param {string} pathAndQuery an absolute path, or a full ws:// or http:// URL
 */
export function socketUrl(gatewayBase, pathAndQuery) {
  const url = new URL(pathAndQuery, gatewayBase + '/');
  if (/^https?:$/.test(url.protocol) && !/^(wss?|https?):\/\//i.test(pathAndQuery)) {
    // A path: keep any prefix of the gateway base (e.g. behind an ingress path).
    const base = new URL(gatewayBase + '/');
    const prefix = trimSlash(base.pathname);
    if (prefix && !url.pathname.startsWith(prefix + '/')) url.pathname = prefix + url.pathname;
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.href;
}

/** Kubernetes object names: DNS-1123 subdomain rules, checked before calling the gateway. */
const DNS1123 = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Words for what is wrong with a namespace/name pair, or null when both are fine.
 * @param {string} namespace
 * @param {string} name
 * @returns {string | null}
 */
export function broadcastNameProblem(namespace, name) {
  if (!namespace) return 'Enter the namespace of the broadcast.';
  if (!name) return 'Enter the name of the broadcast.';
  if (namespace.length > 63 || !DNS1123.test(namespace) || namespace.includes('.')) {
    return `"${namespace}" is not a valid namespace (lower-case letters, digits and '-').`;
  }
  if (name.length > 253 || !DNS1123.test(name)) {
    return `"${name}" is not a valid broadcast name (lower-case letters, digits, '-' and '.').`;
  }
  return null;
}

/** @param {string} s */
function trimSlash(s) {
  return s.replace(/\/+$/, '');
}
