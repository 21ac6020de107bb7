import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdmissionError, admitInBatches } from '../../src/client/admission.ts';
import { MAX_BATCH, type WaitingEntry } from '../../src/protocol/index.ts';
import { applyWaitingRoomMessage } from '../../src/protocol/waiting-room.ts';
import { FakeMeeting, type Person } from './e2ee-fake-meeting.ts';

/** The waiting room as `host`'s client has been told it: snapshot, then changes. */
function hostView(host: Person): WaitingEntry[] {
  let list: WaitingEntry[] = [];
  for (const m of host.received) if (m.type === 'waiting-room' || m.type === 'waiting-room-changed') list = applyWaitingRoomMessage(list, m);
  return list;
}

const noSleep = () => Promise.resolve();

describe('admitting from the waiting room', () => {
  test('admits 150 waiting people in two batches, each its own commit, and everyone ends in one group', async () => {
    const meeting = await FakeMeeting.create();
    const host = meeting.arrive('host');
    await meeting.settle();
    const waiting = Array.from({ length: 150 }, () => meeting.arrive('participant', true));
    await meeting.settle();
    assert.equal(hostView(host).length, 150, 'the host knows everyone waiting, from changes alone');
    assert.ok(hostView(host).every((e) => e.keyPackage !== undefined), 'and every KeyPackage');
    const epochBefore = meeting.mls.epoch;

    const batches: number[] = [];
    await admitInBatches(
      waiting.map((p) => p.id),
      {
        waiting: () => hostView(host),
        admitBatch: async (ids, entries) => {
          batches.push(ids.length);
          await host.session.admit(ids, entries);
        },
        sleep: noSleep,
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

  test('skips people who stopped waiting and waits for a KeyPackage that is late', async () => {
    const entries: WaitingEntry[] = [
      { participantId: '000000000000000a', name: 'A', keyPackage: 'AAAA' },
      { participantId: '000000000000000b', name: 'B' },
    ];
    const admitted: string[][] = [];
    let polls = 0;
    await admitInBatches(['000000000000000a', '000000000000000b', '000000000000000c'], {
      waiting: () => entries,
      admitBatch: async (ids) => void admitted.push([...ids]),
      sleep: async () => {
        // B's KeyPackage arrives after a few polls; C left before the admission started.
        if (++polls === 3) entries[1] = { ...entries[1]!, keyPackage: 'BBBB' };
      },
    });
    assert.deepEqual(admitted, [['000000000000000a', '000000000000000b']]);
    assert.equal(polls, 3);
  });

  test('stops at the first refused batch and says why', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => i.toString(16).padStart(16, '0'));
    const entries = ids.map((participantId) => ({ participantId, name: 'x', keyPackage: 'AAAA' }));
    const sent: number[] = [];
    const admission = admitInBatches(ids, {
      waiting: () => entries,
      admitBatch: async (batch) => {
        sent.push(batch.length);
        if (sent.length === 2) throw new Error('stale-epoch');
      },
      sleep: noSleep,
    });
    await assert.rejects(admission, (error: unknown) => error instanceof AdmissionError && error.reason === 'refused');
    assert.deepEqual(sent, [100, 100], 'the third batch was never sent');
  });

  test('gives up on someone whose KeyPackage never comes, without sending anything', async () => {
    let sent = 0;
    const admission = admitInBatches(['000000000000000a'], {
      waiting: () => [{ participantId: '000000000000000a', name: 'A' }],
      admitBatch: async () => void sent++,
      keyPackageWaitMs: 300,
      sleep: noSleep,
    });
    await assert.rejects(admission, (error: unknown) => error instanceof AdmissionError && error.reason === 'no-key-package');
    assert.equal(sent, 0);
  });
});
