import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HANDOVER_MS } from '../../src/js/reconcile.js';
import { StagePublisher } from '../../src/js/stage-publisher.js';
import { fakeSdk, jwt, manualClock, settle, track } from './fake-sdk.mjs';

const ARN = (id) => `arn:aws:ivs:us-east-1:123456789012:stage/${id}`;
const offer = (id, token = `tok-${id}`, state = 'Active') => ({ stageArn: ARN(id), stageId: id, state, token,
  expiresAt: null, viewers: null, publish: true, feed: null, source: null });
const origin = (id, token = `tok-${id}`) => ({ ...offer(id, token), feed: 'origin' });
const replica = (id, source, token = `tok-${id}`) => ({ ...offer(id, token), publish: false, feed: 'replica', source });

function setup({ replicable = true } = {}) {
  const { sdk, stages } = fakeSdk();
  const clock = manualClock();
  const fresh = [];
  let freshCount = 0;
  const publisher = new StagePublisher({
    sdk, schedule: clock.schedule, now: clock.now, random: () => 0,
    freshToken: async (arn) => { fresh.push(arn); return { token: `fresh-${++freshCount}`, expiresAt: null }; },
    replicable,
  });
  publisher.setTracks([track('video'), track('audio')]);
  return { publisher, stages, clock, fresh };
}

const link = (publisher, id) => publisher.rows().find((r) => r.stageId === id)?.link;

test('each stage gets its own Stage, publishing one LocalStageStream per track and subscribing to nobody', async () => {
  const { publisher, stages } = setup();
  publisher.offer(offer('a'));
  publisher.offer(offer('b'));
  await settle();
  assert.deepEqual(stages.map((s) => s.token), ['tok-a', 'tok-b']);
  const [a, b] = stages;
  assert.deepEqual(a.strategy.stageStreamsToPublish().map((s) => s.mediaStreamTrack.kind), ['video', 'audio']);
  assert.notEqual(a.strategy.stageStreamsToPublish()[0], b.strategy.stageStreamsToPublish()[0], 'streams are not shared between stages');
  assert.equal(a.strategy.shouldPublishParticipant({}), true);
  assert.equal(a.strategy.shouldSubscribeToParticipant({}), 'none');
  a.connect();
  await settle();
  assert.equal(link(publisher, 'a'), 'connected');
  assert.equal(link(publisher, 'b'), 'connecting');
});

test('an offer for a stage already joined does not reuse its token', async () => {
  const { publisher, stages } = setup();
  publisher.offer(offer('a'));
  publisher.offer(offer('a', 'another-token', 'Draining'));
  await settle();
  assert.equal(stages.length, 1);
  assert.equal(publisher.rows()[0].state, 'Draining');
});

test('a reconcile joins what is missing and leaves what is gone', async () => {
  const { publisher, stages } = setup();
  publisher.offer(offer('a'));
  publisher.offer(offer('b'));
  await settle();
  publisher.reconcile([offer('b', 'unused'), offer('c')]);
  await settle();
  assert.deepEqual(publisher.rows().map((r) => r.stageArn).sort(), [ARN('b'), ARN('c')]);
  assert.equal(stages[0].left, true, 'a left');
  assert.equal(stages[1].left, false, 'b kept');
  assert.equal(stages[2].token, 'tok-c');
});

test('an expired token is replaced at once by a fresh one; later failures back off', async () => {
  const { publisher, stages, clock, fresh } = setup();
  publisher.offer(offer('a'));
  await settle();
  stages[0].reject(2, 'expired');
  await settle();
  assert.equal(link(publisher, 'a'), 'errored');
  assert.match(publisher.rows()[0].error, /expired/);
  clock.advance(0);
  await settle();
  assert.deepEqual(fresh, [ARN('a')]);
  assert.equal(stages[1].token, 'fresh-1');
  stages[1].reject(3, 'timeout');
  await settle();
  assert.match(publisher.rows()[0].error, /Retrying in 1 s/);
  clock.advance(400);
  await settle();
  assert.equal(stages.length, 2, 'waits before the next try');
  clock.advance(600);
  await settle();
  assert.equal(stages.length, 3);
  stages[2].connect();
  await settle();
  assert.equal(link(publisher, 'a'), 'connected');
  assert.equal(publisher.rows()[0].attempts, 0);
});

