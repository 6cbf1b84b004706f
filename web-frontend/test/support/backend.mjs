// The backend the browser tests run against, behind one interface:
//  - real (default): `java -jar ../target/stagefleet.jar local --without operator ...`: the real gateway with the
//    CRUD mock Kubernetes API server and the IVS emulator. Tests play the operator by writing status.stages
//    (STAGEFLEET_JAR names another jar).
//  - fake (STAGEFLEET_WEB_BACKEND=fake): a node fake of the gateway (fake-gateway.mjs), for page development.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeGateway } from './fake-gateway.mjs';

export const WEB_FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = resolve(WEB_FRONTEND, '..');
export const RESULTS = join(WEB_FRONTEND, 'test-results');
export const SDK_FILE = join(WEB_FRONTEND, 'node_modules/amazon-ivs-web-broadcast/dist/amazon-ivs-web-broadcast.js');

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const GROUP = 'live.stagefleet.dev';
const VERSION = 'v1alpha1';

/**
 * A stage as a test describes it; `source` is the label of the origin a replica is fed from (feed as the operator
 * records it in status.stages: none, origin, or replica of source).
 * @typedef {{id: string, state?: "Active" | "Draining", viewers?: number, feed?: "origin" | "replica",
 *   source?: string}} StageSpec
 * @typedef {{namespace?: string, name: string, apiKey: string, viewersPerStage?: number, minStages?: number,
 *   maxStages?: number, publishTtlMinutes?: number}} BroadcastSpec
 */

/**
 * The harness a test file uses.
 * @typedef {object} Backend
 * @property {'real' | 'fake'} kind
 * @property {string} gatewayUrl
 * @property {string | null} ivsEndpoint  the IVS emulator (real backend), whose /_emulator/join checks tokens
 * @property {(spec: BroadcastSpec) => Promise<void>} createBroadcast   Secret with the API key + LiveBroadcast
 * @property {(namespace: string, name: string, stages: StageSpec[]) => Promise<void>} setStages  status.stages
 * @property {(namespace: string, name: string) => Promise<void>} deleteBroadcast
 * @property {(label: string) => string} stageArn  the ARN of the stage a test calls `label` (after setStages)
 * @property {(label: string) => string} stageId   its stage id (the emulator picks ids; the fake uses the label)
 * @property {() => Promise<void>} stop
 */

/** @param {string} id */
export const stageArn = (id) => `arn:aws:ivs:${REGION}:${ACCOUNT}:stage/${id}`;

/**
 * Starts the backend chosen by STAGEFLEET_WEB_BACKEND (real unless it says fake).
 * @returns {Promise<Backend>}
 */
export async function startBackend() {
  const kind = process.env.STAGEFLEET_WEB_BACKEND === 'fake' ? 'fake' : 'real';
  return kind === 'fake' ? startFake() : startReal();
}

/** @returns {Promise<Backend>} */
async function startFake() {
  const gateway = await startFakeGateway({ webRoot: join(WEB_FRONTEND, 'src'), vendorFile: SDK_FILE });
  return {
    kind: 'fake',
    gatewayUrl: gateway.url,
    ivsEndpoint: null,
    stageArn,
    stageId: (label) => label,
    async createBroadcast(spec) {
      gateway.createBroadcast({
        namespace: spec.namespace ?? 'default', name: spec.name, apiKey: spec.apiKey,
        viewersPerStage: spec.viewersPerStage ?? 50, publishTtlMinutes: spec.publishTtlMinutes,
      });
    },
    async setStages(namespace, name, stages) {
      gateway.setStages(namespace, name, stages.map((s) => ({
        id: s.id, arn: stageArn(s.id), state: s.state ?? 'Active', feed: s.feed ?? null, source: s.source ?? null,
      })));
    },
    async deleteBroadcast(namespace, name) {
      gateway.deleteBroadcast(namespace, name);
    },
    stop: () => gateway.close(),
  };
}

