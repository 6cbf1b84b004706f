// One viewer's life: get a place on a stage from the gateway, subscribe to it, keep the presence socket, move when
// told (join the new stage first, leave the old one once the new picture is there), wait when full, stop when the
// broadcast ends. No DOM: the SDK, the API, the socket factory and the timers are passed in.

import { ApiError } from './api-client.js';
import { RETRIES, backoffDelay } from './backoff.js';
import { parsePresenceMessage } from './messages.js';
import { ReconnectingSocket } from './reconnecting-socket.js';
import { defaultSchedule, leaveStage } from './stage-connection.js';
import { describeLeftReason, describeStageError } from './stage-errors.js';

/**
 * @typedef {SdkShape} Sdk  the real SDK, or local mode's stage client
 * @typedef {PublicOf<import('amazon-ivs-web-broadcast').Stage>} Stage
 * @typedef {import('amazon-ivs-web-broadcast').StageStrategy} StageStrategy
 * @typedef {import('./api-client.js').ViewerPlacement} ViewerPlacement
 * @typedef {import('./stage-connection.js').Schedule} Schedule
 * @typedef {import('./reconnecting-socket.js').SocketLike} SocketLike
 * @typedef {import('./api-client.js').ViewerWait} ViewerWait
 */

/**
 * What the page shows.
 *  - idle: not watching; joining: asking the gateway for a place; not-started: the broadcast has no stage yet;
 *  - waiting-seat: every stage is full, a seat is asked for again (and, with demand-aware scaling, is being made);
 *  - connecting: placed, joining the stage or waiting for the broadcaster's picture; watching: the picture is on;
 *  - moving: watching while joining another stage; ended: the broadcast is over; not-found: it never existed here;
 *  - error: something failed, the session retries by itself.
 * @typedef {'idle' | 'joining' | 'not-started' | 'waiting-seat' | 'connecting' | 'watching' | 'moving' | 'ended'
 *   | 'not-found' | 'error'} Phase
 * @typedef {object} ViewerStatus
 * @property {Phase} phase
 * @property {string} message      words for a person
 * @property {string | null} stageId  the stage being watched
 * @property {number | null} retryAt  when the next try happens (ms since the epoch), while waiting
 */

/**
 * @typedef {object} Connection
 * @property {Stage} stage
 * @property {string} stageArn
 * @property {string} stageId
 * @property {Map<string, MediaStreamTrack[]>} tracksByParticipant
 * @property {boolean} joined
 * @property {(() => void) | null} cancelFallback
 */

/** After a move, leave the old stage at the latest this long after the new one joined, picture or not. */
export const MOVE_FALLBACK_MS = 5_000;
/** The presence socket counts as lost when nothing arrived for this long: three missed heartbeats (every 15 s). */
export const PRESENCE_SILENCE_MS = 45_000;

/** Watches one broadcast as one viewer. */
export class ViewerSession {
  /**
   * @param {object} options
   * @param {Sdk} options.sdk
   * @param {(waitId: string | null) => Promise<ViewerPlacement | ViewerWait>} options.place  asks the gateway for a
   *   place (a wait id keeps the place in line)
   * @param {(presenceUrl: string) => SocketLike} options.openSocket opens the presence socket
   * @param {(status: ViewerStatus) => void} options.onStatus
   * @param {(tracks: MediaStreamTrack[]) => void} options.onTracks   the tracks to show (empty: nothing to show)
   * @param {Schedule} [options.schedule]
   * @param {() => number} [options.now]
   * @param {() => number} [options.random]
   * @param {(line: string) => void} [options.log]
   */
  constructor({ sdk, place, openSocket, onStatus, onTracks, schedule, now, random, log }) {
    this.sdk = sdk;
    this.place = place;
    this.openSocket = openSocket;
    this.onStatus = onStatus;
    this.onTracks = onTracks;
    this.schedule = schedule ?? defaultSchedule;
    this.now = now ?? Date.now;
    this.random = random ?? Math.random;
    this.log = log ?? (() => {});
    /** @type {ViewerStatus} */
    this.status = { phase: 'idle', message: '', stageId: null, retryAt: null };
    /** @type {Connection | null} the stage on screen */
    this.current = null;
    /** @type {Connection | null} the stage being moved to */
    this.next = null;
    /** @type {ReconnectingSocket | null} */
    this.presence = null;
    /** @type {string | null} */
    this.presenceUrl = null;
    this.placeFailures = 0;
    /** @type {string | null} the place in line while every stage is full */
    this.waitId = null;
    /** @type {(() => void) | null} */
    this.cancelTimer = null;
    this.finished = false;
    this.epoch = 0;
    /** once placed, a 404 means the broadcast went away, not that it never existed */
    this.everPlaced = false;
  }

