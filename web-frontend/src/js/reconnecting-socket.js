// One WebSocket that comes back: it asks for its URL on every try (a ticket is single-use), reconnects with
// jittered backoff, closes itself when it hears nothing for too long, and can give up after repeated failures.
// No DOM: the socket factory and the timers are passed in, so node's test runner checks it.

import { backoffDelay } from './backoff.js';
import { defaultSchedule } from './stage-connection.js';

/**
 * The part of a WebSocket this uses (a real WebSocket fits; tests pass a fake).
 * @typedef {Pick<WebSocket, 'onopen' | 'onmessage' | 'onclose' | 'close'>} SocketLike
 * @typedef {import('./stage-connection.js').Schedule} Schedule
 * @typedef {'closed' | 'connecting' | 'open' | 'reconnecting'} SocketState
 */

/** Keeps one socket open until stop(). */
export class ReconnectingSocket {
  /**
   * @param {object} options
   * @param {() => Promise<string> | string} options.url     where to connect, asked again on every try
   * @param {(url: string) => SocketLike} options.open        opens a socket
   * @param {(text: string) => void} options.onMessage        every text message
   * @param {(state: SocketState, detail: {why?: string, delayMs?: number}) => void} [options.onState]
   * @param {{baseMs: number, maxMs: number}} options.retry   the backoff (see RETRIES)
   * @param {number} [options.silenceMs]   close and reconnect when nothing arrived for this long (none by default)
   * @param {number} [options.giveUpAfter] after this many tries in a row that never opened, stop and call onGiveUp
   * @param {() => void} [options.onGiveUp]
   * @param {(error: unknown) => string} [options.describe]  words for a failure to get the URL
   * @param {Schedule} [options.schedule]
   * @param {() => number} [options.random]
   */
  constructor({ url, open, onMessage, onState, retry, silenceMs, giveUpAfter, onGiveUp, describe, schedule, random }) {
    this.url = url;
    this.open = open;
    this.onMessage = onMessage;
    this.onState = onState ?? (() => {});
    this.retry = retry;
    this.silenceMs = silenceMs ?? null;
    this.giveUpAfter = giveUpAfter ?? null;
    this.onGiveUp = onGiveUp ?? (() => {});
    this.describe = describe ?? ((error) => (error instanceof Error ? error.message : String(error)));
    this.schedule = schedule ?? defaultSchedule;
    this.random = random ?? Math.random;
    /** @type {SocketLike | null} */
    this.socket = null;
    /** consecutive failures since the last healthy() */
    this.failures = 0;
    /** consecutive tries that never opened */
    this.unopened = 0;
    /** bumped on start and stop; callbacks of an older run do nothing */
    this.run = 0;
    this.running = false;
    /** @type {(() => void) | null} */
    this.cancelRetry = null;
    /** @type {(() => void) | null} */
    this.cancelSilence = null;
  }

  /** Connects (again, from scratch). */
  start() {
    this.stop(null);
    this.running = true;
    void this.connect(++this.run);
  }

  /**
   * Closes the socket for good.
   * @param {string | null} [reason] sent with the close; null closes without telling onState
   */
  stop(reason = 'closed') {
    this.running = false;
    this.run += 1;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.cancelSilence?.();
    this.cancelSilence = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try {
        socket.close(1000, reason ?? 'closed');
      } catch {
        // Already closed.
      }
    }
    this.failures = 0;
    this.unopened = 0;
    if (reason !== null) this.onState('closed', {});
  }

  /** The owner saw the socket work (e.g. a snapshot arrived): the next failure starts the backoff from the start. */
  healthy() {
    this.failures = 0;
  }

  /** @param {number} run */
  async connect(run) {
    this.onState('connecting', {});
    /** @type {string} */
    let url;
    try {
      url = await this.url();
    } catch (error) {
      if (run === this.run) this.retryLater(run, this.describe(error), false);
      return;
    }
    if (run !== this.run) return;
    /** @type {SocketLike} */
    let socket;
    try {
      socket = this.open(url);
    } catch (error) {
      this.retryLater(run, this.describe(error), false);
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.unopened = 0;
      this.onState('open', {});
      this.watchSilence(socket);
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      this.watchSilence(socket);
      this.onMessage(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.cancelSilence?.();
      const code = event && typeof event.code === 'number' ? event.code : 1006;
      this.retryLater(run, `connection lost (${code})`, opened);
    };
  }

  /**
   * @param {number} run
   * @param {string} why
   * @param {boolean} wasOpen
   */
  retryLater(run, why, wasOpen) {
    if (run !== this.run || !this.running) return;
    if (!wasOpen) this.unopened += 1;
    if (this.giveUpAfter !== null && this.unopened >= this.giveUpAfter) {
      this.stop(null);
      this.onState('closed', { why });
      this.onGiveUp();
      return;
    }
    const delayMs = backoffDelay(this.failures++, { ...this.retry, random: this.random });
    this.onState('reconnecting', { why, delayMs });
    this.cancelRetry?.();
    this.cancelRetry = this.schedule(() => {
      if (run === this.run && this.running) void this.connect(run);
    }, delayMs);
  }

  /** @param {SocketLike} socket */
  watchSilence(socket) {
    if (this.silenceMs === null) return;
    this.cancelSilence?.();
    this.cancelSilence = this.schedule(() => {
      if (this.socket === socket) socket.close(4000, 'silent');
    }, this.silenceMs);
  }
}
