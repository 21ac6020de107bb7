import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { CipherSuiteId, cipherSuite, mlsSenderKey } from '../../src/e2ee/sframe/index.ts';
import { WorkerLink, type WorkerPort } from '../../src/e2ee/session/worker-link.ts';
import { FrameCryptor } from '../../src/e2ee/worker/frame-cryptor.ts';
import { RETARGET_GRACE_MS } from '../../src/e2ee/worker/key-timing.ts';
import type { FromWorkerMessage, TransformOptions } from '../../src/e2ee/worker/messages.ts';
import { WorkerCore, type EncodedFrameLike } from '../../src/e2ee/worker/worker-core.ts';

const SUITE = cipherSuite(CipherSuiteId.AES_128_GCM_SHA256_128);
const ALICE = 'aaaaaaaaaaaaaaaa';
const CAROL = 'cccccccccccccccc';
const EPOCH = 3;
const BASE = Uint8Array.from({ length: 16 }, (_, i) => i * 11 + 5);

/** A frame source the test pushes into, and a sink that collects what the transform let through. */
function pipeEnds() {
  let push!: (bytes: Uint8Array) => void;
  const readable = new ReadableStream<EncodedFrameLike>({
    start(controller) {
      push = (bytes) => controller.enqueue({ data: bytes.slice().buffer });
    },
  });
  const shown: Uint8Array[] = [];
  const writable = new WritableStream<EncodedFrameLike>({ write: (frame) => void shown.push(new Uint8Array(frame.data)) });
  return { readable, writable, push, shown };
}

/** A receiving worker that knows Alice (leaf 0) and Carol (leaf 2), and one sender cryptor for each. */
async function setup() {
  const clock = { t: 5_000_000 };
  const now = () => clock.t;
  const posted: FromWorkerMessage[] = [];
  const core = new WorkerCore({ post: (m) => posted.push(m), now });
  const alice = mlsSenderKey(SUITE, BASE, 0, EPOCH);
  const carol = mlsSenderKey(SUITE, BASE, 2, EPOCH);
  assert.ok(
    core.handleMessage({
      kind: 'set-receive-keys',
      data: {
        epoch: EPOCH,
        keys: [
          { kid: alice.kid.toString(), key: alice.baseKey.slice(), participantId: ALICE },
          { kid: carol.kid.toString(), key: carol.baseKey.slice(), participantId: CAROL },
        ],
      },
    }),
  );
  await core.cryptor.settled();
  const senders = { alice: new FrameCryptor({ onFailure: () => {}, now }), carol: new FrameCryptor({ onFailure: () => {}, now }) };
  await senders.alice.setSendKey(EPOCH, alice.kid, alice.baseKey);
  await senders.carol.setSendKey(EPOCH, carol.kid, carol.baseKey);
  const frame = async (from: 'alice' | 'carol', seed: number) => (await senders[from].encryptFrame(Uint8Array.of(seed, seed, seed, seed), 'audio'))!;
  const failures = () => posted.filter((m) => m.kind === 'decrypt-failure');
  /** Until the worker has handled `count` frames in all (opened or dropped): decryption is asynchronous. */
  const flush = async (count: number) => {
    const handled = () => {
      const stats = core.cryptor.stats();
      return stats.decrypted + stats.droppedUndecryptable + stats.droppedExpected;
    };
    for (let waited = 0; handled() < count && waited < 5000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 5)); // the last opened frame reaches the writable side
  };
  return { clock, core, frame, failures, flush };
}

