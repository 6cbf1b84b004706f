// The broadcaster's events socket: a one-time ticket per connection, the gateway's stage changes handed to the
// set of stages, a silence watchdog, reconnects with backoff, and a resync from the snapshot the gateway sends on
// every (re)connect. No DOM: the ticket source, the socket factory and the timers are passed in.

import { RETRIES } from './backoff.js';
import { parseBroadcasterEvent } from './messages.js';
import { ReconnectingSocket } from './reconnecting-socket.js';

/**
 * @typedef {import('./messages.js').StageOffer} StageOffer
 * @typedef {import('./reconnecting-socket.js').SocketLike} SocketLike
 * @typedef {import('./reconnecting-socket.js').SocketState} SocketState
 * @typedef {import('./stage-connection.js').Schedule} Schedule
 */

/**
 * What the socket drives: the broadcaster's set of stages (a StagePublisher fits).
 * @typedef {object} StageSet
 * @property {(offers: StageOffer[]) => void} reconcile
 * @property {(offer: StageOffer) => void} offer   a new stage, or a known one's new feed
 * @property {(stageArn: string, state: 'Active' | 'Draining') => void} setState
 * @property {(stageArn: string) => void} remove
 * @property {(stageArn: string, viewers: number) => void} setViewers
 */

/** The socket is considered dead when nothing (not even a heartbeat) arrived for this long. */
export const SOCKET_SILENCE_MS = 60_000;

/** Follows one broadcast's stage changes until stop(). */
export class EventsSocket {
  /**
   * @param {object} options
   * @param {() => Promise<string>} options.socketUrl   a fresh URL with a one-time ticket
   * @param {(url: string) => SocketLike} options.openSocket
   * @param {StageSet} options.stages
   * @param {(state: SocketState, detail: {why?: string, delayMs?: number}) => void} [options.onState]
   * @param {(error: unknown) => string} [options.describe]  words for a failure to get a ticket
   * @param {Schedule} [options.schedule]
   * @param {() => number} [options.random]
   * @param {(line: string) => void} [options.log]
   */
  constructor({ socketUrl, openSocket, stages, onState, describe, schedule, random, log }) {
    this.stages = stages;
    this.log = log ?? (() => {});
    const report = onState ?? (() => {});
    this.socket = new ReconnectingSocket({
      url: socketUrl,
      open: openSocket,
      onMessage: (text) => this.handle(text),
      onState: (state, detail) => {
        if (state === 'open') this.log('events socket open');
        if (state === 'reconnecting') this.log(`events socket: ${detail.why}`);
        report(state, detail);
      },
      retry: RETRIES.eventsSocket,
      silenceMs: SOCKET_SILENCE_MS,
      describe,
      schedule,
      random,
    });
  }

  start() {
    this.socket.start();
  }

  stop() {
    this.socket.stop('broadcaster stopped');
  }

  /** @param {string} text */
  handle(text) {
    const message = parseBroadcasterEvent(text);
    if (!message) return;
    switch (message.type) {
      case 'snapshot':
        // A snapshot is the gateway answering properly: the next failure starts the backoff from the start.
        this.socket.healthy();
        this.log(`snapshot: ${message.stages.length} stage(s)`);
        this.stages.reconcile(message.stages);
        break;
      case 'stage_created':
        this.log(`stage created: ${message.stage.stageId}`);
        this.stages.offer(message.stage);
        break;
      case 'stage_draining':
        this.log(`stage draining: ${message.stageId}`);
        this.stages.setState(message.stageArn, 'Draining');
        break;
      case 'stage_active':
        this.log(`stage active again: ${message.stageId}`);
        this.stages.setState(message.stageArn, 'Active');
        break;
      case 'stage_feed':
        this.log(message.stage.publish ? `stage ${message.stage.stageId}: publish into it`
          : `stage ${message.stage.stageId}: fed by IVS replication from ${message.stage.source}`);
        this.stages.offer(message.stage);
        break;
      case 'stage_viewers':
        this.stages.setViewers(message.stageArn, message.viewers);
        break;
      case 'stage_deleted':
        this.log(`stage deleted: ${message.stageId}`);
        this.stages.remove(message.stageArn);
        break;
      default:
        break;
    }
  }
}
