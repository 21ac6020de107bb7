/**
 * Polls over raw WebSocket: a `poll` is relayed only as sealed bytes of a bounded size, once the meeting has an
 * MLS group, from a joined participant, at its own rate. A poll for everyone comes only from a host or co-host
 * and goes to every other joined participant; an answer goes to the one host or co-host it names and to nobody
 * else. The server cannot open a poll, so these tests send opaque bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_SEALED_POLL_BYTES, type ServerMessageOf } from '../../src/protocol/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { errorCode, settle, type RawClient } from '../helpers/ws-client.ts';

let server: TestServer;

/** Stands in for a sealed answer (an MLS PrivateMessage of about 450 base64 characters). */
const SEALED = Buffer.alloc(334, 7).toString('base64');
/** The longest `data` the schema takes. */
const LARGEST = 'A'.repeat(Math.ceil(MAX_SEALED_POLL_BYTES / 3) * 4);
const NOBODY = '0123456789abcdef';

/** A meeting with an MLS group, its host, and three admitted participants. */
async function meetingWithGroup() {
  const m = await hostMeeting(server.wsUrl);
  const alice = await admitted(server.wsUrl, m, 'Alice');
  const bob = await admitted(server.wsUrl, m, 'Bob');
  const carol = await admitted(server.wsUrl, m, 'Carol');
  assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
  return { m, alice, bob, carol };
}

const pollsFrom = (client: RawClient, from: string) => client.received.filter((x): x is ServerMessageOf<'poll'> => x.type === 'poll' && x.from === from);

