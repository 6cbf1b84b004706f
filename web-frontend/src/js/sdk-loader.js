// Loads the IVS Web Broadcast SDK (a UMD bundle that defines window.IVSBroadcastClient) from the first of the
// page's SDK URLs that works.

/** @typedef {typeof import('amazon-ivs-web-broadcast')} Sdk */

/**
 * @param {string[]} urls tried in order
 * @param {number} [timeoutMs] per URL
 * @returns {Promise<{sdk: Sdk, url: string}>}
 */
export async function loadSdk(urls, timeoutMs = 15_000) {
  /** @type {string[]} */
  const failures = [];
  for (const url of urls) {
    if (window.IVSBroadcastClient) return { sdk: window.IVSBroadcastClient, url };
    try {
      await injectScript(url, timeoutMs);
    } catch (error) {
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (window.IVSBroadcastClient) return { sdk: window.IVSBroadcastClient, url };
    failures.push(`${url}: loaded, but it did not define IVSBroadcastClient`);
  }
  throw new Error(`The IVS Web Broadcast SDK could not be loaded (${failures.join('; ')}).`);
}

/**
 * @param {string} url
 * @param {number} timeoutMs
 * @returns {Promise<void>}
 */
function injectScript(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = url;
    script.async = true;
    const timer = setTimeout(() => {
      script.remove();
      reject(new Error('timed out'));
    }, timeoutMs);
    script.onload = () => {
      clearTimeout(timer);
      resolve();
    };
    script.onerror = () => {
      clearTimeout(timer);
      script.remove();
      reject(new Error('not found or blocked'));
    };
    document.head.appendChild(script);
  });
}
