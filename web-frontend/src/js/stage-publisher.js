// The broadcaster's set of stages: one SDK Stage per IVS stage it publishes into (origins; stages fed by IVS
// replication are only shown), each publishing the same camera and microphone tracks (its own LocalStageStream per
// track), joined and left as the gateway says. No DOM: the SDK, the token source and the timers are passed in, so
// node's test runner checks it with a fake SDK.

import { RETRIES, backoffDelay } from './backoff.js';
import { feedStep, planStages } from './reconcile.js';
import { defaultSchedule, leaveStage } from './stage-connection.js';
import { describeLeftReason, describeStageError, isTokenRejection } from './stage-errors.js';
import { tokenIsStale } from './token.js';

/**
 * @typedef {SdkShape} Sdk  the real SDK, or local mode's stage client
 * @typedef {PublicOf<import('amazon-ivs-web-broadcast').Stage>} Stage
 * @typedef {PublicOf<import('amazon-ivs-web-broadcast').LocalStageStream>} LocalStageStream
 * @typedef {import('amazon-ivs-web-broadcast').StageStrategy} StageStrategy
 * @typedef {import('./messages.js').StageOffer} StageOffer
 * @typedef {import('./stage-connection.js').Schedule} Schedule
 */

/**
 * How one stage looks on the page.
 * @typedef {'connecting' | 'connected' | 'errored' | 'disconnected' | 'replicated'} Link  replicated: not on the
 *   stage, IVS replication feeds it
 * @typedef {object} StageRow
 * @property {string} stageArn
 * @property {string} stageId
 * @property {string} state          the gateway's word: Active or Draining
 * @property {Link} link             the SDK connection, as the page sees it
 * @property {number | null} viewers subscribers reported by the SDK (or the gateway), null when unknown
 * @property {string | null} error   words for the last failure, while it is not resolved
 * @property {number} attempts       failed attempts since the last successful join
 * @property {boolean} publishing    the SDK (or local mode's client) reports this page's streams as published
 * @property {import('./messages.js').Feed | null} feed  as the gateway says (null: it does not say)
 * @property {string | null} source  the origin's stage id, for a stage fed by replication
 * @property {boolean} handingOver   the gateway says replication feeds it; the page publishes on until that is safe
 */

/**
 * @typedef {object} Entry
 * @property {string} stageArn
 * @property {string} stageId
 * @property {string} state
 * @property {Link} link
 * @property {number | null} viewers
 * @property {string | null} error
 * @property {number} attempts
 * @property {boolean} publishing
 * @property {number | null} publishingSince  when publishing last became true
 * @property {boolean} publish       the gateway's word (always true when replication cannot carry this client's media)
 * @property {import('./messages.js').Feed | null} feed
 * @property {string | null} source
 * @property {number | null} replicaSince     when the gateway began to say replication feeds it
 * @property {boolean} onStage       the page is on the stage: joining, joined, or waiting to retry
 * @property {{token: string | null, expiresAt: string | null}} offered  the latest token offered, unused
 * @property {(() => void) | null} cancelRecheck
 * @property {Stage | null} stage
 * @property {LocalStageStream[]} streams
 * @property {number} generation     bumped for every connection attempt and on leave; late callbacks compare it
 * @property {boolean} joined
 * @property {(() => void) | null} cancelRetry
 */

