import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, GatewayClient, describeApiError } from '../../src/js/api-client.js';

/** A fetch that answers from a table and records the requests. */
function stubFetch(answer) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, ...init });
    const { status = 200, body = {}, headers = {} } = answer(url, init);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });
  };
  return { fetch, calls };
}

const ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/abcDEF123456';

test('the broadcaster calls carry the key in a header, never in the URL', async () => {
  const { fetch, calls } = stubFetch((url) => url.endsWith('/stages')
    ? { body: { stages: [{ stageArn: ARN, stageId: 'abcDEF123456', state: 'Active', token: 't', expiresAt: 'e' }] } }
    : url.endsWith('/ws-ticket') ? { body: { ticket: 'tk/1', expiresAt: 'e' } }
      : { body: { stageArn: ARN, stageId: 'abcDEF123456', token: 'fresh', expiresAt: 'e' } });
  const client = new GatewayClient({ gatewayBase: 'https://gw.example.com', fetch });
  const stages = await client.listStages('live', 'show', 'K3Y');
  assert.equal(stages[0].token, 't');
  const fresh = await client.stageToken('live', 'show', 'K3Y', ARN);
  assert.equal(fresh.token, 'fresh');
  const socket = await client.eventsSocketUrl('live', 'show', 'K3Y');
  assert.equal(socket, 'wss://gw.example.com/api/v1/namespaces/live/livebroadcasts/show/events?ticket=tk%2F1');
  assert.deepEqual(calls.map((c) => `${c.method} ${c.url}`), [
    'GET https://gw.example.com/api/v1/namespaces/live/livebroadcasts/show/stages',
    'POST https://gw.example.com/api/v1/namespaces/live/livebroadcasts/show/stage-token',
    'POST https://gw.example.com/api/v1/namespaces/live/livebroadcasts/show/ws-ticket',
  ]);
  assert.ok(calls.every((c) => c.headers['x-api-key'] === 'K3Y' && !c.url.includes('K3Y')));
  assert.deepEqual(JSON.parse(calls[1].body), { stageArn: ARN });
});

test('a viewer placement is read; a 503 carries its Retry-After; errors keep the gateway\'s words', async () => {
  let next = { body: { viewerId: 'v1', stageArn: ARN, stageId: 'abcDEF123456', token: 'sub', expiresAt: 'e', presenceUrl: '/p/v1' } };
  const { fetch, calls } = stubFetch(() => next);
  const client = new GatewayClient({ gatewayBase: 'http://127.0.0.1:8080', fetch, now: () => 0 });
  const placement = await client.joinAsViewer('default', 'show');
  assert.deepEqual(placement, { viewerId: 'v1', presenceUrl: '/p/v1', stageArn: ARN, stageId: 'abcDEF123456', token: 'sub', expiresAt: 'e' });
  assert.equal(calls[0].headers['x-api-key'], undefined, 'viewers need no key');
  assert.equal(client.presenceSocketUrl('/p/v1'), 'ws://127.0.0.1:8080/p/v1');

  next = { status: 503, body: { error: 'full', message: 'Every stage is full.' }, headers: { 'retry-after': '4' } };
  const full = await client.joinAsViewer('default', 'show').catch((e) => e);
  assert.ok(full instanceof ApiError);
  assert.deepEqual([full.status, full.code, full.message, full.retryAfterMs], [503, 'full', 'Every stage is full.', 4000]);

  next = { status: 202, body: { waitId: 'w-9', position: 3, waiting: 5, expectedWaitSeconds: 4, message: 'in line' } };
  const wait = await client.joinAsViewer('default', 'show', 'w-9');
  assert.deepEqual(wait, { waitId: 'w-9', position: 3, expectedWaitSeconds: 4 });
  assert.equal(calls.at(-1).headers.prefer, 'wait=20', 'the viewer asks to be held for a seat');
  assert.deepEqual(JSON.parse(calls.at(-1).body), { waitId: 'w-9' });

  next = { status: 403, body: 'not json' };
  const forbidden = await client.listStages('default', 'show', 'bad').catch((e) => e);
  assert.equal(forbidden.status, 403);
  assert.match(describeApiError(forbidden), /not allowed.*Check the key/);
});

test('an unreachable gateway is said in words', async () => {
  const client = new GatewayClient({ gatewayBase: 'http://127.0.0.1:1', fetch: async () => { throw new TypeError('fetch failed'); } });
  const error = await client.joinAsViewer('default', 'show').catch((e) => e);
  assert.equal(error.status, 0);
  assert.equal(error.message, 'Cannot reach the gateway at http://127.0.0.1:1.');
});

test('a 200 without a token is a clear error, not a crash later', async () => {
  const { fetch } = stubFetch(() => ({ body: { stageArn: ARN } }));
  const client = new GatewayClient({ gatewayBase: 'http://gw', fetch });
  await assert.rejects(client.stageToken('a', 'b', 'k', ARN), /without a token/);
  await assert.rejects(client.joinAsViewer('a', 'b'), /without a stage, token or presence socket/);
});
