/**
 * People coming and going while everyone sends media: the E2eeSessions of a FakeMeeting, each with its real
 * WorkerCore, on one clock the test moves. Frames are sealed by each sender's FrameCryptor and opened by
 * every other person's, with one round of latency (frames in flight while keys change).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeHeader } from '../../src/e2ee/sframe/index.ts';
import { RECEIVE_KEY_GRACE_MS, SEND_KEY_DELAY_MS } from '../../src/e2ee/worker/key-timing.ts';
import { FakeMeeting, type Person } from './e2ee-fake-meeting.ts';

/** Virtual time moved per pump round while time passes. */
const STEP_MS = 100;
/**
 * How much later than the committer each further member gets the commit (relay, network, MLS processing):
 * the k-th other member processes it k x this later. Well under SEND_KEY_DELAY_MS for six people.
 */
const COMMIT_LAG_STEP_MS = 100;

interface InFlight {
  readonly from: Person;
  readonly frame: Uint8Array;
  readonly plain: Uint8Array;
}

class MediaRoom {
  t = 1_000_000;
  readonly now = () => this.t;
  readonly publishing = new Set<Person>();
  readonly failures: { at: string; participantId: string; reason: string; count: number }[] = [];
  /** Frames opened, by receiver and sender. */
  readonly opened = new Map<string, number>();
  /** Epochs seen in the KIDs of sent frames (low 8 bits), in order of first use. */
  readonly epochsSent: number[] = [];
  #inFlight: InFlight[] = [];
  #seq = 0;
  meeting!: FakeMeeting;

  async start(): Promise<void> {
    this.meeting = await FakeMeeting.create({ workerClock: this.now });
  }

  arrive(role: Person['role'], waitingRoom = false): Person {
    const person = this.meeting.arrive(role, waitingRoom);
    person.session.on('decrypt-failure', (f) => this.failures.push({ at: person.id, ...f }));
    return person;
  }

  /** Sends one round: the previous round's frames arrive (each to everyone in the meeting but its sender), new ones leave. */
  async pump(): Promise<void> {
    const arriving = this.#inFlight;
    this.#inFlight = [];
    for (const { from, frame, plain } of arriving) {
      for (const receiver of this.meeting.joined()) {
        if (receiver === from) continue;
        const opened = await receiver.worker.core.cryptor.decryptFrame(frame, from.id, 'video');
        if (opened === null) continue;
        assert.deepEqual(opened, plain, 'a frame opens to what was sent');
        const key = `${receiver.id}<${from.id}`;
        this.opened.set(key, (this.opened.get(key) ?? 0) + 1);
      }
    }
    for (const sender of this.publishing) {
      const plain = deltaFrame(this.#seq++);
      const frame = await sender.worker.core.cryptor.encryptFrame(plain, 'video');
      assert.ok(frame, `${sender.id} has a send key while publishing`);
      const epochLow = Number(decodeHeader(frame.subarray(3)).kid & 0xffn);
      if (!this.epochsSent.includes(epochLow)) this.epochsSent.push(epochLow);
      this.#inFlight.push({ from: sender, frame, plain });
    }
  }

  /** Lets the meeting settle (every commit relayed and processed) while media keeps flowing, at the same instant. */
  async settleWithMedia(): Promise<void> {
    let done = false;
    const settled = this.meeting.settle().finally(() => (done = true));
    while (!done) {
      await this.pump();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await settled;
  }

  /**
   * A membership change: the committer hears its verdict at once, the others get the server's messages
   * one after another, COMMIT_LAG_STEP_MS apart, media flowing all along.
   */
  async change(committer: Person, act: () => Promise<void> | void): Promise<void> {
    const others = [...this.meeting.people.values()].filter((p) => p !== committer && p.state !== 'gone');
    for (const p of others) this.meeting.pauseDelivery(p);
    const acted = act();
    await this.settleWithMedia();
    await acted;
    for (const p of others) {
      await this.pass(COMMIT_LAG_STEP_MS);
      this.meeting.resumeDelivery(p);
      await this.settleWithMedia();
    }
  }

  /** Lets `ms` of virtual time pass, media flowing all along. */
  async pass(ms: number): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += STEP_MS) {
      this.t += STEP_MS;
      await this.pump();
    }
    await this.pump();
  }

