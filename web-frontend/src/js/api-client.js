// The gateway's HTTP API, as the pages use it. No DOM: fetch is passed in, so node's test runner checks it.

import { parseRetryAfter } from './backoff.js';
import { socketUrl } from './config.js';
import { stageOffer } from './messages.js';

/** @typedef {import('./messages.js').StageOffer} StageOffer */

/**
 * @typedef {object} ViewerPlacement
 * @property {string} viewerId
 * @property {string} stageArn
 * @property {string} stageId
 * @property {string} token        a SUBSCRIBE token for that stage
 * @property {string | null} expiresAt
 * @property {string} presenceUrl  the path of this viewer's presence socket on the gateway
 */

/**
 * Every stage is full and another is being added: the gateway keeps the viewer's place in line.
 * @typedef {object} ViewerWait
 * @property {string} waitId             send it with the next join to keep the place
 * @property {number} position           1 is next
 * @property {number} expectedWaitSeconds
 */

/** How long the gateway may hold a join for a seat (it holds at most 25 s). */
const HOLD_SECONDS = 20;

/** A refusal or failure of the gateway, with words a person can read. */
export class ApiError extends Error {
  /**
   * @param {number} status        HTTP status, 0 when the gateway could not be reached
   * @param {string} code          the gateway's `error` field, or a code of ours
   * @param {string} message       words for a person
   * @param {number | null} retryAfterMs  the wait the gateway asked for (503), if any
   */
  constructor(status, code, message, retryAfterMs = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Calls the gateway's broadcaster and viewer API. */
export class GatewayClient {
  /**
   * @param {object} options
   * @param {string} options.gatewayBase   e.g. http://127.0.0.1:8080 (no trailing slash)
   * @param {typeof fetch} [options.fetch]
   * @param {() => number} [options.now]
   */
  constructor({ gatewayBase, fetch: fetchFn, now }) {
    this.gatewayBase = gatewayBase;
    this.fetch = fetchFn ?? globalThis.fetch.bind(globalThis);
    this.now = now ?? Date.now;
  }

  /**
   * @param {string} namespace
   * @param {string} name
   */
  broadcastPath(namespace, name) {
    return `/api/v1/namespaces/${encodeURIComponent(namespace)}/livebroadcasts/${encodeURIComponent(name)}`;
  }

  /**
   * Every stage of the broadcast, each with a PUBLISH token.
   * @param {string} namespace
   * @param {string} name
   * @param {string} apiKey
   * @returns {Promise<StageOffer[]>}
   */
  async listStages(namespace, name, apiKey) {
    const body = await this.call('GET', `${this.broadcastPath(namespace, name)}/stages`, apiKey);
    const stages = Array.isArray(body.stages) ? body.stages : [];
    return stages.map(stageOffer).filter(/** @returns {s is StageOffer} */ (s) => s !== null);
  }

  /**
   * A fresh PUBLISH token for one stage.
   * @param {string} namespace
   * @param {string} name
   * @param {string} apiKey
   * @param {string} stageArn
   * @returns {Promise<StageOffer>}
   */
  async stageToken(namespace, name, apiKey, stageArn) {
    const body = await this.call('POST', `${this.broadcastPath(namespace, name)}/stage-token`, apiKey, { stageArn });
    const offer = stageOffer({ stageArn, ...body });
    if (!offer || !offer.token) throw new ApiError(502, 'bad_response', 'The gateway answered without a token.');
    return offer;
  }

  /**
   * The URL of the broadcaster's events socket, with a fresh one-time ticket in it (browsers cannot send
   * headers on a WebSocket, so the key never goes into a URL; the short-lived ticket does).
   * @param {string} namespace
   * @param {string} name
   * @param {string} apiKey
   */
  async eventsSocketUrl(namespace, name, apiKey) {
    const body = await this.call('POST', `${this.broadcastPath(namespace, name)}/ws-ticket`, apiKey, {});
    if (typeof body.ticket !== 'string' || !body.ticket) {
      throw new ApiError(502, 'bad_response', 'The gateway answered without a socket ticket.');
    }
    const path = `${this.broadcastPath(namespace, name)}/events?ticket=${encodeURIComponent(body.ticket)}`;
    return socketUrl(this.gatewayBase, path);
  }

  /**
   * Asks for a place on a stage as a viewer.
   * @param {string} namespace
   * @param {string} name
   * @param {string | null} [waitId]  from an earlier {@link ViewerWait}, to keep the place in line
   * @returns {Promise<ViewerPlacement | ViewerWait>}
   */
  async joinAsViewer(namespace, name, waitId = null) {
    const body = await this.call('POST', `${this.broadcastPath(namespace, name)}/viewers`, null,
      waitId ? { waitId } : {}, { prefer: `wait=${HOLD_SECONDS}` });
    if (typeof body.waitId === 'string' && !body.token) {
      return {
        waitId: body.waitId, position: Number(body.position) || 1,
        expectedWaitSeconds: Number(body.expectedWaitSeconds) || 1,
      };
    }
    const offer = stageOffer(body);
    const viewerId = typeof body.viewerId === 'string' ? body.viewerId : '';
    const presenceUrl = typeof body.presenceUrl === 'string' ? body.presenceUrl : '';
    if (!offer || !offer.token || !presenceUrl) {
      throw new ApiError(502, 'bad_response', 'The gateway answered without a stage, token or presence socket.');
    }
    return {
      viewerId, presenceUrl, stageArn: offer.stageArn, stageId: offer.stageId, token: offer.token,
      expiresAt: offer.expiresAt,
    };
  }

  /**
   * The full URL of a presence socket path.
   * @param {string} presenceUrl
   */
  presenceSocketUrl(presenceUrl) {
    return socketUrl(this.gatewayBase, presenceUrl);
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {string | null} apiKey
   * @param {object} [body]
   * @param {Record<string, string>} [extraHeaders]
   * @returns {Promise<Record<string, any>>}
   */
  async call(method, path, apiKey, body, extraHeaders = {}) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json', ...extraHeaders };
    if (apiKey) headers['x-api-key'] = apiKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    /** @type {Response} */
    let response;
    try {
      response = await this.fetch(this.gatewayBase + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'unreachable', `Cannot reach the gateway at ${this.gatewayBase}.`);
    }
    const text = await response.text().catch(() => '');
    /** @type {Record<string, any>} */
    let json = {};
    try {
      const parsed = text ? JSON.parse(text) : {};
      if (parsed && typeof parsed === 'object') json = parsed;
    } catch {
      json = {};
    }
    if (response.ok) return json;
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
    const code = typeof json.error === 'string' ? json.error : `http_${response.status}`;
    const message = typeof json.message === 'string' && json.message ? json.message : defaultMessage(response.status);
    throw new ApiError(response.status, code, message, retryAfterMs);
  }
}

/**
 * Words for an HTTP status the gateway gave without a message of its own.
 * @param {number} status
 */
function defaultMessage(status) {
  switch (status) {
    case 400: return 'The gateway did not accept the request.';
    case 401: return 'The API key is missing or wrong.';
    case 403: return 'This API key is not allowed for this broadcast.';
    case 404: return 'There is no such broadcast.';
    case 409: return 'The broadcast has no stage yet.';
    case 429: return 'Too many requests; slow down.';
    case 503: return 'The broadcast is full.';
    default: return `The gateway answered with HTTP ${status}.`;
  }
}

/**
 * Words for a broadcaster-side API failure, naming what the person can do.
 * @param {unknown} error
 */
export function describeApiError(error) {
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) return `${error.message} Check the key and try again.`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
