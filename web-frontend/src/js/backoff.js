// Reconnect delays: exponential growth with jitter, so many pages that lost the gateway at the same moment
// do not all come back at the same moment. Pure.

/**
 * @typedef {object} BackoffOptions
 * @property {number} [baseMs]   delay before the first retry, before jitter (default 500)
 * @property {number} [maxMs]    largest delay (default 30 000)
 * @property {() => number} [random] source of randomness in [0, 1) (default Math.random)
 */

/**
 * The delay before retry number `attempt` (0 for the first retry): a random value between half and all of
 * min(maxMs, baseMs · 2^attempt) ("equal jitter": never zero, never more than the cap).
 * @param {number} attempt
 * @param {BackoffOptions} [options]
 */
export function backoffDelay(attempt, options = {}) {
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Every retry of the pages, in one place: the first delay and the cap, before jitter.
 * @type {Readonly<Record<'eventsSocket' | 'presenceSocket' | 'place' | 'placeFull' | 'viewerStage' | 'publish',
 *   {baseMs: number, maxMs: number}>>}
 */
export const RETRIES = Object.freeze({
  /** the broadcaster's events socket */
  eventsSocket: { baseMs: 500, maxMs: 15_000 },
  /** a viewer's presence socket */
  presenceSocket: { baseMs: 500, maxMs: 10_000 },
  /** asking the gateway for a viewer's place (no stage yet, gateway unreachable) */
  place: { baseMs: 1000, maxMs: 30_000 },
  /** asking again when the broadcast is full and the gateway named no wait */
  placeFull: { baseMs: 2000, maxMs: 30_000 },
  /** a viewer's stage that failed to join or went away */
  viewerStage: { baseMs: 500, maxMs: 30_000 },
  /** the broadcaster's stage that failed to join or went away */
  publish: { baseMs: 1000, maxMs: 30_000 },
});

/**
 * The delay a server asked for in a Retry-After header (seconds or an HTTP date), in milliseconds, or null.
 * @param {string | null | undefined} value
 * @param {number} nowMs
 */
export function parseRetryAfter(value, nowMs) {
  if (value == null || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
