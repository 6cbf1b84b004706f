// The viewer page: a place on a stage from the gateway, the broadcaster's picture (muted until a click, as
// browsers' autoplay policy demands), the presence socket, moves between stages without a black picture.

import { GatewayClient } from './api-client.js';
import { broadcastNameProblem, pageSettings } from './config.js';
import { byId, loadPageSdk, localMediaPath, logTo, showError } from './dom.js';
import { ViewerSession } from './viewer-session.js';

const settings = pageSettings(location.href, localMediaPath());
const client = new GatewayClient({ gatewayBase: settings.gatewayBase });

const el = {
  form: byId('watch-form', HTMLFormElement),
  namespace: byId('namespace', HTMLInputElement),
  name: byId('name', HTMLInputElement),
  watch: byId('watch', HTMLButtonElement),
  leave: byId('leave', HTMLButtonElement),
  video: byId('video', HTMLVideoElement),
  unmute: byId('unmute', HTMLButtonElement),
  overlay: byId('overlay', HTMLElement),
  status: byId('status', HTMLElement),
  stageId: byId('stage-id', HTMLElement),
  error: byId('error', HTMLElement),
  sdkState: byId('sdk-state', HTMLElement),
  gatewayUrl: byId('gateway-url', HTMLElement),
  log: byId('log', HTMLElement),
};
const log = logTo(el.log);
el.gatewayUrl.textContent = settings.gatewayBase;
el.namespace.value = settings.namespace || 'default';
el.name.value = settings.name;

const sdkReady = loadPageSdk(settings, el, log);

/** @type {ViewerSession | null} */
let session = null;

/** @type {Record<string, string>} */
const OVERLAY = {
  idle: 'Not watching.', joining: 'Joining…', 'not-started': 'Waiting for the broadcast to start…',
  'waiting-seat': 'Waiting for a seat…', connecting: 'Connecting…', watching: 'Waiting for the picture…',
  moving: 'Moving…', ended: 'The broadcast has ended.', 'not-found': 'No such broadcast.', error: 'Reconnecting…',
};

/** @param {import('./viewer-session.js').ViewerStatus} status */
function showStatus(status) {
  el.status.textContent = status.message;
  el.status.dataset.phase = status.phase;
  el.stageId.textContent = status.stageId ?? '–';
  document.body.dataset.phase = status.phase;
  const picture = (status.phase === 'watching' || status.phase === 'moving') && el.video.srcObject !== null;
  el.overlay.hidden = picture;
  el.overlay.textContent = OVERLAY[status.phase] ?? '';
  if (status.phase === 'ended' || status.phase === 'idle' || status.phase === 'not-found') {
    el.watch.disabled = false;
    el.leave.disabled = true;
  }
}

/**
 * Shows the tracks of the stage being watched. Replacing srcObject in one step keeps the last frame until the
 * new one arrives, so a move between stages does not flash black.
 * @param {MediaStreamTrack[]} tracks
 */
function showTracks(tracks) {
  if (tracks.length === 0) {
    el.video.srcObject = null;
    el.overlay.hidden = false;
    el.unmute.hidden = true;
    return;
  }
  const current = el.video.srcObject instanceof MediaStream ? el.video.srcObject.getTracks() : [];
  if (current.length === tracks.length && tracks.every((t) => current.includes(t))) return;
  el.video.srcObject = new MediaStream(tracks);
  el.overlay.hidden = true;
  el.unmute.hidden = !el.video.muted;
  el.video.play().catch((error) => {
    // Autoplay with sound is refused without a click; the video stays muted and the button offers sound.
    log(`play() refused: ${error instanceof Error ? error.name : error}`);
    el.video.muted = true;
    el.unmute.hidden = false;
    void el.video.play().catch(() => {});
  });
}

el.unmute.addEventListener('click', async () => {
  el.video.muted = false;
  try {
    await el.video.play();
    el.unmute.hidden = true;
    log('sound on');
  } catch (error) {
    el.video.muted = true;
    showError(el.error, `The browser refused to play sound (${error instanceof Error ? error.message : error}).`);
  }
});

el.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void watch();
});
el.leave.addEventListener('click', () => {
  session?.stop();
  session = null;
  el.watch.disabled = false;
  el.leave.disabled = true;
});

async function watch() {
  const namespace = el.namespace.value.trim();
  const name = el.name.value.trim();
  const problem = broadcastNameProblem(namespace, name);
  if (problem) {
    showError(el.error, problem);
    return;
  }
  showError(el.error, null);
  session?.stop();
  el.watch.disabled = true;
  el.leave.disabled = false;
  /** @type {SdkShape | undefined} */
  let sdk;
  try {
    sdk = await sdkReady;
  } catch {
    el.watch.disabled = false;
    el.leave.disabled = true;
    return;
  }
  const url = new URL(location.href);
  url.searchParams.set('namespace', namespace);
  url.searchParams.set('name', name);
  history.replaceState(null, '', url);
  session = new ViewerSession({
    sdk,
    place: (waitId) => client.joinAsViewer(namespace, name, waitId),
    openSocket: (presenceUrl) => new WebSocket(client.presenceSocketUrl(presenceUrl)),
    onStatus: showStatus,
    onTracks: showTracks,
    log,
  });
  session.start();
}

window.addEventListener('pagehide', () => session?.stop());

// A link with the broadcast in it starts watching at once (muted playback needs no click).
if (settings.namespace && settings.name) void watch();