describe('polls', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('relays a host’s poll to every other participant, and an answer to the host it names and to nobody else', async () => {
    const { m, alice, bob, carol } = await meetingWithGroup();
    const heard = [alice.client, bob.client, carol.client].map((c) => c.next((x) => x.type === 'poll' && x.from === m.hostId && x.data === SEALED));
    assert.equal((await m.host.request({ type: 'poll', data: SEALED })).type, 'ok');
    for (const relayed of (await Promise.all(heard)) as ServerMessageOf<'poll'>[]) assert.deepEqual(Object.keys(relayed).sort(), ['data', 'from', 'sentAt', 'type']);

    const answer = Buffer.alloc(334, 9).toString('base64');
    const atHost = m.host.next((x) => x.type === 'poll' && x.from === alice.participantId);
    assert.equal((await alice.client.request({ type: 'poll', to: m.hostId, data: answer })).type, 'ok');
    const relayed = (await atHost) as ServerMessageOf<'poll'>;
    assert.deepEqual({ ...relayed, sentAt: 0 }, { type: 'poll', from: alice.participantId, to: m.hostId, data: answer, sentAt: 0 });
    await settle();
    for (const c of [alice.client, bob.client, carol.client]) assert.equal(c.received.some((x) => x.type === 'poll' && x.data === answer), false, 'no participant sees an answer, the sender’s own included');
    assert.equal(pollsFrom(m.host, m.hostId).length, 0, 'the host gets no echo of its own poll');
  });

  it('lets a co-host ask and be answered, but never a participant ask everyone or answer another participant', async () => {
    const { m, alice, bob, carol } = await meetingWithGroup();
    assert.equal((await m.host.request({ type: 'set-role', participantId: carol.participantId, role: 'cohost' })).type, 'ok');
    assert.equal((await m.host.request({ type: 'update-settings', settings: { privateChat: true } })).type, 'ok');
    const atAlice = alice.client.next((x) => x.type === 'poll' && x.from === carol.participantId);
    assert.equal((await carol.client.request({ type: 'poll', data: SEALED })).type, 'ok');
    await atAlice;
    const atCarol = carol.client.next((x) => x.type === 'poll' && x.from === alice.participantId);
    assert.equal((await alice.client.request({ type: 'poll', to: carol.participantId, data: SEALED })).type, 'ok');
    await atCarol;

    const refusal = await bob.client.request({ type: 'poll', data: SEALED });
    assert.equal(errorCode(refusal), 'forbidden', 'a participant’s poll for everyone');
    assert.ok(refusal.type === 'error' && /host/.test(refusal.message));
    // Even with private chat on, two participants cannot use polls as a private channel.
    assert.equal(errorCode(await bob.client.request({ type: 'poll', to: alice.participantId, data: SEALED })), 'forbidden', 'an answer to another participant');
    await settle();
    assert.equal(pollsFrom(alice.client, bob.participantId).length + pollsFrom(m.host, bob.participantId).length + pollsFrom(carol.client, bob.participantId).length, 0);
  });

  it('refuses an answer to someone who is not in the meeting, to a person still waiting, or to oneself', async () => {
    const { m, alice } = await meetingWithGroup();
    const wendy = await enterWaitingRoom(server.wsUrl, m, 'Waiting Wendy');
    const refused: [string, string, RawClient][] = [
      ['nobody by that id', NOBODY, alice.client],
      ['a person in the waiting room', wendy.participantId, alice.client],
      ['the sender itself', m.hostId, m.host],
    ];
    for (const [what, to, client] of refused) {
      const reply = await client.request({ type: 'poll', to, data: SEALED });
      assert.ok(reply.type === 'error' && ['not-found', 'invalid-state'].includes(reply.code) && reply.message.length > 0, `${what}: ${JSON.stringify(reply)}`);
    }
    assert.equal(errorCode(await alice.client.request({ type: 'poll', to: NOBODY, data: SEALED })), 'not-found');
    await settle();
    assert.equal(wendy.client.countOf('poll'), 0);
    assert.equal(m.host.countOf('poll'), 0);
  });

  it('refuses a poll before the meeting has an MLS group, and from a person still waiting', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    const wendy = await enterWaitingRoom(server.wsUrl, m, 'Waiting Wendy');
    assert.equal(errorCode(await m.host.request({ type: 'poll', data: SEALED })), 'forbidden', 'no group: there is no plaintext poll');
    assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
    assert.equal(errorCode(await wendy.client.request({ type: 'poll', to: m.hostId, data: SEALED })), 'not-in-meeting');
    await settle();
    for (const c of [m.host, alice.client, wendy.client]) assert.equal(c.countOf('poll'), 0);
    const heard = alice.client.nextOf('poll');
    assert.equal((await m.host.request({ type: 'poll', data: SEALED })).type, 'ok');
    assert.equal((await heard).from, m.hostId);
  });

  it('refuses malformed and oversized poll messages with a clear error, and keeps running', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const refused: [string, RawClient, Record<string, unknown>][] = [
      ['a plaintext question', m.host, { type: 'poll', question: 'Lunch?', options: ['Yes', 'No'] }],
      ['plaintext beside the sealed bytes', m.host, { type: 'poll', data: SEALED, question: 'Lunch?' }],
      ['an unknown field', alice.client, { type: 'poll', to: m.hostId, data: SEALED, choice: 1 }],
      ['a recipient that is not a participant id', alice.client, { type: 'poll', to: 'the host', data: SEALED }],
      ['data that is not base64', alice.client, { type: 'poll', to: m.hostId, data: 'not base64!' }],
      ['no data', alice.client, { type: 'poll', to: m.hostId }],
      ['data one block over the limit', m.host, { type: 'poll', data: `${LARGEST}AAAA` }],
      ['data far over the limit', m.host, { type: 'poll', data: 'A'.repeat(256 * 1024) }],
    ];
    for (const [what, client, message] of refused) {
      const reply = await client.request(message);
      assert.equal(errorCode(reply), 'bad-message', what);
      assert.ok(reply.type === 'error' && reply.message.includes("'poll'"), `a clear error, naming the message, for ${what}`);
    }
    await settle();
    for (const c of [m.host, alice.client, bob.client]) assert.equal(c.countOf('poll'), 0);
    // The largest allowed poll still goes through.
    const heard = bob.client.nextOf('poll');
    assert.equal((await m.host.request({ type: 'poll', data: LARGEST })).type, 'ok');
    assert.equal((await heard).data, LARGEST);
    assert.equal(m.host.closeCode, undefined);
    assert.equal(alice.client.closeCode, undefined);
  });

  it('cuts a flood of answers off at its own rate limit, while the others keep answering', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    for (let i = 0; i < 200; i++) alice.client.send({ type: 'poll', id: i, to: m.hostId, data: SEALED });
    await settle(500);
    const relayed = pollsFrom(m.host, alice.participantId).length;
    // A burst of 10, then 2 a second: at most a couple more arrive while the flood is read.
    assert.ok(relayed >= 10 && relayed <= 12, `answers relayed from the flood: ${relayed}`);
    assert.ok(alice.client.received.some((x) => x.type === 'error' && x.code === 'rate-limited'));
    const heard = m.host.next((x) => x.type === 'poll' && x.from === bob.participantId);
    assert.equal((await bob.client.request({ type: 'poll', to: m.hostId, data: SEALED })).type, 'ok');
    await heard;
    await settle(600);
    assert.equal(alice.client.closeCode, undefined);
    assert.equal((await alice.client.request({ type: 'poll', to: m.hostId, data: SEALED })).type, 'ok');
  });

  it('bounds the fan-out: a poll for everyone costs one copy per other participant, an answer one copy in all', async (t) => {
    const { m, alice, bob, carol } = await meetingWithGroup();
    const others = [alice.client, bob.client, carol.client];
    const sentPoll = JSON.stringify({ type: 'poll', id: 1, data: LARGEST }).length;
    const heard = others.map((c) => c.nextOf('poll'));
    assert.equal((await m.host.request({ type: 'poll', data: LARGEST })).type, 'ok');
    const received = (await Promise.all(heard)).map((x) => JSON.stringify(x).length);
    // A flood of host polls is cut at the burst: what one host can make the server send is bounded.
    for (let i = 0; i < 100; i++) m.host.send({ type: 'poll', id: 100 + i, data: LARGEST });
    await settle(500);
    const copies = others.map((c) => pollsFrom(c, m.hostId).length);
    // Baseline in the same run: a chat message of the same ciphertext to everyone.
    const sentChat = JSON.stringify({ type: 'chat', id: 2, body: { kind: 'mls', data: LARGEST } }).length;
    const heardChat = bob.client.nextOf('chat');
    assert.equal((await m.host.request({ type: 'chat', body: { kind: 'mls', data: LARGEST } })).type, 'ok');
    const receivedChat = JSON.stringify(await heardChat).length;
    t.diagnostic(`largest poll: ${sentPoll} bytes sent, ${received.join('/')} received by each of ${others.length} others; chat baseline: ${sentChat} sent, ${receivedChat} received; a flood of 100 more polls reached each participant ${copies.join('/')} times`);
    for (const r of received) assert.ok(r <= sentPoll + 100, `a poll grows by at most its sender and time (${sentPoll} -> ${r})`);
    for (const r of received) assert.ok(r <= receivedChat, 'a relayed poll is no larger than a chat message of the same ciphertext');
    for (const n of copies) assert.ok(n <= 13, `polls relayed per participant from a flood: ${n}`);

    // An answer reaches exactly one connection.
    const before = others.map((c) => c.received.length);
    const hostBefore = m.host.received.length;
    assert.equal((await alice.client.request({ type: 'poll', to: m.hostId, data: SEALED })).type, 'ok');
    await settle();
    assert.equal(m.host.received.filter((x, i) => i >= hostBefore && x.type === 'poll').length, 1);
    others.forEach((c, i) => assert.equal(c.received.slice(before[i]).filter((x) => x.type === 'poll').length, 0));
  });
});
