/**
 * The breakout plan's state machine (src/server/meetings/breakout/plan.ts) alone: phases, balanced random
 * assignment, choosing, reassigning, the entry rule and closing.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../src/server/errors.ts';
import { BreakoutPlan } from '../../src/server/meetings/breakout/plan.ts';
import { BreakoutTickets, TICKET_TTL_MS } from '../../src/server/meetings/breakout/tickets.ts';

const people = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(16, '0'));
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof ProtocolError ? error.code : 'other';
  }
  return 'none';
};

function draft(rooms = 3, options = { allowChoice: false, allowReturn: true }): BreakoutPlan {
  const plan = new BreakoutPlan();
  plan.create(Array.from({ length: rooms }, (_, i) => `Room ${i + 1}`), options);
  return plan;
}

describe('breakout plan', () => {
  it('fills the emptiest rooms first at random, so that rooms it fills end at most one above the emptiest', () => {
    for (let trial = 0; trial < 50; trial++) {
      const rooms = 1 + randomInt(7);
      const plan = draft(rooms);
      const everyone = people(randomInt(40));
      // A few placed by hand first, all in room 0: the random ones fill the others up first.
      const byHand = everyone.slice(0, Math.min(3, everyone.length));
      plan.assign(byHand.map((participantId) => ({ participantId, room: 0 })));
      const changes = plan.assignRandom(everyone, randomInt);
      assert.equal(changes.length, everyone.length - byHand.length, 'only the unassigned are placed');
      const counts = plan.counts();
      assert.equal(counts.reduce((a, b) => a + b, 0), everyone.length);
      // Water-filling: every room that got someone at random ends at most one above the emptiest room.
      const least = Math.min(...counts);
      const filled = new Set(changes.map((c) => c.room));
      for (const room of filled) assert.ok(counts[room!]! <= least + 1, `rooms ${counts.join(',')}`);
      for (const id of everyone) assert.notEqual(plan.roomOf(id), null);
    }
  });

  it('balances exactly when nobody was placed by hand, and randomises who goes where', () => {
    const plan = draft(4);
    plan.assignRandom(people(10), randomInt);
    assert.deepEqual([...plan.counts()].sort(), [2, 2, 3, 3]);
    const rooms = new Set<number | null>();
    for (let trial = 0; trial < 20; trial++) {
      const again = draft(4);
      again.assignRandom(people(10), randomInt);
      rooms.add(again.roomOf(people(1)[0]!));
    }
    assert.ok(rooms.size > 1, 'the first person does not always land in the same room');
  });

  it('moves a person on reassignment, reports only real changes, and takes them out with room null', () => {
    const plan = draft(2);
    const [a, b] = people(2) as [string, string];
    assert.deepEqual(plan.assign([{ participantId: a, room: 0 }, { participantId: b, room: 1 }]).length, 2);
    assert.deepEqual(plan.assign([{ participantId: a, room: 0 }]), [], 'unchanged');
    assert.deepEqual(plan.assign([{ participantId: a, room: 1 }]), [{ participantId: a, room: 1 }]);
    assert.deepEqual(plan.counts(), [0, 2]);
    plan.assign([{ participantId: b, room: null }]);
    assert.equal(plan.roomOf(b), null);
    assert.equal(code(() => plan.assign([{ participantId: a, room: 2 }])), 'not-found');
    assert.equal(plan.roomOf(a), 1, 'a refused batch changes nothing');
  });

  it('lets people choose only with choosing allowed and rooms open, and lets anyone in only to their room', () => {
    const [a, b] = people(2) as [string, string];
    const fixed = draft(2);
    fixed.assign([{ participantId: a, room: 0 }]);
    assert.equal(fixed.mayEnter(a, false, 0), false, 'not before opening');
    fixed.open(1000, null);
    assert.equal(fixed.mayEnter(a, false, 0), true);
    assert.equal(fixed.mayEnter(a, false, 1), false, 'not another room');
    assert.equal(fixed.mayEnter(b, false, 0), false, 'not unassigned');
    assert.equal(fixed.mayEnter(b, true, 1), true, 'hosts visit any room');
    assert.equal(fixed.mayEnter(b, true, 2), false, 'not a room that does not exist');
    assert.equal(code(() => fixed.choose(b, 1)), 'forbidden');

    const free = draft(2, { allowChoice: true, allowReturn: false });
    assert.equal(code(() => free.choose(b, 1)), 'invalid-state', 'choosing waits for the rooms to open');
    free.open(1000, 10);
    assert.equal(free.endsAt, 1000 + 10 * 60_000);
    assert.equal(free.mayEnter(b, false, 1), true);
    assert.equal(free.choose(b, 1), true);
    assert.equal(free.choose(b, 1), false, 'the same room again is no change');
    assert.equal(free.roomOf(b), 1);
  });

  it('goes draft → open → closing → none, and refuses what a phase does not accept', () => {
    const plan = new BreakoutPlan();
    assert.equal(code(() => plan.open(0, null)), 'invalid-state');
    assert.equal(code(() => plan.assign([])), 'invalid-state');
    plan.create(['A', 'B'], { allowChoice: false, allowReturn: true });
    plan.create(['A', 'B', 'C'], { allowChoice: false, allowReturn: true });
    assert.equal(plan.rooms.length, 3, 'a draft may be replaced');
    assert.equal(code(() => plan.startClosing(0, 30)), 'invalid-state');
    plan.assign([{ participantId: people(1)[0]!, room: 2 }]);
    plan.open(0, null);
    assert.equal(code(() => plan.create(['X'], { allowChoice: false, allowReturn: true })), 'invalid-state', 'not while open');
    plan.startClosing(5000, 30);
    assert.equal(plan.closesAt, 35_000);
    assert.equal(plan.mayEnter(people(1)[0]!, false, 2), false, 'nobody enters a closing room');
    assert.equal(code(() => plan.assign([])), 'invalid-state');
    plan.finish();
    assert.equal(plan.phase, 'none');
    assert.deepEqual([plan.rooms, plan.assignments(), plan.endsAt, plan.closesAt], [[], [], null, null]);
  });

  it('forgets a person who left in every phase', () => {
    const plan = draft(2);
    const [a] = people(1) as [string];
    plan.assign([{ participantId: a, room: 1 }]);
    assert.equal(plan.forget(a), true);
    assert.equal(plan.forget(a), false);
    assert.equal(plan.roomOf(a), null);
  });
});

describe('breakout tickets', () => {
  it('work once, for their room, until they expire; a new ticket replaces the old one', () => {
    let now = 0;
    const tickets = new BreakoutTickets(() => now);
    const first = tickets.issue('p1', 0, 'room-a');
    const second = tickets.issue('p1', 0, 'room-a');
    assert.equal(tickets.redeem(first, 'room-a'), undefined, 'replaced');
    assert.equal(tickets.redeem(second, 'room-b'), undefined, 'another room');
    assert.equal(tickets.redeem(second, 'room-a'), undefined, 'spent by the wrong use');
    const third = tickets.issue('p1', 0, 'room-a');
    assert.deepEqual(tickets.redeem(third, 'room-a')?.participantId, 'p1');
    assert.equal(tickets.redeem(third, 'room-a'), undefined, 'used');
    const late = tickets.issue('p2', 1, 'room-b');
    now += TICKET_TTL_MS + 1;
    assert.equal(tickets.redeem(late, 'room-b'), undefined, 'expired');
    tickets.issue('p3', 1, 'room-b');
    tickets.clear();
    assert.equal(tickets.size, 0);
  });
});
