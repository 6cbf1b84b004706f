import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, parseRetryAfter } from '../../src/js/backoff.js';
import { SDK_CDN_URL, broadcastNameProblem, pageSettings, socketUrl } from '../../src/js/config.js';
import { parseBroadcasterEvent, parsePresenceMessage, stageIdOf } from '../../src/js/messages.js';
import { planStages } from '../../src/js/reconcile.js';
import { describeStageError, isTokenRejection } from '../../src/js/stage-errors.js';
import { tokenClaims, tokenIsStale } from '../../src/js/token.js';
import { jwt } from './fake-sdk.mjs';

const ARN = (id) => `arn:aws:ivs:us-east-1:123456789012:stage/${id}`;
const offer = (id, state = 'Active') => ({ stageArn: ARN(id), stageId: id, state, token: `t-${id}`, expiresAt: null, viewers: null });

describe('backoff', () => {
  test('grows exponentially up to the cap, with jitter between half and all of it', () => {
    const low = (n) => backoffDelay(n, { baseMs: 500, maxMs: 30_000, random: () => 0 });
    const high = (n) => backoffDelay(n, { baseMs: 500, maxMs: 30_000, random: () => 0.999999 });
    assert.deepEqual([0, 1, 2, 3].map(low), [250, 500, 1000, 2000]);
    assert.deepEqual([0, 1, 2, 3].map(high), [500, 1000, 2000, 4000]);
    assert.equal(high(20), 30_000);
    assert.equal(low(20), 15_000);
  });

  test('jitter spreads retries of many clients', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4)));
    assert.ok(delays.size > 10);
  });

  test('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('7', 0), 7000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon', 0), null);
    assert.equal(parseRetryAfter(null, 0), null);
  });
});

describe('page settings', () => {
  test('defaults: the gateway is the page\'s origin; the SDK is tried from the gateway, then the pinned CDN copy', () => {
    const s = pageSettings('http://127.0.0.1:8080/broadcaster?namespace=live&name=show');
    assert.equal(s.gatewayBase, 'http://127.0.0.1:8080');
    assert.deepEqual(s.sdkUrls, ['http://127.0.0.1:8080/vendor/amazon-ivs-web-broadcast.js', SDK_CDN_URL]);
    assert.match(SDK_CDN_URL, /\/1\.41\.0\/amazon-ivs-web-broadcast\.js$/);
    assert.equal(s.namespace, 'live');
    assert.equal(s.name, 'show');
  });

  test('?gateway= and ?sdk= override', () => {
    const s = pageSettings('http://localhost:5000/src/viewer/index.html?gateway=https://gw.example.com/&sdk=/my/sdk.js');
    assert.equal(s.gatewayBase, 'https://gw.example.com');
    assert.deepEqual(s.sdkUrls, ['http://localhost:5000/my/sdk.js']);
  });

  test('socket URLs follow the gateway\'s scheme and keep a path prefix', () => {
    assert.equal(socketUrl('http://127.0.0.1:9', '/api/v1/x/events?ticket=a'), 'ws://127.0.0.1:9/api/v1/x/events?ticket=a');
    assert.equal(socketUrl('https://gw.example.com', '/p'), 'wss://gw.example.com/p');
    assert.equal(socketUrl('https://example.com/stagefleet', '/api/v1/p'), 'wss://example.com/stagefleet/api/v1/p');
    assert.equal(socketUrl('https://example.com', 'wss://other.example.com/p'), 'wss://other.example.com/p');
  });

  test('names are checked before any request', () => {
    assert.equal(broadcastNameProblem('default', 'my-show'), null);
    assert.match(String(broadcastNameProblem('', 'x')), /namespace/);
    assert.match(String(broadcastNameProblem('default', 'My Show')), /not a valid broadcast name/);
    assert.match(String(broadcastNameProblem('a.b', 'x')), /not a valid namespace/);
  });
});

