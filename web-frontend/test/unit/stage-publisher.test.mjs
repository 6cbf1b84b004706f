import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StagePublisher } from '../../src/js/stage-publisher.js';
import { fakeSdk, jwt, manualClock, settle, track } from './fake-sdk.mjs';

const ARN = (id) => `arn:aws:ivs:us-east-1:123456789012:stage/${id}`;
const offer = (id, token = `tok-${id}`, state = 'Active') => ({ stageArn: ARN(id), stageId: id, state, token, expiresAt: null, viewers: null });

function setup() {
  const { sdk, stages } = fakeSdk();
  const clock = manualClock();
  const fresh = [];
  let freshCount = 0;
  const publisher = new StagePublisher({
    sdk, schedule: clock.schedule, now: clock.now, random: () => 0,
    freshToken: async (arn) => { fresh.push(arn); return { token: `fresh-${++freshCount}`, expiresAt: null }; },
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
