// Small typed DOM helpers shared by the pages.
import { loadSdk } from './sdk-loader.js';

/**
 * The element with this id, checked to be of the given class.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new (...args: any[]) => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The page lacks #${id}.`);
  return element;
}

/**
 * Appends a time-stamped line to a list (newest first, at most 200 lines) and to the console.
 * @param {HTMLElement} list
 * @returns {(line: string) => void}
 */
export function logTo(list) {
  return (line) => {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()}  ${line}`;
    list.prepend(item);
    while (list.children.length > 200) list.lastElementChild?.remove();
    console.info(`[stagefleet] ${line}`);
  };
}

/**
 * Shows words in an alert element, or hides it for null.
 * @param {HTMLElement} element
 * @param {string | null} words
 */
export function showError(element, words) {
  element.textContent = words ?? '';
  element.hidden = !words;
}

/** The relay path a gateway in local mode puts into the page, or null. */
export function localMediaPath() {
  return document.querySelector('meta[name="stagefleet-local-media"]')?.getAttribute('content') ?? null;
}

/**
 * Loads the SDK for a page: says in `state` which SDK it uses, logs it, and shows an error when none loads. The
 * promise rejects then too; callers that await it later see the same failure. In local mode it is the local stage
 * client instead, imported only then, so a production page never loads it.
 * @param {{sdkUrls: string[], localMedia: string | null}} settings
 * @param {{sdkState: HTMLElement, error: HTMLElement}} el
 * @param {(line: string) => void} log
 * @returns {Promise<SdkShape>}
 */
export function loadPageSdk({ sdkUrls, localMedia }, el, log) {
  if (localMedia) {
    const relay = localMedia;
    const local = import('./local-stage.js').then(({ localSdk }) => {
      el.sdkState.textContent = 'Local mode: no IVS; media goes straight between the pages on this machine.';
      log(`local mode: stages meet on ${relay}`);
      return localSdk(relay);
    });
    local.catch(() => {});
    return local;
  }
  const ready = loadSdk(sdkUrls).then(({ sdk, url }) => {
    el.sdkState.textContent = `IVS Web Broadcast SDK ${sdk.__version} (${url})`;
    log(`SDK ${sdk.__version} loaded from ${url}`);
    return sdk;
  }, (error) => {
    el.sdkState.textContent = 'The IVS Web Broadcast SDK is not available.';
    showError(el.error, error instanceof Error ? error.message : String(error));
    throw error;
  });
  ready.catch(() => {});
  return ready;
}
