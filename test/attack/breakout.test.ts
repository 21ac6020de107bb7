/**
 * Breakout rooms over raw WebSocket, as an attacker would use them: only hosts and co-hosts plan, open and close
 * rooms; a room is entered only with a single-use ticket, given over the main meeting's connection to an
 * admitted participant for their own room, and presented from that participant's device; what is said in one
 * room never reaches another; malformed requests are refused and the server goes on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerMessageOf } from '../../src/protocol/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { admitted, hostMeeting, type HostedMeeting } from '../helpers/meeting-fixture.ts';
import { errorCode, RawClient, randomDeviceId, settle } from '../helpers/ws-client.ts';

let server: TestServer;

type Person = Awaited<ReturnType<typeof admitted>>;
type Ticket = ServerMessageOf<'breakout-ticket'>;

const SEALED = Buffer.alloc(334, 7).toString('base64');

/** A meeting with a host and three participants, and a plan of two rooms: Asha in room 0, Bilal in room 1, Chitra in none. */
async function plannedMeeting(options: { allowChoice?: boolean } = {}) {
  const m = await hostMeeting(server.wsUrl);
  const asha = await admitted(server.wsUrl, m, 'Asha');
  const bilal = await admitted(server.wsUrl, m, 'Bilal');
  const chitra = await admitted(server.wsUrl, m, 'Chitra');
  const created = await m.host.request({ type: 'breakout-create', rooms: ['Red', 'Blue'], allowChoice: options.allowChoice ?? false, allowReturn: true });
  assert.equal(created.type, 'ok', JSON.stringify(created));
  const assigned = await m.host.request({
    type: 'breakout-assign',
    assignments: [
      { participantId: asha.participantId, room: 0 },
      { participantId: bilal.participantId, room: 1 },
    ],
  });
  assert.equal(assigned.type, 'ok', JSON.stringify(assigned));
  return { m, asha, bilal, chitra };
}

/** Opens the rooms and returns the tickets Asha and Bilal were sent. */
async function openRooms(m: HostedMeeting, asha: Person, bilal: Person) {
  const tickets = [asha, bilal].map((p) => p.client.nextOf('breakout-ticket'));
  assert.equal((await m.host.request({ type: 'breakout-open', minutes: null })).type, 'ok');
  const [ashaTicket, bilalTicket] = await Promise.all(tickets);
  return { ashaTicket: ashaTicket!, bilalTicket: bilalTicket! };
}

/** Presents a ticket on a fresh connection; resolves with the reply and, when admitted, the room's `joined`. */
async function enter(m: HostedMeeting, ticket: Ticket, deviceId: string, roomId = ticket.roomId) {
  const client = await RawClient.connect(server.wsUrl);
  const joined = client.nextOf('joined', 3000).catch(() => undefined);
  const reply = await client.request({ type: 'breakout-enter', meetingId: m.meetingId, roomId, ticket: ticket.ticket, deviceId });
  return { client, reply, joined: reply.type === 'ok' ? await joined : undefined };
}

