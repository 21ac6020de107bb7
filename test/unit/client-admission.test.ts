import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdmissionDesk, AdmissionError, admitInBatches, type AdmissionOptions, type StartTimer } from '../../src/client/admission.ts';
import { MAX_BATCH, type ServerMessage, type WaitingEntry } from '../../src/protocol/index.ts';
import { applyWaitingRoomMessage } from '../../src/protocol/waiting-room.ts';
import { FakeMeeting, type Person } from './e2ee-fake-meeting.ts';

/** The waiting room as `host`'s client has been told it: snapshot, then changes. */
function hostView(host: Person): WaitingEntry[] {
  let list: WaitingEntry[] = [];
  for (const m of host.received) if (m.type === 'waiting-room' || m.type === 'waiting-room-changed') list = applyWaitingRoomMessage(list, m);
  return list;
}

/** The host's waiting room with a change notice after each waiting-room message, as RoomState gives the SDK. */
function watchedHostView(host: Person): Pick<AdmissionOptions, 'waiting' | 'onWaitingChange'> {
  const listeners = new Set<() => void>();
  let list = hostView(host);
  const received = host.received as ServerMessage[];
  const push = received.push.bind(received);
  received.push = (...messages: ServerMessage[]) => {
    const length = push(...messages);
    for (const m of messages) {
      if (m.type !== 'waiting-room' && m.type !== 'waiting-room-changed') continue;
      list = applyWaitingRoomMessage(list, m);
      for (const listener of [...listeners]) listener();
    }
    return length;
  };
  return {
    waiting: () => list,
    onWaitingChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A waiting room the test changes by hand, which counts who listens to it. */
class WaitingRoom {
  entries: WaitingEntry[];
  readonly #listeners = new Set<() => void>();
  constructor(entries: WaitingEntry[]) {
    this.entries = entries;
  }
  get listeners(): number {
    return this.#listeners.size;
  }
  change(entries: WaitingEntry[]): void {
    this.entries = entries;
    for (const listener of [...this.#listeners]) listener();
  }
  options(): Pick<AdmissionOptions, 'waiting' | 'onWaitingChange'> {
    return {
      waiting: () => this.entries,
      onWaitingChange: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
    };
  }
}

/** Timers that fire only when the test says so: no test here depends on how fast the machine is. */
function manualTimers(): { startTimer: StartTimer; running: () => number; fireAll: () => void } {
  const timers = new Set<() => void>();
  return {
    startTimer: (_ms, onTimeout) => {
      timers.add(onTimeout);
      return () => timers.delete(onTimeout);
    },
    running: () => timers.size,
    fireAll: () => {
      for (const fire of [...timers]) {
        timers.delete(fire);
        fire();
      }
    },
  };
}

const ID = (n: number) => n.toString(16).padStart(16, '0');
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('admitting from the waiting room', () => {
  test('admits 150 people whose KeyPackages are still on their way, in two batches, each its own commit, into one group', async () => {
    const meeting = await FakeMeeting.create();
    const host = meeting.arrive('host');
    await meeting.settle();
    const view = watchedHostView(host);
    const waiting = Array.from({ length: 150 }, () => meeting.arrive('participant', true));
    assert.ok(
      view.waiting().some((e) => e.keyPackage === undefined),
      'the admission starts before every KeyPackage is known: it must wait for them',
    );
    const epochBefore = meeting.mls.epoch;

    const batches: number[] = [];
    await admitInBatches(
      waiting.map((p) => p.id),
      {
        ...view,
        admitBatch: async (ids, entries) => {
          batches.push(ids.length);
          assert.ok(entries.every((e) => e.keyPackage !== undefined), 'a batch is sent only with every KeyPackage');
          await host.session.admit(ids, entries);
        },
        keyPackageWaitMs: 120_000, // the KeyPackages, not the timer, end the wait
      },
    );
    await meeting.settle();

    assert.deepEqual(batches, [MAX_BATCH, 50]);
    assert.deepEqual(meeting.refused, [], 'the server refused nothing');
    assert.equal(meeting.mls.epoch, epochBefore + 2, 'one commit per batch');
    assert.deepEqual(hostView(host), [], 'the waiting room is empty');
    const everyone = [host, ...waiting];
    assert.ok(everyone.every((p) => p.state === 'joined'));
    for (const p of everyone) {
      assert.equal(p.session.state, 'ready', `${p.id} has keys`);
      assert.equal(p.session.epoch, host.session.epoch, `${p.id} is at the host's epoch`);
      assert.equal(p.session.securityCode, host.session.securityCode, `${p.id} shows the host's security code`);
      assert.deepEqual(p.problems, [], `${p.id} had no problem`);
    }
    assert.equal(host.session.members().filter((id) => id !== undefined).length, 151);
  });

  test('goes on at the change that brings a late KeyPackage, and skips people who stopped waiting', async () => {
    const room = new WaitingRoom([
      { participantId: ID(0xa), name: 'A', keyPackage: 'AAAA' },
      { participantId: ID(0xb), name: 'B' },
    ]);
    const timers = manualTimers();
    const admitted: string[][] = [];
    const admission = admitInBatches([ID(0xa), ID(0xb), ID(0xc)], {
      ...room.options(),
      admitBatch: async (ids) => void admitted.push([...ids]),
      startTimer: timers.startTimer,
    });
    await turn();
    assert.deepEqual(admitted, [], 'nothing is sent while B has no KeyPackage');
    room.change([...room.entries, { participantId: ID(0xd), name: 'D', keyPackage: 'DDDD' }]); // someone else arrives
    await turn();
    assert.deepEqual(admitted, [], 'a change that does not bring the KeyPackage changes nothing');
    // C left before the admission started; B's KeyPackage arrives.
    room.change([room.entries[0]!, { participantId: ID(0xb), name: 'B', keyPackage: 'BBBB' }, room.entries[2]!]);
    await admission;
    assert.deepEqual(admitted, [[ID(0xa), ID(0xb)]]);
    assert.equal(room.listeners, 0, 'it stopped listening to the waiting room');
    assert.equal(timers.running(), 0, 'and stopped its timer');
  });

  test('stops at the first refused batch and says why', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => ID(i));
    const room = new WaitingRoom(ids.map((participantId) => ({ participantId, name: 'x', keyPackage: 'AAAA' })));
    const sent: number[] = [];
    const admission = admitInBatches(ids, {
      ...room.options(),
      admitBatch: async (batch) => {
        sent.push(batch.length);
        if (sent.length === 2) throw new Error('stale-epoch');
      },
    });
    await assert.rejects(admission, (error: unknown) => error instanceof AdmissionError && error.reason === 'refused');
    assert.deepEqual(sent, [100, 100], 'the third batch was never sent');
  });

  test('gives up on someone whose KeyPackage never comes, without sending anything', async () => {
    const room = new WaitingRoom([{ participantId: ID(0xa), name: 'A' }]);
    const timers = manualTimers();
    let sent = 0;
    const admission = admitInBatches([ID(0xa)], { ...room.options(), admitBatch: async () => void sent++, startTimer: timers.startTimer });
    await turn();
    timers.fireAll();
    await assert.rejects(admission, (error: unknown) => error instanceof AdmissionError && error.reason === 'no-key-package');
    assert.equal(sent, 0);
    assert.equal(room.listeners, 0);
  });

  test('stops waiting at once when cancelled, and sends nothing even if the KeyPackage comes afterwards', async () => {
    const room = new WaitingRoom([{ participantId: ID(0xa), name: 'A' }]);
    const timers = manualTimers();
    const controller = new AbortController();
    let sent = 0;
    const admission = admitInBatches([ID(0xa)], {
      ...room.options(),
      admitBatch: async () => void sent++,
      startTimer: timers.startTimer,
      signal: controller.signal,
    });
    await turn();
    controller.abort();
    await assert.rejects(admission, (error: unknown) => error instanceof AdmissionError && error.reason === 'cancelled');
    assert.equal(room.listeners, 0, 'no listener left behind');
    assert.equal(timers.running(), 0, 'no timer left behind');
    room.change([{ participantId: ID(0xa), name: 'A', keyPackage: 'AAAA' }]);
    await turn();
    assert.equal(sent, 0);
  });

  test('lets a batch already sent finish when cancelled, and sends no batch after it', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => ID(i));
    const room = new WaitingRoom(ids.map((participantId) => ({ participantId, name: 'x', keyPackage: 'AAAA' })));
    const controller = new AbortController();
    const sent: number[] = [];
    const admission = admitInBatches(ids, {
      ...room.options(),
      admitBatch: async (batch) => {
        sent.push(batch.length);
        controller.abort(); // the host leaves while the first commit is on its way
      },
      signal: controller.signal,
    });
    await assert.rejects(admission, (error: unknown) => error instanceof AdmissionError && error.reason === 'cancelled');
    assert.deepEqual(sent, [MAX_BATCH]);
  });
});

