/**
 * Shared by the E2EE session tests (e2ee-session, e2ee-resync): the clock their workers run on, which the
 * tests move rather than wait (key-timing.ts); the meetings most of them start from; and what they check
 * once a FakeMeeting has settled: everyone agrees on the group, and media flows between every pair. The
 * sealed-payload tests (e2ee-chat-text, e2ee-signals, e2ee-polls, e2ee-recording-consent) start from
 * hostAndTwoParticipants and record what each session opens with recordEvents.
 */
import assert from 'node:assert/strict';
import type { E2eeSessionEvents } from '../../src/e2ee/session/session-types.ts';
import { SEND_KEY_DELAY_MS } from '../../src/e2ee/worker/key-timing.ts';
import { FakeMeeting, type Person } from './e2ee-fake-meeting.ts';

/** A clock for every worker of a meeting (FakeMeeting.create({ workerClock: clock.now })), moved by hand. */
export class ManualClock {
  #now = 1_000_000;
  readonly now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }
}

/** A host and a participant in the group, each arrival settled. */
export async function hostAndParticipant(clock: ManualClock): Promise<{ meeting: FakeMeeting; host: Person; b: Person }> {
  const meeting = await FakeMeeting.create({ workerClock: clock.now });
  const host = meeting.arrive('host');
  await meeting.settle();
  const b = meeting.arrive('participant');
  await meeting.settle();
  return { meeting, host, b };
}

/** A host, settled, then two participants who arrive together, settled; on the real clock (no key-timing tests). */
export async function hostAndTwoParticipants(): Promise<{ meeting: FakeMeeting; host: Person; first: Person; second: Person }> {
  const meeting = await FakeMeeting.create();
  const host = meeting.arrive('host');
  await meeting.settle();
  const first = meeting.arrive('participant');
  const second = meeting.arrive('participant');
  await meeting.settle();
  return { meeting, host, first, second };
}

/** From now on, what each person's session emits as `event` (its first argument), by person id. */
export function recordEvents<K extends keyof E2eeSessionEvents>(people: readonly Person[], event: K): Map<string, E2eeSessionEvents[K][0][]> {
  const seen = new Map<string, E2eeSessionEvents[K][0][]>();
  for (const p of people) {
    const list: E2eeSessionEvents[K][0][] = [];
    seen.set(p.id, list);
    p.session.on(event, (...args) => list.push(args[0]));
  }
  return seen;
}

/** hostAndParticipant, then one person in the waiting room: where admission tests start. `epoch`: the group's now. */
export async function hostParticipantAndOneWaiting(clock: ManualClock) {
  const { meeting, host, b } = await hostAndParticipant(clock);
  const waiting = meeting.arrive('participant', true);
  await meeting.settle();
  return { meeting, host, b, waiting, epoch: meeting.mls.epoch };
}

/** Everyone ready (not resyncing) at the same epoch, with the same security code and roster, with no problem reported. */
export function assertAgreement(people: readonly Person[]): { epoch: number; code: string } {
  const first = people[0]!.session;
  for (const p of people) {
    assert.equal(p.session.state, 'ready', `${p.id} ready`);
    assert.equal(p.session.resyncing, false, `${p.id} is not resyncing`);
    assert.equal(p.session.epoch, first.epoch, `${p.id} epoch`);
    assert.equal(p.session.securityCode, first.securityCode, `${p.id} security code`);
    assert.deepEqual(p.session.members(), first.members(), `${p.id} roster`);
    assert.deepEqual(p.problems, [], `${p.id} had no problem`);
  }
  const ids = first.members().filter((id) => id !== undefined);
  assert.deepEqual(new Set(ids), new Set(people.map((p) => p.id)), 'the MLS roster is exactly the people present');
  assert.equal(ids.length, people.length, 'one leaf each');
  return { epoch: first.epoch!, code: first.securityCode! };
}

/**
 * Every pair of people, audio and video: what one sends as a frame, the other opens as coming from the
 * sender. First the send-key delay passes, so that everyone sends under the newest epoch (a member that
 * joined at it has no older keys).
 */
export async function assertMediaFlows(people: readonly Person[], clock: ManualClock): Promise<void> {
  clock.advance(SEND_KEY_DELAY_MS);
  for (const kind of ['audio', 'video'] as const) {
    for (const sender of people) {
      const plain = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + sender.id.charCodeAt(15)) & 0xff);
      const frame = await sender.worker.core.cryptor.encryptFrame(plain, kind);
      assert.ok(frame, `${sender.id} has a ${kind} send key`);
      for (const receiver of people) {
        if (receiver === sender) continue;
        const opened = await receiver.worker.core.cryptor.decryptFrame(frame, sender.id, kind);
        assert.deepEqual(opened, plain, `${receiver.id} opens ${sender.id}'s ${kind} frame`);
      }
    }
  }
}
