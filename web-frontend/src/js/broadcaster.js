// The broadcaster page: camera and microphone, Start/Stop, one published Stage per IVS stage of the broadcast,
// kept in step with the gateway's events socket.

import { ApiError, GatewayClient, describeApiError } from './api-client.js';
import { Backoff } from './backoff.js';
import { broadcastNameProblem, pageSettings } from './config.js';
import { byId, loadPageSdk, logTo, showError } from './dom.js';
import { parseBroadcasterEvent } from './messages.js';
import { StagePublisher } from './stage-publisher.js';

/** The socket is considered dead when nothing (not even a heartbeat) arrived for this long. */
const SOCKET_SILENCE_MS = 60_000;

const settings = pageSettings(location.href);
const client = new GatewayClient({ gatewayBase: settings.gatewayBase });

const el = {
  form: byId('broadcast-form', HTMLFormElement),
  namespace: byId('namespace', HTMLInputElement),
  name: byId('name', HTMLInputElement),
  apiKey: byId('api-key', HTMLInputElement),
  camera: byId('camera', HTMLSelectElement),
  microphone: byId('microphone', HTMLSelectElement),
  preview: byId('preview', HTMLVideoElement),
  start: byId('start', HTMLButtonElement),
  stop: byId('stop', HTMLButtonElement),
  muteAudio: byId('mute-audio', HTMLButtonElement),
  muteVideo: byId('mute-video', HTMLButtonElement),
  status: byId('status', HTMLElement),
  error: byId('error', HTMLElement),
  stages: byId('stages', HTMLTableElement),
  socketState: byId('socket-state', HTMLElement),
  sdkState: byId('sdk-state', HTMLElement),
  gatewayUrl: byId('gateway-url', HTMLElement),
  liveBadge: byId('live-badge', HTMLElement),
  log: byId('log', HTMLElement),
};
const log = logTo(el.log);

el.gatewayUrl.textContent = settings.gatewayBase;

const sdkReady = loadPageSdk(settings.sdkUrls, el, log);

// ---- the broadcast and its key (the key lives in sessionStorage only, never in the URL) ----

const KEY_PREFIX = 'stagefleet.broadcaster.apiKey:';
const BROADCAST_ITEM = 'stagefleet.broadcaster.broadcast';

function restoreForm() {
  /** @type {{namespace?: string, name?: string}} */
  let remembered = {};
  try {
    remembered = JSON.parse(sessionStorage.getItem(BROADCAST_ITEM) ?? '{}') ?? {};
  } catch {
    remembered = {};
  }
  el.namespace.value = settings.namespace || remembered.namespace || 'default';
  el.name.value = settings.name || remembered.name || '';
  restoreKey();
}

function restoreKey() {
  const stored = sessionStorage.getItem(KEY_PREFIX + `${el.namespace.value}/${el.name.value}`);
  if (stored) el.apiKey.value = stored;
}

function rememberForm() {
  sessionStorage.setItem(BROADCAST_ITEM, JSON.stringify({ namespace: el.namespace.value, name: el.name.value }));
  sessionStorage.setItem(KEY_PREFIX + `${el.namespace.value}/${el.name.value}`, el.apiKey.value);
}

el.namespace.addEventListener('change', restoreKey);
el.name.addEventListener('change', restoreKey);
restoreForm();

// ---- camera and microphone ----

/** @type {MediaStream | null} */
let media = null;

/**
 * Words for a getUserMedia failure.
 * @param {unknown} error
 */
function describeMediaError(error) {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError': return 'Camera and microphone access was refused. Allow it for this site and try again.';
    case 'NotFoundError': return 'No camera or microphone was found.';
    case 'NotReadableError': return 'The camera or microphone is in use by another program.';
    case 'OverconstrainedError': return 'The chosen camera or microphone is not available.';
    default: return `The camera or microphone could not be opened (${error instanceof Error ? error.message : error}).`;
  }
}