describe('gateway messages', () => {
  test('snapshot, stage_created, stage_draining, stage_deleted and heartbeat are read', () => {
    const snapshot = parseBroadcasterEvent(JSON.stringify({ type: 'snapshot', data: { stages: [
      { stageArn: ARN('a'), stageId: 'a', state: 'Active', token: 'ta', expiresAt: '2030-01-01T00:00:00Z' },
      { stageArn: ARN('b'), state: 'Draining', token: 'tb' }, { nothing: true }] } }));
    assert.deepEqual(snapshot, { type: 'snapshot', stages: [
      { stageArn: ARN('a'), stageId: 'a', state: 'Active', token: 'ta', expiresAt: '2030-01-01T00:00:00Z', viewers: null },
      { stageArn: ARN('b'), stageId: 'b', state: 'Draining', token: 'tb', expiresAt: null, viewers: null }] });
    assert.deepEqual(parseBroadcasterEvent(JSON.stringify({ type: 'stage_created', data: { stageArn: ARN('c'), token: 'tc', timestamp: 'x' } })),
      { type: 'stage_created', stage: { stageArn: ARN('c'), stageId: 'c', state: 'Active', token: 'tc', expiresAt: null, viewers: null } });
    assert.deepEqual(parseBroadcasterEvent(JSON.stringify({ type: 'stage_deleted', data: { stageArn: ARN('c') } })),
      { type: 'stage_deleted', stageArn: ARN('c'), stageId: 'c' });
    assert.deepEqual(parseBroadcasterEvent('{"type":"stage_draining","data":{"stageArn":"' + ARN('d') + '","stageId":"d"}}'),
      { type: 'stage_draining', stageArn: ARN('d'), stageId: 'd' });
    assert.deepEqual(parseBroadcasterEvent('{"type":"stage_active","data":{"stageArn":"' + ARN('d') + '","stageId":"d"}}'),
      { type: 'stage_active', stageArn: ARN('d'), stageId: 'd' });
    assert.deepEqual(parseBroadcasterEvent('{"type":"heartbeat","data":{}}'), { type: 'heartbeat' });
  });

  test('malformed or unknown messages are ignored, not fatal', () => {
    for (const text of ['', 'nope', '[]', '{"type":"stage_created","data":{}}', '{"type":"future_thing"}', '{"type":"snapshot","data":{}}']) {
      assert.equal(parseBroadcasterEvent(text), null, text);
    }
  });

  test('presence: move needs a stage and a token; ended; heartbeat', () => {
    assert.deepEqual(parsePresenceMessage(JSON.stringify({ type: 'move', data: { stageArn: ARN('n'), token: 'tn', expiresAt: 'e' } })),
      { type: 'move', stageArn: ARN('n'), stageId: 'n', token: 'tn', expiresAt: 'e', presenceUrl: null });
    assert.equal(parsePresenceMessage(JSON.stringify({ type: 'move', data: { stageArn: ARN('n'), token: 'tn',
      presenceUrl: '/p/pass-n' } }))?.presenceUrl, '/p/pass-n');
    assert.equal(parsePresenceMessage('{"type":"move","data":{"stageArn":"x"}}'), null);
    assert.deepEqual(parsePresenceMessage('{"type":"ended"}'), { type: 'ended' });
    assert.deepEqual(parsePresenceMessage('{"type":"heartbeat"}'), { type: 'heartbeat' });
    assert.equal(stageIdOf(ARN('zz')), 'zz');
  });
});

describe('stage reconciliation', () => {
  test('joins what is missing, leaves what is gone, keeps the rest', () => {
    const plan = planStages([ARN('a'), ARN('b')], [offer('b', 'Draining'), offer('c')]);
    assert.deepEqual(plan.join.map((o) => o.stageId), ['c']);
    assert.deepEqual(plan.leave, [ARN('a')]);
    assert.deepEqual(plan.update.map((o) => [o.stageId, o.state]), [['b', 'Draining']]);
  });

  test('an empty snapshot leaves everything; a repeated one changes nothing', () => {
    assert.deepEqual(planStages([ARN('a')], []).leave, [ARN('a')]);
    const same = planStages([ARN('a')], [offer('a')]);
    assert.deepEqual([same.join.length, same.leave.length, same.update.length], [0, 0, 1]);
  });
});

describe('tokens and stage errors', () => {
  test('reads claims without checking the signature, and knows when a token is stale', () => {
    const token = jwt({ resource: ARN('a'), exp: 1_000 });
    assert.equal(tokenClaims(token)?.resource, ARN('a'));
    assert.equal(tokenClaims('not-a-jwt'), null);
    assert.equal(tokenIsStale(token, null, 994_000), false);
    assert.equal(tokenIsStale(token, null, 996_000), true, 'within the 5 s margin');
    assert.equal(tokenIsStale('opaque', '1970-01-01T00:16:40Z', 999_000), true, 'falls back to expiresAt');
    assert.equal(tokenIsStale('opaque', null, 0), false, 'unknown expiry: use it');
  });

  test('token rejections are told apart from other failures, all in words', () => {
    assert.equal(isTokenRejection({ code: 2 }), true);
    assert.equal(isTokenRejection({ code: 3 }), false);
    assert.equal(isTokenRejection(new Error('x')), false);
    assert.equal(describeStageError({ code: 2, message: '[JOIN_ERROR] Token expired' }), 'The stage token has expired.');
    assert.equal(describeStageError(new Error('boom')), 'boom');
  });
});
