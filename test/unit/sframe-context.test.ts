import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SFrameContext } from '../../src/e2ee/sframe/context.ts';
import { SFrameError } from '../../src/e2ee/sframe/errors.ts';
import type { SFrameErrorCode } from '../../src/e2ee/sframe/errors.ts';
import { decodeHeader } from '../../src/e2ee/sframe/header.ts';
import { cipherSuite, CipherSuiteId } from '../../src/e2ee/sframe/suites.ts';
import { seededRandom } from './sframe-seeded-random.ts';

const SUITES = Object.values(CipherSuiteId);

async function rejectsWith(promise: Promise<unknown>, code: SFrameErrorCode, what: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof SFrameError, `${what}: expected SFrameError, got ${String(err)}`);
    assert.equal(err.code, code, `${what}: wrong code`);
    return true;
  });
}

async function pair(suite: CipherSuiteId, kid: bigint, seed: number) {
  const baseKey = seededRandom(seed).bytes(cipherSuite(suite).nk);
  const sender = new SFrameContext({ suite });
  const receiver = new SFrameContext({ suite });
  await sender.addEncryptionKey(kid, baseKey);
  await receiver.addDecryptionKey(kid, baseKey);
  return { sender, receiver, baseKey };
}

function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[index]! ^= 1 << bit;
  return copy;
}