/** Opens the chosen camera and microphone (or the defaults), shows them, and hands them to the stages. */
async function openMedia() {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This page needs HTTPS (or localhost) to use the camera and microphone.');
  }
  const camera = el.camera.value;
  const microphone = el.microphone.value;
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { ...(camera ? { deviceId: { exact: camera } } : {}), width: { ideal: 1280 }, height: { ideal: 720 },
      frameRate: { ideal: 30, max: 30 } },
    audio: microphone ? { deviceId: { exact: microphone } } : true,
  });
  const old = media;
  media = stream;
  el.preview.srcObject = stream;
  publisher?.setTracks(stream.getTracks());
  old?.getTracks().forEach((t) => t.stop());
  await listDevices();
  log(`camera ${stream.getVideoTracks()[0]?.label ?? '–'}, microphone ${stream.getAudioTracks()[0]?.label ?? '–'}`);
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const inUse = new Set(media?.getTracks().map((t) => t.getSettings().deviceId) ?? []);
  for (const [select, kind] of /** @type {const} */ ([[el.camera, 'videoinput'], [el.microphone, 'audioinput']])) {
    const chosen = select.value;
    select.replaceChildren(...devices.filter((d) => d.kind === kind).map((d, i) => {
      const option = new Option(d.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${i + 1}`, d.deviceId);
      option.selected = chosen ? d.deviceId === chosen : inUse.has(d.deviceId);
      return option;
    }));
  }
}

/** @param {Event} event */
async function deviceChanged(event) {
  try {
    await openMedia();
    showError(el.error, null);
  } catch (error) {
    showError(el.error, describeMediaError(error));
    if (event.target instanceof HTMLSelectElement) await listDevices().catch(() => {});
  }
}
el.camera.addEventListener('change', deviceChanged);
el.microphone.addEventListener('change', deviceChanged);

openMedia().catch((error) => showError(el.error, describeMediaError(error)));

// ---- broadcasting ----

/** @type {StagePublisher | null} */
let publisher = null;
/** Bumped on every Start and Stop; callbacks of an older run do nothing. */
let run = 0;
/** @type {{namespace: string, name: string, apiKey: string} | null} */
let broadcast = null;

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void start();
});
el.stop.addEventListener('click', () => stop('Stopped.'));

async function start() {
  const namespace = el.namespace.value.trim();
  const name = el.name.value.trim();
  const apiKey = el.apiKey.value.trim();
  const problem = broadcastNameProblem(namespace, name) ?? (apiKey ? null : 'Enter the API key of the broadcast.');
  if (problem) {
    showError(el.error, problem);
    return;
  }
  showError(el.error, null);
  rememberForm();
  const thisRun = ++run;
  setRunning(true);
  setStatus('Starting…');
  try {
    const sdk = await sdkReady;
    if (!media) await openMedia();
    if (thisRun !== run || !media) return;
    broadcast = { namespace, name, apiKey };
    publisher = new StagePublisher({
      sdk,
      freshToken: (stageArn) => client.stageToken(namespace, name, apiKey, stageArn),
      onChange: () => renderSoon(),
      log,
    });
    publisher.setTracks(media.getTracks());
    publisher.setMuted('audio', el.muteAudio.getAttribute('aria-pressed') === 'true');
    publisher.setMuted('video', el.muteVideo.getAttribute('aria-pressed') === 'true');
    const stages = await client.listStages(namespace, name, apiKey);
    if (thisRun !== run) return;
    log(`the gateway lists ${stages.length} stage(s)`);
    for (const stage of stages) publisher.offer(stage);
    render();
    void connectEvents(thisRun);
  } catch (error) {
    if (thisRun !== run) return;
    const words = error instanceof ApiError ? describeApiError(error)
      : error instanceof DOMException ? describeMediaError(error)
        : error instanceof Error ? error.message : String(error);
    stop('Not broadcasting.');
    showError(el.error, `Could not start: ${words}`);
  }
}

/**
 * @param {string | null} words
 */
function stop(words) {
  run += 1;
  closeEvents();
  publisher?.stopAll();
  publisher = null;
  broadcast = null;
  setRunning(false);
  render();
  if (words) setStatus(words);
}

/** @param {boolean} running */
function setRunning(running) {
  el.start.disabled = running;
  el.stop.disabled = !running;
  el.muteAudio.disabled = !running;
  el.muteVideo.disabled = !running;
  el.namespace.disabled = running;
  el.name.disabled = running;
  el.apiKey.disabled = running;
  el.liveBadge.hidden = !running;
  document.body.dataset.running = String(running);
}

/**
 * @param {HTMLButtonElement} button
 * @param {'audio' | 'video'} kind
 * @param {[string, string]} labels  [when not muted, when muted]
 */
function toggleMute(button, kind, labels) {
  const muted = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(muted));
  button.textContent = muted ? labels[1] : labels[0];
  publisher?.setMuted(kind, muted);
  if (kind === 'video') el.preview.classList.toggle('dimmed', muted);
  log(`${kind === 'audio' ? 'microphone' : 'camera'} ${muted ? 'muted' : 'unmuted'}`);
}
el.muteAudio.addEventListener('click', () => toggleMute(el.muteAudio, 'audio', ['Mute microphone', 'Unmute microphone']));
el.muteVideo.addEventListener('click', () => toggleMute(el.muteVideo, 'video', ['Turn camera off', 'Turn camera on']));

// ---- the gateway's events socket: snapshot, stage_created, stage_draining, stage_deleted ----

/** @type {WebSocket | null} */
let socket = null;
const socketBackoff = new Backoff({ baseMs: 500, maxMs: 15_000 });
/** @type {ReturnType<typeof setTimeout> | undefined} */
let reconnectTimer;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let silenceTimer;

/**
 * @param {'closed' | 'connecting' | 'open' | 'reconnecting'} state
 * @param {string} words
 */
function setSocketState(state, words) {
  el.socketState.dataset.state = state;
  el.socketState.textContent = words;
}

/** @param {number} thisRun */
async function connectEvents(thisRun) {
  if (thisRun !== run || !broadcast) return;
  setSocketState('connecting', 'events: connecting…');
  /** @type {string} */
  let url;
  try {
    url = await client.eventsSocketUrl(broadcast.namespace, broadcast.name, broadcast.apiKey);
  } catch (error) {
    if (thisRun === run) reconnectLater(thisRun, describeApiError(error));
    return;
  }
  if (thisRun !== run) return;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    if (socket !== ws) return;
    setSocketState('open', 'events: connected');
    log('events socket open');
    watchSilence(ws);
  };
  ws.onmessage = (event) => {
    if (socket !== ws || !publisher || typeof event.data !== 'string') return;
    watchSilence(ws);
    const message = parseBroadcasterEvent(event.data);
    if (!message) return;
    switch (message.type) {
      case 'snapshot':
        socketBackoff.reset();
        log(`snapshot: ${message.stages.length} stage(s)`);
        publisher.reconcile(message.stages);
        break;
      case 'stage_created':
        log(`stage created: ${message.stage.stageId}`);
        publisher.offer(message.stage);
        break;
      case 'stage_draining':
        log(`stage draining: ${message.stageId}`);
        publisher.setState(message.stageArn, 'Draining');
        break;
      case 'stage_active':
        log(`stage active again: ${message.stageId}`);
        publisher.setState(message.stageArn, 'Active');
        break;
      case 'stage_deleted':
        log(`stage deleted: ${message.stageId}`);
        publisher.remove(message.stageArn);
        break;
      default:
        break;
    }
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    clearTimeout(silenceTimer);
    log(`events socket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`);
    reconnectLater(thisRun, 'connection lost');
  };
}

/**
 * @param {number} thisRun
 * @param {string} why
 */
function reconnectLater(thisRun, why) {
  if (thisRun !== run) return;
  const delay = socketBackoff.next();
  setSocketState('reconnecting', `events: ${why}; reconnecting in ${Math.ceil(delay / 1000)} s`);
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(() => void connectEvents(thisRun), delay);
}

/** @param {WebSocket} ws */
function watchSilence(ws) {
  clearTimeout(silenceTimer);
  silenceTimer = setTimeout(() => {
    if (socket === ws) ws.close(4000, 'silent');
  }, SOCKET_SILENCE_MS);
}

function closeEvents() {
  clearTimeout(reconnectTimer);
  clearTimeout(silenceTimer);
  const ws = socket;
  socket = null;
  ws?.close(1000, 'broadcaster stopped');
  socketBackoff.reset();
  setSocketState('closed', 'events: not connected');
}

// ---- the table of stages ----

let renderQueued = false;
function renderSoon() {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    render();
  });
}

const LINK_WORDS = { connecting: 'connecting', connected: 'connected', errored: 'errored', disconnected: 'disconnected' };

function render() {
  const body = el.stages.tBodies[0];
  const rows = publisher?.rows() ?? [];
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    const td = document.createElement('td');
    td.colSpan = 5;
    td.textContent = publisher ? 'No stages yet: the operator has not created one.' : 'Not broadcasting.';
    tr.append(td);
    body.replaceChildren(tr);
  } else {
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.stageId = row.stageId;
      tr.dataset.stageArn = row.stageArn;
      tr.dataset.link = row.link;
      tr.dataset.state = row.state;
      const cells = [row.stageId, row.state, LINK_WORDS[row.link], row.viewers === null ? '–' : String(row.viewers),
        row.error ?? ''];
      tr.append(...cells.map((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 2) td.className = `link link-${row.link}`;
        if (i === 4 && row.error) td.className = 'note-error';
        return td;
      }));
      return tr;
    }));
  }
  if (publisher) {
    const connected = rows.filter((r) => r.link === 'connected').length;
    const errored = rows.filter((r) => r.link === 'errored').length;
    setStatus(rows.length === 0 ? 'Live: waiting for the first stage.'
      : `Live on ${connected} of ${rows.length} stage(s)${errored ? `; ${errored} with errors` : ''}.`);
    document.body.dataset.errored = String(errored > 0);
  }
}

/** @param {string} words */
function setStatus(words) {
  el.status.textContent = words;
}

window.addEventListener('pagehide', () => stop(null));
