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
   * What the key field should hold once the broadcast in the form changed: a key the person typed stays (it is
   * never overwritten by one remembered for another broadcast); an empty field or a key filled in from memory
   * becomes the key remembered for the new broadcast, or empty.
   * @param {string} namespace
   * @param {string} name
   * @param {{value: string, remembered: boolean}} field  the key field now; remembered: filled in from memory
   * @returns {{value: string, remembered: boolean}}
   */
  keyField(namespace, name, field) {
    if (field.value && !field.remembered) return field;
    const stored = this.key(namespace, name);
    return stored ? { value: stored, remembered: true } : { value: '', remembered: false };
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