test('a stale token is swapped for a fresh one before joining', async () => {
  const { publisher, stages, fresh } = setup();
  publisher.offer(offer('a', jwt({ resource: ARN('a'), exp: 1 })));
  await settle();
  assert.deepEqual(fresh, [ARN('a')]);
  assert.equal(stages[0].token, 'fresh-1');
});

test('a rejection that arrives after the stage was left is ignored', async () => {
  const { publisher, stages, clock, fresh } = setup();
  publisher.offer(offer('a'));
  await settle();
  publisher.remove(ARN('a'));
  assert.equal(stages[0].left, true);
  stages[0].reject(3, 'late timeout');
  await settle();
  clock.advance(60_000);
  await settle();
  assert.equal(stages.length, 1, 'no retry');
  assert.deepEqual(fresh, []);
  assert.deepEqual(publisher.rows(), []);
});

test('losing a joined stage (token reused, kicked) reconnects with a fresh token; leaving by hand does not', async () => {
  const { publisher, stages, clock } = setup();
  publisher.offer(offer('a'));
  await settle();
  stages[0].connect();
  await settle();
  stages[0].emit('stageLeft', 'participant-disconnected');
  await settle();
  assert.equal(link(publisher, 'a'), 'errored');
  clock.advance(1_000);
  await settle();
  assert.equal(stages.length, 2);
  assert.equal(stages[1].token, 'fresh-1');
  publisher.stopAll();
  clock.advance(60_000);
  await settle();
  assert.equal(stages.length, 2);
});

test('mute reaches every stage; new tracks give every stage new streams', async () => {
  const { publisher, stages } = setup();
  publisher.offer(offer('a'));
  publisher.offer(offer('b'));
  await settle();
  publisher.setMuted('audio', true);
  for (const stage of stages) {
    const streams = stage.strategy.stageStreamsToPublish();
    assert.deepEqual(streams.map((s) => [s.mediaStreamTrack.kind, s.isMuted]), [['video', false], ['audio', true]]);
  }
  const camera = track('video');
  publisher.setTracks([camera, track('audio')]);
  for (const stage of stages) {
    assert.equal(stage.refreshed, 1);
    const streams = stage.strategy.stageStreamsToPublish();
    assert.equal(streams[0].mediaStreamTrack, camera);
    assert.equal(streams[1].isMuted, true, 'mute survives a device change');
  }
});

test('the subscriber count the SDK reports is shown as viewers', async () => {
  const { publisher, stages } = setup();
  publisher.offer(offer('a'));
  await settle();
  stages[0].emit('stageSubscriberCountChanged', 12);
  assert.equal(publisher.rows()[0].viewers, 12);
});

/** Joins a stage of the fake SDK and reports the page's streams published there. */
function publishOn(stage) {
  stage.connect();
  stage.emit('stageParticipantPublishStateChanged', { isLocal: true }, 'published');
}

const joinedIds = (stages) => stages.filter((s) => !s.left).map((s) => s.token.replace(/^tok-/, '')).sort();

