import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/js/api-client.js';
import { MOVE_FALLBACK_MS, PRESENCE_SILENCE_MS, ViewerSession } from '../../src/js/viewer-session.js';
import { fakeSdk, manualClock, settle, track } from './fake-sdk.mjs';

const ARN = (id) => `arn:aws:ivs:us-east-1:123456789012:stage/${id}`;
const placement = (id) => ({ viewerId: 'v1', stageArn: ARN(id), stageId: id, token: `sub-${id}`, expiresAt: null, presenceUrl: '/presence/v1' });

function setup(answers) {
  const { sdk, stages } = fakeSdk();
  const clock = manualClock();
  const sockets = [];
  const statuses = [];
  const shown = [];
  let calls = 0;
  const waitIds = [];
  const session = new ViewerSession({
    sdk, schedule: clock.schedule, now: clock.now, random: () => 0,
    place: async (waitId) => {
      waitIds.push(waitId);
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    openSocket: (url) => {
      const socket = { url, onopen: null, onmessage: null, onclose: null, closed: false, close() { this.closed = true; } };
      sockets.push(socket);
      return socket;
    },
    onStatus: (s) => statuses.push({ ...s }),
    onTracks: (tracks) => shown.push(tracks),
  });
  return { session, stages, clock, sockets, statuses, shown, waitIds, placeCalls: () => calls };
}

/** The remote broadcaster's streams arrive on a stage. */
function publish(stage, tracks) {
  stage.emit('stageParticipantStreamsAdded', { id: 'broadcaster', isLocal: false }, tracks.map((t) => ({ mediaStreamTrack: t })));
}

test('a placement joins subscribe-only, shows the tracks and keeps a presence socket', async () => {
  const { session, stages, sockets, statuses, shown } = setup([placement('a')]);
  session.start();
  await settle();
  assert.equal(stages[0].token, 'sub-a');
  assert.deepEqual(stages[0].strategy.stageStreamsToPublish(), []);
  assert.equal(stages[0].strategy.shouldPublishParticipant({}), false);
  assert.equal(stages[0].strategy.shouldSubscribeToParticipant({}), 'audio_video');
  assert.equal(sockets[0].url, '/presence/v1');
  stages[0].connect();
  const picture = [track('video'), track('audio')];
  publish(stages[0], picture);
  await settle();
  assert.deepEqual(shown.at(-1), picture);
  assert.equal(statuses.at(-1).phase, 'watching');
  assert.equal(statuses.at(-1).stageId, 'a');
});

test('a move joins the new stage and leaves the old one only once the new picture is there', async () => {
  const { session, stages, sockets, shown, statuses } = setup([placement('a')]);
  session.start();
  await settle();
  stages[0].connect();
  publish(stages[0], [track('video')]);
  sockets[0].onopen();
  sockets[0].onmessage({ data: JSON.stringify({ type: 'move', data: { stageArn: ARN('b'), stageId: 'b', token: 'sub-b' } }) });
  assert.equal(stages[1].token, 'sub-b');
  assert.equal(statuses.at(-1).phase, 'moving', 'the page says it is moving');
  stages[1].connect();
  await settle();
  assert.equal(stages[0].left, false, 'old stage kept until the new picture arrives');
  assert.equal(statuses.at(-1).phase, 'moving');
  const newPicture = [track('video')];
  publish(stages[1], newPicture);
  assert.equal(stages[0].left, true);
  assert.equal(statuses.at(-1).phase, 'watching');
  assert.equal(statuses.at(-1).stageId, 'b');
  assert.deepEqual(shown.at(-1), newPicture);
  assert.ok(shown.every((t) => t.length > 0), 'never blank');
});

test('a move to a stage with no picture yet still leaves the old one after the fallback delay', async () => {
  const { session, stages, sockets, clock } = setup([placement('a')]);
  session.start();
  await settle();
  stages[0].connect();
  publish(stages[0], [track('video')]);
  sockets[0].onmessage({ data: JSON.stringify({ type: 'move', data: { stageArn: ARN('b'), token: 'sub-b' } }) });
  stages[1].connect();
  await settle();
  clock.advance(MOVE_FALLBACK_MS - 1);
  assert.equal(stages[0].left, false);
  clock.advance(1);
  assert.equal(stages[0].left, true);
});

test('503 waits for a seat: "full, retrying in N s", and retries after Retry-After', async () => {
  const full = new ApiError(503, 'full', 'Every stage is full.', 4_000);
  const { session, statuses, clock, placeCalls, stages } = setup([full, placement('a')]);
  session.start();
  await settle();
  assert.equal(statuses.at(-1).phase, 'waiting-seat');
  assert.match(statuses.at(-1).message, /^The broadcast is full: waiting for a seat, retrying in 4 s\./);
  clock.advance(1_000);
  assert.match(statuses.at(-1).message, /retrying in 3 s\./);
  clock.advance(3_000);
  await settle();
  assert.equal(placeCalls(), 2);
  assert.equal(stages.length, 1);
});

test('a broadcast that never existed (404 before any place) is "not found", not "ended"', async () => {
  const gone = setup([new ApiError(404, 'not_found', 'LiveBroadcast default/x not found')]);
  gone.session.start();
  await settle();
  assert.equal(gone.statuses.at(-1).phase, 'not-found');
  assert.match(gone.statuses.at(-1).message, /no such broadcast.*press Watch/i);
  assert.doesNotMatch(gone.statuses.at(-1).message, /ended/);
});

test('"ended" ends the session and leaves the stage', async () => {

  const { session, stages, sockets, statuses, shown, clock, placeCalls } = setup([placement('a')]);
  session.start();
  await settle();
  stages[0].connect();
  sockets[0].onmessage({ data: '{"type":"ended"}' });
  assert.equal(statuses.at(-1).phase, 'ended');
  assert.equal(stages[0].left, true);
  assert.equal(sockets[0].closed, true);
  assert.deepEqual(shown.at(-1), []);
  clock.advance(120_000);
  await settle();
  assert.equal(placeCalls(), 1, 'nothing retried after the end');
});

test('410 (the broadcast is being deleted) ends the session too', async () => {
  const { session, statuses } = setup([new ApiError(410, 'ended', 'the broadcast default/x has ended')]);
  session.start();
  await settle();
  assert.equal(statuses.at(-1).phase, 'ended');
  assert.match(statuses.at(-1).message, /^The broadcast has ended\. Press Watch/);
});

test('409 waits for the first stage', async () => {
  const { session, statuses } = setup([new ApiError(409, 'no_stage', 'No stage yet'), placement('a')]);
  session.start();
  await settle();
  assert.equal(statuses.at(-1).phase, 'not-started');
  assert.match(statuses.at(-1).message, /has not started yet; this page joins it when it does \(next try in \d+ s\)/);
});

test('a presence socket that keeps failing makes the session ask for a place again', async () => {
  const { session, sockets, clock, placeCalls } = setup([placement('a'), new ApiError(404, 'not_found', 'gone')]);
  session.start();
  await settle();
  for (let i = 0; i < 3; i++) {
    sockets.at(-1).onclose({ code: 1006, reason: '' });
    clock.advance(10_000);
    await settle();
  }
  assert.equal(placeCalls(), 2);
  assert.equal(session.status.phase, 'ended');
});

test('a failed join asks the gateway for a new place after a backoff', async () => {
  const { session, stages, clock, statuses, placeCalls } = setup([placement('a'), placement('b')]);
  session.start();
  await settle();
  stages[0].reject(2, 'expired');
  await settle();
  assert.equal(statuses.at(-1).phase, 'error');
  assert.match(statuses.at(-1).message, /expired.*Reconnecting in \d+ s/);
  clock.advance(1_000);
  await settle();
  assert.equal(placeCalls(), 2);
  assert.equal(stages[1].token, 'sub-b');
});

test('a viewer held in the waiting room says "waiting for a seat" with its place and asks again keeping it', async () => {
  const wait = (position) => ({ waitId: 'w-1', position, expectedWaitSeconds: 3 });
  const { session, stages, statuses, waitIds } = setup([wait(2), wait(1), placement('b')]);
  session.start();
  await settle();
  assert.deepEqual(waitIds, [null, 'w-1', 'w-1'], 'each new ask carries the place in line, with no retry delay');
  const waiting = statuses.filter((s) => s.phase === 'waiting-seat').map((s) => s.message);
  assert.deepEqual(waiting, ['Waiting for a seat: number 2 in line, about 3 s.', 'Waiting for a seat: number 1 in line, about 3 s.']);
  assert.equal(stages[0].token, 'sub-b');
});

test('a kept place the gateway refuses (400) is dropped and the viewer joins afresh at once, not in a loop', async () => {
  const refused = new ApiError(400, 'bad_request', 'waitId must be the waitId of an earlier 202 answer');
  const { session, stages, waitIds } = setup([{ waitId: 'w-1', position: 1, expectedWaitSeconds: 3 }, refused,
    placement('b')]);
  session.start();
  await settle();
  assert.deepEqual(waitIds, [null, 'w-1', null]);
  assert.equal(stages[0].token, 'sub-b');
});

test('a presence socket that hears no heartbeat counts as lost and reconnects, as the broadcaster page does', async () => {
  const { session, sockets, clock } = setup([placement('a')]);
  session.start();
  await settle();
  sockets[0].onopen();
  for (let i = 0; i < 3; i++) {
    clock.advance(15_000);
    sockets[0].onmessage({ data: JSON.stringify({ type: 'heartbeat', data: { timestamp: 'now' } }) });
  }
  assert.equal(sockets[0].closed, false, 'heartbeats keep it open');
  clock.advance(PRESENCE_SILENCE_MS);
  assert.equal(sockets[0].closed, true, 'three missed heartbeats close it');
  sockets[0].onclose({ code: 4000, reason: 'silent' });
  clock.advance(10_000);
  await settle();
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url, '/presence/v1');
});

test('after a move, the presence socket reconnects with the pass for the new stage', async () => {
  const { session, sockets, clock } = setup([placement('a')]);
  session.start();
  await settle();
  sockets[0].onopen();
  sockets[0].onmessage({ data: JSON.stringify({ type: 'move', data: { stageArn: ARN('b'), stageId: 'b', token: 'sub-b',
    presenceUrl: '/presence/v1-on-b' } }) });
  await settle();
  sockets[0].onclose({ code: 1001, reason: 'the gateway is shutting down' });
  clock.advance(10_000);
  await settle();
  assert.equal(sockets.at(-1).url, '/presence/v1-on-b');
});
