/**
 * Recording with consent over raw WebSocket, as a modified client would try it: a participant asking or
 * starting, an answer for someone else, a start without everyone's yes, a waiting person let in without one,
 * malformed messages. The server cannot open the sealed proofs, so these tests send opaque bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_SEALED_RECORDING_BYTES, type ServerMessageOf } from '../../src/protocol/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, errorCode, settle } from '../helpers/ws-client.ts';

let server: TestServer;

/** Stands in for a sealed ask or answer (an MLS PrivateMessage of about 350 bytes). */
const PROOF = Buffer.alloc(260, 9).toString('base64');
let counter = 0;
/** A fresh well-formed request id (22 characters of base64url). */
const newRequest = () => `req${String(counter++).padStart(19, '0')}`;

/** A meeting with an MLS group, its host, and two admitted participants. */
async function meetingWithGroup() {
  const m = await hostMeeting(server.wsUrl, 'Class of 12 B');
  const alice = await admitted(server.wsUrl, m, 'Alice');
  const bob = await admitted(server.wsUrl, m, 'Bob');
  assert.equal((await m.host.request({ type: 'mls-group-created' })).type, 'ok');
  return { m, alice, bob };
}

describe('recording with consent', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('refuses a participant who asks to record or starts a recording, and keeps the meeting unrecorded', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const request = newRequest();
    assert.equal(errorCode(await alice.client.request({ type: 'recording-ask', request, proof: PROOF })), 'forbidden');
    assert.equal(errorCode(await alice.client.request({ type: 'recording-start', request })), 'forbidden');
    // Even once a host asked and everyone said yes, only the asking host starts.
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: PROOF })).type, 'ok');
    for (const p of [alice, bob]) assert.equal((await p.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })).type, 'ok');
    assert.equal(errorCode(await alice.client.request({ type: 'recording-start', request })), 'forbidden');
    assert.equal(errorCode(await bob.client.request({ type: 'recording-stop' })), 'forbidden', 'a participant cannot cancel a host’s request');
    await settle();
    for (const c of [m.host, alice.client, bob.client]) {
      assert.ok(!c.received.some((x) => x.type === 'recording-state' && x.recording.state === 'recording'), 'nobody was told of a recording');
    }
    assert.equal(alice.client.closeCode, undefined, 'the refused participant stays connected');
  });

  it('counts an answer only for its sender: no field names another person, and the start waits for everyone', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const request = newRequest();
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: PROOF })).type, 'ok');
    const forged = await alice.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF, from: bob.participantId });
    assert.equal(errorCode(forged), 'bad-message', 'an answer naming someone else is refused');
    const forged2 = await alice.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF, participantId: bob.participantId });
    assert.equal(errorCode(forged2), 'bad-message');
    const heard = m.host.nextOf('recording-answer');
    assert.equal((await alice.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })).type, 'ok');
    assert.equal((await heard).from, alice.participantId, 'the answer is the authenticated sender’s');
    assert.equal(errorCode(await alice.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })), 'invalid-state', 'one answer each');
    assert.equal(errorCode(await m.host.request({ type: 'recording-start', request })), 'forbidden', 'Bob has not answered');
    // Bob's yes makes it startable; everyone is told who records.
    assert.equal((await bob.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })).type, 'ok');
    const told = [alice.client, bob.client].map((c) => c.next((x) => x.type === 'recording-state' && x.recording.state === 'recording'));
    assert.equal((await m.host.request({ type: 'recording-start', request })).type, 'ok');
    for (const state of (await Promise.all(told)) as ServerMessageOf<'recording-state'>[]) {
      assert.ok(state.recording.state === 'recording' && state.recording.by === m.hostId && state.recording.byName === 'Host');
    }
    // A late joiner's snapshot says so too.
    const carol = await admittedWithConsent(m, request, 'Carol');
    assert.ok(carol.joined.recording?.state === 'recording' && carol.joined.recording.by === m.hostId);
  });

  it('starts nothing after a no, tells only the hosts who declined and who did not answer', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const request = newRequest();
    const asked = [alice.client, bob.client].map((c) => c.nextOf('recording-ask'));
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: PROOF })).type, 'ok');
    for (const ask of await Promise.all(asked)) assert.deepEqual({ from: ask.from, request: ask.request, proof: ask.proof }, { from: m.hostId, request, proof: PROOF });
    const outcome = m.host.nextOf('recording-outcome');
    assert.equal((await alice.client.request({ type: 'recording-answer', request, consent: false, proof: PROOF })).type, 'ok');
    assert.deepEqual(await outcome, { type: 'recording-outcome', request, declined: [alice.participantId], unanswered: [bob.participantId] });
    assert.equal(errorCode(await m.host.request({ type: 'recording-start', request })), 'invalid-state');
    assert.equal(errorCode(await bob.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })), 'invalid-state', 'the request is over');
    await settle();
    assert.equal(bob.client.countOf('recording-outcome'), 0, 'participants are not told who declined');
    assert.equal((await bob.client.latestOf('recording-state')).recording.state, 'idle', 'everyone sees the request ended');
  });

  it('admits a waiting person into a recorded meeting only after their yes, which the host sees', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const request = newRequest();
    const early = await enterWaitingRoom(server.wsUrl, m, 'Early Eve');
    const needed = early.client.nextOf('recording-consent-needed');
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: PROOF })).type, 'ok');
    assert.deepEqual(await needed, { type: 'recording-consent-needed', request, byName: 'Host', recording: false });
    assert.equal(early.client.countOf('recording-ask'), 0, 'the sealed ask stays with members');
    assert.equal(errorCode(await m.host.request({ type: 'admit', participantIds: [early.participantId] })), 'forbidden', 'not before her answer');
    const heard = m.host.next((x) => x.type === 'recording-answer' && x.from === early.participantId);
    assert.equal((await early.client.request({ type: 'recording-answer', request, consent: false })).type, 'ok');
    assert.deepEqual(await heard, { type: 'recording-answer', from: early.participantId, request, consent: false, waiting: true });
    assert.equal(errorCode(await m.host.request({ type: 'admit', participantIds: [early.participantId] })), 'forbidden', 'not after a no');
    // Turning the waiting room off lets nobody in who has not consented.
    assert.equal((await m.host.request({ type: 'update-settings', settings: { waitingRoom: false } })).type, 'ok');
    await settle();
    assert.equal(early.client.countOf('joined'), 0);
    // With the waiting room off, a newcomer is still held and asked.
    const late = await enterWaitingRoom(server.wsUrl, m, 'Late Lata');
    assert.equal((await late.client.latestOf('recording-consent-needed')).request, request);
    assert.equal((await early.client.request({ type: 'recording-answer', request, consent: true })).type, 'ok');
    const joined = early.client.nextOf('joined');
    assert.equal((await m.host.request({ type: 'admit', participantIds: [early.participantId] })).type, 'ok');
    assert.ok((await joined).recording?.state === 'asking');
    // Her waiting-room yes is her answer: with Alice's and Bob's the host may start.
    for (const p of [alice, bob]) assert.equal((await p.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })).type, 'ok');
    assert.equal((await m.host.request({ type: 'recording-start', request })).type, 'ok');
  });

  it('ends the recording for everyone when the recorder leaves', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const request = newRequest();
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: PROOF })).type, 'ok');
    for (const p of [alice, bob]) assert.equal((await p.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })).type, 'ok');
    assert.equal((await m.host.request({ type: 'recording-start', request })).type, 'ok');
    const idle = alice.client.next((x) => x.type === 'recording-state' && x.recording.state === 'idle');
    m.host.send({ type: 'leave' });
    await idle;
  });

  it('refuses malformed recording messages with a clear error and keeps running', async () => {
    const { m, alice } = await meetingWithGroup();
    const request = newRequest();
    const refused: [string, Record<string, unknown>][] = [
      ['an unknown field on an ask', { type: 'recording-ask', request, proof: PROOF, title: 'x' }],
      ['an ask without proof (no plaintext asks)', { type: 'recording-ask', request }],
      ['a request id of the wrong form', { type: 'recording-ask', request: 'short', proof: PROOF }],
      ['a proof over the size limit', { type: 'recording-ask', request, proof: 'A'.repeat(4096) }],
      ['a consent that is not a boolean', { type: 'recording-answer', request, consent: 'yes', proof: PROOF }],
      ['an answer for a list of people', { type: 'recording-answer', request, consent: true, proof: PROOF, for: [alice.participantId] }],
      ['a start naming the recorder', { type: 'recording-start', request, by: alice.participantId }],
      ['a stop with a field', { type: 'recording-stop', request }],
    ];
    for (const [what, message] of refused) {
      const reply = await m.host.request(message);
      assert.equal(errorCode(reply), 'bad-message', what);
      assert.ok(reply.type === 'error' && reply.message.length > 0, `a clear error for ${what}`);
    }
    assert.equal(errorCode(await m.host.request({ type: 'recording-stop' })), 'invalid-state', 'nothing to stop');
    assert.equal(errorCode(await alice.client.request({ type: 'recording-answer', request, consent: true, proof: PROOF })), 'invalid-state', 'no such request');
    await settle();
    assert.equal(alice.client.countOf('recording-ask'), 0);
    // The server goes on: a well-formed ask is relayed.
    const asked = alice.client.nextOf('recording-ask');
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: PROOF })).type, 'ok');
    assert.equal((await asked).request, request);
    assert.equal(m.host.closeCode, undefined);
  });

  it('makes each recipient of an ask or an answer receive about as many bytes as the sender sent, like chat', async (t) => {
    const { m, alice, bob } = await meetingWithGroup();
    const request = newRequest();
    const LARGEST = 'A'.repeat(Math.ceil(MAX_SEALED_RECORDING_BYTES / 3) * 4);
    const sentAsk = JSON.stringify({ type: 'recording-ask', id: 1, request, proof: LARGEST }).length;
    const heardAsk = bob.client.nextOf('recording-ask');
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: LARGEST })).type, 'ok');
    const receivedAsk = JSON.stringify(await heardAsk).length;
    const sentAnswer = JSON.stringify({ type: 'recording-answer', id: 2, request, consent: true, proof: LARGEST }).length;
    const heardAnswer = m.host.nextOf('recording-answer');
    assert.equal((await alice.client.request({ type: 'recording-answer', request, consent: true, proof: LARGEST })).type, 'ok');
    const receivedAnswer = JSON.stringify(await heardAnswer).length;
    assert.equal(alice.client.countOf('recording-answer') + bob.client.countOf('recording-answer'), 0, 'answers reach hosts only');
    const sentChat = JSON.stringify({ type: 'chat', id: 3, body: { kind: 'mls', data: LARGEST } }).length;
    const heardChat = bob.client.nextOf('chat');
    assert.equal((await alice.client.request({ type: 'chat', body: { kind: 'mls', data: LARGEST } })).type, 'ok');
    const receivedChat = JSON.stringify(await heardChat).length;
    t.diagnostic(`largest ask: ${sentAsk} bytes sent, ${receivedAsk} received by each participant; largest answer: ${sentAnswer} sent, ${receivedAnswer} received by each host; chat baseline: ${sentChat} sent, ${receivedChat} received`);
    assert.ok(receivedAsk <= sentAsk + 100 && receivedAnswer <= sentAnswer + 100, 'a relay adds only the sender, a time and a flag');
    assert.ok(receivedAsk <= receivedChat + 100);
  });

  it('repeats every answer counted so far, with its proof, to a host who resumes or becomes co-host while asking', async () => {
    const { m, alice, bob } = await meetingWithGroup();
    const request = newRequest();
    const eve = await enterWaitingRoom(server.wsUrl, m, 'Eve');
    assert.equal((await m.host.request({ type: 'recording-ask', request, proof: PROOF })).type, 'ok');
    assert.equal((await eve.client.request({ type: 'recording-answer', request, consent: true })).type, 'ok');
    // The asking host's connection drops; Alice answers meanwhile, and the relayed answer is lost with it.
    const away = alice.client.next((x) => x.type === 'participant-updated' && x.participant.id === m.hostId && x.participant.reconnecting);
    m.host.close();
    await away;
    const aliceProof = Buffer.alloc(260, 7).toString('base64');
    assert.equal((await alice.client.request({ type: 'recording-answer', request, consent: true, proof: aliceProof })).type, 'ok');
    const back = await RawClient.connect(server.wsUrl);
    assert.equal((await back.request({ type: 'resume', resumeToken: m.joined.self.resumeToken })).type, 'ok');
    await settle();
    const answers = (c: RawClient) => c.received.filter((x): x is ServerMessageOf<'recording-answer'> => x.type === 'recording-answer');
    const expected = [
      { type: 'recording-answer', from: alice.participantId, request, consent: true, waiting: false, proof: aliceProof },
      { type: 'recording-answer', from: eve.participantId, request, consent: true, waiting: true },
    ];
    assert.deepEqual(answers(back), expected, 'the resumed asker gets both answers, the sealed one with its proof, so its browser can check them');
    // A co-host made during the request gets the same, in its snapshot.
    assert.equal((await back.request({ type: 'set-role', participantId: bob.participantId, role: 'cohost' })).type, 'ok');
    await settle();
    const bobSince = bob.client.received.slice(bob.client.received.findLastIndex((x) => x.type === 'joined'));
    assert.deepEqual(bobSince.filter((x) => x.type === 'recording-answer'), expected, 'the new co-host sees who answered');
    assert.equal(alice.client.countOf('recording-answer'), 0, 'participants never see answers');
  });

  it('cuts a flood of asks and stops off at the rate limit, so one host cannot make the server broadcast without end', async (t) => {
    const { m, alice } = await meetingWithGroup();
    for (let i = 0; i < 100; i++) {
      m.host.send({ type: 'recording-ask', id: 2 * i, request: newRequest(), proof: PROOF });
      m.host.send({ type: 'recording-stop', id: 2 * i + 1 });
    }
    await settle(500);
    const states = alice.client.countOf('recording-state');
    t.diagnostic(`a flood of 100 asks and 100 stops: ${states} state changes reached a participant`);
    assert.ok(states <= 12, `state changes a participant heard from the flood: ${states}`);
    assert.ok(m.host.received.some((x) => x.type === 'error' && x.code === 'rate-limited'));
  });
});

/** A participant who enters a meeting that records: waits, says yes, is admitted. */
async function admittedWithConsent(m: Awaited<ReturnType<typeof hostMeeting>>, request: string, name: string) {
  const entry = await enterWaitingRoom(server.wsUrl, m, name);
  assert.equal((await entry.client.latestOf('recording-consent-needed')).request, request, 'asked in the waiting room');
  assert.equal((await entry.client.request({ type: 'recording-answer', request, consent: true })).type, 'ok');
  const joinedP = entry.client.nextOf('joined');
  assert.equal((await m.host.request({ type: 'admit', participantIds: [entry.participantId] })).type, 'ok');
  return { ...entry, joined: await joinedP };
}