/** Keeps the broadcaster published on every stage it is told to publish into, and shows the others. */
export class StagePublisher {
  /**
   * @param {object} options
   * @param {Sdk} options.sdk
   * @param {(stageArn: string) => Promise<{token: string | null, expiresAt: string | null}>} options.freshToken
   * @param {() => void} [options.onChange]   called after any row changed
   * @param {Schedule} [options.schedule]
   * @param {() => number} [options.now]
   * @param {() => number} [options.random]
   * @param {(line: string) => void} [options.log]
   * @param {import('amazon-ivs-web-broadcast').StageVideoConfiguration} [options.videoConfig]
   * @param {boolean} [options.replicable]  whether IVS replication can carry this client's media (false for local
   *   mode's stage client, whose media goes page to page: it publishes into every stage)
   */
  constructor({ sdk, freshToken, onChange, schedule, now, random, log, videoConfig, replicable }) {
    this.sdk = sdk;
    this.freshToken = freshToken;
    this.onChange = onChange ?? (() => {});
    this.schedule = schedule ?? defaultSchedule;
    this.now = now ?? Date.now;
    this.random = random ?? Math.random;
    this.log = log ?? (() => {});
    this.videoConfig = videoConfig ?? { maxVideoBitrateKbps: 2500, maxFramerate: 30 };
    this.replicable = replicable ?? true;
    /** @type {Map<string, Entry>} */
    this.entries = new Map();
    /** @type {MediaStreamTrack[]} */
    this.tracks = [];
    this.muted = { audio: false, video: false };
    this.stopped = false;
  }

  /**
   * The camera and microphone tracks to publish. Changing them while live gives every stage new streams.
   * @param {MediaStreamTrack[]} tracks
   */
  setTracks(tracks) {
    this.tracks = tracks.slice();
    for (const entry of this.entries.values()) {
      if (!entry.stage) continue;
      entry.streams = this.makeStreams();
      entry.stage.refreshStrategy();
    }
  }

  /**
   * Mutes or unmutes the microphone ('audio') or camera ('video') on every stage.
   * @param {'audio' | 'video'} kind
   * @param {boolean} muted
   */
  setMuted(kind, muted) {
    this.muted[kind] = muted;
    for (const entry of this.entries.values()) {
      for (const stream of entry.streams) if (stream.mediaStreamTrack.kind === kind) stream.setMuted(muted);
    }
  }

  /**
   * A stage the gateway offers, or its new feed: joined when it is to be published into, only shown when IVS
   * replication feeds it; a token of a stage the page is on is not used again.
   * @param {StageOffer} offer
   */
  offer(offer) {
    this.stopped = false;
    let entry = this.entries.get(offer.stageArn);
    if (!entry) {
      entry = {
        stageArn: offer.stageArn, stageId: offer.stageId, state: offer.state, link: 'replicated',
        viewers: offer.viewers, error: null, attempts: 0, publishing: false, publishingSince: null, publish: true,
        feed: null, source: null, replicaSince: null, onStage: false, offered: { token: null, expiresAt: null },
        cancelRecheck: null, stage: null, streams: [], generation: 0, joined: false, cancelRetry: null,
      };
      this.entries.set(offer.stageArn, entry);
    }
    entry.state = offer.state;
    if (offer.viewers !== null) entry.viewers = offer.viewers;
    if (offer.token) entry.offered = { token: offer.token, expiresAt: offer.expiresAt };
    const publish = offer.publish || !this.replicable;
    if (publish && !entry.publish && !entry.onStage) this.log(`stage ${entry.stageId} is an origin now`);
    if (publish) entry.replicaSince = null;
    else if (entry.publish || entry.replicaSince === null || entry.source !== offer.source) {
      entry.replicaSince = this.now();
    }
    entry.publish = publish;
    entry.feed = offer.feed;
    entry.source = offer.source;
    this.step(entry);
    this.onChange();
  }

  /**
   * Joins, keeps, leaves or holds one stage as its feed and its source's publishing say.
   * @param {Entry} entry
   */
  step(entry) {
    entry.cancelRecheck?.();
    entry.cancelRecheck = null;
    if (this.stopped || this.entries.get(entry.stageArn) !== entry) return;
    const source = entry.source === null ? null
      : [...this.entries.values()].find((e) => e.stageId === entry.source) ?? null;
    const next = feedStep({
      publish: entry.publish, onStage: entry.onStage, replicaSince: entry.replicaSince,
      sourcePublishingSince: source?.publishingSince ?? null,
    }, this.now());
    if (next.action === 'join') {
      entry.onStage = true;
      const { token, expiresAt } = entry.offered;
      entry.offered = { token: null, expiresAt: null };
      this.log(`joining stage ${entry.stageId}`);
      void this.connect(entry, token, expiresAt);
    } else if (next.action === 'leave') {
      entry.onStage = false;
      this.disconnect(entry);
      entry.link = 'replicated';
      entry.error = null;
      entry.attempts = 0;
      this.log(`left stage ${entry.stageId}: IVS replication from ${entry.source} feeds it`);
      this.onChange();
    } else if (next.action === 'hold' && next.recheckInMs !== null) {
      entry.cancelRecheck = this.schedule(() => this.step(entry), next.recheckInMs);
    }
  }

