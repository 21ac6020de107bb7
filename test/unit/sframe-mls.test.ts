import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SFrameContext } from '../../src/e2ee/sframe/context.ts';
import { SFrameError } from '../../src/e2ee/sframe/errors.ts';
import { deriveKeyMaterial } from '../../src/e2ee/sframe/key-schedule.ts';
import {
  MLS_EXPORTER_LABEL,
  SABHA_EPOCH_BITS,
  mlsExporterLength,
  mlsKid,
  mlsSenderKey,
  parseMlsKid,
} from '../../src/e2ee/sframe/mls.ts';
import { cipherSuite, CipherSuiteId } from '../../src/e2ee/sframe/suites.ts';
import { seededRandom } from './sframe-seeded-random.ts';

const GCM128 = cipherSuite(CipherSuiteId.AES_128_GCM_SHA256_128);

describe('MLS KIDs (RFC 9605 section 5.2)', () => {
  it('reproduces the KIDs of the RFC example sequence (E=4, S=6)', () => {
    const cases: Array<[index: number, epoch: number, context: number, kid: number]> = [
      [3, 14, 0, 0x3e],
      [7, 14, 0, 0x7e],
      [20, 14, 0, 0x14e],
      [3, 15, 0, 0x3f],
      [5, 15, 0, 0x5f],
      [2, 16, 2, 0x820],
      [2, 16, 3, 0xc20],
      [33, 17, 0, 0x211],
      [51, 17, 0, 0x331],
    ];
    for (const [index, epoch, context, kid] of cases) {
      assert.equal(mlsKid(index, epoch, 4, { context, indexBits: 6 }), BigInt(kid), `index ${index} epoch ${epoch}`);
      assert.deepEqual(parseMlsKid(kid, 4, 6), { context: BigInt(context), senderIndex: BigInt(index), epochLow: BigInt(epoch % 16) });
    }
  });

  it('with context 0 the KID is (index << E) | (epoch mod 2^E), whatever S is', () => {
    assert.equal(mlsKid(5, 1000, 8), (5n << 8n) | (1000n % 256n));
    assert.equal(mlsKid(5, 1000, 8), mlsKid(5, 1000, 8, { context: 0, indexBits: 20 }));
    assert.deepEqual(parseMlsKid(mlsKid(300, 7, SABHA_EPOCH_BITS), SABHA_EPOCH_BITS), { context: 0n, senderIndex: 300n, epochLow: 7n });
  });

  it('epochs 2^E apart map to the same KID, which is why an old epoch must be dropped on rollover', () => {
    assert.equal(mlsKid(9, 3, 8), mlsKid(9, 3 + 256, 8));
    assert.notEqual(mlsKid(9, 3, 8), mlsKid(9, 4, 8));
  });

  it('refuses an index wider than S and a KID beyond 64 bits', () => {
    assert.throws(() => mlsKid(64, 0, 4, { context: 1, indexBits: 6 }), TypeError);
    assert.throws(() => mlsKid(2n ** 60n, 0, 8), TypeError);
  });
});

describe('MLS sender keys', () => {
  it('asks the exporter for AEAD.Nk bytes under the RFC label', () => {
    assert.equal(MLS_EXPORTER_LABEL, 'SFrame 1.0 Base Key');
    for (const id of Object.values(CipherSuiteId)) assert.equal(mlsExporterLength(cipherSuite(id)), cipherSuite(id).nk);
  });

  it('refuses an exporter output of the wrong length, such as Nh bytes for suite 4', () => {
    assert.throws(() => mlsSenderKey(GCM128, new Uint8Array(GCM128.nh), 0, 0), TypeError);
  });

  it('gives every member of an epoch its own KID, and so its own key and salt, from the one epoch key', async () => {
    const epochKey = seededRandom(31).bytes(16);
    const keys = [];
    for (let index = 0; index < 6; index++) {
      const { kid, baseKey } = mlsSenderKey(GCM128, epochKey, index, 41);
      assert.deepEqual(baseKey, epochKey);
      keys.push(await deriveKeyMaterial(GCM128, kid, baseKey));
    }
    assert.equal(new Set(keys.map((k) => Buffer.from(k.key).toString('hex'))).size, 6);
    assert.equal(new Set(keys.map((k) => Buffer.from(k.salt).toString('hex'))).size, 6);
  });

  it('lets each member decrypt every other member of the epoch, and not frames from another epoch', async () => {
    const epoch = 77;
    const members = [0, 1, 2];
    const epochKey = seededRandom(32).bytes(16);
    const otherEpochKey = seededRandom(33).bytes(16);
    const contexts = await Promise.all(
      members.map(async (self) => {
        const ctx = new SFrameContext({ suite: GCM128.id });
        for (const index of members) {
          const { kid, baseKey } = mlsSenderKey(GCM128, epochKey, index, epoch);
          await (index === self ? ctx.addEncryptionKey(kid, baseKey) : ctx.addDecryptionKey(kid, baseKey));
        }
        return ctx;
      }),
    );
    for (const from of members) {
      const frame = await contexts[from]!.encrypt(mlsKid(from, epoch, SABHA_EPOCH_BITS), new TextEncoder().encode(`from ${from}`));
      for (const to of members.filter((m) => m !== from)) {
        const out = await contexts[to]!.decrypt(frame);
        assert.equal(new TextDecoder().decode(out.plaintext), `from ${from}`);
        assert.equal(parseMlsKid(out.kid, SABHA_EPOCH_BITS).senderIndex, BigInt(from));
      }
    }
    // Same KID (epoch 77 + 256), different epoch key: authentication must fail.
    const stale = new SFrameContext({ suite: GCM128.id });
    const wrapped = mlsSenderKey(GCM128, otherEpochKey, 0, epoch + 256);
    await stale.addEncryptionKey(wrapped.kid, wrapped.baseKey);
    await stale.encrypt(wrapped.kid, new Uint8Array(8)); // CTR 0 was already accepted from member 0
    await assert.rejects(
      contexts[1]!.decrypt(await stale.encrypt(wrapped.kid, new Uint8Array(8))),
      (e: unknown) => e instanceof SFrameError && e.code === 'auth-failed',
    );
  });
});
