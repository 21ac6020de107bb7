import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SFrameContext } from '../../src/e2ee/sframe/context.ts';
import { SFrameError } from '../../src/e2ee/sframe/errors.ts';
import { ReplayWindow } from '../../src/e2ee/sframe/replay-window.ts';
import type { ReplayVerdict } from '../../src/e2ee/sframe/replay-window.ts';
import { CipherSuiteId } from '../../src/e2ee/sframe/suites.ts';
import { seededRandom } from './sframe-seeded-random.ts';

/** The obvious, slow definition the bitmap must agree with. */
class ModelWindow {
  readonly #seen = new Set<bigint>();
  #highest = -1n;
  constructor(readonly size: number) {}
  accept(ctr: bigint): ReplayVerdict {
    if (this.#highest >= 0n && this.#highest - ctr >= BigInt(this.size)) return 'too-old';
    if (this.#seen.has(ctr)) return 'duplicate';
    this.#seen.add(ctr);
    if (ctr > this.#highest) this.#highest = ctr;
    return 'fresh';
  }
}

function isReplay(err: unknown): boolean {
  return err instanceof SFrameError && err.code === 'replay';
}

describe('ReplayWindow', () => {
  for (const seed of [1, 2, 3, 0xdecaf]) {
    it(`agrees with a set-based model on a seeded stream of jumps, reorders and repeats (seed ${seed})`, () => {
      const rnd = seededRandom(seed);
      const size = 64;
      const window = new ReplayWindow(size);
      const model = new ModelWindow(size);
      let top = BigInt(rnd.int(1000));
      const verdicts = new Map<ReplayVerdict, number>();
      for (let i = 0; i < 20000; i++) {
        const r = rnd.next();
        let ctr: bigint;
        if (r < 0.5) ctr = top += BigInt(1 + rnd.int(3)); // steady progress
        else if (r < 0.8) ctr = top - BigInt(rnd.int(size + 8)); // late frames, some beyond the window
        else if (r < 0.98) ctr = top - BigInt(rnd.int(8)); // likely repeats
        else ctr = top += BigInt(rnd.int(3 * size)); // loss bursts, some wider than the window
        if (ctr < 0n) ctr = 0n;
        const expected = model.accept(ctr);
        assert.equal(window.accept(ctr), expected, `step ${i}, ctr ${ctr}`);
        verdicts.set(expected, (verdicts.get(expected) ?? 0) + 1);
      }
      // The stream must actually have exercised all three outcomes.
      for (const v of ['fresh', 'duplicate', 'too-old'] as const) assert.ok((verdicts.get(v) ?? 0) > 100, v);
    });
  }

  it('check() does not record: only accept() marks a counter as seen', () => {
    const window = new ReplayWindow(32);
    assert.equal(window.check(5n), 'fresh');
    assert.equal(window.check(5n), 'fresh');
    assert.equal(window.accept(5n), 'fresh');
    assert.equal(window.check(5n), 'duplicate');
  });

  it('handles counters near 2^64-1', () => {
    const window = new ReplayWindow(32);
    const max = 2n ** 64n - 1n;
    assert.equal(window.accept(max - 40n), 'fresh');
    assert.equal(window.accept(max), 'fresh');
    assert.equal(window.accept(max - 40n), 'too-old');
    assert.equal(window.accept(max - 31n), 'fresh');
    assert.equal(window.accept(max - 31n), 'duplicate');
  });
});

describe('SFrameContext replay protection', () => {
  const suite = CipherSuiteId.AES_128_GCM_SHA256_128;
  const baseKey = new Uint8Array(16).fill(0x42);

  async function setup(replayWindow: number) {
    const sender = new SFrameContext({ suite });
    const receiver = new SFrameContext({ suite, replayWindow });
    await sender.addEncryptionKey(0x101n, baseKey);
    await receiver.addDecryptionKey(0x101n, baseKey);
    return { sender, receiver };
  }

  for (const seed of [7, 99, 2024]) {
    it(`accepts reordered frames exactly once and refuses every replayed copy (seed ${seed})`, async () => {
      const rnd = seededRandom(seed);
      const { sender, receiver } = await setup(64);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 300; i++) frames.push(await sender.encrypt(0x101n, rnd.bytes(20)));
      // Reorder within blocks of 16 (well inside the window of 64), and after some deliveries
      // repeat one of the last 20 delivered frames.
      const order: number[] = [];
      for (let b = 0; b < 300; b += 16) order.push(...rnd.shuffle(Array.from({ length: Math.min(16, 300 - b) }, (_, k) => b + k)));
      const delivered: number[] = [];
      const seen = new Set<number>();
      let replays = 0;
      for (const index of order) {
        delivered.push(index);
        if (rnd.next() < 0.3) delivered.push(delivered[Math.max(0, delivered.length - 1 - rnd.int(20))]!);
      }
      for (const index of delivered) {
        try {
          const out = await receiver.decrypt(frames[index]!);
          assert.equal(out.ctr, BigInt(index));
          assert.ok(!seen.has(index), `frame ${index} accepted twice`);
          seen.add(index);
        } catch (err) {
          assert.ok(isReplay(err), String(err));
          assert.ok(seen.has(index), `frame ${index} refused as replay before being accepted`);
          replays++;
        }
      }
      assert.equal(seen.size, 300);
      assert.equal(replays, delivered.length - 300);
      assert.ok(replays > 30);
    });
  }

  it('refuses a frame older than the window even if it was never seen', async () => {
    const { sender, receiver } = await setup(32);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) frames.push(await sender.encrypt(0x101n, new Uint8Array(4)));
    await receiver.decrypt(frames[39]!);
    await assert.rejects(receiver.decrypt(frames[7]!), isReplay); // 39 - 7 = 32: just outside
    assert.equal((await receiver.decrypt(frames[8]!)).ctr, 8n); // 39 - 8 = 31: just inside
  });

  it('a forged frame with a far-ahead counter does not move the window', async () => {
    const { sender, receiver } = await setup(32);
    const early = await sender.encrypt(0x101n, new Uint8Array(4));
    // Header KID 0x101, CTR 2^40 (5 bytes), then garbage where ciphertext and tag belong.
    const forged = Uint8Array.of(0x9c, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, ...new Uint8Array(20));
    await assert.rejects(receiver.decrypt(forged), (e: unknown) => e instanceof SFrameError && e.code === 'auth-failed');
    assert.equal((await receiver.decrypt(early)).ctr, 0n);
  });

  it('two copies of one frame decrypted concurrently yield one plaintext and one replay', async () => {
    const { sender, receiver } = await setup(64);
    const frame = await sender.encrypt(0x101n, new Uint8Array(1000));
    const results = await Promise.allSettled([receiver.decrypt(frame), receiver.decrypt(frame)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected');
    assert.ok(rejected && isReplay(rejected.reason));
  });

  it('re-adding a decryption key starts a fresh window for the new key', async () => {
    const { sender, receiver } = await setup(64);
    const frame = await sender.encrypt(0x101n, new Uint8Array(4));
    await receiver.decrypt(frame);
    await assert.rejects(receiver.decrypt(frame), isReplay);
    await receiver.addDecryptionKey(0x101n, baseKey);
    assert.equal((await receiver.decrypt(frame)).ctr, 0n);
  });
});
