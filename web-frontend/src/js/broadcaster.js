// The broadcaster page: camera and microphone, Start/Stop, one published Stage per origin stage of the broadcast
// (the others are fed by IVS replication and only shown), kept in step with the gateway's events socket.

import { ApiError, GatewayClient, describeApiError } from './api-client.js';
import { BroadcastMemory } from './broadcast-memory.js';
import { describeMediaError, listDevices, openDevices } from './camera.js';
import { broadcastNameProblem, pageSettings } from './config.js';
import { byId, loadPageSdk, localMediaPath, logTo, showError } from './dom.js';
import { EventsSocket } from './events-socket.js';
import { StagePublisher } from './stage-publisher.js';
import { liveSummary, renderStageTable } from './stage-table.js';

const settings = pageSettings(location.href, localMediaPath());
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

const sdkReady = loadPageSdk(settings, el, log);

// ---- the broadcast and its key (the key lives in sessionStorage only, never in the URL) ----

const memory = new BroadcastMemory(sessionStorage);
const remembered = memory.lastBroadcast();
el.namespace.value = settings.namespace || remembered.namespace || 'default';
el.name.value = settings.name || remembered.name || '';
restoreKey();

function restoreKey() {
  const field = memory.keyField(el.namespace.value, el.name.value,
    { value: el.apiKey.value, remembered: el.apiKey.dataset.remembered === 'true' });
  el.apiKey.value = field.value;
  el.apiKey.dataset.remembered = String(field.remembered);
}
el.namespace.addEventListener('change', restoreKey);
el.name.addEventListener('change', restoreKey);
el.apiKey.addEventListener('input', () => { el.apiKey.dataset.remembered = 'false'; });

// ---- camera and microphone ----

/** @type {MediaStream | null} */
let media = null;

/** Opens the chosen camera and microphone (or the defaults), shows them, and hands them to the stages. */
async function openMedia() {
  const stream = await openDevices(el.camera.value, el.microphone.value);
  const old = media;
  media = stream;
  el.preview.srcObject = stream;
  current?.publisher?.setTracks(stream.getTracks());
  old?.getTracks().forEach((t) => t.stop());
  await listDevices(el.camera, el.microphone, media);
  log(`camera ${stream.getVideoTracks()[0]?.label ?? '–'}, microphone ${stream.getAudioTracks()[0]?.label ?? '–'}`);
}

/** @param {Event} event */
async function deviceChanged(event) {
  try {
    await openMedia();
    showError(el.error, null);
  } catch (error) {
    showError(el.error, describeMediaError(error));
    if (event.target instanceof HTMLSelectElement) await listDevices(el.camera, el.microphone, media).catch(() => {});
  }
}
el.camera.addEventListener('change', deviceChanged);
el.microphone.addEventListener('change', deviceChanged);

openMedia().catch((error) => showError(el.error, describeMediaError(error)));

// ---- broadcasting ----

/**
 * The broadcast being run, replaced on every Start and cleared on Stop; callbacks of an older run compare it.
 * @typedef {{publisher: StagePublisher | null, events: EventsSocket | null}} Run
 * @type {Run | null}
 */
let current = null;

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
  memory.remember(namespace, name, apiKey);
  stop(null);
  setRunning(true);
  setStatus('Starting…');
  /** @type {Run} */
  const run = { publisher: null, events: null };
  const mine = () => current === run;
  current = run;
  try {
    const sdk = await sdkReady;
    if (!media) await openMedia();
    if (!mine() || !media) return;
    const publisher = new StagePublisher({
      sdk,
      freshToken: (stageArn) => client.stageToken(namespace, name, apiKey, stageArn),
      onChange: () => renderSoon(),
      log,
      // local mode's media goes page to page, which IVS replication cannot copy: every stage is published into
      replicable: !settings.localMedia,
    });
    run.publisher = publisher;
    publisher.setTracks(media.getTracks());
    publisher.setMuted('audio', el.muteAudio.getAttribute('aria-pressed') === 'true');
    publisher.setMuted('video', el.muteVideo.getAttribute('aria-pressed') === 'true');
    // checks the key at once; what to publish into comes from the events socket's snapshot, which says per stage
    // whether it is an origin or fed by replication (this list has a PUBLISH token for every stage)
    const stages = await client.listStages(namespace, name, apiKey);
    if (!mine()) return;
    log(`the gateway lists ${stages.length} stage(s)`);
    render();
    run.events = new EventsSocket({
      socketUrl: () => client.eventsSocketUrl(namespace, name, apiKey),
      openSocket: (url) => new WebSocket(url),
      stages: publisher,
      onState: setSocketState,
      describe: describeApiError,
      log,
    });
    run.events.start();
  } catch (error) {
    if (!mine()) return;
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
  const run = current;
  current = null;
  run?.events?.stop();
  run?.publisher?.stopAll();
  setSocketState('closed', {});
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
  current?.publisher?.setMuted(kind, muted);
  if (kind === 'video') el.preview.classList.toggle('dimmed', muted);
  log(`${kind === 'audio' ? 'microphone' : 'camera'} ${muted ? 'muted' : 'unmuted'}`);
}
el.muteAudio.addEventListener('click', () => toggleMute(el.muteAudio, 'audio', ['Mute microphone', 'Unmute microphone']));
el.muteVideo.addEventListener('click', () => toggleMute(el.muteVideo, 'video', ['Turn camera off', 'Turn camera on']));

/**
 * @param {import('./reconnecting-socket.js').SocketState} state
 * @param {{why?: string, delayMs?: number}} detail
 */
function setSocketState(state, detail) {
  el.socketState.dataset.state = state;
  el.socketState.textContent = state === 'connecting' ? 'events: connecting…'
    : state === 'open' ? 'events: connected'
      : state === 'reconnecting' ? `events: ${detail.why}; reconnecting in ${Math.ceil((detail.delayMs ?? 0) / 1000)} s`
        : 'events: not connected';
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

function render() {
  const publisher = current?.publisher ?? null;
  const rows = publisher?.rows() ?? [];
  renderStageTable(el.stages, rows, publisher ? 'No stages yet: the operator has not created one.' : 'Not broadcasting.');
  const summary = liveSummary(rows);
  el.liveBadge.hidden = !summary.live;
  if (publisher) {
    setStatus(summary.words);
    document.body.dataset.errored = String(summary.errored > 0);
  }
}

/** @param {string} words */
function setStatus(words) {
  el.status.textContent = words;
}

window.addEventListener('pagehide', () => stop(null));
