// A small node stand-in for the StageFleet gateway, speaking the same HTTP and WebSocket contract, for developing
// the pages when the Java gateway is not at hand (STAGEFLEET_WEB_BACKEND=fake). The default backend is the real
// gateway (see backend.mjs); this fake keeps its state in memory and is driven by the same harness calls.

import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { acceptUpgrade, rejectUpgrade } from './ws-server.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
};

const b64url = (/** @type {string | Buffer} */ v) => Buffer.from(v).toString('base64url');

/**
 * A JWT shaped like an IVS self-signed participant token (the signature is random: nothing here verifies it).
 * @param {{stageArn: string, capability: 'publish' | 'subscribe', userId: string, ttlSeconds: number}} p
 */
export function fakeToken({ stageArn, capability, userId, ttlSeconds }) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES384', typ: 'JWT', kid: 'arn:aws:ivs:us-east-1:123456789012:public-key/fakeKey0001' };
  const claims = {
    exp: now + ttlSeconds, iat: now, jti: randomBytes(9).toString('base64url'), user_id: userId,
    resource: stageArn, topic: stageArn.split('/').pop(), events_url: 'wss://global.events.live-video.net',
    whip_url: 'https://global.whip.live-video.net', version: '1.0',
    capabilities: capability === 'publish' ? { allow_publish: true } : { allow_subscribe: true },
  };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${randomBytes(48).toString('base64url')}`;
}

/**
 * @typedef {{id: string, arn: string, state: string, feed: 'origin' | 'replica' | null, source: string | null}} FakeStage
 * @typedef {{viewerId: string, stageArn: string, socket: import('./ws-server.mjs').ServerSocket | null}} FakeViewer
 * @typedef {{namespace: string, name: string, apiKey: string, viewersPerStage: number, stages: FakeStage[],
 *   viewers: Map<string, FakeViewer>, eventSockets: Set<import('./ws-server.mjs').ServerSocket>,
 *   publishTtl: number}} FakeBroadcast
 */

/**
 * Starts the fake gateway on 127.0.0.1 (port 0: any free port).
 * @param {{webRoot: string, vendorFile?: string}} options
 */
export async function startFakeGateway({ webRoot, vendorFile }) {
  /** @type {Map<string, FakeBroadcast>} */
  const broadcasts = new Map();
  /** @type {Map<string, {key: string, expires: number}>} */
  const tickets = new Map();
  const key = (/** @type {string} */ ns, /** @type {string} */ name) => `${ns}/${name}`;

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {unknown} body
   * @param {Record<string, string>} [headers]
   */
  function json(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {string} error
   * @param {string} message
   * @param {Record<string, string>} [headers]
   */
  const fail = (res, status, error, message, headers) => json(res, status, { error, message }, headers);

  /** @param {FakeStage} s  as the gateway says it: only a replica with a source is fed by replication */
  const feedOf = (s) => {
    const replica = s.feed === 'replica' && s.source !== null;
    return replica ? { publish: false, feed: 'replica', source: s.source } : { publish: true, feed: 'origin' };
  };

  /** @param {FakeBroadcast} b @param {FakeStage} s */
  const publishOffer = (b, s) => ({
    stageArn: s.arn, stageId: s.id, state: s.state, ...feedOf(s),
    token: fakeToken({ stageArn: s.arn, capability: 'publish', userId: 'broadcaster', ttlSeconds: b.publishTtl }),
    expiresAt: new Date(Date.now() + b.publishTtl * 1000).toISOString(),
  });

  /** @param {FakeBroadcast} b @param {string} stageArn */
  const viewersOn = (b, stageArn) => [...b.viewers.values()].filter((v) => v.stageArn === stageArn).length;

  /**
   * The Active stage with room that is fullest (so emptier stages can drain), or null.
   * @param {FakeBroadcast} b
   * @param {string | null} [except]
   */
  function placeOn(b, except = null) {
    const candidates = b.stages.filter((s) => s.state === 'Active' && s.arn !== except
      && viewersOn(b, s.arn) < b.viewersPerStage);
    candidates.sort((x, y) => viewersOn(b, y.arn) - viewersOn(b, x.arn));
    return candidates[0] ?? null;
  }

  /** @param {FakeBroadcast} b @param {FakeStage} s */
  const subscribeToken = (b, s) => ({
    stageArn: s.arn, stageId: s.id,
    token: fakeToken({ stageArn: s.arn, capability: 'subscribe', userId: 'viewer', ttlSeconds: 3600 }),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  });

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {FakeBroadcast} b
   */
  function authorised(req, b) {
    const header = req.headers['x-api-key'] ?? (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    if (!header) return 401;
    return header === b.apiKey ? 200 : 403;
  }

  /** @param {import('node:http').IncomingMessage} req */
  async function readJson(req) {
    let text = '';
    for await (const chunk of req) text += chunk;
    if (!text) return {};
    return JSON.parse(text);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const api = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/livebroadcasts\/([^/]+)\/([a-z-]+)$/);
    if (api) {
      const b = broadcasts.get(key(decodeURIComponent(api[1]), decodeURIComponent(api[2])));
      const action = api[3];
      if (!b) return fail(res, 404, 'not_found', `LiveBroadcast ${api[1]}/${api[2]} not found`);
      if (action === 'viewers' && req.method === 'POST') {
        if (b.stages.length === 0) return fail(res, 409, 'no_stage', 'The broadcast has no stage yet.');
        const stage = placeOn(b);
        if (!stage) return fail(res, 503, 'full', 'Every stage is full.', { 'retry-after': '2' });
        const viewerId = randomUUID();
        b.viewers.set(viewerId, { viewerId, stageArn: stage.arn, socket: null });
        return json(res, 201, {
          viewerId, ...subscribeToken(b, stage),
          presenceUrl: `/api/v1/namespaces/${b.namespace}/livebroadcasts/${b.name}/viewers/${viewerId}/presence`,
        });
      }
      const auth = authorised(req, b);
      if (auth !== 200) {
        return fail(res, auth, auth === 401 ? 'unauthorized' : 'forbidden',
          auth === 401 ? 'An API key is required.' : 'The API key is not valid for this broadcast.');
      }
      if (action === 'stages' && req.method === 'GET') {
        return json(res, 200, { stages: b.stages.filter((s) => s.state === 'Active').map((s) => publishOffer(b, s)) });
      }
      if (action === 'stage-token' && req.method === 'POST') {
        let body;
        try {
          body = await readJson(req);
        } catch {
          return fail(res, 400, 'bad_request', 'The body is not JSON.');
        }
        const stage = b.stages.find((s) => s.arn === body.stageArn);
        if (!stage) return fail(res, 404, 'not_found', 'No such stage in this broadcast.');
        return json(res, 200, publishOffer(b, stage));
      }
      if (action === 'ws-ticket' && req.method === 'POST') {
        const ticket = randomBytes(18).toString('base64url');
        tickets.set(ticket, { key: key(b.namespace, b.name), expires: Date.now() + 30_000 });
        return json(res, 200, { ticket, expiresAt: new Date(Date.now() + 30_000).toISOString() });
      }
      return fail(res, 404, 'not_found', 'No such endpoint.');
    }
    if (url.pathname === '/health') return json(res, 200, { status: 'ok' });
    // Static pages: /broadcaster and /viewer, their assets, the SDK when installed.
    if (url.pathname === '/vendor/amazon-ivs-web-broadcast.js') {
      if (!vendorFile || !existsSync(vendorFile)) return fail(res, 404, 'not_found', 'The SDK is not installed.');
      res.writeHead(200, { 'content-type': TYPES['.js'] });
      return res.end(readFileSync(vendorFile));
    }
    let path = url.pathname;
    if (/^\/(broadcaster|viewer)\/?$/.test(path)) path = `${path.replace(/\/$/, '')}/index.html`;
    const file = normalize(join(webRoot, path));
    if (!file.startsWith(resolve(webRoot)) || !existsSync(file) || !extname(file)) {
      return fail(res, 404, 'not_found', 'No such page.');
    }
    res.writeHead(200, { 'content-type': TYPES[/** @type {keyof TYPES} */ (extname(file))] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });

  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const events = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/livebroadcasts\/([^/]+)\/events$/);
    const presence = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/livebroadcasts\/([^/]+)\/viewers\/([^/]+)\/presence$/);
    const netSocket = /** @type {import('node:net').Socket} */ (socket);
    if (events) {
      const ticket = tickets.get(url.searchParams.get('ticket') ?? '');
      tickets.delete(url.searchParams.get('ticket') ?? '');
      const b = broadcasts.get(key(events[1], events[2]));
      if (!ticket || ticket.expires < Date.now() || !b || ticket.key !== key(b.namespace, b.name)) {
        return rejectUpgrade(netSocket, 401, 'Unauthorized');
      }
      const ws = acceptUpgrade(req, netSocket);
      if (!ws) return;
      b.eventSockets.add(ws);
      ws.onClose(() => b.eventSockets.delete(ws));
      ws.sendJson({ type: 'snapshot', data: { stages: b.stages.map((s) => publishOffer(b, s)) } });
      return;
    }
    if (presence) {
      const b = broadcasts.get(key(presence[1], presence[2]));
      const viewer = b?.viewers.get(presence[3]);
      if (!b || !viewer) return rejectUpgrade(netSocket, 404, 'Not Found');
      const ws = acceptUpgrade(req, netSocket);
      if (!ws) return;
      viewer.socket = ws;
      ws.onClose(() => {
        if (viewer.socket === ws) viewer.socket = null;
      });
      return;
    }
    rejectUpgrade(netSocket, 404, 'Not Found');
  });

  await new Promise((done) => server.listen(0, '127.0.0.1', () => done(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const heartbeat = setInterval(() => {
    for (const b of broadcasts.values()) {
      for (const ws of b.eventSockets) ws.sendJson({ type: 'heartbeat', data: { timestamp: new Date().toISOString() } });
      for (const v of b.viewers.values()) v.socket?.sendJson({ type: 'heartbeat' });
    }
  }, 10_000);

  /** @param {FakeBroadcast} b @param {unknown} message */
  const tellBroadcaster = (b, message) => {
    for (const ws of b.eventSockets) ws.sendJson(message);
  };

  return {
    url: `http://127.0.0.1:${address.port}`,

    /** @param {{namespace: string, name: string, apiKey: string, viewersPerStage: number, publishTtlMinutes?: number}} spec */
    createBroadcast(spec) {
      broadcasts.set(key(spec.namespace, spec.name), {
        namespace: spec.namespace, name: spec.name, apiKey: spec.apiKey, viewersPerStage: spec.viewersPerStage,
        stages: [], viewers: new Map(), eventSockets: new Set(), publishTtl: (spec.publishTtlMinutes ?? 120) * 60,
      });
    },

    /**
     * Replaces the stages (as the operator would in status), telling sockets what changed.
     * @param {string} namespace
     * @param {string} name
     * @param {FakeStage[]} stages
     */
    setStages(namespace, name, stages) {
      const b = broadcasts.get(key(namespace, name));
      if (!b) throw new Error(`no broadcast ${namespace}/${name}`);
      const before = new Map(b.stages.map((s) => [s.arn, s]));
      b.stages = stages.map((s) => ({ ...s }));
      const stamp = new Date().toISOString();
      for (const s of b.stages) {
        const old = before.get(s.arn);
        if (!old) tellBroadcaster(b, { type: 'stage_created', data: { ...publishOffer(b, s), timestamp: stamp } });
        else if (old.state !== s.state) {
          const type = s.state === 'Draining' ? 'stage_draining' : 'stage_active';
          tellBroadcaster(b, { type, data: { stageArn: s.arn, stageId: s.id, state: s.state, timestamp: stamp } });
        }
        if (old && (old.feed !== s.feed || old.source !== s.source)) {
          // an origin gets a fresh PUBLISH token with the change, as from the real gateway
          tellBroadcaster(b, { type: 'stage_feed', data: { ...(feedOf(s).publish ? publishOffer(b, s)
            : { stageArn: s.arn, stageId: s.id, state: s.state, ...feedOf(s) }), timestamp: stamp } });
        }
      }
      for (const [arn, s] of before) {
        if (!b.stages.some((n) => n.arn === arn)) {
          tellBroadcaster(b, { type: 'stage_deleted', data: { stageArn: arn, stageId: s.id, timestamp: stamp } });
        }
      }
      // Viewers on a draining or removed stage are told to move.
      for (const viewer of b.viewers.values()) {
        const stage = b.stages.find((s) => s.arn === viewer.stageArn);
        if (stage && stage.state === 'Active') continue;
        const target = placeOn(b, viewer.stageArn);
        if (!target || !viewer.socket) continue;
        viewer.stageArn = target.arn;
        viewer.socket.sendJson({ type: 'move', data: subscribeToken(b, target) });
      }
    },

    /** @param {string} namespace @param {string} name */
    deleteBroadcast(namespace, name) {
      const b = broadcasts.get(key(namespace, name));
      if (!b) return;
      broadcasts.delete(key(namespace, name));
      for (const v of b.viewers.values()) {
        v.socket?.sendJson({ type: 'ended' });
        v.socket?.close(1000, 'ended');
      }
      for (const ws of b.eventSockets) ws.close(1000, 'deleted');
    },

    async close() {
      clearInterval(heartbeat);
      for (const b of broadcasts.values()) {
        for (const ws of b.eventSockets) ws.kill();
        for (const v of b.viewers.values()) v.socket?.kill();
      }
      server.closeAllConnections();
      await new Promise((done) => server.close(() => done(undefined)));
    },
  };
}