test('with replicated fan-out only the origins are joined; replicas are shown with their source', async () => {
  const { publisher, stages } = setup();
  publisher.reconcile([origin('o1'), ...['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => replica(id, 'o1')), origin('o2')]);
  await settle();
  assert.deepEqual(joinedIds(stages), ['o1', 'o2']);
  const rows = Object.fromEntries(publisher.rows().map((r) => [r.stageId, r]));
  assert.equal(Object.keys(rows).length, 7, 'every stage is shown');
  assert.deepEqual([rows.r3.link, rows.r3.feed, rows.r3.source, rows.r3.handingOver], ['replicated', 'replica', 'o1', false]);
  assert.deepEqual([rows.o2.link, rows.o2.feed, rows.o2.source], ['connecting', 'origin', null]);
});

test('a replica that falls back to origin is joined at once, with the token the gateway sent with the change', async () => {
  const { publisher, stages, fresh } = setup();
  publisher.reconcile([origin('o1'), replica('r1', 'o1')]);
  await settle();
  publisher.offer(origin('r1', 'tok-r1-fallback'));
  await settle();
  assert.deepEqual(stages.map((s) => s.token), ['tok-o1', 'tok-r1-fallback']);
  assert.deepEqual(fresh, [], 'no extra token round trip');
  assert.equal(publisher.rows().find((r) => r.stageId === 'r1')?.feed, 'origin');
});

test('a replica that falls back without a token in the change joins with the unused one offered earlier', async () => {
  const { publisher, stages, fresh } = setup();
  publisher.reconcile([origin('o1'), replica('r1', 'o1')]);
  await settle();
  publisher.offer({ ...origin('r1'), token: null });
  await settle();
  assert.deepEqual(stages.map((s) => s.token), ['tok-o1', 'tok-r1'], 'the unused token offered earlier');
  assert.deepEqual(fresh, []);
});

test('an origin that becomes a replica is left only after the hand-over, with its source published', async () => {
  const { publisher, stages, clock } = setup();
  publisher.reconcile([origin('o1'), origin('o2')]);
  await settle();
  const [o1, o2] = stages;
  publishOn(o2);
  o1.connect();
  await settle();
  publisher.offer(replica('o2', 'o1', 'unused'));
  assert.equal(publisher.rows().find((r) => r.stageId === 'o2')?.handingOver, true);
  clock.advance(10 * HANDOVER_MS);
  await settle();
  assert.equal(o2.left, false, 'kept while the page does not publish into the source');
  o1.emit('stageParticipantPublishStateChanged', { isLocal: true }, 'published');
  clock.advance(HANDOVER_MS - 1);
  await settle();
  assert.equal(o2.left, false, 'kept during the hand-over');
  clock.advance(1);
  await settle();
  assert.equal(o2.left, true, 'left once replication has had its time');
  const row = publisher.rows().find((r) => r.stageId === 'o2');
  assert.deepEqual([row?.link, row?.source, row?.handingOver], ['replicated', 'o1', false]);
  assert.equal(stages.length, 2, 'nothing rejoined');
});

test('a source that stops publishing during the hand-over keeps the replica published', async () => {
  const { publisher, stages, clock } = setup();
  publisher.reconcile([origin('o1'), origin('o2')]);
  await settle();
  const [o1, o2] = stages;
  publishOn(o1);
  publishOn(o2);
  await settle();
  publisher.reconcile([origin('o1', 'x'), replica('o2', 'o1', 'y')]);
  clock.advance(HANDOVER_MS / 2);
  o1.emit('stageParticipantPublishStateChanged', { isLocal: true }, 'errored');
  clock.advance(HANDOVER_MS);
  await settle();
  assert.equal(o2.left, false);
  o1.emit('stageParticipantPublishStateChanged', { isLocal: true }, 'published');
  clock.advance(HANDOVER_MS);
  await settle();
  assert.equal(o2.left, true, 'the hand-over starts again from the source publishing');
});

test('a stage handed over to replication that falls back to origin is joined again at once', async () => {
  const { publisher, stages, clock } = setup();
  publisher.reconcile([origin('o1'), replica('r1', 'o1')]);
  await settle();
  publishOn(stages[0]);
  publisher.offer(origin('r1', 'tok-again'));
  await settle();
  assert.deepEqual(joinedIds(stages), ['again', 'o1']);
  publisher.offer(replica('r1', 'o1'));
  clock.advance(HANDOVER_MS);
  await settle();
  assert.deepEqual(joinedIds(stages), ['o1']);
});

test('a client whose media replication cannot carry (local mode) publishes into every stage', async () => {
  const { publisher, stages } = setup({ replicable: false });
  publisher.reconcile([origin('o1'), replica('r1', 'o1'), replica('r2', 'o1')]);
  await settle();
  assert.deepEqual(joinedIds(stages), ['o1', 'r1', 'r2']);
  assert.equal(publisher.rows().find((r) => r.stageId === 'r1')?.source, 'o1', 'the feed is still shown');
});
