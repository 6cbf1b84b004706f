// Local mode's stage client: the same interface as the SDK's Stage, carrying real media between the pages of one
// machine. The emulator's stages name IVS's hosts, which cannot be reached, so instead each Stage joins the gateway's
// signalling relay for its stage (/local-media/{stageId}) and opens a plain RTCPeerConnection (loopback, no STUN)
// to every page on the other side: the broadcaster offers its tracks to each viewer. Loaded only by dynamic import,
// when the gateway says it runs in local mode; real IVS endpoints always use the real SDK.

import { tokenClaims } from './token.js';

/** @param {Record<string, string | number>} values */
const asEnum = (values) => /** @type {any} */ (Object.freeze({ ...values }));

/** @type {IvsSdk['StageEvents']} */
const StageEvents = asEnum(/** @satisfies {EnumShape<IvsSdk['StageEvents']>} */ ({
  STAGE_CONNECTION_STATE_CHANGED: 'stageConnectionStateChanged', STAGE_PARTICIPANT_JOINED: 'stageParticipantJoined',
  STAGE_PARTICIPANT_LEFT: 'stageParticipantLeft', STAGE_PARTICIPANT_STREAMS_ADDED: 'stageParticipantStreamsAdded',
  STAGE_PARTICIPANT_STREAMS_REMOVED: 'stageParticipantStreamsRemoved', STAGE_STREAM_MUTE_CHANGED: 'stageStreamMuteChanged',
  STAGE_STREAM_SEI_MESSAGE_RECEIVED: 'stageStreamSeiMessageReceived', STAGE_STREAM_LAYERS_CHANGED: 'stageStreamLayersChanged',
  STAGE_STREAM_LAYER_SELECTED: 'stageStreamLayerSelected', STAGE_STREAM_ADAPTION_CHANGED: 'stageStreamAdaptionChanged',
  STAGE_PARTICIPANT_SUBSCRIBE_STATE_CHANGED: 'stageParticipantSubscribeStateChanged',
  STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED: 'stageParticipantPublishStateChanged',
  STAGE_SUBSCRIBER_COUNT_CHANGED: 'stageSubscriberCountChanged', ERROR: 'error', STAGE_LEFT: 'stageLeft',
  STAGE_PARTICIPANT_METADATA_CHANGED: 'stageParticipantMetadataChanged',
  STAGE_PARTICIPANT_SUBTITLE_CUE_RECEIVED: 'stageParticipantSubtitleCueReceived',
}));
/** @type {IvsSdk['StageConnectionState']} */
const StageConnectionState = asEnum(/** @satisfies {EnumShape<IvsSdk['StageConnectionState']>} */ ({
  DISCONNECTED: 'disconnected', CONNECTING: 'connecting', CONNECTED: 'connected', ERRORED: 'errored',
}));
/** @type {IvsSdk['StageErrorCode']} */
const StageErrorCode = asEnum(/** @satisfies {EnumShape<IvsSdk['StageErrorCode']>} */ ({
  TOKEN_MALFORMED: 1, TOKEN_EXPIRED: 2, TIMEOUT: 3, FAILED: 4, CANCELED: 5, STAGE_AT_CAPACITY: 6, CODEC_MISMATCH: 7,
  TOKEN_NOT_ALLOWED: 8, STAGE_DELETED: 9, PARTICIPANT_DISCONNECTED: 10, TOKEN_EXCHANGE_REQUEST_INVALID: 11,
  TOKEN_EXCHANGE_FAILED: 12,
}));
/** @type {IvsSdk['StageErrorCategory']} */
const StageErrorCategory = asEnum(/** @satisfies {EnumShape<IvsSdk['StageErrorCategory']>} */ ({
  JOIN_ERROR: 'JOIN_ERROR', PUBLISH_ERROR: 'PUBLISH_ERROR', SUBSCRIBE_ERROR: 'SUBSCRIBE_ERROR',
}));
/** @type {IvsSdk['StageLeftReason']} */
const StageLeftReason = asEnum(/** @satisfies {EnumShape<IvsSdk['StageLeftReason']>} */ ({
  UNKNOWN: 'unknown', USER_INITIATED: 'user-initiated', TOKEN_REUSED: 'token-reused',
  PARTICIPANT_DISCONNECTED: 'participant-disconnected', STAGE_DELETED: 'stage-deleted', FAILED_EXCHANGE: 'failed-exchange',
  REAL_TIME_CONNECTION_FORCED_LEAVE: 'real-time-connection-forced-leave',
  REAL_TIME_CONNECTION_TOKEN_REVOCATION: 'real-time-connection-token-revocation',
}));
/** @type {IvsSdk['StageParticipantPublishState']} */
const StageParticipantPublishState = asEnum(/** @satisfies {EnumShape<IvsSdk['StageParticipantPublishState']>} */ ({
  NOT_PUBLISHED: 'not_published', ATTEMPTING_PUBLISH: 'attempting_publish', PUBLISHED: 'published', ERRORED: 'errored',
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

/** A join the relay does not answer within this long fails, as the SDK's does. */
const JOIN_TIMEOUT_MS = 10_000;
/** Vanilla ICE: the description is sent once its candidates are gathered (fast on loopback), or after this long. */
const GATHER_TIMEOUT_MS = 2_000;

/**
 * An error shaped like the SDK's StageError (its class is not exported; pages test code and category).
 * @param {number} code
 * @param {string} message
 * @returns {import('amazon-ivs-web-broadcast').StageError}
 */
function stageError(code, message) {
  return /** @type {any} */ (Object.assign(new Error(`[JOIN_ERROR] ${message}`), {
    name: 'StageError', code, category: StageErrorCategory.JOIN_ERROR, details: '{"localMedia":true}',
  }));
}

/** The SDK's typed emitter, in small. */
class Emitter {
  constructor() {
    /** @type {Map<unknown, Function[]>} */
    this.listeners = new Map();
  }

  /** @param {any} event */
  hasListenersFor(event) {
    return (this.listeners.get(event) ?? []).length > 0;
  }

  /**
   * @param {any} event
   * @param {Function} callback
   * @param {any} [context]
   */
  on(event, callback, context) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), context ? callback.bind(context) : callback]);
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
    for (const callback of [...(this.listeners.get(event) ?? [])]) callback(...args);
  }

  removeAllListeners() {
    this.listeners.clear();
  }
}

