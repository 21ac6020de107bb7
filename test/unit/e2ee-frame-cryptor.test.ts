import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CipherSuiteId, cipherSuite, decodeHeader, mlsSenderKey } from '../../src/e2ee/sframe/index.ts';
import { FrameCryptor, type DecryptFailureReport } from '../../src/e2ee/worker/frame-cryptor.ts';
import { WorkerCore, type EncodedFrameLike } from '../../src/e2ee/worker/worker-core.ts';
import type { FromWorkerMessage } from '../../src/e2ee/worker/messages.ts';

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

  test('the previous epoch stays decryptable for the grace period, then is dropped; older epochs at once', async () => {
    const { sender, receiver, clock } = await pair(1);
    const oldSender = new FrameCryptor({ onFailure: () => {} });
    const k1 = mlsSenderKey(SUITE, epochKey(1), 0, 1);
    await oldSender.setSendKey(1, k1.kid, k1.baseKey);
    await installEpoch(sender, receiver, 2);
    const fresh = (await sender.encryptFrame(payload(60, 1), 'audio'))!;
    assert.equal(decodeHeader(fresh).kid, mlsSenderKey(SUITE, epochKey(2), 0, 2).kid);
    assert.ok(await receiver.decryptFrame(fresh, ALICE, 'audio'));
    assert.ok(await receiver.decryptFrame((await oldSender.encryptFrame(payload(60, 2), 'audio'))!, ALICE, 'audio'), 'in flight from epoch 1');
    clock.t += 5_000;
    assert.equal(await receiver.decryptFrame((await oldSender.encryptFrame(payload(60, 3), 'audio'))!, ALICE, 'audio'), null, 'after the grace period');
    await installEpoch(sender, receiver, 3);
    await installEpoch(sender, receiver, 4);
    const k3 = mlsSenderKey(SUITE, epochKey(3), 0, 3);
    const epoch3 = new FrameCryptor({ onFailure: () => {} });
    await epoch3.setSendKey(3, k3.kid, k3.baseKey);
    assert.ok(await receiver.decryptFrame((await epoch3.encryptFrame(payload(60, 4), 'audio'))!, ALICE, 'audio'), 'epoch 3 is the previous one');
    await installEpoch(sender, receiver, 5);
    assert.equal(await receiver.decryptFrame((await epoch3.encryptFrame(payload(60, 5), 'audio'))!, ALICE, 'audio'), null, 'two epochs back');
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

  test('drop-epoch removes the send key and the receive keys of that epoch at once', async () => {
    const { sender, receiver } = await pair(7);
    const frame = (await sender.encryptFrame(payload(30, 1), 'audio'))!;
    await sender.dropEpoch(7);
    await receiver.dropEpoch(7);
    assert.equal(await sender.encryptFrame(payload(30, 2), 'audio'), null);
    assert.equal(await receiver.decryptFrame(frame, ALICE, 'audio'), null);
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
    assert.ok(alice.handleMessage({ kind: 'set-send-key', data: { epoch: 9, kid: k.kid.toString(), key: k.baseKey.slice() } }));
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
    assert.equal(posted.length, 0, 'no failure to report');
  });

  test('invalid messages and script-transform options are refused and counted in the stats', () => {
    const posted: FromWorkerMessage[] = [];
    const core = new WorkerCore({ post: (m) => posted.push(m) });
    assert.equal(core.handleMessage({ kind: 'set-send-key', data: { epoch: 1, kid: '1', key: new Uint8Array(16), extra: 0 } }), false);
    assert.equal(core.handleMessage({ kind: 'retarget', data: { streamId: 4, participantId: BOB } }), false, 'no such stream');
    const transformer = { readable: new ReadableStream(), writable: new WritableStream(), options: { operation: 'decrypt', participantId: 'nope', kind: 'audio' } };
    assert.equal(core.handleScriptTransform(transformer), false);
    core.tick();
    assert.deepEqual(posted, [{ kind: 'stats', data: { encrypted: 0, decrypted: 0, droppedNoSendKey: 0, droppedUndecryptable: 0, invalidMessages: 3 } }]);
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
