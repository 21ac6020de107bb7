/**
 * Attacks on the door of a meeting, over raw WebSocket: no passcode, guessed
 * passcodes, probing ids, locked meetings, removed participants, waiting-room
 * snooping, caps. Client addresses are set with X-Forwarded-For (the test server
 * trusts it) so that one machine can play many attackers; no traffic leaves loopback.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, createMeeting, enterWaitingRoom, hostMeeting } from '../helpers/meeting-fixture.ts';
import { RawClient, randomDeviceId, settle, errorCode } from '../helpers/ws-client.ts';
import type { ServerMessage } from '../../src/protocol/index.ts';
import { waitForWaitingList } from '../helpers/waiting-room.ts';

let server: TestServer;
let addressCounter = 1;
/** A fresh documentation-range address (RFC 5737) for each simulated client. */
const newAddress = () => `198.51.100.${addressCounter++ % 250}`;
const connectFrom = (address = newAddress()) => RawClient.connect(server.wsUrl, { 'X-Forwarded-For': address });

describe('entry control under attack', () => {
  before(async () => (server = await startTestServer({ overrides: { trustProxy: true, limits: { maxParticipantsPerMeeting: 6 } } })));
  after(() => server.close());

  it('refuses a join without a passcode or with an empty one', async () => {
    const m = await hostMeeting(server.wsUrl);
    const intruder = await connectFrom();
    const missing = await intruder.request({ type: 'join', meetingId: m.meetingId, name: 'Intruder', deviceId: randomDeviceId() });
    assert.equal(errorCode(missing), 'bad-message');
    const empty = await intruder.request({ type: 'join', meetingId: m.meetingId, passcode: '', name: 'Intruder', deviceId: randomDeviceId() });
    assert.equal(errorCode(empty), 'join-refused');
    await settle();
    assert.equal(m.host.countOf('waiting-room'), 1, 'the host saw no one queue (only the initial empty list)');
    assert.equal(m.host.countOf('waiting-room-changed'), 0, 'the host saw no one queue');
  });

  it('never admits 1000 guessed passcodes, and slows the guesser down', async () => {
    const m = await hostMeeting(server.wsUrl);
    const address = newAddress();
    const clients = await Promise.all(Array.from({ length: 10 }, () => connectFrom(address)));
    for (const c of clients) {
      for (let i = 0; i < 100; i++) {
        const guess = Math.random().toString(36).slice(2, 12).padEnd(10, 'a');
        c.send({ type: 'join', id: i + 1, meetingId: m.meetingId, passcode: guess, name: 'Guesser', deviceId: randomDeviceId() });
      }
    }
    await settle(1500);
    const replies = clients.flatMap((c) => c.received);
    const outcomes = new Map<string, number>();
    for (const r of replies) outcomes.set(errorCode(r), (outcomes.get(errorCode(r)) ?? 0) + 1);
    assert.deepEqual([...outcomes.keys()].filter((k) => !['join-refused', 'throttled', 'rate-limited'].includes(k)), [], 'nothing but refusals');
    // Only the free attempts were even checked; the rest were throttled, rate-limited or dropped unanswered.
    assert.ok((outcomes.get('join-refused') ?? 0) <= 6, `checked guesses: ${outcomes.get('join-refused')}`);
    assert.ok((outcomes.get('throttled') ?? 0) > 0);
    // The host is not locked out by the attack on their meeting, and the meeting goes on.
    const hostAgain = await connectFrom(address);
    const reply = await hostAgain.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Host 2', deviceId: randomDeviceId(), hostSecret: m.hostSecret });
    assert.equal(reply.type, 'ok');
    assert.equal((await m.host.request({ type: 'update-settings', settings: { chat: 'everyone' } })).type, 'ok');
    for (const c of [...clients, hostAgain]) c.close();
  });

  it('answers a wrong passcode and an id that does not exist in exactly the same way', async () => {
    const m = await hostMeeting(server.wsUrl);
    const prober = await connectFrom();
    const wrongPasscode = await prober.request({ type: 'join', meetingId: m.meetingId, passcode: 'aaaaaaaaaa', name: 'P', deviceId: randomDeviceId() });
    const prober2 = await connectFrom();
    const noMeeting = await prober2.request({ type: 'join', meetingId: 'abcdefghijklmnop', passcode: 'aaaaaaaaaa', name: 'P', deviceId: randomDeviceId() });
    const { id: _a, ...a } = wrongPasscode as ServerMessage & { id?: number };
    const { id: _b, ...b } = noMeeting as ServerMessage & { id?: number };
    assert.deepEqual(a, b);
    assert.equal(errorCode(a as ServerMessage), 'join-refused');
  });

  it('makes early participants wait for the host, then sends them to the waiting room', async () => {
    const meeting = await createMeeting(server.wsUrl);
    const early = await connectFrom();
    const waiting = early.nextOf('waiting');
    await early.request({ type: 'join', meetingId: meeting.meetingId, passcode: meeting.passcode, name: 'Early', deviceId: randomDeviceId() });
    assert.equal((await waiting).reason, 'host-absent');
    const chat = await early.request({ type: 'chat', body: { kind: 'text', text: 'anyone?' } });
    assert.equal(errorCode(chat), 'not-in-meeting');
    const inRoom = early.nextOf('waiting');
    const host = await connectFrom();
    await host.request({ type: 'join', meetingId: meeting.meetingId, passcode: meeting.passcode, name: 'Host', deviceId: randomDeviceId(), hostSecret: meeting.hostSecret });
    assert.equal((await inRoom).reason, 'waiting-room');
    const list = await waitForWaitingList(host, (l) => l.length > 0);
    assert.deepEqual(list.map((e) => e.name), ['Early']);
  });

  it('gives a waiting person nothing about the meeting: no chat, no media, no names', async () => {
    const m = await hostMeeting(server.wsUrl);
    const alice = await admitted(server.wsUrl, m, 'Alice');
    await alice.client.request({ type: 'publish', source: 'camera', sdp: 'v=0 offer' });
    const lurker = await enterWaitingRoom(server.wsUrl, m, 'Lurker');
    await m.host.request({ type: 'chat', body: { kind: 'text', text: 'secret agenda' } });
    for (const attempt of [
      { type: 'chat', body: { kind: 'text', text: 'hi' } },
      { type: 'publish', source: 'camera', sdp: 'v=0 offer' },
      { type: 'subscribe', video: [{ publicationId: `${alice.participantId}-camera`, quality: 'low' }], audio: [] },
      { type: 'subscriber-answer', sdp: 'v=0' },
      { type: 'trickle', pc: 'camera', candidate: null },
      { type: 'rename', name: 'Host' },
      { type: 'admit', participantIds: [lurker.participantId] },
      { type: 'mls-commit', mls: { epoch: 0, commit: 'AAAA' }, adds: [], removes: [] },
    ]) {
      assert.equal(errorCode(await lurker.client.request(attempt)), 'not-in-meeting', attempt.type);
    }
    await settle();
    const kinds = new Set(lurker.client.received.map((x) => x.type));
    assert.deepEqual([...kinds].sort(), ['error', 'ok', 'waiting']);
    const everything = JSON.stringify(lurker.client.received);
    for (const secret of ['Alice', 'Host', 'secret agenda', alice.participantId]) assert.ok(!everything.includes(secret), secret);
  });

  it('lets a host deny a waiting person, who is told so', async () => {
    const m = await hostMeeting(server.wsUrl);
    const bob = await enterWaitingRoom(server.wsUrl, m, 'Bob');
    const left = bob.client.nextOf('left');
    assert.equal((await m.host.request({ type: 'deny', participantIds: [bob.participantId] })).type, 'ok');
    assert.equal((await left).reason, 'denied');
  });

  it('lets nobody new join or even queue once the meeting is locked, except the host', async () => {
    const m = await hostMeeting(server.wsUrl);
    assert.equal((await m.host.request({ type: 'update-settings', settings: { locked: true } })).type, 'ok');
    const before = m.host.countOf('waiting-room');
    const late = await connectFrom();
    const reply = await late.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Late', deviceId: randomDeviceId() });
    assert.equal(errorCode(reply), 'locked');
    await settle();
    assert.equal(m.host.countOf('waiting-room'), before, 'no one was queued');
    assert.equal(m.host.countOf('waiting-room-changed'), 0, 'no one was queued');
    const cohostDevice = await connectFrom();
    assert.equal((await cohostDevice.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Host laptop', deviceId: randomDeviceId(), hostSecret: m.hostSecret })).type, 'ok');
    assert.equal((await m.host.request({ type: 'update-settings', settings: { locked: false } })).type, 'ok');
    const now = await enterWaitingRoom(server.wsUrl, m, 'After unlock');
    assert.equal(now.waiting.reason, 'waiting-room');
  });

  it('keeps a removed participant out, from the same browser under any name', async () => {
    const m = await hostMeeting(server.wsUrl);
    const mallory = await admitted(server.wsUrl, m, 'Mallory');
    const left = mallory.client.nextOf('left');
    assert.equal((await m.host.request({ type: 'remove', participantId: mallory.participantId })).type, 'ok');
    assert.equal((await left).reason, 'removed');
    for (const name of ['Mallory', 'Totally Someone Else']) {
      const again = await connectFrom();
      const reply = await again.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name, deviceId: mallory.deviceId });
      assert.equal(errorCode(reply), 'removed');
    }
    const stolenResume = await connectFrom();
    assert.equal(errorCode(await stolenResume.request({ type: 'resume', resumeToken: mallory.joined.self.resumeToken })), 'join-refused');
    // Another browser goes through the waiting room like anyone else.
    const other = await enterWaitingRoom(server.wsUrl, m, 'Mallory');
    assert.equal(other.waiting.reason, 'waiting-room');
  });

  it('stops admitting with the old passcode once the host regenerates it', async () => {
    const m = await hostMeeting(server.wsUrl);
    const fresh = m.host.nextOf('passcode');
    assert.equal((await m.host.request({ type: 'regenerate-passcode' })).type, 'ok');
    const { passcode } = await fresh;
    assert.notEqual(passcode, m.passcode);
    const old = await connectFrom();
    assert.equal(errorCode(await old.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Old link', deviceId: randomDeviceId() })), 'join-refused');
    const current = await enterWaitingRoom(server.wsUrl, { ...m, passcode }, 'New link');
    assert.equal(current.waiting.reason, 'waiting-room');
  });

  it('caps the participants of a meeting, counting the waiting room but not the host', async () => {
    const m = await hostMeeting(server.wsUrl);
    for (let i = 0; i < server.config.limits.maxParticipantsPerMeeting; i++) await enterWaitingRoom(server.wsUrl, m, `P${i}`);
    const extra = await connectFrom();
    const reply = await extra.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'One too many', deviceId: randomDeviceId() });
    assert.equal(errorCode(reply), 'meeting-full');
    const secondHost = await connectFrom();
    const hostReply = await secondHost.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Host laptop', deviceId: randomDeviceId(), hostSecret: m.hostSecret });
    assert.equal(hostReply.type, 'ok', 'a host is never kept out by the cap');
  });

  it('caps connections and meetings per client address', async () => {
    const address = newAddress();
    const clients: RawClient[] = [];
    for (let i = 0; i < server.config.limits.maxConnectionsPerAddress; i++) clients.push(await connectFrom(address));
    await assert.rejects(connectFrom(address), /HTTP 429/);
    clients.forEach((c) => c.close());
    await settle(200);
    const creatorAddress = newAddress();
    const replies: ServerMessage[] = [];
    for (let i = 0; i <= server.config.limits.maxMeetingsPerAddress; i++) {
      const c = await connectFrom(creatorAddress);
      replies.push(await c.request({ type: 'create-meeting', title: `m${i}` }));
      c.close();
    }
    assert.deepEqual(replies.slice(0, -1).map(errorCode), Array(server.config.limits.maxMeetingsPerAddress).fill('created'));
    assert.equal(errorCode(replies.at(-1)!), 'limit-reached');
  });

  it('refuses a WebSocket opened by a page of another origin', async () => {
    await assert.rejects(RawClient.connect(server.wsUrl, { Origin: 'https://evil.example' }), /HTTP 403/);
    const sameOrigin = await RawClient.connect(server.wsUrl, { Origin: server.url });
    sameOrigin.close();
  });
});
