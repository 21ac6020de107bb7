import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CipherSuiteId, cipherSuite, decodeHeader, mlsSenderKey } from '../../src/e2ee/sframe/index.ts';
import { DEFAULT_REPORT_INTERVAL_MS, FrameCryptor, type DecryptFailureReport } from '../../src/e2ee/worker/frame-cryptor.ts';
import { WorkerCore, type EncodedFrameLike } from '../../src/e2ee/worker/worker-core.ts';
import type { FromWorkerMessage } from '../../src/e2ee/worker/messages.ts';
import { RECEIVE_KEY_GRACE_MS, RETARGET_GRACE_MS, SEND_KEY_DELAY_MS } from '../../src/e2ee/worker/key-timing.ts';

const SUITE = cipherSuite(CipherSuiteId.AES_128_GCM_SHA256_128);
const ALICE = 'aaaaaaaaaaaaaaaa';
const BOB = 'bbbbbbbbbbbbbbbb';
const CAROL = 'cccccccccccccccc';

/** A deterministic "epoch base key" per epoch, as every member would get from the MLS exporter. */
function epochKey(epoch: number): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, i) => (epoch * 31 + i * 7 + 1) & 0xff);
}

function payload(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed + i * 13) & 0xff);
}

class Clock {
  t = 1_000_000;
  now = () => this.t;
}

/** Alice (leaf 0) sends; a receiver knows Alice (leaf 0) and Carol (leaf 2) at `epoch`. */
async function pair(epoch: number, clock = new Clock()) {
  const reports: DecryptFailureReport[] = [];
  const sender = new FrameCryptor({ onFailure: () => {}, now: clock.now });
  const receiver = new FrameCryptor({ onFailure: (r) => reports.push(r), now: clock.now });
  await installEpoch(sender, receiver, epoch);
  return { sender, receiver, reports, clock };
}