/** @returns {Promise<Backend>} */
async function startReal() {
  const jar = process.env.STAGEFLEET_JAR ?? join(REPO_ROOT, 'target/stagefleet.jar');
  if (!existsSync(jar)) {
    throw new Error(`${jar} is missing: build it first (./mvnw -B -q package -DskipTests in ${REPO_ROOT}), `
      + 'or run the pages against the node fake with STAGEFLEET_WEB_BACKEND=fake.');
  }
  const dir = mkdtempSync(join(tmpdir(), 'stagefleet-web-'));
  const readyFile = join(dir, 'ready.json');
  mkdirSync(RESULTS, { recursive: true });
  const logPath = join(RESULTS, `backend-${process.pid}.log`);
  const logStream = createWriteStream(logPath);
  const child = spawn('java', ['-jar', jar, 'local', '--without', 'operator', '--no-sample',
    '--api-port', '0', '--gateway-port', '0', '--ivs-port', '0',
    '--kubeconfig', join(dir, 'kubeconfig'), '--ready-file', readyFile], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(logStream);
  child.stderr.pipe(logStream);
  let exited = /** @type {number | null | undefined} */ (undefined);
  child.on('exit', (code) => { exited = code; });

  /** @type {{apiServer: string, gateway: string, ivsEndpoint: string}} */
  let ready;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`stagefleet local exited with ${exited} before it was ready; see ${logPath}:\n`
        + tail(logPath));
    }
    if (existsSync(readyFile)) {
      try {
        ready = JSON.parse(readFileSync(readyFile, 'utf8'));
        if (ready.apiServer && ready.gateway) break;
      } catch {
        // Being written; read again.
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`stagefleet local was not ready within 90 s; see ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = ready.apiServer.replace(/\/$/, '');
  const ivs = ready.ivsEndpoint?.replace(/\/$/, '');

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @param {string} [contentType]
   */
  async function kube(method, path, body, contentType = 'application/json') {
    const response = await fetch(api + path, {
      method, headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 400)}`);
    return text ? JSON.parse(text) : {};
  }

  /** @type {Map<string, {id: string, arn: string, endpoints: {events: string, whip: string}}>} by test label */
  const emulatorStages = new Map();

  /**
   * The stage a test calls `label`: created in the IVS emulator when it can be (so tokens the gateway mints, in
   * either token mode, name a stage that exists), else a well-formed ARN with IVS's global endpoints.
   * @param {string} label
   */
  async function stageFor(label) {
    const known = emulatorStages.get(label);
    if (known) return known;
    let stage = {
      id: label, arn: stageArn(label),
      endpoints: { events: 'wss://global.events.live-video.net', whip: 'https://global.whip.live-video.net' },
    };
    if (ivs) {
      try {
        // the emulator keeps IVS's CreateStage rate (a test making 7 stages at once goes past it): wait and retry
        let response;
        for (let attempt = 0; ; attempt++) {
          response = await fetch(`${ivs}/CreateStage`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `web-test-${label}`, tags: { 'stagefleet.dev/managed-by': 'web-tests' } }),
          });
          if (response.status !== 429 || attempt >= 20) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        if (response.ok) {
          const created = (await response.json()).stage;
          if (created?.arn) {
            stage = {
              id: created.arn.split('/').pop(), arn: created.arn,
              // Only the fields the LiveBroadcast status has (IVS also returns rtmp/rtmps).
              endpoints: {
                events: created.endpoints?.events ?? stage.endpoints.events,
                whip: created.endpoints?.whip ?? stage.endpoints.whip,
              },
            };
          }
        }
      } catch {
        // The synthetic ARN will do.
      }
    }
    emulatorStages.set(label, stage);
    return stage;
  }

  const broadcastPath = (/** @type {string} */ ns, /** @type {string} */ name) =>
    `/apis/${GROUP}/${VERSION}/namespaces/${ns}/livebroadcasts/${name}`;

  return {
    kind: 'real',
    gatewayUrl: ready.gateway.replace(/\/$/, ''),
    ivsEndpoint: ivs ?? null,
    stageArn: (label) => emulatorStages.get(label)?.arn ?? stageArn(label),
    stageId: (label) => emulatorStages.get(label)?.id ?? label,
    async createBroadcast(spec) {
      const ns = spec.namespace ?? 'default';
      const secret = `${spec.name}-broadcaster`;
      await kube('POST', `/api/v1/namespaces/${ns}/secrets`, {
        apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
        // the gateway reads only the API-key Secrets labelled for it
        metadata: { name: secret, namespace: ns, labels: { 'stagefleet.dev/gateway-readable': 'true' } },
        data: { apiKey: Buffer.from(spec.apiKey).toString('base64') },
      });
      await kube('POST', `/apis/${GROUP}/${VERSION}/namespaces/${ns}/livebroadcasts`, {
        apiVersion: `${GROUP}/${VERSION}`, kind: 'LiveBroadcast', metadata: { name: spec.name, namespace: ns },
        spec: {
          viewersPerStage: spec.viewersPerStage ?? 50, minStages: spec.minStages ?? 1, maxStages: spec.maxStages ?? 10,
          tokens: { publishTtlMinutes: spec.publishTtlMinutes ?? 120, subscribeTtlMinutes: 720 },
          broadcaster: { apiKeySecretRef: { name: secret, key: 'apiKey' } },
        },
      });
      // The gateway learns of it through its informers: wait until it answers for the broadcast with this key.
      const url = `${ready.gateway.replace(/\/$/, '')}/api/v1/namespaces/${ns}/livebroadcasts/${spec.name}/stages`;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const response = await fetch(url, { headers: { 'x-api-key': spec.apiKey } }).catch(() => null);
        if (response?.ok) break;
        if (Date.now() > deadline) throw new Error(`the gateway did not see ${ns}/${spec.name} within 10 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async setStages(namespace, name, stages) {
      const now = new Date().toISOString();
      const entries = [];
      for (const s of stages) {
        const stage = await stageFor(s.id);
        const state = s.state ?? 'Active';
        entries.push({
          id: stage.id, arn: stage.arn, state, viewers: s.viewers ?? 0, createdAt: now, endpoints: stage.endpoints,
          ...(state === 'Draining' ? { drainingSince: now } : {}),
          ...(s.feed ? { feed: s.feed } : {}),
          ...(s.source ? { source: (await stageFor(s.source)).id } : {}),
        });
      }
      const active = entries.filter((e) => e.state === 'Active').length;
      const status = { stages: entries, readyStages: active, desiredStages: active, phase: entries.length ? 'Live' : 'Pending' };
      // A JSON merge patch on the status subresource, as the operator writes it (RFC 7386: arrays are replaced
      // whole; local mode's API server implements that, fabric8's bare CRUD mock appends arrays instead).
      await kube('PATCH', `${broadcastPath(namespace, name)}/status`, { status }, 'application/merge-patch+json');
    },
    async deleteBroadcast(namespace, name) {
      await kube('DELETE', broadcastPath(namespace, name));
    },
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      if (exited === undefined) await new Promise((r) => child.once('exit', r));
      clearTimeout(killer);
      logStream.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** @param {string} path */
function tail(path) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '';
  }
}