  /** Starts (or restarts) watching. */
  start() {
    this.finished = false;
    this.epoch += 1;
    void this.requestPlace();
  }

  /** Stops watching: leaves every stage, closes the socket. */
  stop() {
    this.shutdown();
    this.setStatus('idle', 'Stopped.');
  }

  /** Asks the gateway for a place and watches it; on refusal, says why and tries again when it makes sense. */
  async requestPlace() {
    const epoch = this.epoch;
    this.clearTimer();
    if (!this.current && !this.waitId) this.setStatus('joining', 'Joining the broadcast…');
    /** @type {ViewerPlacement | ViewerWait} */
    let placement;
    try {
      placement = await this.place(this.waitId);
    } catch (error) {
      if (this.finished || epoch !== this.epoch) return;
      this.placeFailed(error);
      return;
    }
    if (this.finished || epoch !== this.epoch) return;
    this.placeFailures = 0;
    if ('waitId' in placement) {
      // The gateway holds our place until a stage is added: ask again at once, keeping the place.
      this.waitId = placement.waitId;
      if (!this.current) {
        this.setStatus('waiting-seat', `Waiting for a seat: number ${placement.position} in line, `
          + `about ${placement.expectedWaitSeconds} s.`);
      }
      void this.requestPlace();
      return;
    }
    this.waitId = null;
    this.everPlaced = true;
    this.log(`placed on stage ${placement.stageId} as ${placement.viewerId}`);
    if (placement.presenceUrl !== this.presenceUrl) this.openPresence(placement.presenceUrl);
    this.switchTo(placement.token, placement.stageArn, placement.stageId);
  }

  /**
   * @param {unknown} error
   */
  placeFailed(error) {
    const status = error instanceof ApiError ? error.status : 0;
    if (status === 400 && this.waitId !== null) {
      // The gateway no longer knows the place kept for us (its claims key changed): join afresh at once.
      this.log(`the kept place was refused (${error instanceof Error ? error.message : String(error)}); joining afresh`);
      this.waitId = null;
      void this.requestPlace();
      return;
    }
    if (status === 404 && !this.everPlaced) {
      this.shutdown();
      this.setStatus('not-found', 'There is no such broadcast. Check its namespace and name, then press Watch.');
      return;
    }
    if (status === 404 || status === 410) {
      this.end(error instanceof ApiError && error.message ? error.message : '');
      return;
    }
    this.placeFailures += 1;
    const watching = this.current !== null;
    if (status === 503) {
      const wait = (error instanceof ApiError && error.retryAfterMs !== null ? error.retryAfterMs
        : backoffDelay(this.placeFailures - 1, { ...RETRIES.placeFull, random: this.random }))
        + Math.round(this.random() * 1000);
      if (!watching) {
        this.retryLater('waiting-seat',
          (s) => `The broadcast is full: waiting for a seat, retrying in ${s} s. Keep this page open.`, wait);
      }
      else this.retryQuietly(wait);
      return;
    }
    const wait = error instanceof ApiError && error.retryAfterMs !== null ? error.retryAfterMs
      : backoffDelay(this.placeFailures - 1, { ...RETRIES.place, random: this.random });
    if (watching) {
      this.retryQuietly(wait);
    } else if (status === 409) {
      this.retryLater('not-started',
        (s) => `The broadcast has not started yet; this page joins it when it does (next try in ${s} s).`, wait);
    } else {
      const words = error instanceof Error ? error.message : String(error);
      this.retryLater('error', (s) => `${words} Retrying in ${s} s.`, wait);
    }
  }

  /**
   * @param {Phase} phase
   * @param {(seconds: number) => string} words
   * @param {number} waitMs
   */
  retryLater(phase, words, waitMs) {
    const retryAt = this.now() + waitMs;
    this.status = { phase, message: words(Math.ceil(waitMs / 1000)), stageId: null, retryAt };
    this.onStatus(this.status);
    this.cancelTimer = this.schedule(() => void this.requestPlace(), waitMs);
    // Keep the countdown in the words current.
    this.tickCountdown(phase, words, retryAt);
  }

