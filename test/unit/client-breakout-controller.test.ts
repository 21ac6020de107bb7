/**
 * The Breakout controller (src/client/breakout/breakout.ts) driven alone, with stand-ins for the main Room and
 * the breakout rooms' Rooms: a ticket pauses the main meeting's media and joins a room with it; leaving or the
 * room's end brings the main media back; a move goes from room to room without it; only a host's or co-host's
 * message to all rooms is shown.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Breakout } from '../../src/client/breakout/breakout.ts';
import type { JoinOptions } from '../../src/client/join-request.ts';
import type { Room } from '../../src/client/room.ts';
import { Emitter } from '../../src/events/emitter.ts';
import type { ServerMessage } from '../../src/protocol/index.ts';

/** An Emitter whose `emit` tests may call. */
class Events<E extends Record<string, unknown[]>> extends Emitter<E> {
  fire<K extends keyof E>(event: K, ...args: E[K]): void {
    this.emit(event, ...args);
  }
}

type ConnectionEvent = { name: 'joined' } | { name: 'left'; reason: string };

class FakeRoom extends Events<{ connection: [ConnectionEvent] }> {
  joins: JoinOptions[] = [];
  left = false;
  join(options: JoinOptions): Promise<void> {
    this.joins.push(options);
    return Promise.resolve();
  }
  leave(): Promise<void> {
    this.left = true;
    this.fire('connection', { name: 'left', reason: 'left' });
    return Promise.resolve();
  }
}

function setup() {
  const signalling = new Events<{ message: [ServerMessage] }>();
  const encryption = new Events<{ signal: [{ from: string; signal: { kind: string; text?: string }; sentAt: number }] }>();
  const mainEvents = new Events<{ encryption: [unknown] }>();
  const state = Object.assign(new Events<{ 'participant-left': [] }>(), {
    selfId: 'aaaaaaaaaaaaaaaa',
    participants: new Map([
      ['aaaaaaaaaaaaaaaa', { role: 'participant' }],
      ['bbbbbbbbbbbbbbbb', { role: 'host' }],
      ['cccccccccccccccc', { role: 'participant' }],
    ]),
  });
  const media: string[] = [];
  const main = {
    signalling,
    state,
    on: mainEvents.on.bind(mainEvents),
    pauseMedia: () => media.push('pause'),
    resumeMedia: () => media.push('resume'),
  } as unknown as Room;
  const rooms: FakeRoom[] = [];
  const join: JoinOptions = { meetingId: 'mainmeetingid234', passcode: 'p', name: 'Asha', deviceId: 'd'.repeat(43) };
  const breakout = new Breakout({ main, createRoom: () => rooms[rooms.push(new FakeRoom()) - 1] as unknown as Room, joinOptions: () => join });
  mainEvents.fire('encryption', encryption);
  const seen: (number | null)[] = [];
  breakout.on('room', (_room, index) => seen.push(index));
  const ticket = (room: number, roomId: string) => signalling.fire('message', { type: 'breakout-ticket', room, roomId, ticket: 't'.repeat(43) });
  return { breakout, signalling, encryption, media, rooms, seen, ticket };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the breakout controller', () => {
  test('joins the room of a ticket with the main meeting paused, and resumes it when the room ends', async () => {
    const { media, rooms, seen, ticket } = setup();
    ticket(0, 'roomaaaaaaaaaaa');
    await tick();
    assert.equal(rooms.length, 1);
    assert.deepEqual(rooms[0]!.joins, [{ meetingId: 'roomaaaaaaaaaaa', name: 'Asha', deviceId: 'd'.repeat(43), breakout: { meetingId: 'mainmeetingid234', ticket: 't'.repeat(43) } }]);
    assert.deepEqual(media, ['pause']);
    rooms[0]!.fire('connection', { name: 'joined' });
    ticket(0, 'roomaaaaaaaaaaa');
    await tick();
    assert.equal(rooms.length, 1, 'a ticket to the room we are in changes nothing');
    rooms[0]!.fire('connection', { name: 'left', reason: 'ended' });
    assert.deepEqual(media, ['pause', 'resume']);
    assert.deepEqual(seen, [0, null]);
  });

  test('moves from room to room without bringing the main media back in between', async () => {
    const { breakout, media, rooms, seen, ticket } = setup();
    ticket(0, 'roomaaaaaaaaaaa');
    await tick();
    rooms[0]!.fire('connection', { name: 'joined' });
    ticket(1, 'roombbbbbbbbbbb');
    await tick();
    assert.equal(rooms[0]!.left, true, 'the old room is left');
    rooms[1]!.fire('connection', { name: 'joined' });
    assert.deepEqual(media, ['pause', 'pause'], 'no resume between rooms');
    assert.equal(breakout.roomIndex, 1);
    await breakout.returnToMain();
    assert.deepEqual(media.at(-1), 'resume');
    assert.deepEqual(seen, [0, 1, null]);
  });

  test('says when a room could not be entered', async () => {
    const { breakout, media, rooms, ticket } = setup();
    const notices: string[] = [];
    breakout.on('notice', (n) => notices.push(n.kind));
    ticket(0, 'roomaaaaaaaaaaa');
    await tick();
    rooms[0]!.fire('connection', { name: 'left', reason: 'join-refused' });
    assert.deepEqual(notices, ['entering', 'enter-failed']);
    assert.deepEqual(media, ['pause', 'resume']);
  });

  test('shows a message to all rooms only from a host or co-host', () => {
    const { breakout, encryption } = setup();
    const shown: string[] = [];
    breakout.on('broadcast', (m) => shown.push(`${m.from}:${m.text}`));
    encryption.fire('signal', { from: 'cccccccccccccccc', signal: { kind: 'breakout-broadcast', text: 'fake' }, sentAt: 1 });
    encryption.fire('signal', { from: 'dddddddddddddddd', signal: { kind: 'breakout-broadcast', text: 'stranger' }, sentAt: 1 });
    encryption.fire('signal', { from: 'bbbbbbbbbbbbbbbb', signal: { kind: 'reaction', text: 'x' }, sentAt: 1 });
    encryption.fire('signal', { from: 'bbbbbbbbbbbbbbbb', signal: { kind: 'breakout-broadcast', text: 'Five minutes' }, sentAt: 1 });
    assert.deepEqual(shown, ['bbbbbbbbbbbbbbbb:Five minutes']);
  });

  test('follows the plan and says when the rooms start closing', () => {
    const { breakout, signalling } = setup();
    const notices: unknown[] = [];
    breakout.on('notice', (n) => notices.push(n));
    const state: ServerMessage = { type: 'breakout-state', phase: 'closing', rooms: ['Red'], allowChoice: false, allowReturn: true, endsAt: null, closesAt: 42, yourRoom: 0 };
    signalling.fire('message', state);
    signalling.fire('message', state);
    assert.deepEqual(notices, [{ kind: 'closing', closesAt: 42 }], 'once');
    assert.equal(breakout.plan.state.phase, 'closing');
  });
});
