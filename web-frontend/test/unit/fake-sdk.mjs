// A scriptable fake of the SDK's real-time part for node unit tests of the page logic (node cannot load the real
// bundle). Each Stage's join() returns a promise the test settles by hand.

export const StageEvents = {
  STAGE_CONNECTION_STATE_CHANGED: 'stageConnectionStateChanged', STAGE_PARTICIPANT_JOINED: 'stageParticipantJoined',
  STAGE_PARTICIPANT_LEFT: 'stageParticipantLeft', STAGE_PARTICIPANT_STREAMS_ADDED: 'stageParticipantStreamsAdded',
  STAGE_PARTICIPANT_STREAMS_REMOVED: 'stageParticipantStreamsRemoved', STAGE_SUBSCRIBER_COUNT_CHANGED: 'stageSubscriberCountChanged',
  ERROR: 'error', STAGE_LEFT: 'stageLeft', STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED: 'stageParticipantPublishStateChanged',
};
export const StageParticipantPublishState = { NOT_PUBLISHED: 'not_published', ATTEMPTING_PUBLISH: 'attempting_publish', PUBLISHED: 'published', ERRORED: 'errored' };
export const StageConnectionState = { DISCONNECTED: 'disconnected', CONNECTING: 'connecting', CONNECTED: 'connected', ERRORED: 'errored' };
export const StageLeftReason = { USER_INITIATED: 'user-initiated', TOKEN_REUSED: 'token-reused', STAGE_DELETED: 'stage-deleted', UNKNOWN: 'unknown' };
export const SubscribeType = { NONE: 'none', AUDIO_ONLY: 'audio_only', AUDIO_VIDEO: 'audio_video' };

/** A fake MediaStreamTrack. */
export const track = (kind) => ({ kind, id: `${kind}-${Math.random().toString(36).slice(2, 7)}` });

/** Makes a fresh fake SDK whose stages are recorded in `stages`. */
export function fakeSdk() {
  const stages = [];
  class Stage {
    constructor(token, strategy) {
      if (token === 'malformed') throw Object.assign(new Error('[JOIN_ERROR] Token is malformed'), { code: 1 });
      this.token = token;
      this.strategy = strategy;
      this.listeners = new Map();
      this.left = false;
      this.refreshed = 0;
      stages.push(this);
      this.joinCall = null;
    }
    on(event, fn) { this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]); }
    off() {}
    emit(event, ...args) { for (const fn of this.listeners.get(event) ?? []) fn(...args); }
    join() {
      return new Promise((resolve, reject) => { this.joinCall = { resolve, reject }; });
    }
    /** Settles join() as a successful connection. */
    connect() {
      this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTED);
      this.joinCall.resolve();
    }
    /** Rejects join() with a StageError-like code. */
    reject(code, message = `code ${code}`) {
      this.joinCall.reject(Object.assign(new Error(message), { code, category: 'JOIN_ERROR' }));
    }
    leave() {
      if (this.left) return;
      this.left = true;
      this.emit(StageEvents.STAGE_LEFT, StageLeftReason.USER_INITIATED);
    }
    refreshStrategy() { this.refreshed += 1; }
    replaceStrategy(s) { this.strategy = s; }
    async exchangeToken() {}
  }
  class LocalStageStream {
    constructor(t, config) { this.mediaStreamTrack = t; this.config = config; this.isMuted = false; }
    setMuted(m) { this.isMuted = m; }
  }
  return {
    sdk: { Stage, LocalStageStream, StageEvents, StageConnectionState, StageLeftReason, StageParticipantPublishState, SubscribeType },
    stages,
  };
}

/** Manual timers: schedule() records, run() fires the due ones. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  let timers = [];
  return {
    now: () => now,
    schedule: (fn, ms) => {
      const timer = { fn, at: now + ms, cancelled: false };
      timers.push(timer);
      return () => { timer.cancelled = true; };
    },
    /** Advances time and runs what became due (in order). */
    advance(ms) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => !t.cancelled && t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        due.fn();
      }
    },
    pending: () => timers.filter((t) => !t.cancelled).map((t) => t.at - now),
  };
}

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((r) => setImmediate(r));

/** A token-shaped string with the given claims (unsigned). */
export function jwt(claims) {
  const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'ES384', typ: 'JWT' })}.${enc(claims)}.c2ln`;
}