describe('re-pointing a receiver to another participant', () => {
  test('encoded-streams path: after `retarget`, the previous participant\'s frames in flight are dropped without a failure, for the grace only', async () => {
    const { clock, core, frame, failures, flush } = await setup();
    const ends = pipeEnds();
    assert.ok(core.handleMessage({ kind: 'attach', data: { streamId: 7, readable: ends.readable, writable: ends.writable, operation: 'decrypt', participantId: ALICE, kind: 'audio' } }));
    ends.push(await frame('alice', 1));
    await flush(1);
    assert.ok(core.handleMessage({ kind: 'retarget', data: { streamId: 7, participantId: CAROL } }));
    ends.push(await frame('alice', 2)); // still in flight from Alice
    ends.push(await frame('carol', 3));
    await flush(3);
    assert.deepEqual(ends.shown.map((f) => f[0]), [1, 3], 'Alice before, Carol after; Alice\'s late frame dropped');
    assert.deepEqual(failures(), []);
    assert.equal(core.cryptor.stats().droppedExpected, 1, 'counted as dropped');
    clock.t += RETARGET_GRACE_MS;
    ends.push(await frame('alice', 4));
    await flush(4);
    assert.deepEqual(failures(), [{ kind: 'decrypt-failure', data: { participantId: CAROL, reason: 'wrong-sender', count: 1 } }]);
  });

  test('script-transform path: the page tells the new transform whom the receiver showed before, and the worker forgives that participant\'s frames', async () => {
    const created: TransformOptions[] = [];
    (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform = class {
      constructor(_worker: unknown, options: TransformOptions) {
        created.push(options);
      }
    };
    const port: WorkerPort = { postMessage: () => {}, addEventListener: () => {}, terminate: () => {} };
    const link = new WorkerLink(port, () => {}, () => {});
    const receiver = {} as RTCRtpReceiver;
    link.attach(receiver, 'decrypt', 'audio', ALICE);
    link.attach(receiver, 'decrypt', 'audio', CAROL);
    link.attach({} as RTCRtpSender, 'encrypt', 'audio', CAROL);
    assert.deepEqual(created, [
      { operation: 'decrypt', participantId: ALICE, kind: 'audio' },
      { operation: 'decrypt', participantId: CAROL, kind: 'audio', retargetedFrom: ALICE },
      { operation: 'encrypt', participantId: CAROL, kind: 'audio' },
    ]);

    const { clock, core, frame, failures, flush } = await setup();
    const ends = pipeEnds();
    assert.ok(core.handleScriptTransform({ readable: ends.readable, writable: ends.writable, options: created[1] }));
    ends.push(await frame('alice', 1));
    ends.push(await frame('carol', 2));
    await flush(2);
    assert.deepEqual(ends.shown.map((f) => f[0]), [2]);
    assert.deepEqual(failures(), []);
    clock.t += RETARGET_GRACE_MS;
    ends.push(await frame('alice', 3));
    await flush(3);
    assert.equal(failures().length, 1, 'after the grace, a wrong sender is reported again');
  });

  test('script-transform options naming the receiver\'s own participant, or a sender, as the former one are refused', async () => {
    const { core } = await setup();
    const ends = pipeEnds();
    assert.equal(core.handleScriptTransform({ ...ends, options: { operation: 'decrypt', participantId: CAROL, kind: 'audio', retargetedFrom: CAROL } }), false);
    assert.equal(core.handleScriptTransform({ ...ends, options: { operation: 'encrypt', participantId: CAROL, kind: 'audio', retargetedFrom: ALICE } }), false);
  });

  afterEach(() => {
    delete (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform;
  });
});

describe('a receiver still bound to someone who left the group', () => {
  test('drops another member’s frames without reporting them, once the one it shows holds no key any more', async () => {
    const { clock, core, failures } = await setup();
    // Alice leaves: the next epoch's keys have only Carol's.
    const next = mlsSenderKey(SUITE, BASE.map((b) => b ^ 0x5a), 2, EPOCH + 1);
    core.handleMessage({ kind: 'set-receive-keys', data: { epoch: EPOCH + 1, keys: [{ kid: next.kid.toString(), key: next.baseKey.slice(), participantId: CAROL }] } });
    await core.cryptor.settled();
    const carol = new FrameCryptor({ onFailure: () => {}, now: () => clock.t });
    await carol.setSendKey(EPOCH + 1, next.kid, next.baseKey);
    const carolFrame = async (n: number) => (await carol.encryptFrame(Uint8Array.of(n, n, n, n), 'audio'))!;

    // While Alice's keys are still held (the grace), Carol's frames shown as Alice are reported: a relabelling.
    assert.equal(await core.cryptor.decryptFrame(await carolFrame(1), ALICE, 'audio'), null);
    assert.deepEqual(failures(), [{ kind: 'decrypt-failure', data: { participantId: ALICE, reason: 'wrong-sender', count: 1 } }]);

    // After the grace no key of Alice's is held: a receiver still bound to her is an m-line the SFU gave to
    // Carol before the new offer arrived. Dropped, not reported.
    clock.t += 60_000;
    core.tick();
    const reported = failures().length;
    assert.equal(await core.cryptor.decryptFrame(await carolFrame(2), ALICE, 'audio'), null);
    assert.equal(failures().length, reported, 'not reported');
    assert.equal(core.cryptor.stats().droppedExpected, 1, 'but dropped');
    assert.deepEqual((await core.cryptor.decryptFrame(await carolFrame(3), CAROL, 'audio'))?.[0], 3, 'and Carol’s own receiver opens it');
  });
});
