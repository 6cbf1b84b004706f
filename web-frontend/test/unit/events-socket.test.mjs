import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/js/api-client.js';
import { EventsSocket, SOCKET_SILENCE_MS } from '../../src/js/events-socket.js';
import { ReconnectingSocket } from '../../src/js/reconnecting-socket.js';
import { manualClock, settle } from './fake-sdk.mjs';

const ARN = (id) => `arn:aws:ivs:us-east-1:123456789012:stage/${id}`;
const stage = (id) => ({ stageArn: ARN(id), stageId: id, state: 'Active', token: `t-${id}`, viewers: 0 });

function fakeSocket(url) {
  return {
    url, onopen: null, onmessage: null, onclose: null, closed: null,
    close(code, reason) { this.closed = { code, reason }; },
    send(message) { this.onmessage?.({ data: JSON.stringify(message) }); },
  };
}

function setup({ tickets = [] } = {}) {
  const clock = manualClock();
  const sockets = [];
  const calls = [];
  const states = [];
  let ticket = 0;
  const events = new EventsSocket({
    socketUrl: async () => {
      const answer = tickets[ticket];
      ticket += 1;
      if (answer instanceof Error) throw answer;
      return `ws://gw/events?ticket=${ticket}`;
    },
    openSocket: (url) => {
      const socket = fakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    stages: {
      reconcile: (offers) => calls.push(['reconcile', offers.map((o) => o.stageId)]),
      offer: (offer) => calls.push(['offer', offer.stageId]),
      setState: (arn, state) => calls.push(['setState', arn, state]),
      remove: (arn) => calls.push(['remove', arn]),
      setViewers: (arn, viewers) => calls.push(['setViewers', arn, viewers]),
    },
    onState: (state, detail) => states.push({ state, ...detail }),
    schedule: clock.schedule,
    random: () => 0,
  });
  return { events, clock, sockets, calls, states };
}

test('each connection uses a fresh ticket and hands the gateway\'s changes to the stages', async () => {
  const { events, sockets, calls, states } = setup();
  events.start();
  await settle();
  assert.equal(sockets[0].url, 'ws://gw/events?ticket=1');
  sockets[0].onopen();
  assert.equal(states.at(-1).state, 'open');
  sockets[0].send({ type: 'snapshot', data: { stages: [stage('a'), stage('b')] } });
  sockets[0].send({ type: 'stage_created', data: stage('c') });
  sockets[0].send({ type: 'stage_draining', data: { stageArn: ARN('a') } });
  sockets[0].send({ type: 'stage_active', data: { stageArn: ARN('a') } });
  sockets[0].send({ type: 'stage_viewers', data: { stageArn: ARN('a'), viewers: 3 } });
  sockets[0].send({ type: 'stage_deleted', data: { stageArn: ARN('b') } });
  sockets[0].send({ type: 'heartbeat' });
  sockets[0].onmessage({ data: 'not json' });
  assert.deepEqual(calls, [
    ['reconcile', ['a', 'b']], ['offer', 'c'], ['setState', ARN('a'), 'Draining'], ['setState', ARN('a'), 'Active'],
    ['setViewers', ARN('a'), 3], ['remove', ARN('b')],
  ]);
});

test('a stage_feed change hands the stage, with its new feed and token, to the stages', async () => {
  const { events, sockets, calls } = setup();
  events.start();
  await settle();
  sockets[0].onopen();
  const offers = [];
  events.stages.offer = (offer) => offers.push(offer);
  sockets[0].send({ type: 'stage_feed', data: { ...stage('r'), publish: true, feed: 'origin', token: 'fresh' } });
  sockets[0].send({ type: 'stage_feed', data: { ...stage('s'), publish: false, feed: 'replica', source: 'r' } });
  assert.deepEqual(offers.map((o) => [o.stageId, o.publish, o.feed, o.source, o.token]),
    [['r', true, 'origin', null, 'fresh'], ['s', false, 'replica', 'r', 't-s']]);
  assert.deepEqual(calls, []);
});

test('a lost socket reconnects with a growing delay and resyncs from the new snapshot', async () => {
  const { events, sockets, calls, clock, states } = setup();
  events.start();
  await settle();
  sockets[0].onopen();
  sockets[0].onclose({ code: 1006 });
  const first = states.at(-1);
  assert.equal(first.state, 'reconnecting');
  assert.equal(first.delayMs, 250);
  clock.advance(250);
  await settle();
  assert.equal(sockets[1].url, 'ws://gw/events?ticket=2', 'a new ticket for the new connection');
  sockets[1].onclose({ code: 1006 });
  assert.equal(states.at(-1).delayMs, 500, 'the second failure waits longer');
  clock.advance(500);
  await settle();
  sockets[2].onopen();
  sockets[2].send({ type: 'snapshot', data: { stages: [stage('b')] } });
  assert.deepEqual(calls.at(-1), ['reconcile', ['b']]);
  sockets[2].onclose({ code: 1006 });
  assert.equal(states.at(-1).delayMs, 250, 'a snapshot resets the backoff');
});

test('a socket silent for too long is closed and replaced', async () => {
  const { events, sockets, clock } = setup();
  events.start();
  await settle();
  sockets[0].onopen();
  clock.advance(SOCKET_SILENCE_MS - 1);
  sockets[0].send({ type: 'heartbeat' });
  clock.advance(SOCKET_SILENCE_MS - 1);
  assert.equal(sockets[0].closed, null, 'a heartbeat keeps it alive');
  clock.advance(1);
  assert.deepEqual(sockets[0].closed, { code: 4000, reason: 'silent' });
  sockets[0].onclose({ code: 4000 });
  clock.advance(1_000);
  await settle();
  assert.equal(sockets.length, 2);
});

test('a refused ticket is retried and says why', async () => {
  const { events, sockets, clock, states } = setup({ tickets: [new ApiError(0, 'unreachable', 'Cannot reach the gateway.')] });
  events.start();
  await settle();
  assert.equal(sockets.length, 0);
  assert.equal(states.at(-1).state, 'reconnecting');
  assert.match(states.at(-1).why, /Cannot reach the gateway/);
  clock.advance(250);
  await settle();
  assert.equal(sockets.length, 1);
});

test('stop closes the socket and nothing reconnects afterwards', async () => {
  const { events, sockets, clock, states } = setup();
  events.start();
  await settle();
  sockets[0].onopen();
  events.stop();
  assert.equal(sockets[0].closed.code, 1000);
  assert.equal(states.at(-1).state, 'closed');
  clock.advance(60_000);
  await settle();
  assert.equal(sockets.length, 1);
});

test('a socket that never opens gives up after the allowed tries', async () => {
  const clock = manualClock();
  const sockets = [];
  let gaveUp = 0;
  const socket = new ReconnectingSocket({
    url: () => 'ws://gw/presence', open: (url) => { const s = fakeSocket(url); sockets.push(s); return s; },
    onMessage: () => {}, retry: { baseMs: 100, maxMs: 1000 }, giveUpAfter: 3, onGiveUp: () => { gaveUp += 1; },
    schedule: clock.schedule, random: () => 0,
  });
  socket.start();
  await settle();
  sockets[0].onopen();
  sockets[0].onclose({ code: 1006 });
  for (let i = 1; i <= 3; i += 1) {
    clock.advance(1_000);
    await settle();
    sockets[i].onclose({ code: 1006 });
  }
  assert.equal(gaveUp, 1, 'three tries in a row that never opened');
  clock.advance(10_000);
  await settle();
  assert.equal(sockets.length, 4, 'no try after giving up');
});