  /**
   * Records whether the page's streams are published on a stage, and looks again at the stages fed from it.
   * @param {Entry} entry
   * @param {boolean} publishing
   */
  setPublishing(entry, publishing) {
    if (entry.publishing === publishing) return;
    entry.publishing = publishing;
    entry.publishingSince = publishing ? this.now() : null;
    for (const other of this.entries.values()) if (other.source === entry.stageId) this.step(other);
  }

  /**
   * Makes the set of stages equal to a snapshot: adds what is missing, leaves what is gone, follows feeds.
   * @param {StageOffer[]} offers
   */
  reconcile(offers) {
    const plan = planStages(this.entries.keys(), offers);
    for (const arn of plan.leave) this.remove(arn);
    for (const offer of [...plan.update, ...plan.join]) this.offer(offer);
  }

  /**
   * The gateway drains a stage (keep publishing: its viewers are being moved) or makes it Active again.
   * @param {string} stageArn
   * @param {'Active' | 'Draining'} state
   */
  setState(stageArn, state) {
    const entry = this.entries.get(stageArn);
    if (!entry) return;
    entry.state = state;
    this.onChange();
  }

  /**
   * The viewer count the status reports for a stage.
   * @param {string} stageArn
   * @param {number} viewers
   */
  setViewers(stageArn, viewers) {
    const entry = this.entries.get(stageArn);
    if (!entry) return;
    entry.viewers = viewers;
    this.onChange();
  }

  /**
   * Leaves a stage. Anything its Stage reports afterwards (a late join rejection, say) is ignored.
   * @param {string} stageArn
   */
  remove(stageArn) {
    const entry = this.entries.get(stageArn);
    if (!entry) return;
    this.entries.delete(stageArn);
    entry.cancelRecheck?.();
    const wasOn = entry.onStage;
    this.disconnect(entry);
    if (wasOn) this.log(`left stage ${entry.stageId}`);
    this.onChange();
  }

  /** Leaves every stage. */
  stopAll() {
    this.stopped = true;
    for (const arn of [...this.entries.keys()]) this.remove(arn);
  }

  /** @returns {StageRow[]} */
  rows() {
    return [...this.entries.values()].map((e) => ({
      stageArn: e.stageArn, stageId: e.stageId, state: e.state, link: e.link, viewers: e.viewers, error: e.error,
      attempts: e.attempts, publishing: e.publishing, feed: e.feed, source: e.source,
      handingOver: e.onStage && !e.publish,
    }));
  }

  /** @returns {LocalStageStream[]} */
  makeStreams() {
    const { LocalStageStream } = this.sdk;
    return this.tracks.map((track) => {
      const stream = track.kind === 'video'
        ? new LocalStageStream(track, this.videoConfig)
        : new LocalStageStream(track, { maxAudioBitrateKbps: 64 });
      if (this.muted[track.kind === 'video' ? 'video' : 'audio']) stream.setMuted(true);
      return stream;
    });
  }

