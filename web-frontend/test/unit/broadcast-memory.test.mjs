import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastMemory } from '../../src/js/broadcast-memory.js';

function storage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
}

test('a key typed for one broadcast is never overwritten by the key remembered for another', () => {
  const memory = new BroadcastMemory(storage());
  memory.remember('default', 'old-show', 'old-key');
  const typed = memory.keyField('default', 'old-show', { value: 'new-key-just-typed', remembered: false });
  assert.deepEqual(typed, { value: 'new-key-just-typed', remembered: false });
});

test('an empty key field, or one filled from memory, follows the broadcast chosen', () => {
  const memory = new BroadcastMemory(storage());
  memory.remember('default', 'a', 'key-a');
  assert.deepEqual(memory.keyField('default', 'a', { value: '', remembered: false }), { value: 'key-a', remembered: true });
  assert.deepEqual(memory.keyField('default', 'b', { value: 'key-a', remembered: true }), { value: '', remembered: false },
    'the key of a is not offered for b');
  assert.deepEqual(memory.lastBroadcast(), { namespace: 'default', name: 'a' });
});