describe('SFrameContext', () => {
  for (const suite of SUITES) {
    const { name, nt } = cipherSuite(suite);

    it(`${name}: frames decrypt to the plaintext, KID and counter they were sealed with`, async () => {
      const rnd = seededRandom(100 + suite);
      const { sender, receiver } = await pair(suite, 0x1234n, suite);
      for (let i = 0; i < 20; i++) {
        const plaintext = rnd.bytes(rnd.int(300));
        const metadata = rnd.bytes(rnd.int(8));
        const frame = await sender.encrypt(0x1234n, plaintext, metadata);
        assert.equal(frame.length, decodeHeader(frame).length + plaintext.length + nt);
        const out = await receiver.decrypt(frame, metadata);
        assert.equal(out.kid, 0x1234n);
        assert.equal(out.ctr, BigInt(i));
        assert.deepEqual(out.plaintext, plaintext);
      }
    });

    it(`${name}: a flipped bit in ciphertext, tag, header counter or metadata fails authentication`, async () => {
      const rnd = seededRandom(200 + suite);
      const { sender, receiver } = await pair(suite, 42n, 50 + suite);
      // Move the counter past 255 so the header carries a 2-byte CTR whose low bit can flip
      // and still decode to a counter the receiver has not seen.
      for (let i = 0; i < 300; i++) await sender.encrypt(42n, new Uint8Array(1));
      const metadata = rnd.bytes(6);
      const frame = await sender.encrypt(42n, rnd.bytes(64), metadata);
      const headerLength = decodeHeader(frame).length;
      const tagStart = frame.length - nt;

      await rejectsWith(receiver.decrypt(flipBit(frame, headerLength + rnd.int(64), rnd.int(8)), metadata), 'auth-failed', 'ciphertext');
      await rejectsWith(receiver.decrypt(flipBit(frame, tagStart + rnd.int(nt), rnd.int(8)), metadata), 'auth-failed', 'tag');
      await rejectsWith(receiver.decrypt(flipBit(frame, headerLength - 1), metadata), 'auth-failed', 'header counter');
      await rejectsWith(receiver.decrypt(frame, flipBit(metadata, rnd.int(6), rnd.int(8))), 'auth-failed', 'metadata');
      await rejectsWith(receiver.decrypt(frame, new Uint8Array(0)), 'auth-failed', 'missing metadata');
      // None of the forgeries consumed the counter: the genuine frame still decrypts.
      assert.equal((await receiver.decrypt(frame, metadata)).ctr, 300n);
    });
  }

  it('a frame shorter than header plus tag is refused as malformed', async () => {
    const { sender, receiver } = await pair(CipherSuiteId.AES_128_GCM_SHA256_128, 9n, 7);
    const frame = await sender.encrypt(9n, new Uint8Array(0));
    await rejectsWith(receiver.decrypt(frame.subarray(0, frame.length - 1)), 'malformed-frame', 'truncated');
  });

  it('a frame whose header cannot be parsed is refused as malformed-header', async () => {
    const receiver = new SFrameContext({ suite: CipherSuiteId.AES_128_GCM_SHA256_128 });
    await rejectsWith(receiver.decrypt(Uint8Array.of(0xf0, 1, 2)), 'malformed-header', 'truncated KID');
  });

  it('a frame under a KID the receiver has no key for is refused as unknown-key', async () => {
    const { sender } = await pair(CipherSuiteId.AES_128_GCM_SHA256_128, 5n, 8);
    const stranger = new SFrameContext({ suite: CipherSuiteId.AES_128_GCM_SHA256_128 });
    await stranger.addDecryptionKey(6n, new Uint8Array(16));
    await rejectsWith(stranger.decrypt(await sender.encrypt(5n, new Uint8Array(10))), 'unknown-key', 'other KID');
    await rejectsWith(sender.encrypt(77n, new Uint8Array(1)), 'unknown-key', 'encrypt under unknown KID');
  });

  it('a removed key no longer decrypts, and the same KID decrypts again once re-added', async () => {
    const { sender, receiver, baseKey } = await pair(CipherSuiteId.AES_128_GCM_SHA256_128, 3n, 9);
    const frame = await sender.encrypt(3n, new Uint8Array(10));
    assert.equal(receiver.removeKey(3n), true);
    assert.equal(receiver.removeKey(3n), false);
    await rejectsWith(receiver.decrypt(frame), 'unknown-key', 'removed');
    await receiver.addDecryptionKey(3n, baseKey);
    assert.equal((await receiver.decrypt(frame)).ctr, 0n);
  });

  it('a key is usable in one direction only', async () => {
    const { sender, receiver } = await pair(CipherSuiteId.AES_128_CTR_HMAC_SHA256_80, 4n, 10);
    await rejectsWith(receiver.encrypt(4n, new Uint8Array(4)), 'wrong-key-usage', 'encrypt with receive key');
    await rejectsWith(sender.decrypt(await sender.encrypt(4n, new Uint8Array(4))), 'unknown-key', 'decrypt with send key');
  });

  it('a frame sealed under one base key fails authentication under another key with the same KID', async () => {
    const { sender } = await pair(CipherSuiteId.AES_256_GCM_SHA512_128, 12n, 11);
    const receiver = new SFrameContext({ suite: CipherSuiteId.AES_256_GCM_SHA512_128 });
    await receiver.addDecryptionKey(12n, seededRandom(12).bytes(32));
    await rejectsWith(receiver.decrypt(await sender.encrypt(12n, new Uint8Array(30))), 'auth-failed', 'wrong key');
  });

  it('each encryption KID counts on its own, and concurrent encryptions never share a counter', async () => {
    const suite = CipherSuiteId.AES_128_GCM_SHA256_128;
    const sender = new SFrameContext({ suite });
    await sender.addEncryptionKey(1n, new Uint8Array(16).fill(1));
    await sender.addEncryptionKey(2n, new Uint8Array(16).fill(2));
    const frames = await Promise.all(Array.from({ length: 50 }, () => sender.encrypt(1n, new Uint8Array(100))));
    const counters = frames.map((f) => decodeHeader(f).ctr);
    assert.equal(new Set(counters).size, 50);
    assert.deepEqual([...counters].sort((a, b) => Number(a - b)), Array.from({ length: 50 }, (_, i) => BigInt(i)));
    assert.equal(decodeHeader(await sender.encrypt(2n, new Uint8Array(1))).ctr, 0n);
  });

  it('distinct KIDs under one base key yield distinct ciphertexts for the same plaintext and counter', async () => {
    const suite = CipherSuiteId.AES_128_GCM_SHA256_128;
    const sender = new SFrameContext({ suite });
    const baseKey = new Uint8Array(16).fill(9);
    await sender.addEncryptionKey(256n, baseKey);
    await sender.addEncryptionKey(512n, baseKey);
    const plaintext = new Uint8Array(32);
    const a = await sender.encrypt(256n, plaintext);
    const b = await sender.encrypt(512n, plaintext);
    const headerLength = decodeHeader(a).length;
    assert.notDeepEqual(a.subarray(headerLength), b.subarray(headerLength));
  });

  it('rejects an unknown cipher suite and a bad replay window size with TypeError', () => {
    assert.throws(() => new SFrameContext({ suite: 6 as CipherSuiteId }), TypeError);
    assert.throws(() => new SFrameContext({ suite: 4, replayWindow: 100 }), TypeError);
  });
});