async function installEpoch(sender: FrameCryptor, receiver: FrameCryptor, epoch: number): Promise<void> {
  const base = epochKey(epoch);
  const alice = mlsSenderKey(SUITE, base, 0, epoch);
  const carol = mlsSenderKey(SUITE, base, 2, epoch);
  await sender.setSendKey(epoch, alice.kid, alice.baseKey);
  await receiver.setReceiveKeys(epoch, [
    { kid: alice.kid, key: alice.baseKey, participantId: ALICE },
    { kid: carol.kid, key: carol.baseKey, participantId: CAROL },
  ]);
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('FrameCryptor', () => {
  test('with no send key a frame is dropped, never passed on in the clear', async () => {
    const cryptor = new FrameCryptor({ onFailure: () => {} });
    assert.equal(await cryptor.encryptFrame(payload(100, 1), 'audio'), null);
    assert.equal(cryptor.stats().droppedNoSendKey, 1);
  });

  test('an audio frame is encrypted whole: header, ciphertext of the same length, 16-byte tag, no clear bytes', async () => {
    const { sender, receiver } = await pair(5);
    const plain = payload(1200, 3);
    const frame = (await sender.encryptFrame(plain, 'audio'))!;
    const header = decodeHeader(frame);
    assert.equal(header.kid, mlsSenderKey(SUITE, epochKey(5), 0, 5).kid);
    assert.equal(frame.length, header.length + plain.length + 16);
    // No run of 8 plaintext bytes survives anywhere, including the first bytes a codec header would use.
    for (let i = 0; i + 8 <= plain.length; i += 8) assert.equal(contains(frame, plain.subarray(i, i + 8)), false);
    assert.deepEqual(await receiver.decryptFrame(frame, ALICE, 'audio'), plain);
  });

  test('a frame decrypts only on the receiver of the member whose KID it carries', async () => {
    const { sender, receiver, reports } = await pair(1);
    const frame = (await sender.encryptFrame(payload(50, 9), 'audio'))!;
    assert.equal(await receiver.decryptFrame(frame, BOB, 'audio'), null);
    assert.deepEqual(reports, [{ participantId: BOB, reason: 'wrong-sender', count: 1 }]);
  });

  test('tampered, replayed and unknown-KID frames are dropped with their reason', async () => {
    const { sender, receiver, reports } = await pair(1);
    const other = await pair(2);
    const frame = (await sender.encryptFrame(payload(80, 1), 'audio'))!;
    const tampered = frame.slice();
    tampered[tampered.length - 20]! ^= 1;
    assert.equal(await receiver.decryptFrame(tampered, ALICE, 'audio'), null);
    assert.ok(await receiver.decryptFrame(frame, ALICE, 'audio'));
    other.clock.t += 0;
    assert.equal(await receiver.decryptFrame(frame, ALICE, 'audio'), null);
    const foreign = (await other.sender.encryptFrame(payload(80, 1), 'audio'))!;
    assert.equal(await receiver.decryptFrame(foreign, CAROL, 'audio'), null);
    assert.equal(await receiver.decryptFrame(new Uint8Array([0xff]), CAROL, 'audio'), null);
    assert.deepEqual(
      reports.map((r) => r.reason),
      ['auth-failed', 'unknown-key'],
      'one report per participant per second: the replay after the first Alice report is held back',
    );
    assert.equal(receiver.stats().droppedUndecryptable, 4);
  });

  test('failures are reported at most once per second per participant, with the count of dropped frames', async () => {
    const { receiver, reports, clock } = await pair(1);
    for (let i = 0; i < 50; i++) await receiver.decryptFrame(new Uint8Array([0xff, i]), ALICE, 'audio');
    assert.deepEqual(reports, [{ participantId: ALICE, reason: 'malformed', count: 1 }]);
    clock.t += 999;
    receiver.tick();
    assert.equal(reports.length, 1);
    clock.t += 1;
    receiver.tick();
    assert.deepEqual(reports[1], { participantId: ALICE, reason: 'malformed', count: 49 });
    clock.t += 5_000;
    receiver.tick();
    assert.equal(reports.length, 2, 'nothing new to report');
  });

  test('setting the same send key again does not restart the counter (no nonce reuse)', async () => {
    const { sender, receiver } = await pair(1);
    const first = (await sender.encryptFrame(payload(40, 1), 'audio'))!;
    const again = mlsSenderKey(SUITE, epochKey(1), 0, 1);
    await sender.setSendKey(1, again.kid, again.baseKey);
    const second = (await sender.encryptFrame(payload(40, 2), 'audio'))!;
    assert.notEqual(decodeHeader(first).ctr, decodeHeader(second).ctr);
    assert.ok(await receiver.decryptFrame(first, ALICE, 'audio'));
    assert.ok(await receiver.decryptFrame(second, ALICE, 'audio'));
  });

  test('each superseded epoch stays decryptable for the grace period after it was superseded, then is dropped', async () => {
    const { sender, receiver, clock } = await pair(1);
    const oldSender = new FrameCryptor({ onFailure: () => {} });
    const k1 = mlsSenderKey(SUITE, epochKey(1), 0, 1);
    await oldSender.setSendKey(1, k1.kid, k1.baseKey);
    await installEpoch(sender, receiver, 2);
    const fresh = (await sender.encryptFrame(payload(60, 1), 'audio'))!;
    assert.equal(decodeHeader(fresh).kid, mlsSenderKey(SUITE, epochKey(2), 0, 2).kid);
    assert.ok(await receiver.decryptFrame(fresh, ALICE, 'audio'));
    assert.ok(await receiver.decryptFrame((await oldSender.encryptFrame(payload(60, 2), 'audio'))!, ALICE, 'audio'), 'in flight from epoch 1');
    clock.t += RECEIVE_KEY_GRACE_MS;
    assert.equal(await receiver.decryptFrame((await oldSender.encryptFrame(payload(60, 3), 'audio'))!, ALICE, 'audio'), null, 'after the grace period');
    // Epochs 3, 4 and 5 in quick succession: a sender still on epoch 3 is heard until 3's own grace ends.
    await installEpoch(sender, receiver, 3);
    const k3 = mlsSenderKey(SUITE, epochKey(3), 0, 3);
    const epoch3 = new FrameCryptor({ onFailure: () => {} });
    await epoch3.setSendKey(3, k3.kid, k3.baseKey);
    clock.t += 500;
    await installEpoch(sender, receiver, 4);
    clock.t += 500;
    await installEpoch(sender, receiver, 5);
    assert.deepEqual(receiver.receiveEpochs(), [2, 3, 4, 5]);
    assert.ok(await receiver.decryptFrame((await epoch3.encryptFrame(payload(60, 4), 'audio'))!, ALICE, 'audio'), 'two epochs back, within its grace');
    clock.t += RECEIVE_KEY_GRACE_MS - 500;
    assert.deepEqual(receiver.receiveEpochs(), [4, 5], 'epochs 2 and 3 were superseded first and go first');
    assert.equal(await receiver.decryptFrame((await epoch3.encryptFrame(payload(60, 5), 'audio'))!, ALICE, 'audio'), null, 'epoch 3 after its grace');
    clock.t += 500;
    assert.deepEqual(receiver.receiveEpochs(), [5]);
  });

  test('a member left out of the new epoch keys loses its key after the grace period', async () => {
    const { receiver, clock } = await pair(1);
    const carolSender = new FrameCryptor({ onFailure: () => {} });
    const carol1 = mlsSenderKey(SUITE, epochKey(1), 2, 1);
    await carolSender.setSendKey(1, carol1.kid, carol1.baseKey);
    const alice2 = mlsSenderKey(SUITE, epochKey(2), 0, 2);
    await receiver.setReceiveKeys(2, [{ kid: alice2.kid, key: alice2.baseKey, participantId: ALICE }]);
    clock.t += 5_001;
    assert.equal(await receiver.decryptFrame((await carolSender.encryptFrame(payload(60, 1), 'audio'))!, CAROL, 'audio'), null);
  });

  test('dropping all keys removes the send key, pending send keys and every epoch of receive keys at once', async () => {
    const { sender, receiver } = await pair(7);
    const frame = (await sender.encryptFrame(payload(30, 1), 'audio'))!;
    await installEpoch(sender, receiver, 8);
    const k9 = mlsSenderKey(SUITE, epochKey(9), 0, 9);
    await sender.setSendKey(9, k9.kid, k9.baseKey, SEND_KEY_DELAY_MS);
    await sender.dropAllKeys();
    await receiver.dropAllKeys();
    assert.equal(await sender.encryptFrame(payload(30, 2), 'audio'), null);
    assert.equal(sender.sendEpoch, undefined);
    assert.deepEqual(receiver.receiveEpochs(), []);
    assert.equal(await receiver.decryptFrame(frame, ALICE, 'audio'), null);
  });
});

describe('FrameCryptor at an epoch change', () => {
  const aliceKey = (epoch: number) => mlsSenderKey(SUITE, epochKey(epoch), 0, epoch);
  const kidEpoch = (frame: Uint8Array) => Number(decodeHeader(frame).kid & 0xffn);

  test('a send key given with a delay is used only once the delay has passed, and the previous key is then removed', async () => {
    const { sender, receiver, clock } = await pair(1);
    const k2 = aliceKey(2);
    await sender.setSendKey(2, k2.kid, k2.baseKey, SEND_KEY_DELAY_MS);
    const before = (await sender.encryptFrame(payload(40, 1), 'audio'))!;
    assert.equal(kidEpoch(before), 1, 'still under epoch 1');
    clock.t += SEND_KEY_DELAY_MS - 1;
    assert.equal(kidEpoch((await sender.encryptFrame(payload(40, 2), 'audio'))!), 1);
    clock.t += 1;
    const after = (await sender.encryptFrame(payload(40, 3), 'audio'))!;
    assert.equal(kidEpoch(after), 2, 'under epoch 2 once due');
    assert.equal(sender.sendEpoch, 2);
    await receiver.setReceiveKeys(2, [{ kid: k2.kid, key: k2.baseKey, participantId: ALICE }]);
    assert.deepEqual(await receiver.decryptFrame(after, ALICE, 'audio'), payload(40, 3));
    assert.deepEqual(await receiver.decryptFrame(before, ALICE, 'audio'), payload(40, 1), 'epoch 1 frames in flight still open');
  });

  test('five epochs in quick succession: the sender switches epoch by epoch, ends on the newest, and every frame opens', async () => {
    const clock = new Clock();
    const reports: DecryptFailureReport[] = [];
    const sender = new FrameCryptor({ onFailure: () => {}, now: clock.now });
    const receiver = new FrameCryptor({ onFailure: (r) => reports.push(r), now: clock.now });
    const k1 = aliceKey(1);
    await sender.setSendKey(1, k1.kid, k1.baseKey, 0);
    await receiver.setReceiveKeys(1, [{ kid: k1.kid, key: k1.baseKey, participantId: ALICE }]);
    const seen: number[] = [];
    const sendOne = async (seed: number) => {
      const frame = (await sender.encryptFrame(payload(30, seed), 'audio'))!;
      seen.push(kidEpoch(frame));
      assert.deepEqual(await receiver.decryptFrame(frame, ALICE, 'audio'), payload(30, seed));
    };
    for (let epoch = 2; epoch <= 6; epoch++) {
      const k = aliceKey(epoch);
      await receiver.setReceiveKeys(epoch, [{ kid: k.kid, key: k.baseKey, participantId: ALICE }]);
      await sender.setSendKey(epoch, k.kid, k.baseKey, SEND_KEY_DELAY_MS);
      for (let i = 0; i < 4; i++) {
        await sendOne(epoch * 10 + i);
        clock.t += 50;
      }
    }
    for (let i = 0; i < 100; i++) {
      await sendOne(i);
      clock.t += 50;
    }
    assert.equal(sender.sendEpoch, 6, 'the sender ends on the newest key');
    assert.deepEqual([...new Set(seen)], [1, 2, 3, 4, 5, 6], 'epochs were used in order, none skipped back');
    assert.deepEqual(reports, []);
    assert.deepEqual(receiver.receiveEpochs(), [6], 'superseded epochs are gone after their grace');
  });

  test('a send key already used is never imported again, so its counter never restarts', async () => {
    const { sender } = await pair(1);
    const first = (await sender.encryptFrame(payload(20, 1), 'audio'))!;
    const k2 = aliceKey(2);
    await sender.setSendKey(2, k2.kid, k2.baseKey, 0);
    await sender.dropAllKeys();
    const k1 = aliceKey(1);
    await sender.setSendKey(1, k1.kid, k1.baseKey, 0); // epoch 1's key again, after it was used
    assert.equal(await sender.encryptFrame(payload(20, 2), 'audio'), null, 'refused rather than restarted at counter 0');
    const k3 = aliceKey(3);
    await sender.setSendKey(3, k3.kid, k3.baseKey, 0);
    const third = (await sender.encryptFrame(payload(20, 3), 'audio'))!;
    assert.equal(kidEpoch(third), 3);
    assert.notEqual(decodeHeader(third).kid, decodeHeader(first).kid);
  });

  test('a send key for an epoch older than the current one is ignored', async () => {
    const { sender } = await pair(5);
    const k4 = aliceKey(4);
    await sender.setSendKey(4, k4.kid, k4.baseKey, 0);
    assert.equal(kidEpoch((await sender.encryptFrame(payload(20, 1), 'audio'))!), 5);
  });

  test('a member that just joined drops frames under epochs before its first without reporting them, for the grace period only', async () => {
    const clock = new Clock();
    const reports: DecryptFailureReport[] = [];
    const joiner = new FrameCryptor({ onFailure: (r) => reports.push(r), now: clock.now });
    const veteran = new FrameCryptor({ onFailure: () => {}, now: clock.now });
    const k4 = aliceKey(4);
    await veteran.setSendKey(4, k4.kid, k4.baseKey, 0);
    const beforeKeys = (await veteran.encryptFrame(payload(20, 1), 'audio'))!;
    assert.equal(await joiner.decryptFrame(beforeKeys, ALICE, 'audio'), null, 'no keys at all yet');
    const k5 = aliceKey(5);
    await joiner.setReceiveKeys(5, [{ kid: k5.kid, key: k5.baseKey, participantId: ALICE }]);
    assert.equal(await joiner.decryptFrame((await veteran.encryptFrame(payload(20, 2), 'audio'))!, ALICE, 'audio'), null, 'epoch 4 frame');
    assert.deepEqual(reports, [], 'both expected: not failures');
    assert.deepEqual(joiner.stats(), { encrypted: 0, decrypted: 0, droppedNoSendKey: 0, droppedUndecryptable: 0, droppedExpected: 2 });
    // A KID of a later epoch we do not know is not expected: reported.
    const k6 = aliceKey(6);
    const future = new FrameCryptor({ onFailure: () => {}, now: clock.now });
    await future.setSendKey(6, k6.kid, k6.baseKey, 0);
    assert.equal(await joiner.decryptFrame((await future.encryptFrame(payload(20, 3), 'audio'))!, ALICE, 'audio'), null);
    assert.deepEqual(reports, [{ participantId: ALICE, reason: 'unknown-key', count: 1 }]);
    // Past the grace, an old epoch is a real failure (someone stuck behind).
    clock.t += RECEIVE_KEY_GRACE_MS + DEFAULT_REPORT_INTERVAL_MS;
    assert.equal(await joiner.decryptFrame((await veteran.encryptFrame(payload(20, 4), 'audio'))!, ALICE, 'audio'), null);
    assert.equal(reports.length, 2);
    assert.equal(joiner.stats().droppedUndecryptable, 2);
  });

  test('after a receiver is re-pointed, frames of the participant it showed before are dropped unreported for the retarget grace only', async () => {
    const { sender: alice, receiver, reports, clock } = await pair(1);
    const carol = new FrameCryptor({ onFailure: () => {}, now: clock.now });
    const c1 = mlsSenderKey(SUITE, epochKey(1), 2, 1);
    await carol.setSendKey(1, c1.kid, c1.baseKey, 0);
    // The receiver showed Alice until now and shows Carol from now on.
    const former = new Map([[ALICE, clock.t]]);
    assert.equal(await receiver.decryptFrame((await alice.encryptFrame(payload(20, 1), 'audio'))!, CAROL, 'audio', former), null);
    assert.ok(await receiver.decryptFrame((await carol.encryptFrame(payload(20, 2), 'audio'))!, CAROL, 'audio', former));
    assert.deepEqual(reports, [], 'a frame of the former sender in flight is not a failure');
    assert.equal(receiver.stats().droppedExpected, 1);
    // Someone the receiver never showed is still a wrong sender.
    assert.equal(await receiver.decryptFrame((await carol.encryptFrame(payload(20, 3), 'audio'))!, ALICE, 'audio', new Map([[BOB, clock.t]])), null);
    assert.deepEqual(reports, [{ participantId: ALICE, reason: 'wrong-sender', count: 1 }]);
    clock.t += RETARGET_GRACE_MS;
    assert.equal(await receiver.decryptFrame((await alice.encryptFrame(payload(20, 4), 'audio'))!, CAROL, 'audio', former), null);
    assert.deepEqual(reports.at(-1), { participantId: CAROL, reason: 'wrong-sender', count: 1 }, 'after the grace it is reported');
  });

  test('an unknown KID on the former sender\'s leaf is forgiven during the retarget grace too', async () => {
    const { receiver, reports, clock } = await pair(1);
    const aliceAhead = new FrameCryptor({ onFailure: () => {}, now: clock.now });
    const a2 = aliceKey(2); // Alice already on an epoch this receiver has not processed
    await aliceAhead.setSendKey(2, a2.kid, a2.baseKey, 0);
    const frame = (await aliceAhead.encryptFrame(payload(20, 1), 'audio'))!;
    assert.equal(await receiver.decryptFrame(frame, CAROL, 'audio', new Map([[ALICE, clock.t]])), null);
    assert.deepEqual(reports, []);
    assert.equal(await receiver.decryptFrame(frame, CAROL, 'audio'), null);
    assert.deepEqual(reports, [{ participantId: CAROL, reason: 'unknown-key', count: 1 }], 'without the retarget it is a failure');
  });
});

describe('WorkerCore', () => {
  function frames(list: Uint8Array[]): ReadableStream<EncodedFrameLike> {
    return new ReadableStream({
      start(controller) {
        for (const bytes of list) controller.enqueue({ data: bytes.slice().buffer });
        controller.close();
      },
    });
  }

  function collector(): { writable: WritableStream<EncodedFrameLike>; out: Uint8Array[]; done: Promise<void> } {
    const out: Uint8Array[] = [];
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const writable = new WritableStream<EncodedFrameLike>({
      write: (frame) => void out.push(new Uint8Array(frame.data)),
      close: () => finish(),
    });
    return { writable, out, done };
  }

  test('posted stream pairs are encrypted and decrypted end to end, in order, with keys from messages', async () => {
    const posted: FromWorkerMessage[] = [];
    const alice = new WorkerCore({ post: (m) => posted.push(m) });
    const bob = new WorkerCore({ post: (m) => posted.push(m) });
    const k = mlsSenderKey(SUITE, epochKey(9), 0, 9);
    assert.ok(alice.handleMessage({ kind: 'set-send-key', data: { epoch: 9, kid: k.kid.toString(), key: k.baseKey.slice(), activateAfterMs: 0 } }));
    assert.ok(bob.handleMessage({ kind: 'set-receive-keys', data: { epoch: 9, keys: [{ kid: k.kid.toString(), key: k.baseKey.slice(), participantId: ALICE }] } }));
    await alice.cryptor.setReceiveKeys(0, []); // waits for the queued key change
    await bob.cryptor.setSendKey(0, 1n, new Uint8Array(16));
    const plain = [payload(12, 1), payload(2000, 2), payload(4, 3)];
    const wire = collector();
    assert.ok(alice.handleMessage({ kind: 'attach', data: { streamId: 1, readable: frames(plain), writable: wire.writable, operation: 'encrypt', participantId: ALICE, kind: 'video' } }));
    await wire.done;
    const shown = collector();
    assert.ok(bob.handleMessage({ kind: 'attach', data: { streamId: 1, readable: frames(wire.out), writable: shown.writable, operation: 'decrypt', participantId: ALICE, kind: 'video' } }));
    await shown.done;
    assert.deepEqual(shown.out, plain);
    assert.deepEqual(posted.filter((m) => m.kind !== 'receive-keys-ready'), [], 'no failure to report');
  });

  test('invalid messages and script-transform options are refused and counted in the stats', () => {
    const posted: FromWorkerMessage[] = [];
    const core = new WorkerCore({ post: (m) => posted.push(m) });
    assert.equal(core.handleMessage({ kind: 'set-send-key', data: { epoch: 1, kid: '1', key: new Uint8Array(16), activateAfterMs: 0, extra: 0 } }), false);
    assert.equal(core.handleMessage({ kind: 'retarget', data: { streamId: 4, participantId: BOB } }), false, 'no such stream');
    const transformer = { readable: new ReadableStream(), writable: new WritableStream(), options: { operation: 'decrypt', participantId: 'nope', kind: 'audio' } };
    assert.equal(core.handleScriptTransform(transformer), false);
    core.tick();
    assert.deepEqual(posted, [{ kind: 'stats', data: { encrypted: 0, decrypted: 0, droppedNoSendKey: 0, droppedUndecryptable: 0, droppedExpected: 0, invalidMessages: 3 } }]);
  });
});

describe('the VP8 payload header', () => {
  const vp8Frame = (keyFrame: boolean, size: number) => {
    const frame = new Uint8Array(size).map((_, i) => (i * 7 + 3) & 0xff);
    frame[0] = keyFrame ? 0x10 : 0x11; // bit 0: 0 = key frame (RFC 6386 9.1)
    if (keyFrame) frame.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01], 3);
    return frame;
  };

  test('stays in clear (10 bytes on key frames, 3 on delta frames) so that the receiving browser can tell key frames', async () => {
    const { sender, receiver } = await pair(1);
    for (const [keyFrame, clear] of [[true, 10], [false, 3]] as const) {
      const plain = vp8Frame(keyFrame, 500);
      const sealed = (await sender.encryptFrame(plain, 'video'))!;
      assert.deepEqual(sealed.subarray(0, clear), plain.subarray(0, clear));
      assert.notDeepEqual(sealed.subarray(clear, clear + 20), plain.subarray(clear, clear + 20), 'the rest is ciphertext');
      assert.deepEqual(await receiver.decryptFrame(sealed, ALICE, 'video'), plain);
    }
  });

  test('is authenticated: changing a clear byte makes the frame undecryptable', async () => {
    const { sender, receiver } = await pair(1);
    const sealed = (await sender.encryptFrame(vp8Frame(true, 300), 'video'))!;
    const tampered = sealed.slice();
    tampered[7] = tampered[7]! ^ 0x01; // part of the dimensions
    assert.equal(await receiver.decryptFrame(tampered, ALICE, 'video'), null);
  });

  test('is never left clear on audio', async () => {
    const { sender } = await pair(1);
    const plain = vp8Frame(true, 100);
    const sealed = (await sender.encryptFrame(plain, 'audio'))!;
    assert.notDeepEqual(sealed.subarray(3, 6), plain.subarray(3, 6));
  });
});
