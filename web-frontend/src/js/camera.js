// The broadcaster's camera and microphone: opening the chosen devices, listing them, words for failures.

/**
 * Words for a getUserMedia failure.
 * @param {unknown} error
 */
export function describeMediaError(error) {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError': return 'Camera and microphone access was refused. Allow it for this site and try again.';
    case 'NotFoundError': return 'No camera or microphone was found.';
    case 'NotReadableError': return 'The camera or microphone is in use by another program.';
    case 'OverconstrainedError': return 'The chosen camera or microphone is not available.';
    default: return `The camera or microphone could not be opened (${error instanceof Error ? error.message : error}).`;
  }
}

/**
 * Opens the chosen camera and microphone (or the defaults: '' in a select).
 * @param {string} camera     a deviceId or ''
 * @param {string} microphone a deviceId or ''
 */
export function openDevices(camera, microphone) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This page needs HTTPS (or localhost) to use the camera and microphone.');
  }
  return navigator.mediaDevices.getUserMedia({
    video: { ...(camera ? { deviceId: { exact: camera } } : {}), width: { ideal: 1280 }, height: { ideal: 720 },
      frameRate: { ideal: 30, max: 30 } },
    audio: microphone ? { deviceId: { exact: microphone } } : true,
  });
}

/**
 * Fills the camera and microphone selects, keeping the choice (or selecting the devices in use).
 * @param {HTMLSelectElement} cameraSelect
 * @param {HTMLSelectElement} microphoneSelect
 * @param {MediaStream | null} media
 */
export async function listDevices(cameraSelect, microphoneSelect, media) {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const inUse = new Set(media?.getTracks().map((t) => t.getSettings().deviceId) ?? []);
  for (const [select, kind] of /** @type {const} */ ([[cameraSelect, 'videoinput'], [microphoneSelect, 'audioinput']])) {
    const chosen = select.value;
    select.replaceChildren(...devices.filter((d) => d.kind === kind).map((d, i) => {
      const option = new Option(d.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${i + 1}`, d.deviceId);
      option.selected = chosen ? d.deviceId === chosen : inUse.has(d.deviceId);
      return option;
    }));
  }
}
