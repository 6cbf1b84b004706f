// Messages from the gateway's sockets, checked and turned into plain values. Pure.

/**
 * A stage as the gateway offers it to the broadcaster (token is a PUBLISH token; it may be missing in a
 * draining or deleted notice).
 * @typedef {'origin' | 'replica'} Feed
 * @typedef {object} StageOffer
 * @property {string} stageArn
 * @property {string} stageId
 * @property {string} state       'Active' or 'Draining' (as in the LiveBroadcast status)
 * @property {string | null} token
 * @property {string | null} expiresAt
 * @property {number | null} viewers
 * @property {boolean} publish    the broadcaster publishes into it (false only for a replica fed from its source)
 * @property {Feed | null} feed   null from a gateway that does not say (the seed design: publish into every stage)
 * @property {string | null} source  for a replica, the stage id of the origin IVS replicates the broadcaster from
 */

/**
 * @typedef {{type: 'snapshot', stages: StageOffer[]}
 *   | {type: 'stage_created', stage: StageOffer}
 *   | {type: 'stage_draining', stageArn: string, stageId: string}
 *   | {type: 'stage_active', stageArn: string, stageId: string}
 *   | {type: 'stage_deleted', stageArn: string, stageId: string}
 *   | {type: 'stage_viewers', stageArn: string, stageId: string, viewers: number}
 *   | {type: 'stage_feed', stage: StageOffer}
 *   | {type: 'heartbeat'}} BroadcasterEvent
 */

/**
 * @typedef {{type: 'move', stageArn: string, stageId: string, token: string, expiresAt: string | null,
 *     presenceUrl: string | null}
 *   | {type: 'ended'}
 *   | {type: 'heartbeat'}} PresenceMessage
 */

/**
 * Reads one message of the broadcaster's events socket. Unknown or malformed messages give null (newer
 * gateways may send types this page does not know; they are ignored, not fatal).
 * @param {string} text
 * @returns {BroadcasterEvent | null}
 */
export function parseBroadcasterEvent(text) {
  const message = parseJsonObject(text);
  if (!message) return null;
  const data = asObject(message.data) ?? {};
  switch (message.type) {
    case 'snapshot': {
      if (!Array.isArray(data.stages)) return null;
      /** @type {StageOffer[]} */
      const stages = [];
      for (const item of data.stages) {
        const stage = stageOffer(item);
        if (stage) stages.push(stage);
      }
      return { type: 'snapshot', stages };
    }
    case 'stage_created':
    case 'stage_feed': {
      const stage = stageOffer(data);
      return stage ? { type: message.type, stage } : null;
    }
    case 'stage_draining':
    case 'stage_active':
    case 'stage_deleted': {
      const stageArn = str(data.stageArn);
      if (!stageArn) return null;
      return { type: message.type, stageArn, stageId: str(data.stageId) ?? stageIdOf(stageArn) };
    }
    case 'stage_viewers': {
      const stageArn = str(data.stageArn);
      if (!stageArn || typeof data.viewers !== 'number') return null;
      return { type: 'stage_viewers', stageArn, stageId: str(data.stageId) ?? stageIdOf(stageArn), viewers: data.viewers };
    }
    case 'heartbeat':
      return { type: 'heartbeat' };
    default:
      return null;
  }
}

/**
 * Reads one message of the viewer's presence socket; null for anything else.
 * @param {string} text
 * @returns {PresenceMessage | null}
 */
export function parsePresenceMessage(text) {
  const message = parseJsonObject(text);
  if (!message) return null;
  switch (message.type) {
    case 'move': {
      const data = asObject(message.data);
      const stageArn = data && str(data.stageArn);
      const token = data && str(data.token);
      if (!data || !stageArn || !token) return null;
      return {
        type: 'move', stageArn, token,
        stageId: str(data.stageId) ?? stageIdOf(stageArn),
        expiresAt: str(data.expiresAt),
        presenceUrl: str(data.presenceUrl),
      };
    }
    case 'ended':
      return { type: 'ended' };
    case 'heartbeat':
    case 'ping':
      return { type: 'heartbeat' };
    default:
      return null;
  }
}

/**
 * A stage offer from a JSON value of the gateway's API, or null when it lacks a stage ARN.
 * @param {unknown} value
 * @returns {StageOffer | null}
 */
export function stageOffer(value) {
  const data = asObject(value);
  if (!data) return null;
  const stageArn = str(data.stageArn) ?? str(data.arn);
  if (!stageArn) return null;
  const source = str(data.source);
  // only a replica with a named source is left to replication: anything else is published into, so none is dark
  const replicated = data.publish === false && source !== null;
  return {
    stageArn,
    stageId: str(data.stageId) ?? str(data.id) ?? stageIdOf(stageArn),
    state: str(data.state) ?? 'Active',
    token: str(data.token),
    expiresAt: str(data.expiresAt),
    viewers: typeof data.viewers === 'number' ? data.viewers : null,
    publish: !replicated,
    feed: data.feed === 'origin' || data.feed === 'replica' ? data.feed : null,
    source: replicated ? source : null,
  };
}

/**
 * The stage id: the last segment of the ARN.
 * @param {string} stageArn
 */
export function stageIdOf(stageArn) {
  const slash = stageArn.lastIndexOf('/');
  return slash >= 0 ? stageArn.slice(slash + 1) : stageArn;
}

/**
 * @param {string} text
 * @returns {Record<string, unknown> | null}
 */
function parseJsonObject(text) {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * @param {unknown} value
 * @returns {Record<string, unknown> | null}
 */
function asObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? /** @type {Record<string, unknown>} */ (value) : null;
}

/**
 * @param {unknown} value
 * @returns {string | null}
 */
function str(value) {
  return typeof value === 'string' && value !== '' ? value : null;
}