let streamSeq = 0;

/** One local track to publish; muting stops sending it to every viewer. */
class LocalStream extends Emitter {
  /**
   * @param {MediaStreamTrack} track
   * @param {import('amazon-ivs-web-broadcast').StageVideoConfiguration
   *   | import('amazon-ivs-web-broadcast').StageAudioConfiguration} [config]
   */
  constructor(track, config) {
    super();
    this.id = `local-stream-${++streamSeq}`;
    this.mediaStreamTrack = track;
    this.streamType = track.kind === 'video' ? StreamType.VIDEO : StreamType.AUDIO;
    this.isMuted = false;
    /** @type {import('amazon-ivs-web-broadcast').StageStreamConfiguration} */
    this.mediaConfig = /** @type {any} */ ({ ...(config ?? {}) });
    /** @type {Set<RTCRtpSender>} the senders carrying this stream */
    this.senders = new Set();
  }

  /** @param {boolean} mute */
  setMuted = (mute) => {
    this.isMuted = mute;
    for (const sender of this.senders) void sender.replaceTrack(mute ? null : this.mediaStreamTrack).catch(() => {});
  };

  /** @returns {Promise<void>} */
  insertSeiMessage = async () => {};

  /** @returns {Promise<undefined>} */
  requestQualityStats = async () => undefined;

  /** @param {any} _getStats */
  setGetStats = (_getStats) => {};

  /** @returns {Promise<RTCStatsReport | undefined>} */
  getStats = async () => undefined;

  /** @returns {Promise<RTCStatsReport | undefined>} */
  requestRTCStats = async () => undefined;

  cleanup() {
    this.senders.clear();
  }
}

/**
 * A participant as the SDK describes one.
 * @param {string} id
 * @param {boolean} isLocal
 * @param {boolean} isPublishing
 * @returns {import('amazon-ivs-web-broadcast').StageParticipantInfo}
 */
function participant(id, isLocal, isPublishing) {
  return /** @type {any} */ ({
    id, userId: '', attributes: {}, capabilities: new Set(), isLocal, userInfo: {}, videoStopped: false,
    audioMuted: false, isPublishing,
  });
}

/**
 * Resolves once the connection's candidates are gathered (or after GATHER_TIMEOUT_MS).
 * @param {RTCPeerConnection} pc
 * @returns {Promise<void>}
 */
function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), GATHER_TIMEOUT_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  });
}

/**
 * The SDK's shape, with stages that meet on the gateway's relay.
 * @param {string} relayBase  e.g. ws://127.0.0.1:8080/local-media (the stage id is appended)
 * @returns {SdkShape}
 */