  /**
   * @param {Phase} phase
   * @param {(seconds: number) => string} words
   * @param {number} retryAt
   */
  tickCountdown(phase, words, retryAt) {
    const remaining = retryAt - this.now();
    if (remaining <= 1000) return;
    const epoch = this.epoch;
    this.schedule(() => {
      if (this.finished || epoch !== this.epoch || this.status.retryAt !== retryAt) return;
      this.status = { phase, message: words(Math.ceil((retryAt - this.now()) / 1000)), stageId: null, retryAt };
      this.onStatus(this.status);
      this.tickCountdown(phase, words, retryAt);
    }, remaining % 1000 || 1000);
  }

  /** @param {number} waitMs */
  retryQuietly(waitMs) {
    this.cancelTimer = this.schedule(() => void this.requestPlace(), waitMs);
  }

  clearTimer() {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /**
   * Joins a stage. With nothing on screen it becomes the current one at once; otherwise it replaces the current
   * one only when its picture arrives (or MOVE_FALLBACK_MS after it joined), so the video does not go black.
   * @param {string} token
   * @param {string} stageArn
   * @param {string} stageId
   */
  switchTo(token, stageArn, stageId) {
    if (this.next) this.leaveConnection(this.next);
    this.next = null;
    const connection = this.connect(token, stageArn, stageId);
    if (!connection) return;
    if (!this.current) {
      this.current = connection;
      this.setStatus('connecting', 'Connecting to the stage…', stageId);
    } else {
      this.next = connection;
      this.log(`moving from stage ${this.current.stageId} to ${stageId}`);
      this.setStatus('moving', 'Moving to another stage; the picture stays on meanwhile.', this.current.stageId);
    }
  }

  /**
   * @param {string} token
   * @param {string} stageArn
   * @param {string} stageId
   * @returns {Connection | null}
   */
  connect(token, stageArn, stageId) {
    const { Stage, StageEvents, SubscribeType, StageLeftReason } = this.sdk;
    /** @type {StageStrategy} */
    const strategy = {
      stageStreamsToPublish: () => [],
      shouldPublishParticipant: () => false,
      shouldSubscribeToParticipant: () => SubscribeType.AUDIO_VIDEO,
    };
    /** @type {Stage} */
    let stage;
    try {
      stage = new Stage(token, strategy);
    } catch (error) {
      this.stageFailed(null, error);
      return null;
    }
    /** @type {Connection} */
    const connection = {
      stage, stageArn, stageId, tracksByParticipant: new Map(), joined: false, cancelFallback: null,
    };
    const live = () => !this.finished && (this.current === connection || this.next === connection);
    stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, (participant, streams) => {
      if (!live() || participant.isLocal) return;
      const tracks = connection.tracksByParticipant.get(participant.id) ?? [];
      for (const stream of streams) {
        if (!tracks.includes(stream.mediaStreamTrack)) tracks.push(stream.mediaStreamTrack);
      }
      connection.tracksByParticipant.set(participant.id, tracks);
      if (this.next === connection && tracks.some((t) => t.kind === 'video')) this.promote(connection);
      else if (this.current === connection) this.showTracks();
    });
    stage.on(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, (participant, streams) => {
      if (!live()) return;
      const gone = new Set(streams.map((s) => s.mediaStreamTrack));
      const tracks = (connection.tracksByParticipant.get(participant.id) ?? []).filter((t) => !gone.has(t));
      connection.tracksByParticipant.set(participant.id, tracks);
      if (this.current === connection) this.showTracks();
    });
    stage.on(StageEvents.STAGE_PARTICIPANT_LEFT, (participant) => {
      if (!live()) return;
      connection.tracksByParticipant.delete(participant.id);
      if (this.current === connection) this.showTracks();
    });
    stage.on(StageEvents.STAGE_LEFT, (reason) => {
      if (!live() || reason === StageLeftReason.USER_INITIATED) return;
      this.stageFailed(connection, new Error(describeLeftReason(reason)));
    });
    stage.join().then(() => {
      if (!live()) return;
      connection.joined = true;
      this.log(`joined stage ${stageId}`);
      if (this.current === connection) {
        this.placeFailures = 0;
        this.showTracks();
      } else {
        connection.cancelFallback = this.schedule(() => {
          if (this.next === connection) this.promote(connection);
        }, MOVE_FALLBACK_MS);
      }
    }, (error) => {
      // Ignored when this stage was already left (the SDK may reject long after leave()).
      if (!live()) return;
      this.stageFailed(connection, error);
    });
    return connection;
  }

  /**
   * The new stage's picture is there: show it, then leave the old stage.
   * @param {Connection} connection
   */
  promote(connection) {
    const old = this.current;
    this.current = connection;
    this.next = null;
    connection.cancelFallback?.();
    this.showTracks();
    if (old) {
      this.leaveConnection(old);
      this.log(`left stage ${old.stageId} after moving to ${connection.stageId}`);
    }
  }