describe('the admission desk', () => {
  test('a second admit while the first waits takes it over and admits both people once, in one batch', async () => {
    const room = new WaitingRoom([
      { participantId: ID(0xa), name: 'A' },
      { participantId: ID(0xb), name: 'B', keyPackage: 'BBBB' },
    ]);
    const timers = manualTimers();
    const admitted: string[][] = [];
    const desk = new AdmissionDesk({
      ...room.options(),
      admitBatch: async (ids) => {
        admitted.push([...ids]);
        room.change(room.entries.filter((e) => !ids.includes(e.participantId)));
      },
      startTimer: timers.startTimer,
    });
    const first = desk.admit([ID(0xa)]);
    await turn();
    const second = desk.admit([ID(0xb)]);
    await turn();
    assert.deepEqual(admitted, [], 'B is not admitted ahead of A, nor A without its KeyPackage');
    assert.equal(room.listeners, 1, 'only the newer admission listens');
    room.change([{ participantId: ID(0xa), name: 'A', keyPackage: 'AAAA' }, room.entries[1]!]);
    await Promise.all([first, second]);
    assert.deepEqual(admitted, [[ID(0xa), ID(0xb)]]);
  });

  test('gives both callers the failure of the admission that took over', async () => {
    const room = new WaitingRoom([{ participantId: ID(0xa), name: 'A' }]);
    const timers = manualTimers();
    const desk = new AdmissionDesk({ ...room.options(), admitBatch: async () => undefined, startTimer: timers.startTimer });
    const first = desk.admit([ID(0xa)]);
    await turn();
    const second = desk.admit([ID(0xa)]);
    await turn();
    timers.fireAll();
    const noKeyPackage = (error: unknown) => error instanceof AdmissionError && error.reason === 'no-key-package';
    await assert.rejects(first, noKeyPackage);
    await assert.rejects(second, noKeyPackage);
  });

  test('cancel (leaving the meeting) ends the admission in progress without sending anything', async () => {
    const room = new WaitingRoom([{ participantId: ID(0xa), name: 'A' }]);
    const timers = manualTimers();
    let sent = 0;
    const desk = new AdmissionDesk({ ...room.options(), admitBatch: async () => void sent++, startTimer: timers.startTimer });
    const admission = desk.admit([ID(0xa)]);
    await turn();
    desk.cancel();
    await assert.rejects(admission, (error: unknown) => error instanceof AdmissionError && error.reason === 'cancelled');
    room.change([{ participantId: ID(0xa), name: 'A', keyPackage: 'AAAA' }]);
    await turn();
    assert.equal(sent, 0);
    assert.equal(room.listeners, 0);
  });
});