export function localSdk(relayBase) {
  class LocalStage extends Emitter {
    /**
     * @param {string} token
     * @param {import('amazon-ivs-web-broadcast').StageStrategy} strategy
     * @param {import('amazon-ivs-web-broadcast').StageConfiguration} [_configuration]
     */
    constructor(token, strategy, _configuration) {
      super();
      const claims = tokenClaims(token);
      if (!claims || typeof claims.resource !== 'string') throw stageError(StageErrorCode.TOKEN_MALFORMED, 'Token is malformed');
      this.strategy = strategy;
      this.stageId = String(claims.topic ?? claims.resource.split('/').pop());
      const capabilities = /** @type {Record<string, unknown>} */ (claims.capabilities ?? {});
      this.publisher = capabilities.allow_publish === true;
      this.local = participant(String(claims.jti ?? 'local'), true, this.publisher);
      /** @type {WebSocket | null} */
      this.socket = null;
      /** @type {Map<string, {pc: RTCPeerConnection, tracks: MediaStreamTrack[]}>} one connection per remote peer */
      this.peers = new Map();
      this.connected = false;
      this.left = false;
    }

    /** @returns {Promise<void>} */
    join() {
      return /** @type {Promise<void>} */ (new Promise((resolve, reject) => {
        this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTING);
        const role = this.publisher ? 'publish' : 'subscribe';
        const socket = new WebSocket(`${relayBase}/${encodeURIComponent(this.stageId)}?role=${role}`);
        this.socket = socket;
        const fail = (/** @type {number} */ code, /** @type {string} */ words) => {
          clearTimeout(timer);
          if (this.left || this.connected) return;
          this.socket = null;
          socket.close();
          const error = stageError(code, words);
          this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.ERRORED);
          this.emit(StageEvents.ERROR, error);
          reject(error);
        };
        const timer = setTimeout(() => fail(StageErrorCode.TIMEOUT, 'Operation timed out'), JOIN_TIMEOUT_MS);
        socket.onmessage = (event) => {
          if (this.socket !== socket) return;
          const message = JSON.parse(String(event.data));
          if (message.type === 'welcome') {
            clearTimeout(timer);
            this.connected = true;
            this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.CONNECTED);
            resolve(undefined);
            this.published(message.peers.length);
            for (const peer of message.peers) this.peerJoined(peer.id);
          } else if (message.type === 'peer-joined') {
            this.peerJoined(message.id);
          } else if (message.type === 'peer-left') {
            this.peerLeft(message.id);
          } else if (message.type === 'signal') {
            void this.signal(message.from, message.data);
          }
        };
        socket.onclose = () => {
          if (this.socket !== socket) return;
          if (!this.connected) {
            fail(StageErrorCode.FAILED, 'The local media relay could not be reached');
            return;
          }
          this.drop();
        };
      }));
    }

    /**
     * Tells the page it publishes (it does, to every viewer that comes), and to how many viewers.
     * @param {number} viewers
     */
    published(viewers) {
      if (!this.publisher) return;
      const streams = this.strategy.shouldPublishParticipant(this.local) ? this.strategy.stageStreamsToPublish() : [];
      this.emit(StageEvents.STAGE_PARTICIPANT_PUBLISH_STATE_CHANGED, this.local, streams.length > 0
        ? StageParticipantPublishState.PUBLISHED : StageParticipantPublishState.NOT_PUBLISHED);
      this.emit(StageEvents.STAGE_SUBSCRIBER_COUNT_CHANGED, viewers);
    }

    /** @param {string} id */
    peerJoined(id) {
      if (this.left) return;
      if (!this.publisher) {
        this.emit(StageEvents.STAGE_PARTICIPANT_JOINED, participant(id, false, true));
        return;
      }
      const pc = new RTCPeerConnection();
      this.peers.set(id, { pc, tracks: [] });
      this.sendTracks(pc);
      this.emit(StageEvents.STAGE_SUBSCRIBER_COUNT_CHANGED, this.peers.size);
      void (async () => {
        await pc.setLocalDescription(await pc.createOffer());
        await gathered(pc);
        this.send(id, { description: pc.localDescription });
      })().catch((error) => this.emit(StageEvents.ERROR, stageError(StageErrorCode.FAILED, String(error))));
    }

    /** @param {RTCPeerConnection} pc */
    sendTracks(pc) {
      const streams = this.strategy.shouldPublishParticipant(this.local) ? this.strategy.stageStreamsToPublish() : [];
      for (const stream of streams) {
        const sender = pc.addTrack(stream.mediaStreamTrack);
        const local = /** @type {any} */ (stream);
        if (local instanceof LocalStream) {
          local.senders.add(sender);
          if (local.isMuted) void sender.replaceTrack(null);
        }
      }
    }

    /** @param {string} id */
    peerLeft(id) {
      const peer = this.peers.get(id);
      if (!peer) return;
      this.peers.delete(id);
      peer.pc.close();
      if (this.publisher) {
        this.emit(StageEvents.STAGE_SUBSCRIBER_COUNT_CHANGED, this.peers.size);
      } else {
        const info = participant(id, false, true);
        if (peer.tracks.length) this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_REMOVED, info, this.remote(peer.tracks));
        this.emit(StageEvents.STAGE_PARTICIPANT_LEFT, info);
      }
    }

    /**
     * A description from a peer: a subscriber answers the broadcaster's offer; the broadcaster takes the answer.
     * @param {string} from
     * @param {{description?: RTCSessionDescriptionInit}} data
     */
    async signal(from, data) {
      if (this.left || !data.description) return;
      if (this.publisher) {
        await this.peers.get(from)?.pc.setRemoteDescription(data.description);
        return;
      }
      const subscribe = this.strategy.shouldSubscribeToParticipant(participant(from, false, true));
      if (subscribe === SubscribeType.NONE) return;
      this.peers.get(from)?.pc.close();
      const pc = new RTCPeerConnection();
      const peer = { pc, tracks: /** @type {MediaStreamTrack[]} */ ([]) };
      this.peers.set(from, peer);
      pc.ontrack = (event) => {
        if (this.left || this.peers.get(from) !== peer) return;
        if (subscribe === SubscribeType.AUDIO_ONLY && event.track.kind !== 'audio') return;
        peer.tracks.push(event.track);
        this.emit(StageEvents.STAGE_PARTICIPANT_STREAMS_ADDED, participant(from, false, true), this.remote([event.track]));
      };
      await pc.setRemoteDescription(data.description);
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      this.send(from, { description: pc.localDescription });
    }

    /**
     * Remote streams as the SDK hands them to the page.
     * @param {MediaStreamTrack[]} tracks
     * @returns {import('amazon-ivs-web-broadcast').RemoteStageStream[]}
     */
    remote(tracks) {
      return tracks.map((t) => /** @type {any} */ ({
        mediaStreamTrack: t, streamType: t.kind === 'video' ? StreamType.VIDEO : StreamType.AUDIO, isMuted: false,
      }));
    }

    /**
     * @param {string} to
     * @param {object} data
     */
    send(to, data) {
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'signal', to, data }));
    }

    /** The relay went away: the stage is lost, as a dropped IVS connection is. */
    drop() {
      this.closeAll();
      this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.ERRORED);
      this.emit(StageEvents.STAGE_LEFT, StageLeftReason.UNKNOWN);
    }

    closeAll() {
      this.left = true;
      const socket = this.socket;
      this.socket = null;
      socket?.close(1000, 'left');
      for (const peer of this.peers.values()) peer.pc.close();
      this.peers.clear();
    }

    leave = () => {
      if (this.left) return;
      const wasConnected = this.connected;
      this.closeAll();
      if (wasConnected) this.emit(StageEvents.STAGE_CONNECTION_STATE_CHANGED, StageConnectionState.DISCONNECTED);
      this.emit(StageEvents.STAGE_LEFT, StageLeftReason.USER_INITIATED);
    };

    /** New streams (another camera, say): every viewer's connection gets the new tracks. */
    refreshStrategy = () => {
      if (!this.publisher || this.left) return;
      const streams = this.strategy.shouldPublishParticipant(this.local) ? this.strategy.stageStreamsToPublish() : [];
      for (const { pc } of this.peers.values()) {
        for (const sender of pc.getSenders()) {
          const stream = streams.find((s) => s.mediaStreamTrack.kind === sender.track?.kind
            || (sender.track === null && s.mediaStreamTrack.kind === (pc.getTransceivers()
              .find((t) => t.sender === sender)?.receiver.track.kind)));
          if (!stream) continue;
          const local = /** @type {any} */ (stream);
          if (local instanceof LocalStream) local.senders.add(sender);
          void sender.replaceTrack(stream.isMuted ? null : stream.mediaStreamTrack).catch(() => {});
        }
      }
    };

    /** @param {import('amazon-ivs-web-broadcast').StageStrategy} strategy */
    replaceStrategy(strategy) {
      this.strategy = strategy;
      this.refreshStrategy();
    }

    /** @returns {Promise<void>} */
    async exchangeToken() {}
  }

  return {
    Stage: LocalStage,
    LocalStageStream: LocalStream,
    StageEvents,
    StageConnectionState,
    StageErrorCode,
    StageErrorCategory,
    StageLeftReason,
    StageParticipantPublishState,
    StageParticipantSubscribeState,
    StreamType,
    SubscribeType,
    isSupported: () => typeof RTCPeerConnection === 'function',
    __version: 'local media (no IVS)',
  };
}
