/**
 * A video receiver that had to drop frames asks for a key frame as soon as frames decrypt again, instead of
 * waiting for the sender's next one: a newcomer sees the others as soon as their keys reach it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CipherSuiteId, cipherSuite, mlsSenderKey } from '../../src/e2ee/sframe/index.ts';
import { FrameCryptor } from '../../src/e2ee/worker/frame-cryptor.ts';
import { KEY_FRAME_REQUEST_INTERVAL_MS, WorkerCore, type EncodedFrameLike } from '../../src/e2ee/worker/worker-core.ts';

const SUITE = cipherSuite(CipherSuiteId.AES_128_GCM_SHA256_128);
const ALICE = 'aaaaaaaaaaaaaaaa';
const BASE = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);
/** VP8 frame tags: bit 0 clear on a key frame (then 7 more header bytes), set on a delta frame. */
const KEY = Uint8Array.of(0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, 1, 2, 3, 4);
const DELTA = Uint8Array.of(0x11, 0x02, 0x00, 5, 6, 7, 8);

async function receiver() {
  const clock = { t: 1_000_000 };
  const now = () => clock.t;
  const core = new WorkerCore({ post: () => {}, now });
  const sender = new FrameCryptor({ onFailure: () => {}, now });
  const key = mlsSenderKey(SUITE, BASE, 0, 4);
  await sender.setSendKey(4, key.kid, key.baseKey);
  let push!: (bytes: Uint8Array) => void;
  const readable = new ReadableStream<EncodedFrameLike>({ start: (c) => void (push = (b) => c.enqueue({ data: b.slice().buffer })) });
  const shown: number[] = [];
  const writable = new WritableStream<EncodedFrameLike>({ write: (f) => void shown.push(new Uint8Array(f.data).length) });
  let requests = 0;
  assert.ok(core.handleScriptTransform({
    readable, writable, options: { operation: 'decrypt', participantId: ALICE, kind: 'video' },
    sendKeyFrameRequest: async () => void requests++,
  }));
  let sent = 0;
  const send = async (frame: Uint8Array) => {
    sent++;
    push((await sender.encryptFrame(frame, 'video'))!);
  };
  /** Until the worker has handled every frame sent so far (opened or dropped): decryption is asynchronous. */
  const flush = async () => {
    const handled = () => {
      const stats = core.cryptor.stats();
      return stats.decrypted + stats.droppedUndecryptable + stats.droppedExpected;
    };
    for (let waited = 0; handled() < sent && waited < 5000; waited += 5) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 5)); // the last opened frame reaches the writable side
  };
  const giveKeys = async () => {
    core.handleMessage({ kind: 'set-receive-keys', data: { epoch: 4, keys: [{ kid: key.kid.toString(), key: key.baseKey.slice(), participantId: ALICE }] } });
    await core.cryptor.settled();
  };
  return { clock, send, flush, giveKeys, shown, requests: () => requests };
}

describe('key frame requests of a video receiver', () => {
  test('after dropping frames it had no key for, the first delta frame that decrypts asks for a key frame, at most once per interval', async () => {
    const r = await receiver();
    await r.send(KEY);
    await r.send(DELTA);
    await r.flush();
    assert.equal(r.shown.length, 0, 'no key yet: dropped');
    assert.equal(r.requests(), 0, 'nothing decrypts yet: asking would not help');
    await r.giveKeys();
    await r.send(DELTA);
    await r.send(DELTA);
    await r.flush();
    assert.equal(r.requests(), 1, 'one request for the key frame it missed');
    r.clock.t += KEY_FRAME_REQUEST_INTERVAL_MS;
    await r.send(DELTA);
    await r.flush();
    assert.equal(r.requests(), 2, 'still no key frame: asks again after the interval');
    await r.send(KEY);
    r.clock.t += KEY_FRAME_REQUEST_INTERVAL_MS;
    await r.send(DELTA);
    await r.flush();
    assert.equal(r.requests(), 2, 'a key frame arrived: no more requests');
    assert.equal(r.shown.length, 5);
  });

  test('a receiver that starts with its keys and a key frame never asks', async () => {
    const r = await receiver();
    await r.giveKeys();
    await r.send(KEY);
    for (let i = 0; i < 5; i++) await r.send(DELTA);
    await r.flush();
    assert.equal(r.requests(), 0);
  });
});