describe('breakout rooms', () => {
  before(async () => (server = await startTestServer()));
  after(() => server.close());

  it('lets only hosts and co-hosts create, assign, open and close rooms', async () => {
    const m = await hostMeeting(server.wsUrl);
    const asha = await admitted(server.wsUrl, m, 'Asha');
    const attempts = [
      { type: 'breakout-create', rooms: ['Mine'], allowChoice: true, allowReturn: true },
      { type: 'breakout-assign', assignments: [{ participantId: asha.participantId, room: 0 }] },
      { type: 'breakout-assign-random' },
      { type: 'breakout-open', minutes: 5 },
      { type: 'breakout-close', countdownSeconds: 0 },
    ];
    for (const attempt of attempts) assert.equal(errorCode(await asha.client.request(attempt)), 'forbidden', `${attempt.type} by a participant`);
    assert.equal((await m.host.request({ type: 'breakout-create', rooms: ['One'], allowChoice: false, allowReturn: true })).type, 'ok');
    for (const attempt of attempts.slice(1)) assert.equal(errorCode(await asha.client.request(attempt)), 'forbidden', `${attempt.type} by a participant, with a plan`);
    // A co-host may: the role decides, not how it was got.
    assert.equal((await m.host.request({ type: 'set-role', participantId: asha.participantId, role: 'cohost' })).type, 'ok');
    assert.equal((await asha.client.request({ type: 'breakout-open', minutes: null })).type, 'ok');
    assert.equal((await asha.client.request({ type: 'breakout-close', countdownSeconds: 0 })).type, 'ok');
  });

  it('tells each participant only their own room, and hosts who is in which', async () => {
    const { m, asha, bilal, chitra } = await plannedMeeting();
    await settle(100); // other connections' messages may come after the host's `ok`
    const ashaState = await asha.client.latestOf('breakout-state');
    assert.deepEqual([ashaState.phase, ashaState.rooms, ashaState.yourRoom], ['draft', ['Red', 'Blue'], 0]);
    assert.equal((await bilal.client.latestOf('breakout-state')).yourRoom, 1);
    assert.equal((await chitra.client.latestOf('breakout-state')).yourRoom, null);
    assert.equal(asha.client.countOf('breakout-assignments'), 0, 'participants never see the plan of others');
    const seen = m.host.received.filter((x): x is ServerMessageOf<'breakout-assignments'> => x.type === 'breakout-assignments').flatMap((x) => x.assignments);
    assert.deepEqual(new Set(seen.map((a) => `${a.participantId}:${a.room}`)), new Set([`${asha.participantId}:0`, `${bilal.participantId}:1`]));
  });

  it('admits a participant to their own room with their ticket, once, from their own device', async () => {
    const { m, asha, bilal, chitra } = await plannedMeeting();
    const { ashaTicket, bilalTicket } = await openRooms(m, asha, bilal);
    assert.notEqual(ashaTicket.roomId, bilalTicket.roomId, 'each room is a meeting of its own');
    assert.equal(chitra.client.countOf('breakout-ticket'), 0, 'nobody unassigned is given a ticket');

    // Another participant's ticket, from another device, is refused (and spent).
    const stolen = await enter(m, ashaTicket, chitra.deviceId);
    assert.equal(errorCode(stolen.reply), 'join-refused');
    // A forged ticket, and a real one shown for the other room.
    assert.equal(errorCode((await enter(m, { ...bilalTicket, ticket: randomDeviceId() }, bilal.deviceId)).reply), 'join-refused', 'forged');
    assert.equal(errorCode((await enter(m, bilalTicket, bilal.deviceId, ashaTicket.roomId)).reply), 'join-refused', 'another room');

    // Asked again, over their own connection: a fresh ticket, which works once.
    const again = asha.client.nextOf('breakout-ticket');
    assert.equal((await asha.client.request({ type: 'breakout-join', room: 0 })).type, 'ok');
    const ticket = await again;
    const inside = await enter(m, ticket, asha.deviceId);
    assert.equal(inside.reply.type, 'ok', JSON.stringify(inside.reply));
    assert.ok(inside.joined, 'joined at once: no waiting room');
    assert.equal(inside.joined.title, 'Red');
    assert.equal(inside.joined.self.role, 'participant');
    assert.deepEqual(inside.joined.participants.map((p) => p.name), ['Asha']);
    assert.equal(errorCode((await enter(m, ticket, asha.deviceId)).reply), 'join-refused', 'reused');

    // Nobody asks their way into a room that is not theirs.
    assert.equal(errorCode(await chitra.client.request({ type: 'breakout-join', room: 0 })), 'forbidden');
    assert.equal(errorCode(await bilal.client.request({ type: 'breakout-join', room: 0 })), 'forbidden');
    assert.equal(errorCode(await bilal.client.request({ type: 'breakout-join', room: 7 })), 'not-found');
    // Nor plans rooms inside a room.
    assert.equal(errorCode(await inside.client.request({ type: 'breakout-create', rooms: ['Nested'], allowChoice: true, allowReturn: true })), 'forbidden');
    assert.equal(errorCode(await inside.client.request({ type: 'breakout-join', room: 1 })), 'forbidden');
  });

  it('refuses every ticket once the rooms close, and sends everyone inside back', async () => {
    const { m, asha, bilal } = await plannedMeeting();
    const { ashaTicket, bilalTicket } = await openRooms(m, asha, bilal);
    const inside = await enter(m, ashaTicket, asha.deviceId);
    assert.equal(inside.reply.type, 'ok');
    const closing = bilal.client.next((x) => x.type === 'breakout-state' && x.phase === 'closing');
    const left = inside.client.nextOf('left');
    const over = asha.client.next((x) => x.type === 'breakout-state' && x.phase === 'none');
    assert.equal((await m.host.request({ type: 'breakout-close', countdownSeconds: 1 })).type, 'ok');
    const state = (await closing) as ServerMessageOf<'breakout-state'>;
    assert.ok(state.closesAt !== null && state.closesAt > Date.now() - 500, 'the countdown is shown');
    assert.equal(errorCode((await enter(m, bilalTicket, bilal.deviceId)).reply), 'join-refused', 'a ticket given before closing');
    assert.equal(errorCode(await bilal.client.request({ type: 'breakout-join', room: 1 })), 'invalid-state');
    assert.equal((await left).reason, 'ended', 'the room ends after the countdown');
    await over; // everyone is told the rooms are gone
    assert.equal(errorCode((await enter(m, ashaTicket, asha.deviceId)).reply), 'join-refused', 'after close');
    // The main meeting goes on for everyone.
    assert.equal((await asha.client.request({ type: 'rename', name: 'Asha R' })).type, 'ok');
  });

  it('never relays one room’s messages to another room or to the main meeting', async () => {
    const { m, asha, bilal } = await plannedMeeting();
    const { ashaTicket, bilalTicket } = await openRooms(m, asha, bilal);
    const red = await enter(m, ashaTicket, asha.deviceId);
    const blue = await enter(m, bilalTicket, bilal.deviceId);
    for (const room of [red, blue]) {
      assert.equal(room.joined?.mls.groupExists, false, 'each room starts without a group');
      assert.equal((await room.client.request({ type: 'mls-group-created' })).type, 'ok', 'each room makes its own group');
    }
    const echo = red.client.next((x) => x.type === 'signal' && x.data === SEALED);
    assert.equal((await red.client.request({ type: 'signal', data: SEALED })).type, 'ok');
    assert.equal((await red.client.request({ type: 'chat', body: { kind: 'mls', data: SEALED } })).type, 'ok');
    await echo;
    await settle(200);
    for (const [who, client] of [['Blue room', blue.client], ['Bilal main', bilal.client], ['host main', m.host], ['Asha main', asha.client]] as const) {
      assert.equal(client.received.filter((x) => (x.type === 'signal' || x.type === 'chat') && 'data' in (x.type === 'chat' ? x.body : x)).length, 0, `${who} never receives Red's messages`);
    }
    // Nor its publications: the Blue room's snapshot lists only its own people.
    assert.deepEqual(blue.joined?.participants.map((p) => p.name), ['Bilal']);
  });

  it('lets a host visit any room, as a co-host there, whose removal keeps someone out of that room', async () => {
    const { m, asha, bilal } = await plannedMeeting();
    const { bilalTicket } = await openRooms(m, asha, bilal);
    const ticket = m.host.nextOf('breakout-ticket');
    assert.equal((await m.host.request({ type: 'breakout-join', room: 1 })).type, 'ok');
    const visit = await enter(m, await ticket, m.deviceId);
    assert.equal(visit.reply.type, 'ok');
    assert.equal(visit.joined?.self.role, 'cohost');
    assert.equal(visit.joined?.passcode !== undefined, true, 'a breakout room’s passcode opens nothing: it is not in the registry');
    const bilalIn = await enter(m, bilalTicket, bilal.deviceId);
    assert.deepEqual(new Set(bilalIn.joined?.participants.map((p) => p.name)), new Set(['Host', 'Bilal']));
    const guess = await RawClient.connect(server.wsUrl);
    assert.equal(errorCode(await guess.request({ type: 'join', meetingId: bilalTicket.roomId, passcode: visit.joined!.passcode!, name: 'Eve', deviceId: randomDeviceId() })), 'join-refused');
    // The visiting host removes Bilal from the room: he stays out of it (though still in the meeting).
    const bilalInRoom = bilalIn.joined!.self.participantId;
    const removed = bilalIn.client.nextOf('left');
    assert.equal((await visit.client.request({ type: 'remove', participantId: bilalInRoom })).type, 'ok');
    assert.equal((await removed).reason, 'removed');
    const again = bilal.client.nextOf('breakout-ticket');
    assert.equal((await bilal.client.request({ type: 'breakout-join', room: 1 })).type, 'ok');
    assert.equal(errorCode((await enter(m, await again, bilal.deviceId)).reply), 'removed');
    assert.equal((await bilal.client.request({ type: 'rename', name: 'Bilal K' })).type, 'ok', 'still in the main meeting');
  });

  it('lets participants choose their room only when the host allows it', async () => {
    const { m, asha, bilal, chitra } = await plannedMeeting({ allowChoice: true });
    await openRooms(m, asha, bilal);
    const ticket = chitra.client.nextOf('breakout-ticket');
    const hostSees = m.host.next((x) => x.type === 'breakout-assignments' && x.assignments.some((a) => a.participantId === chitra.participantId));
    assert.equal((await chitra.client.request({ type: 'breakout-join', room: 1 })).type, 'ok');
    assert.equal((await ticket).room, 1);
    assert.deepEqual((await hostSees as ServerMessageOf<'breakout-assignments'>).assignments, [{ participantId: chitra.participantId, room: 1 }]);
    assert.equal((await chitra.client.latestOf('breakout-state')).yourRoom, 1);
  });

  it('moves a participant the host reassigns, and takes out whoever leaves the main meeting', async () => {
    const { m, asha, bilal } = await plannedMeeting();
    const { ashaTicket, bilalTicket } = await openRooms(m, asha, bilal);
    const red = await enter(m, ashaTicket, asha.deviceId);
    const blue = await enter(m, bilalTicket, bilal.deviceId);
    const newTicket = asha.client.nextOf('breakout-ticket');
    const movedOut = red.client.nextOf('left');
    assert.equal((await m.host.request({ type: 'breakout-assign', assignments: [{ participantId: asha.participantId, room: 1 }] })).type, 'ok');
    assert.equal((await newTicket).room, 1);
    assert.equal((await movedOut).reason, 'left', 'out of the room she was moved from');
    const bilalOut = blue.client.nextOf('left');
    assert.equal((await m.host.request({ type: 'remove', participantId: bilal.participantId })).type, 'ok');
    await bilalOut;
    const hostSees = m.host.received.filter((x): x is ServerMessageOf<'breakout-assignments'> => x.type === 'breakout-assignments').at(-1);
    assert.deepEqual(hostSees?.assignments, [{ participantId: bilal.participantId, room: null }]);
  });

  it('gives the ticket on resume to someone whose connection was down when the rooms opened', async () => {
    const { m, asha, bilal } = await plannedMeeting();
    const away = m.host.next((x) => x.type === 'participant-updated' && x.participant.id === asha.participantId && x.participant.reconnecting);
    asha.client.close();
    await away;
    const bilalTicket = bilal.client.nextOf('breakout-ticket');
    assert.equal((await m.host.request({ type: 'breakout-open', minutes: null })).type, 'ok');
    await bilalTicket;
    const back = await RawClient.connect(server.wsUrl);
    const ticket = back.nextOf('breakout-ticket');
    assert.equal((await back.request({ type: 'resume', resumeToken: asha.joined.self.resumeToken })).type, 'ok');
    const inside = await enter(m, await ticket, asha.deviceId);
    assert.equal(inside.joined?.title, 'Red');
  });

  it('refuses malformed breakout messages with bad-message and keeps serving', async () => {
    const m = await hostMeeting(server.wsUrl);
    const bad = [
      { type: 'breakout-create', rooms: [], allowChoice: false, allowReturn: true },
      { type: 'breakout-create', rooms: Array.from({ length: 51 }, (_, i) => `R${i}`), allowChoice: false, allowReturn: true },
      { type: 'breakout-create', rooms: ['A'], allowChoice: false, allowReturn: true, secret: 1 },
      { type: 'breakout-create', rooms: ['x'.repeat(65)], allowChoice: false, allowReturn: true },
      { type: 'breakout-create', rooms: ['bad\u202Ename'], allowChoice: false, allowReturn: true },
      { type: 'breakout-assign', assignments: [{ participantId: m.hostId, room: 50 }] },
      { type: 'breakout-open', minutes: 0 },
      { type: 'breakout-close', countdownSeconds: 301 },
      { type: 'breakout-join', room: -1 },
      { type: 'breakout-enter', meetingId: m.meetingId, roomId: 'nope', ticket: 'x', deviceId: randomDeviceId() },
    ];
    for (const message of bad) assert.equal(errorCode(await m.host.request(message)), 'bad-message', JSON.stringify(message).slice(0, 80));
    // Out of order: nothing to open or assign yet, and an unknown person.
    assert.equal(errorCode(await m.host.request({ type: 'breakout-open', minutes: null })), 'invalid-state');
    assert.equal((await m.host.request({ type: 'breakout-create', rooms: ['A'], allowChoice: false, allowReturn: true })).type, 'ok');
    assert.equal(errorCode(await m.host.request({ type: 'breakout-assign', assignments: [{ participantId: 'aaaaaaaaaaaaaaaa', room: 0 }] })), 'not-found');
    assert.equal(errorCode(await m.host.request({ type: 'breakout-assign', assignments: [{ participantId: m.hostId, room: 3 }] })), 'not-found');
    // Closing a draft drops it; closing nothing is out of order.
    const dropped = m.host.next((x) => x.type === 'breakout-state' && x.phase === 'none');
    assert.equal((await m.host.request({ type: 'breakout-close', countdownSeconds: 30 })).type, 'ok');
    await dropped;
    assert.equal(errorCode(await m.host.request({ type: 'breakout-close', countdownSeconds: 0 })), 'invalid-state');
    // `breakout-enter` on a connection already in a meeting is refused too.
    assert.equal(errorCode(await m.host.request({ type: 'breakout-enter', meetingId: m.meetingId, roomId: m.meetingId, ticket: randomDeviceId(), deviceId: randomDeviceId() })), 'invalid-state');
    // The server keeps serving: the host's connection, and a newcomer's.
    assert.equal((await m.host.request({ type: 'rename', name: 'Host' })).type, 'ok');
    const newcomer = await RawClient.connect(server.wsUrl);
    const waiting = newcomer.nextOf('waiting');
    assert.equal((await newcomer.request({ type: 'join', meetingId: m.meetingId, passcode: m.passcode, name: 'Newcomer', deviceId: randomDeviceId() })).type, 'ok');
    assert.equal((await waiting).reason, 'waiting-room');
  });
});