  /** Everyone who has been in the meeting for a while publishes (the publication's round trip comes after the keys). */
  publishAll(): void {
    for (const person of this.meeting.joined()) this.publishing.add(person);
  }

  leave(person: Person): void {
    this.publishing.delete(person);
    this.meeting.leave(person);
  }

  assertNoFailure(): void {
    assert.deepEqual(this.failures, [], 'no receiver reported a decryption failure');
    for (const person of this.meeting.people.values()) {
      assert.equal(person.worker.core.cryptor.stats().droppedUndecryptable, 0, `${person.id} dropped no frame as a failure`);
      assert.deepEqual(person.problems, [], `${person.id} had no problem`);
    }
  }
}

/** A VP8 delta frame: its 3-byte payload header stays clear, the rest is sealed. */
function deltaFrame(seq: number): Uint8Array {
  const frame = Uint8Array.from({ length: 160 }, (_, i) => (seq * 31 + i * 7) & 0xff);
  frame[0] = 0x11;
  return frame;
}

describe('an epoch change while everyone sends media', () => {
  test('with six people, of whom five join and five leave in turn, no receiver counts a single decryption failure and old keys are gone after the grace', async () => {
    const room = new MediaRoom();
    await room.start();
    const host = room.arrive('host');
    await room.meeting.settle();
    const firstFive = Array.from({ length: 5 }, () => room.arrive('participant'));
    await room.meeting.settle();
    room.publishAll();
    await room.pass(RECEIVE_KEY_GRACE_MS);
    const startEpoch = host.session.epoch!;
    room.epochsSent.length = 0;
    // A frame sealed at the start, to try again once its epoch is over.
    const oldFrame = (await firstFive[0]!.worker.core.cryptor.encryptFrame(deltaFrame(9999), 'video'))!;

    const joiners: Person[] = [];
    for (let round = 0; round < 5; round++) {
      // A join: the host admits someone from the waiting room (the host commits, the others follow).
      const waiting = room.arrive('participant', true);
      await room.meeting.settle();
      await room.change(host, () => host.session.admit([waiting.id]));
      joiners.push(waiting);
      await room.pass(SEND_KEY_DELAY_MS / 2);
      room.publishing.add(waiting);
      await room.pass(SEND_KEY_DELAY_MS);

      // A leave: one of the first five goes, its last frames still in flight; the host commits the removal.
      await room.change(host, () => room.leave(firstFive[round]!));
      await room.pass(SEND_KEY_DELAY_MS);
    }
    await room.pass(RECEIVE_KEY_GRACE_MS);

    room.assertNoFailure();
    const present = room.meeting.joined();
    assert.deepEqual(new Set(present), new Set([host, ...joiners]));
    const finalEpoch = host.session.epoch!;
    assert.equal(finalEpoch, startEpoch + 10, 'ten commits: five adds, five removals');
    for (const receiver of present) {
      assert.equal(receiver.session.epoch, finalEpoch);
      assert.equal(receiver.worker.core.cryptor.sendEpoch, finalEpoch, `${receiver.id} sends under the newest epoch`);
      assert.deepEqual(receiver.worker.core.cryptor.receiveEpochs(), [finalEpoch], `${receiver.id} holds only the newest epoch's keys`);
      for (const sender of present) {
        if (sender !== receiver) assert.ok((room.opened.get(`${receiver.id}<${sender.id}`) ?? 0) > 10, `${receiver.id} opened ${sender.id}'s frames`);
      }
    }
    assert.deepEqual(
      room.epochsSent,
      Array.from({ length: 11 }, (_, i) => (startEpoch + i) & 0xff),
      'frames went out under every epoch, one after the other',
    );
    // After the grace, a frame under an old epoch's key no longer opens (and now counts as a failure).
    assert.equal(await host.worker.core.cryptor.decryptFrame(oldFrame, firstFive[0]!.id, 'video'), null);
    assert.equal(host.worker.core.cryptor.stats().droppedUndecryptable, 1);
  });

  test('five people admitted within a second: senders end on the newest key and receivers keep the keys still in use', async () => {
    const room = new MediaRoom();
    await room.start();
    const host = room.arrive('host');
    await room.meeting.settle();
    room.arrive('participant');
    room.arrive('participant');
    await room.meeting.settle();
    room.publishAll();
    await room.pass(RECEIVE_KEY_GRACE_MS);
    const waiting = Array.from({ length: 5 }, () => room.arrive('participant', true));
    await room.meeting.settle();
    const startEpoch = host.session.epoch!;

    for (const person of waiting) {
      // The commits reach the others 100 ms apart: 5 admissions take about a second.
      const others = room.meeting.joined().filter((p) => p !== host);
      for (const p of others) room.meeting.pauseDelivery(p);
      const admission = host.session.admit([person.id]);
      await room.settleWithMedia();
      await admission;
      await room.pass(COMMIT_LAG_STEP_MS);
      for (const p of others) room.meeting.resumeDelivery(p);
      await room.settleWithMedia();
      await room.pass(COMMIT_LAG_STEP_MS);
    }
    // Within the second: nobody has switched past the first new epoch yet, yet everyone can open everything.
    const mid = room.meeting.joined().filter((p) => !waiting.includes(p));
    for (const p of mid) assert.ok(p.worker.core.cryptor.receiveEpochs().length >= 5, `${p.id} keeps the epochs still in use`);
    room.publishAll();
    await room.pass(RECEIVE_KEY_GRACE_MS + SEND_KEY_DELAY_MS);

    room.assertNoFailure();
    const finalEpoch = startEpoch + 5;
    for (const p of room.meeting.joined()) {
      assert.equal(p.worker.core.cryptor.sendEpoch, finalEpoch, `${p.id} ends on the newest key`);
      assert.deepEqual(p.worker.core.cryptor.receiveEpochs(), [finalEpoch]);
    }
  });
  test('senders switch to a new epoch as soon as every member acknowledged its keys, and not before, well within the fallback delay', async () => {
    const room = new MediaRoom();
    await room.start();
    const host = room.arrive('host');
    await room.meeting.settle();
    const others = [room.arrive('participant'), room.arrive('participant'), room.arrive('participant')];
    await room.meeting.settle();
    room.publishAll();
    await room.pass(RECEIVE_KEY_GRACE_MS);
    const before = host.session.epoch!;

    // One member has not processed the commit yet: nobody else may switch (its frames would be dropped).
    const slow = others[2]!;
    room.meeting.pauseDelivery(slow);
    const waiting = room.arrive('participant', true);
    await room.meeting.settle();
    await host.session.admit([waiting.id]);
    await room.settleWithMedia();
    await room.pass(SEND_KEY_DELAY_MS / 2);
    for (const p of [host, others[0]!, others[1]!]) {
      assert.equal(p.session.epoch, before + 1, 'it holds the new keys');
      assert.equal(p.worker.core.cryptor.sendEpoch, before, 'but still sends under the old epoch while someone lacks the new keys');
    }

    // The slow member catches up and acknowledges: everyone switches at once, long before the fallback delay.
    room.meeting.resumeDelivery(slow);
    await room.settleWithMedia();
    for (const p of [host, ...others]) assert.equal(p.worker.core.cryptor.sendEpoch, before + 1, `${p.id} sends under the new epoch`);
    assert.ok(room.t - 1_000_000 < RECEIVE_KEY_GRACE_MS + SEND_KEY_DELAY_MS, 'within the fallback delay');
    room.publishing.add(waiting);
    await room.pass(RECEIVE_KEY_GRACE_MS);
    room.assertNoFailure();
  });
});