  /**
   * A stage join failed or the stage went away: ask the gateway for a (new) place, soon.
   * @param {Connection | null} connection
   * @param {unknown} error
   */
  stageFailed(connection, error) {
    const words = describeStageError(error);
    this.log(`stage ${connection ? connection.stageId : '?'}: ${words}`);
    if (connection && this.next === connection) {
      this.leaveConnection(connection);
      this.next = null;
      this.showTracks();
    } else if (connection && this.current === connection) {
      this.leaveConnection(connection);
      this.current = null;
      this.onTracks([]);
    }
    this.placeFailures += 1;
    const wait = backoffDelay(this.placeFailures - 1, { ...RETRIES.viewerStage, random: this.random });
    if (!this.current) {
      this.retryLater('error', (s) => `${words} Reconnecting in ${s} s.`, wait);
    } else {
      this.retryQuietly(wait);
    }
  }

  /** Shows the current stage's tracks and says so. */
  showTracks() {
    const connection = this.current;
    if (!connection) return;
    const tracks = [...connection.tracksByParticipant.values()].flat();
    this.onTracks(tracks);
    if (this.next && tracks.length > 0) return; // still moving: the status says so
    if (tracks.length > 0) {
      this.setStatus('watching', 'Watching live.', connection.stageId);
    } else if (connection.joined) {
      this.setStatus('connecting', 'Connected; waiting for the broadcaster’s picture (it appears when they go live).',
        connection.stageId);
    }
  }

  /**
   * @param {Connection} connection
   */
  leaveConnection(connection) {
    connection.cancelFallback?.();
    leaveStage(connection.stage);
  }

  /**
   * Opens the presence socket (closing an older one). It reconnects with backoff; when it cannot, the session asks
   * the gateway for a place again (which also tells whether the broadcast still exists).
   * @param {string} presenceUrl
   */
  openPresence(presenceUrl) {
    this.closePresence();
    this.presenceUrl = presenceUrl;
    this.presence = new ReconnectingSocket({
      // a move hands over a new presence pass (for the new stage): later reconnects, to any replica, use it
      url: () => this.presenceUrl ?? presenceUrl,
      open: this.openSocket,
      onMessage: (text) => this.presenceMessage(text),
      onState: (state) => {
        if (state === 'open') this.log('presence socket open');
        if (state === 'reconnecting') this.log('presence socket closed');
      },
      retry: RETRIES.presenceSocket,
      // a frozen gateway keeps the socket open and silent: missed heartbeats count as a lost socket
      silenceMs: PRESENCE_SILENCE_MS,
      giveUpAfter: 3,
      onGiveUp: () => {
        // The gateway no longer knows this viewer (or the broadcast): ask again for a place.
        if (this.finished) return;
        this.presence = null;
        this.presenceUrl = null;
        void this.requestPlace();
      },
      schedule: this.schedule,
      random: this.random,
    });
    this.presence.start();
  }

  /** @param {string} text */
  presenceMessage(text) {
    const message = parsePresenceMessage(text);
    if (!message) return;
    if (message.type === 'move') {
      this.log(`told to move to stage ${message.stageId}`);
      if (message.presenceUrl) this.presenceUrl = message.presenceUrl;
      this.switchTo(message.token, message.stageArn, message.stageId);
    } else if (message.type === 'ended') {
      this.end('');
    }
  }

  closePresence() {
    this.presence?.stop('viewer left');
    this.presence = null;
  }

  /**
   * The broadcast is over: leave everything and say so.
   * @param {string} detail
   */
  end(detail) {
    this.shutdown();
    const suffix = detail && !/ended/i.test(detail) ? ` (${detail})` : '';
    this.setStatus('ended', `The broadcast has ended.${suffix} Press Watch to join it again if it restarts.`);
  }

  shutdown() {
    this.finished = true;
    this.epoch += 1;
    this.clearTimer();
    this.closePresence();
    this.presenceUrl = null;
    for (const connection of [this.next, this.current]) if (connection) this.leaveConnection(connection);
    this.next = null;
    this.current = null;
    this.onTracks([]);
  }

  /**
   * @param {Phase} phase
   * @param {string} message
   * @param {string | null} [stageId]
   */
  setStatus(phase, message, stageId = null) {
    this.status = { phase, message, stageId, retryAt: null };
    this.onStatus(this.status);
  }
}
