import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay, parseRetryAfter } from '../../src/js/backoff.js';
import { SDK_CDN_URL, broadcastNameProblem, pageSettings, socketUrl } from '../../src/js/config.js';
import { parseBroadcasterEvent, parsePresenceMessage, stageIdOf, stageOffer } from '../../src/js/messages.js';
import { HANDOVER_MS, feedStep, planStages } from '../../src/js/reconcile.js';
import { feedWords, linkWords, liveSummary } from '../../src/js/stage-table.js';
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
      { stageArn: ARN('a'), stageId: 'a', state: 'Active', token: 'ta', expiresAt: '2030-01-01T00:00:00Z', viewers: null,
        publish: true, feed: null, source: null },
      { stageArn: ARN('b'), stageId: 'b', state: 'Draining', token: 'tb', expiresAt: null, viewers: null,
        publish: true, feed: null, source: null }] });
    assert.deepEqual(parseBroadcasterEvent(JSON.stringify({ type: 'stage_created', data: { stageArn: ARN('c'), token: 'tc', timestamp: 'x' } })),
      { type: 'stage_created', stage: { stageArn: ARN('c'), stageId: 'c', state: 'Active', token: 'tc', expiresAt: null, viewers: null,
        publish: true, feed: null, source: null } });
    assert.deepEqual(parseBroadcasterEvent(JSON.stringify({ type: 'stage_deleted', data: { stageArn: ARN('c') } })),
      { type: 'stage_deleted', stageArn: ARN('c'), stageId: 'c' });
    assert.deepEqual(parseBroadcasterEvent('{"type":"stage_draining","data":{"stageArn":"' + ARN('d') + '","stageId":"d"}}'),
      { type: 'stage_draining', stageArn: ARN('d'), stageId: 'd' });
    assert.deepEqual(parseBroadcasterEvent('{"type":"stage_active","data":{"stageArn":"' + ARN('d') + '","stageId":"d"}}'),
      { type: 'stage_active', stageArn: ARN('d'), stageId: 'd' });
    assert.deepEqual(parseBroadcasterEvent('{"type":"heartbeat","data":{}}'), { type: 'heartbeat' });
  });

  test('each stage says whether to publish into it (origin) or that replication feeds it (replica of its source)', () => {
    const snapshot = parseBroadcasterEvent(JSON.stringify({ type: 'snapshot', data: { stages: [
      { stageArn: ARN('o'), state: 'Active', token: 'to', publish: true, feed: 'origin' },
      { stageArn: ARN('r'), state: 'Active', token: 'tr', publish: false, feed: 'replica', source: 'o' }] } }));
    assert.deepEqual(snapshot?.type === 'snapshot' && snapshot.stages.map((s) => [s.stageId, s.publish, s.feed, s.source]),
      [['o', true, 'origin', null], ['r', false, 'replica', 'o']]);
    const fellBack = parseBroadcasterEvent(JSON.stringify({ type: 'stage_feed',
      data: { stageArn: ARN('r'), state: 'Active', token: 'fresh', publish: true, feed: 'origin' } }));
    assert.deepEqual(fellBack?.type === 'stage_feed' && [fellBack.stage.publish, fellBack.stage.feed, fellBack.stage.token],
      [true, 'origin', 'fresh']);
  });

  test('a stage is left to replication only when the gateway names its source; never dark otherwise', () => {
    assert.equal(stageOffer({ stageArn: ARN('r'), publish: false, feed: 'replica' })?.publish, true, 'no source');
    assert.equal(stageOffer({ stageArn: ARN('r'), feed: 'replica', source: 'o' })?.publish, true, 'no publish: false');
    assert.equal(stageOffer({ stageArn: ARN('r'), publish: 'no', source: 'o' })?.publish, true, 'not a boolean');
    assert.equal(stageOffer({ stageArn: ARN('r'), feed: 'sideways' })?.feed, null);
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

describe('following a stage\'s feed', () => {
  const T = 1_000_000;
  const view = (over) => ({ publish: false, onStage: true, replicaSince: T, sourcePublishingSince: T, ...over });

  test('an origin is joined at once and kept; a replica the page is not on is only shown', () => {
    assert.deepEqual(feedStep(view({ publish: true, onStage: false }), T), { action: 'join' });
    assert.deepEqual(feedStep(view({ publish: true, onStage: true }), T), { action: 'keep' });
    assert.deepEqual(feedStep(view({ onStage: false, sourcePublishingSince: null }), T), { action: 'replicated' });
  });

  test('a stage the page publishes into is left only after the hand-over time with its source published', () => {
    assert.deepEqual(feedStep(view({}), T), { action: 'hold', recheckInMs: HANDOVER_MS });
    assert.deepEqual(feedStep(view({}), T + HANDOVER_MS - 1), { action: 'hold', recheckInMs: 1 });
    assert.deepEqual(feedStep(view({}), T + HANDOVER_MS), { action: 'leave' });
  });

  test('while the page does not publish into the source, a replica it is on is kept whatever the time', () => {
    assert.deepEqual(feedStep(view({ sourcePublishingSince: null }), T + 10 * HANDOVER_MS), { action: 'hold', recheckInMs: null });
  });

  test('the hand-over counts from the later of the gateway\'s word and the source publishing', () => {
    const late = view({ sourcePublishingSince: T + 5_000 });
    assert.deepEqual(feedStep(late, T + HANDOVER_MS), { action: 'hold', recheckInMs: 5_000 });
    assert.deepEqual(feedStep(late, T + 5_000 + HANDOVER_MS), { action: 'leave' });
  });
});

describe('the broadcaster\'s stage table words', () => {
  const row = (over) => ({ stageArn: ARN('x'), stageId: 'x', state: 'Active', link: 'connected', viewers: null,
    error: null, attempts: 0, publishing: true, feed: 'origin', source: null, handingOver: false, ...over });

  test('each stage shows its feed: origin, replica of its source, or direct when the gateway does not say', () => {
    assert.equal(feedWords(row({})), 'origin');
    assert.equal(feedWords(row({ feed: 'replica', source: 'o1' })), 'replica of o1');
    assert.equal(feedWords(row({ feed: null })), 'direct');
    assert.equal(linkWords(row({ link: 'replicated', publishing: false })), 'not joined: IVS replication feeds it');
    assert.match(linkWords(row({ handingOver: true })), /^publishing; leaving once replication carries it/);
  });

  test('live counts the stages published into; replicas are named apart', () => {
    const rows = [row({ stageId: 'o1' }), row({ stageId: 'o2', publishing: false, link: 'connecting' }),
      ...[1, 2, 3, 4, 5].map((n) => row({ stageId: `r${n}`, link: 'replicated', publishing: false, source: 'o1' }))];
    assert.deepEqual(liveSummary(rows), { live: true, errored: 0,
      words: 'Live on 1 of 2 stages; 5 stages fed by IVS replication.' });
    assert.equal(liveSummary([row({})]).words, 'Live on 1 of 1 stage.');
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