  /**
   * One connection attempt. Every callback checks that it still belongs to the entry's current attempt.
   * @param {Entry} entry
   * @param {string | null} token
   * @param {string | null} expiresAt
   */
  async connect(entry, token, expiresAt) {
    const generation = ++entry.generation;
    entry.cancelRetry = null;
    entry.link = 'connecting';
    entry.joined = false;
    this.onChange();
    const current = () => !this.stopped && this.entries.get(entry.stageArn) === entry && entry.generation === generation;
    /** @type {Stage | null} */
    let stage = null;
    try {
      if (!token || tokenIsStale(token, expiresAt, this.now())) {
        const fresh = await this.freshToken(entry.stageArn);
        if (!current()) return;
        token = fresh.token;
        if (!token) throw new Error('The gateway gave no token for this stage.');
      }
      const { Stage, StageEvents, StageConnectionState, StageLeftReason, StageParticipantPublishState, SubscribeType } = this.sdk;
      entry.streams = this.makeStreams();
      /** @type {StageStrategy} */
      const strategy = {
        // The declared return type is the SDK's class; local mode's streams have the same public shape.
        stageStreamsToPublish: () => /** @type {any} */ (entry.streams),
        shouldPublishParticipant: () => true,
        shouldSubscribeToParticipant: () => SubscribeType.NONE,
      };
      stage = new Stage(token, strategy);
      entry.stage = stage;
      stage.on(StageEvents.STAGE_CONNECTION_STATE_CHANGED, (state) => {
        if (!current()) return;
        if (state === StageConnectionState.CONNECTED) {
          entry.link = 'connected';
          entry.error = null;
        } else if (state === StageConnectionState.CONNECTING) {
          entry.link = 'connecting';
        } else if (state === StageConnectionState.ERRORED) {
          entry.link = 'errored';
          if (entry.joined) this.failed(entry, new Error('The connection to the stage was lost.'));
        } else if (state === StageConnectionState.DISCONNECTED) {
          entry.link = 'disconnected';
        }
        this.onChange();
      });
      stage.on(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, (participant, state) => {
        if (!current() || !participant.isLocal) return;
        this.setPublishing(entry, state === StageParticipantPublishState.PUBLISHED);
        this.onChange();
      });
      stage.on(StageEvents.STAGE_SUBSCRIBER_COUNT_CHANGED, (count) => {
        if (!current()) return;
        entry.viewers = count;
        this.onChange();
      });
      stage.on(StageEvents.ERROR, (error) => {
        if (!current()) return;
        entry.error = describeStageError(error);
        this.onChange();
      });
      stage.on(StageEvents.STAGE_LEFT, (reason) => {
        if (!current() || reason === StageLeftReason.USER_INITIATED) return;
        this.failed(entry, new Error(describeLeftReason(reason)));
      });
      await stage.join();
      if (!current()) return;
      entry.joined = true;
      entry.attempts = 0;
      entry.error = null;
      entry.link = 'connected';
      this.log(`published to stage ${entry.stageId}`);
      this.onChange();
    } catch (error) {
      // A rejection for an attempt that is no longer current (the stage was left, or a newer attempt started)
      // is ignored: the SDK can reject a join long after leave() was called.
      if (!current()) return;
      this.failed(entry, error);
    }
  }

  /**
   * A failed or lost connection: leave that Stage object and try again with a fresh token (tokens are single-use),
   * at once after a token rejection, then with growing, jittered delays.
   * @param {Entry} entry
   * @param {unknown} error
   */
  failed(entry, error) {
    this.disconnect(entry);
    entry.attempts += 1;
    const words = describeStageError(error);
    const delay = entry.attempts === 1 && isTokenRejection(error)
      ? 0 : backoffDelay(entry.attempts - 1, { ...RETRIES.publish, random: this.random });
    entry.link = 'errored';
    entry.error = delay > 0 ? `${words} Retrying in ${Math.ceil(delay / 1000)} s.` : `${words} Retrying now.`;
    this.log(`stage ${entry.stageId}: ${entry.error}`);
    this.onChange();
    const generation = entry.generation;
    entry.cancelRetry = this.schedule(() => {
      if (this.stopped || this.entries.get(entry.stageArn) !== entry || entry.generation !== generation) return;
      void this.connect(entry, null, null);
    }, delay);
  }

  /**
   * Leaves the entry's Stage (if any) and makes everything it may still report stale.
   * @param {Entry} entry
   */
  disconnect(entry) {
    entry.generation += 1;
    entry.cancelRetry?.();
    entry.cancelRetry = null;
    const stage = entry.stage;
    entry.stage = null;
    entry.joined = false;
    this.setPublishing(entry, false);
    if (stage) leaveStage(stage);
  }
}
