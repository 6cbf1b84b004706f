// A stand-in for the IVS Web Broadcast SDK's real-time part, for browser tests (real IVS is out of reach).
// It is a classic script, like the real UMD bundle, and defines window.IVSBroadcastClient with the same
// declarations (checked by tsc against the SDK's .d.ts, see stand-in-sdk.d.ts). It reads tokens as the SDK does
// (a JWT it decodes but does not verify; malformed → the constructor throws, expired → join rejects), "connects"
// after a short delay, records joins and leaves in window.__standIn.events, and gives subscribers a synthetic
// broadcaster (a canvas video track and an oscillator audio track per stage).
(() => {
  /** @param {Record<string, string | number>} values */
  const asEnum = (values) => /** @type {any} */ (Object.freeze({ ...values }));

  /** @type {IvsSdk['StageEvents']} */
  const StageEvents = asEnum(/** @satisfies {EnumShape<IvsSdk['StageEvents']>} */ ({
    STAGE_CONNECTION_STATE_CHANGED: 'stageConnectionStateChanged',
    STAGE_PARTICIPANT_JOINED: 'stageParticipantJoined',
    STAGE_PARTICIPANT_LEFT: 'stageParticipantLeft',
    STAGE_PARTICIPANT_STREAMS_ADDED: 'stageParticipantStreamsAdded',
    STAGE_PARTICIPANT_STREAMS_REMOVED: 'stageParticipantStreamsRemoved',
    STAGE_STREAM_MUTE_CHANGED: 'stageStreamMuteChanged',
    STAGE_STREAM_SEI_MESSAGE_RECEIVED: 'stageStreamSeiMessageReceived',
    STAGE_STREAM_LAYERS_CHANGED: 'stageStreamLayersChanged',
    STAGE_STREAM_LAYER_SELECTED: 'stageStreamLayerSelected',
    STAGE_STREAM_ADAPTION_CHANGED: 'stageStreamAdaptionChanged',
    STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED: 'stageParticipantSubscribeStateChanged',
    STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED: 'stageParticipantPublishStateChanged',
    STAGE_SUBSCRIBER_COUNT_CHANGED: 'stageSubscriberCountChanged',
    ERROR: 'error',
    STAGE_LEFT: 'stageLeft',
    STAGE_PARTICIPANT_METADATA_CHANGED: 'stageParticipantMetadataChanged',
    STAGE_PARTICIPANT_SUBTITLE_CUE_RECEIVED: 'stageParticipantSubtitleCueReceived',
  }));

  /** @type {IvsSdk['StageConnectionState']} */
  const StageConnectionState = asEnum(/** @satisfies {EnumShape<IvsSdk['StageConnectionState']>} */ ({
    DISCONNECTED: 'disconnected', CONNECTING: 'connecting', CONNECTED: 'connected', ERRORED: 'errored',
  }));

  /** @type {IvsSdk['StageErrorCode']} */
  const StageErrorCode = asEnum(/** @satisfies {EnumShape<IvsSdk['StageErrorCode']>} */ ({
    TOKEN_MALFORMED: 1, TOKEN_EXPIRED: 2, TIMEOUT: 3, FAILED: 4, CANCELED: 5, STAGE_AT_CAPACITY: 6,
    CODEC_MISMATCH: 7, TOKEN_NOT_ALLOWED: 8, STAGE_DELETED: 9, PARTICIPANT_DISCONNECTED: 10,
    TOKEN_EXCHANGE_REQUEST_INVALID: 11, TOKEN_EXCHANGE_FAILED: 12,
  }));

  /** @type {IvsSdk['StageErrorCategory']} */
  const StageErrorCategory = asEnum(/** @satisfies {EnumShape<IvsSdk['StageErrorCategory']>} */ ({
    JOIN_ERROR: 'JOIN_ERROR', PUBLISH_ERROR: 'PUBLISH_ERROR', SUBSCRIBE_ERROR: 'SUBSCRIBE_ERROR',
  }));

  /** @type {IvsSdk['StageLeftReason']} */
  const StageLeftReason = asEnum(/** @satisfies {EnumShape<IvsSdk['StageLeftReason']>} */ ({
    UNKNOWN: 'unknown', USER_INITIATED: 'user-initiated', TOKEN_REUSED: 'token-reused',
    PARTICIPANT_DISCONNECTED: 'participant-disconnected', STAGE_DELETED: 'stage-deleted',
    FAILED_EXCHANGE: 'failed-exchange', REAL_TIME_CONNECTION_FORCED_LEAVE: 'real-time-connection-forced-leave',
    REAL_TIME_CONNECTION_TOKEN_REVOCATION: 'real-time-connection-token-revocation',
  }));

  /** @type {IvsSdk['StageParticipantPublishState']} */
  const StageParticipantPublishState = asEnum(
    /** @satisfies {EnumShape<IvsSdk['StageParticipantPublishState']>} */ ({
      NOT_PUBLISHED: 'not_published', ATTEMPTING_PUBLISH: 'attempting_publish', PUBLISHED: 'published',
      ERRORED: 'errored',
    }));

  /** @type {IvsSdk['StageParticipantSubscribeState']} */
  const StageParticipantSubscribeState = asEnum(
    /** @satisfies {EnumShape<IvsSdk['StageParticipantSubscribeState']>} */ ({
      NOT_SUBSCRIBED: 'not_subscribed', ATTEMPTING_SUBSCRIBE: 'attempting_subscribe', SUBSCRIBED: 'subscribed',
      ERRORED: 'errored',
    }));

  /** @type {IvsSdk['StreamType']} */
  const StreamType = asEnum(/** @satisfies {EnumShape<IvsSdk['StreamType']>} */ ({
    AUDIO: 'audio', VIDEO: 'video', SUBTITLE: 'subtitle',
  }));

  /** @type {IvsSdk['SubscribeType']} */
  const SubscribeType = asEnum(/** @satisfies {EnumShape<IvsSdk['SubscribeType']>} */ ({
    NONE: 'none', AUDIO_ONLY: 'audio_only', AUDIO_VIDEO: 'audio_video',
  }));

  // ---- the record tests read ----

  let seq = 0;
  /** @type {StandInEvent[]} */
  const events = [];
  /** @type {{stage: string, code: number, delayMs: number, times: number}[]} */
  const rejections = [];
  /** @type {Map<string, number>} subscriber counts by stage id */
  const subscriberCounts = new Map();
  /** @type {Set<StandInStage>} joined, not yet left */
  const live = new Set();
  /** @type {Map<string, StandInStage>} the connection holding each participant token (jti) */
  const tokenHolders = new Map();

  /**
   * @param {string} type
   * @param {{stageArn: string, stageId: string, participantId: string}} who
   * @param {Record<string, unknown>} [detail]
   */
  function record(type, who, detail = {}) {
    events.push({
      seq: ++seq, at: Date.now(), type, stageArn: who.stageArn, stageId: who.stageId,
      participantId: who.participantId, detail,
    });
  }

  /**
   * @param {string} pattern
   * @param {{stageArn: string, stageId: string}} stage
   */
  function matches(pattern, stage) {
    return pattern === '*' || pattern === stage.stageId || pattern === stage.stageArn;
  }

  /** @param {number} ms */
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * An error shaped like the SDK's StageError (its class is not exported; pages test code and category).
   * @param {number} code
   * @param {string} message
   * @returns {import('amazon-ivs-web-broadcast').StageError}
   */
  function stageError(code, message) {
    const error = /** @type {any} */ (new Error(`[JOIN_ERROR] ${message}`));
    error.name = 'StageError';
    error.code = code;
    error.category = StageErrorCategory.JOIN_ERROR;
    error.details = JSON.stringify({ standIn: true });
    return error;
  }

  /**
   * The claims of a token, or null when it is not a readable JWT.
   * @param {string} token
   * @returns {Record<string, any> | null}
   */
  function claimsOf(token) {
    const parts = String(token).split('.');
    if (parts.length !== 3) return null;
    try {
      const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
      const json = new TextDecoder().decode(
        Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0)));
      const claims = JSON.parse(json);
      return claims && typeof claims === 'object' && typeof claims.resource === 'string' ? claims : null;
    } catch {
      return null;
    }
  }

  // ---- a small typed emitter, like the SDK's TypedEmitter ----

  class Emitter {
    constructor() {
      /** @type {Map<unknown, Function[]>} */
      this.listeners = new Map();
    }

    /**
     * @param {any} event
     * @returns {boolean}
     */
    hasListenersFor(event) {
      return (this.listeners.get(event) ?? []).length > 0;
    }

    /**
     * @param {any} event
     * @param {Function} callback
     * @param {any} [context]
     */
    on(event, callback, context) {
      const list = this.listeners.get(event) ?? [];
      list.push(context ? callback.bind(context) : callback);
      this.listeners.set(event, list);
    }

    /**
     * @param {any} event
     * @param {Function} callback
     * @param {any} [_context]
     */
    off(event, callback, _context) {
      this.listeners.set(event, (this.listeners.get(event) ?? []).filter((f) => f !== callback));
    }

    /**
     * @param {any} event
     * @param {...any} args
     */
    emit(event, ...args) {
      for (const callback of [...(this.listeners.get(event) ?? [])]) {
        try {
          callback(...args);
        } catch (error) {
          console.error('stand-in SDK: a listener threw', error);
        }
      }
    }

    removeAllListeners() {
      this.listeners.clear();
    }
  }

  // ---- streams ----

  let streamSeq = 0;

  /** @implements {PublicOf<import('amazon-ivs-web-broadcast').LocalStageStream>} */
  class StandInLocalStageStream extends Emitter {
    /**
     * @param {MediaStreamTrack} track
     * @param {import('amazon-ivs-web-broadcast').StageVideoConfiguration
     *   | import('amazon-ivs-web-broadcast').StageAudioConfiguration} [config]
     */
    constructor(track, config) {
      super();
      if (!(track instanceof MediaStreamTrack)) throw new TypeError('LocalStageStream needs a MediaStreamTrack');
      this.id = `stream-${++streamSeq}`;
      this.mediaStreamTrack = track;
      this.streamType = track.kind === 'video' ? StreamType.VIDEO : StreamType.AUDIO;
      this.isMuted = false;
      /** @type {import('amazon-ivs-web-broadcast').StageStreamConfiguration} */
      this.mediaConfig = /** @type {any} */ ({ ...(config ?? {}) });
      /** @type {{stageArn: string, stageId: string, participantId: string} | null} set while published */
      this.publishedBy = null;
    }

    /** @param {boolean} mute */
    setMuted = (mute) => {
      this.isMuted = mute;
      if (this.publishedBy) record('mute', this.publishedBy, { kind: this.mediaStreamTrack.kind, muted: mute });
    };

    /**
     * @param {ArrayBuffer} _payload
     * @param {{repeatCount?: number}} [_options]
     * @returns {Promise<void>}
     */
    insertSeiMessage = async (_payload, _options) => {};

    /** @returns {Promise<undefined>} */
    requestQualityStats = async () => undefined;

    /** @param {any} _getStats */
    setGetStats = (_getStats) => {};

    /** @returns {Promise<RTCStatsReport | undefined>} */
    getStats = async () => undefined;

    /** @returns {Promise<RTCStatsReport | undefined>} */
    requestRTCStats = async () => undefined;

    cleanup() {}
  }

  /**
   * The synthetic broadcaster a stage shows its subscribers: a canvas (stage id, clock, moving bar) and a tone.
   * @type {Map<string, MediaStreamTrack[]>}
   */
  const syntheticTracks = new Map();

  /** @param {string} stageId */
  function syntheticBroadcaster(stageId) {
    const known = syntheticTracks.get(stageId);
    if (known) return known;
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const context = canvas.getContext('2d');
    let hue = 0;
    for (const c of stageId) hue = (hue * 31 + c.charCodeAt(0)) % 360;
    let frame = 0;
    const draw = () => {
      if (!context) return;
      frame += 1;
      context.fillStyle = `hsl(${hue}, 45%, 22%)`;
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.fillStyle = `hsl(${hue}, 70%, 60%)`;
      context.fillRect((frame * 8) % canvas.width, 300, 80, 24);
      context.fillStyle = '#fff';
      context.font = 'bold 34px sans-serif';
      context.fillText('stand-in broadcaster', 30, 80);
      context.font = '28px monospace';
      context.fillText(`stage ${stageId}`, 30, 150);
      context.fillText(new Date().toISOString().slice(11, 23), 30, 210);
    };
    draw();
    setInterval(draw, 66);
    const video = canvas.captureStream(15).getVideoTracks()[0];
    /** @type {MediaStreamTrack[]} */
    const tracks = [video];
    try {
      const audio = new AudioContext();
      const oscillator = audio.createOscillator();
      oscillator.frequency.value = 440;
      const destination = audio.createMediaStreamDestination();
      oscillator.connect(destination);
      oscillator.start();
      tracks.push(destination.stream.getAudioTracks()[0]);
    } catch {
      // No audio: video alone still shows the picture.
    }
    syntheticTracks.set(stageId, tracks);
    return tracks;
  }

  // ---- the stage ----

  /** @implements {PublicOf<import('amazon-ivs-web-broadcast').Stage>} */
  class StandInStage extends Emitter {
    /**
     * @param {string} token
     * @param {import('amazon-ivs-web-broadcast').StageStrategy} strategy
     * @param {import('amazon-ivs-web-broadcast').StageConfiguration} [_configuration]
     */
    constructor(token, strategy, _configuration) {
      super();
      const claims = claimsOf(token);
      if (!claims) throw stageError(StageErrorCode.TOKEN_MALFORMED, 'Token is malformed');
      this.token = token;
      this.claims = claims;
      this.strategy = strategy;
      this.stageArn = String(claims.resource);
      this.stageId = String(claims.topic ?? this.stageArn.split('/').pop());
      this.participantId = String(claims.jti ?? `p-${Math.random().toString(36).slice(2)}`);
      this.joined = false;
      this.left = false;
      /** @type {string[]} */
      this.publishing = [];
      this.subscribed = false;
      /** @type {string | null} the participant id the IVS emulator gave this connection, when joins are verified */
      this.emulatorParticipantId = null;
      this.local = this.participant(true, String(claims.user_id ?? ''));
      this.remote = this.participant(false, 'broadcaster');
    }

    /**
     * @param {boolean} isLocal
     * @param {string} userId
     * @returns {import('amazon-ivs-web-broadcast').StageParticipantInfo}
     */
    participant(isLocal, userId) {
      return /** @type {any} */ ({
        id: isLocal ? this.participantId : `remote-${this.stageId}`, userId, attributes: {},
        capabilities: new Set(), isLocal, userInfo: {}, videoStopped: false, audioMuted: false,
        isPublishing: !isLocal,
      });
    }

    /** @returns {Promise<void>} */
    async join() {
      record('join-attempt', this);
      const rejection = rejections.find((r) => r.times > 0 && matches(r.stage, this));
      const exp = typeof this.claims.exp === 'number' ? this.claims.exp : null;
      const code = rejection ? rejection.code
        : exp !== null && exp * 1000 < Date.now() ? StageErrorCode.TOKEN_EXPIRED : null;
      if (rejection) rejection.times -= 1;
      if (code !== null) {
        await sleep(rejection ? rejection.delayMs : 5);
        const error = stageError(code, code === StageErrorCode.TOKEN_EXPIRED
          ? 'Token expired and is no longer valid' : `Join rejected (code ${code})`);
        record('join-rejected', this, { code, afterLeave: this.left });
        this.emit(StageEvents.ERROR, error);
        throw error;
      }
      this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTING);
      if (control.verifyJoins) await this.verifyWithEmulator();
      await sleep(control.connectDelayMs);
      if (this.left) {
        record('join-cancelled', this);
        throw stageError(StageErrorCode.CANCELED, 'Join cancelled by leave');
      }
      // IVS tokens are good for one connection: a second connection with the same token pushes the first out.
      const holder = tokenHolders.get(this.participantId);
      if (holder && holder !== this && !holder.left) {
        record('token-reused', holder);
        holder.drop(StageLeftReason.TOKEN_REUSED);
      }
      tokenHolders.set(this.participantId, this);
      this.joined = true;
      live.add(this);
      record('join', this, {
        canPublish: Boolean(this.claims.capabilities?.allow_publish),
        canSubscribe: Boolean(this.claims.capabilities?.allow_subscribe),
      });
      this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTED);
      this.applyStrategy();
    }

    /**
     * Presents the token to the IVS emulator (through the test's route for /__stand-in/join), as the real SDK
     * presents it to IVS: the emulator checks signature, expiry, stage and capability, and refuses as IVS would.
     */
    async verifyWithEmulator() {
      const publish = this.strategy.shouldPublishParticipant(this.local)
        && this.strategy.stageStreamsToPublish().length > 0;
      const response = await fetch('/__stand-in/join', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: this.token, publish, stageArn: this.stageArn }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        this.emulatorParticipantId = String(body.participantId ?? '');
        record('emulator-join', this, { participantId: this.emulatorParticipantId, publish });
        return;
      }
      /** @type {Record<string, number>} */
      const codes = {
        TOKEN_EXPIRED: StageErrorCode.TOKEN_EXPIRED, MISSING_CAPABILITY: StageErrorCode.TOKEN_NOT_ALLOWED,
        STAGE_NOT_FOUND: StageErrorCode.STAGE_DELETED, PARTICIPANT_DISCONNECTED: StageErrorCode.PARTICIPANT_DISCONNECTED,
      };
      const code = codes[String(body.error)] ?? StageErrorCode.TOKEN_MALFORMED;
      const error = stageError(code, `IVS (emulated) refused the token: ${body.error}: ${body.message}`);
      record('join-rejected', this, { code, emulator: body.error, message: body.message, afterLeave: this.left });
      this.emit(StageEvents.ERROR, error);
      throw error;
    }

    /** Runs the strategy: what to publish, whom to subscribe to. */
    applyStrategy() {
      if (!this.joined || this.left) return;
      const streams = this.strategy.shouldPublishParticipant(this.local) ? this.strategy.stageStreamsToPublish() : [];
      for (const stream of streams) {
        const s = /** @type {any} */ (stream);
        if (s instanceof StandInLocalStageStream) s.publishedBy = this;
      }
      const kinds = streams.map((s) => s.mediaStreamTrack.kind + (s.isMuted ? ':muted' : ''));
      if (kinds.join() !== this.publishing.join()) {
        this.publishing = kinds;
        record('publish', this, { streams: kinds });
        if (kinds.length > 0) {
          this.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, this.local,
            StageParticipantPublishState.PUBLISHED);
          this.emit(StageEvents.STAGE_SUBSCRIBER_COUNT_CHANGED, subscriberCounts.get(this.stageId) ?? 0);
        }
      }
      const subscribe = this.strategy.shouldSubscribeToParticipant(this.remote);
      if (subscribe !== SubscribeType.NONE && !this.subscribed) {
        this.subscribed = true;
        const tracks = syntheticBroadcaster(this.stageId)
          .filter((t) => subscribe !== SubscribeType.AUDIO_ONLY || t.kind === 'audio');
        const streams = tracks.map((t) => /** @type {any} */ (new StandInLocalStageStream(t)));
        record('subscribe', this, { tracks: tracks.map((t) => t.kind) });
        this.emit(StageEvents.STAGE_PARTICIPANT_JOINED, this.remote);
        this.emit(StageEvents.STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED, this.remote,
          StageParticipantSubscribeState.SUBSCRIBED);
        this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, this.remote, streams);
      }
    }

    leave = () => {
      if (this.left) return;
      this.left = true;
      live.delete(this);
      record('leave', this, { wasJoined: this.joined });
      if (this.emulatorParticipantId) {
        void fetch('/__stand-in/leave', {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ stageArn: this.stageArn, participantId: this.emulatorParticipantId }),
        }).catch(() => {});
      }
      if (this.joined) this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.DISCONNECTED);
      this.emit(StageEvents.STAGE_LEFT, StageLeftReason.USER_INITIATED);
    };

    /**
     * The SDK losing the stage on its own (deleted, token reused, kicked).
     * @param {import('amazon-ivs-web-broadcast').StageLeftReason} reason
     */
    drop(reason) {
      if (this.left) return;
      this.left = true;
      live.delete(this);
      record('dropped', this, { reason });
      this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.DISCONNECTED);
      this.emit(StageEvents.STAGE_LEFT, reason);
    }

    refreshStrategy = () => {
      record('refresh-strategy', this);
      this.applyStrategy();
    };

    /** @param {import('amazon-ivs-web-broadcast').StageStrategy} strategy */
    replaceStrategy(strategy) {
      this.strategy = strategy;
      this.refreshStrategy();
    }

    /**
     * @param {string} newToken
     * @returns {Promise<void>}
     */
    async exchangeToken(newToken) {
      const claims = claimsOf(newToken);
      if (!claims) throw stageError(StageErrorCode.TOKEN_EXCHANGE_REQUEST_INVALID, 'Token is malformed');
      this.claims = claims;
      record('exchange-token', this);
    }
  }

  /** @type {StandInControl} */
  const control = {
    events,
    connectDelayMs: 40,
    verifyJoins: Boolean(/** @type {any} */ (window).__standInVerifyJoins),
    rejectNextJoin(stage, options = {}) {
      rejections.push({
        stage, code: options.code ?? StageErrorCode.TOKEN_EXPIRED, delayMs: options.delayMs ?? 5,
        times: options.times ?? 1,
      });
    },
    setSubscriberCount(stage, count) {
      for (const s of live) {
        if (!matches(stage, s)) continue;
        subscriberCounts.set(s.stageId, count);
        if (s.publishing.length > 0) s.emit(StageEvents.STAGE_SUBSCRIBER_COUNT_CHANGED, count);
      }
      if (!stage.includes('/') && stage !== '*') subscriberCounts.set(stage, count);
    },
    dropStage(stage, reason = StageLeftReason.STAGE_DELETED) {
      for (const s of [...live]) if (matches(stage, s)) s.drop(/** @type {any} */ (reason));
    },
    joined() {
      return [...live].map((s) => ({
        stageArn: s.stageArn, stageId: s.stageId, participantId: s.participantId, publishing: s.publishing,
        subscribed: s.subscribed,
      }));
    },
  };

  /** @type {StandInSdk} */
  const sdk = {
    Stage: StandInStage,
    LocalStageStream: StandInLocalStageStream,
    StageEvents,
    StageConnectionState,
    StageErrorCode,
    StageErrorCategory,
    StageLeftReason,
    StageParticipantPublishState,
    StageParticipantSubscribeState,
    StreamType,
    SubscribeType,
    isSupported: () => true,
    __version: 'stand-in',
  };

  window.__standIn = control;
  window.IVSBroadcastClient = /** @type {any} */ (sdk);
})();
