/**
 * In-meeting signals (raise hand, reactions) over raw WebSocket: the `signal` message is relayed to everyone
 * whatever the chat mode, and only as sealed bytes of a bounded size, from a joined participant, once the
 * meeting has an MLS group, at its own rate. The server cannot open a signal, so these tests send opaque bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_SEALED_SIGNAL_BYTES, type ServerMessageOf } from '../../src/protocol/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { errorCode, settle, type RawClient } from '../helpers/ws-client.ts';

let server: TestServer;

/** Stands in for a sealed signal (an MLS PrivateMessage of about 450 base64 characters). */
const SEALED = Buffer.alloc(334, 7).toString('base64');
/** The longest `data` the schema takes. */
const LARGEST = 'A'.repeat(Math.ceil(MAX_SEALED_SIGNAL_BYTES / 3) * 4);

/** A meeting with an MLS group, its host, and two admitted participants. */
async function meetingWithGroup() {
  const m = await hostMeeting(server.wsUrl);
  const alice = await admitted(server.wsUrl, m, 'Alice');
  const bob = await admitted(server.wsUrl, m, 'Bob');
  assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
  return { m, alice, bob };
}

const signalsFrom = (client: RawClient, from: string) =>
  client.received.filter((x): x is ServerMessageOf<'signal'> => x.type === 'signal' && x.from === from);

describe('in-meeting signals', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('relays a participant’s signal to everyone, the sender included, with chat off or for hosts only', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    for (const chat of ['off', 'host-only'] as const) {
      assert.equal((await m.host.request({ type: 'update-settings', settings: { chat } })).type, 'ok');
      assert.equal(errorCode(await alice.client.request({ type: 'chat', body: { kind: 'mls', data: SEALED } })), 'forbidden', `chat ${chat} still refuses chat`);
      const heard = [m.host, bob.client, alice.client].map((c) => c.next((x) => x.type === 'signal' && x.from === alice.participantId && x.data === SEALED));
      const before = Date.now();
      assert.equal((await alice.client.request({ type: 'signal', data: SEALED })).type, 'ok', `chat ${chat}`);
      for (const relayed of (await Promise.all(heard)) as ServerMessageOf<'signal'>[]) {
        assert.deepEqual(Object.keys(relayed).sort(), ['data', 'from', 'sentAt', 'type']);
        assert.ok(relayed.sentAt >= before - 1000 && relayed.sentAt <= Date.now() + 1000, 'the relay time is the server’s clock');
      }
    }
    // The sender's echo comes before its `ok`: that is how a client learns its own relay time.
    const echoAt = alice.client.received.findLastIndex((x) => x.type === 'signal' && x.from === alice.participantId);
    const okAt = alice.client.received.findLastIndex((x) => x.type === 'ok');
    assert.ok(echoAt >= 0 && echoAt < okAt);
  });

  it('refuses a signal before the meeting has an MLS group, and from a person still waiting', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const wendy = await enterWaitingRoom(server.wsUrl, m, 'Waiting Wendy');
    assert.equal(errorCode(await alice.client.request({ type: 'signal', data: SEALED })), 'forbidden', 'no group: there is no plaintext signal');
    assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
    assert.equal(errorCode(await wendy.client.request({ type: 'signal', data: SEALED })), 'not-in-meeting');
    await settle();
    for (const c of [m.host, alice.client, wendy.client]) assert.equal(c.countOf('signal'), 0);
    // The server goes on: the same participant's signal is relayed now.
    const heard = m.host.nextOf('signal');
    assert.equal((await alice.client.request({ type: 'signal', data: SEALED })).type, 'ok');
    assert.equal((await heard).from, alice.participantId);
  });

  it('refuses a signal with a recipient, an unknown field, a plaintext payload or oversized data, and keeps running', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const refused: [string, Record<string, unknown>][] = [
      ['a recipient (no private signals)', { type: 'signal', to: bob.participantId, data: SEALED }],
      ['an unknown field', { type: 'signal', data: SEALED, emoji: '👍' }],
      ['a plaintext signal', { type: 'signal', signal: { kind: 'hand-raised' } }],
      ['a chat body', { type: 'signal', body: { kind: 'mls', data: SEALED } }],
      ['data one block over the limit', { type: 'signal', data: `${LARGEST}AAAA` }],
      ['data far over the limit', { type: 'signal', data: 'A'.repeat(256 * 1024) }],
    ];
    for (const [what, message] of refused) {
      const reply = await alice.client.request(message);
      assert.equal(errorCode(reply), 'bad-message', what);
      assert.ok(reply.type === 'error' && reply.message.length > 0, `a clear error for ${what}`);
    }
    await settle();
    for (const c of [m.host, alice.client, bob.client]) assert.equal(c.countOf('signal'), 0);
    // The largest allowed signal still goes through, to everyone.
    const heard = bob.client.nextOf('signal');
    assert.equal((await alice.client.request({ type: 'signal', data: LARGEST })).type, 'ok');
    assert.equal((await heard).data, LARGEST);
    assert.equal(alice.client.closeCode, undefined);
  });

  it('cuts a flood of signals off at its own rate limit, while the others keep signalling', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    for (let i = 0; i < 200; i++) alice.client.send({ type: 'signal', id: i, data: SEALED });
    await settle(500);
    const relayed = signalsFrom(bob.client, alice.participantId).length;
    // A burst of 10, then 3 a second: at most a couple more arrive while the flood is read.
    assert.ok(relayed >= 10 && relayed <= 13, `signals relayed from the flood: ${relayed}`);
    assert.ok(alice.client.received.some((x) => x.type === 'error' && x.code === 'rate-limited'));
    const heard = m.host.next((x) => x.type === 'signal' && x.from === bob.participantId);
    assert.equal((await bob.client.request({ type: 'signal', data: SEALED })).type, 'ok');
    await heard;
    // The flooder's own connection stays (under the refusal bound) and gets signals through once the bucket refills.
    await settle(700);
    assert.equal(alice.client.closeCode, undefined);
    assert.equal((await alice.client.request({ type: 'signal', data: SEALED })).type, 'ok');
  });

  it('makes each recipient receive about as many bytes as the sender sent, like chat', async (t) => {
    const { m, alice, bob } = await meetingWithGroup();
    assert.equal((await m.host.request({ type: 'update-settings', settings: { chat: 'everyone' } })).type, 'ok');
    const sentSignal = JSON.stringify({ type: 'signal', id: 1, data: LARGEST }).length;
    const heardSignal = bob.client.nextOf('signal');
    assert.equal((await alice.client.request({ type: 'signal', data: LARGEST })).type, 'ok');
    const receivedSignal = JSON.stringify(await heardSignal).length;
    // Baseline in the same run: a chat message of the same ciphertext.
    const sentChat = JSON.stringify({ type: 'chat', id: 2, body: { kind: 'mls', data: LARGEST } }).length;
    const heardChat = bob.client.nextOf('chat');
    assert.equal((await alice.client.request({ type: 'chat', body: { kind: 'mls', data: LARGEST } })).type, 'ok');
    const receivedChat = JSON.stringify(await heardChat).length;
    t.diagnostic(`largest signal: ${sentSignal} bytes sent, ${receivedSignal} received by each participant; chat baseline: ${sentChat} sent, ${receivedChat} received`);
    assert.ok(receivedSignal <= sentSignal + 100, `a signal grows by at most its sender and time (${sentSignal} -> ${receivedSignal})`);
    assert.ok(receivedSignal <= receivedChat, 'a relayed signal is no larger than a chat message of the same ciphertext');
  });
});
