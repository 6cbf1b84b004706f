// What the broadcaster page remembers for the tab (sessionStorage, never the URL): the last broadcast and the key
// typed for each broadcast. No DOM: the storage is passed in.

const KEY_PREFIX = 'stagefleet.broadcaster.apiKey:';
const BROADCAST_ITEM = 'stagefleet.broadcaster.broadcast';

/** Remembers broadcasts and their keys in one Storage. */
export class BroadcastMemory {
  /** @param {Pick<Storage, 'getItem' | 'setItem'>} storage */
  constructor(storage) {
    this.storage = storage;
  }

  /** @returns {{namespace: string, name: string}} the last broadcast started ('' when none) */
  lastBroadcast() {
    try {
      const value = JSON.parse(this.storage.getItem(BROADCAST_ITEM) ?? '{}') ?? {};
      return { namespace: String(value.namespace ?? ''), name: String(value.name ?? '') };
    } catch {
      return { namespace: '', name: '' };
    }
  }

  /**
   * The key remembered for a broadcast, or null.
   * @param {string} namespace
   * @param {string} name
   */
  key(namespace, name) {
    return this.storage.getItem(KEY_PREFIX + `${namespace}/${name}`);
  }

  /**
   * @param {string} namespace
   * @param {string} name
   * @param {string} apiKey
   */
  remember(namespace, name, apiKey) {
    this.storage.setItem(BROADCAST_ITEM, JSON.stringify({ namespace, name }));
    this.storage.setItem(KEY_PREFIX + `${namespace}/${name}`, apiKey);
  }
}
