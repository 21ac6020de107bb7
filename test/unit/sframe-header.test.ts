import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SFrameError } from '../../src/e2ee/sframe/errors.ts';
import { decodeHeader, encodeHeader } from '../../src/e2ee/sframe/header.ts';
import { seededRandom } from './sframe-seeded-random.ts';

function malformed(hex: string): void {
  assert.throws(
    () => decodeHeader(Uint8Array.from(Buffer.from(hex, 'hex'))),
    (err: unknown) => err instanceof SFrameError && err.code === 'malformed-header',
    `header ${hex || '(empty)'} must be refused`,
  );
}

describe('SFrame header', () => {
  it('carries KID and CTR below 8 in the config byte alone', () => {
    assert.deepEqual([...encodeHeader(5, 3)], [0x53]);
    assert.deepEqual(decodeHeader(Uint8Array.of(0x53)), { kid: 5n, ctr: 3n, length: 1 });
  });

  it('decodes only the header from the front of a longer frame', () => {
    const frame = Uint8Array.of(0x99, 0x01, 0x23, 0x45, 0x67, 0xaa, 0xbb);
    assert.deepEqual(decodeHeader(frame), { kid: 0x0123n, ctr: 0x4567n, length: 5 });
  });

  it('round-trips seeded random values of every byte length, up to 2^64-1', () => {
    const rnd = seededRandom(0x5f4a3e21);
    for (let i = 0; i < 2000; i++) {
      const pick = (): bigint => {
        const bytes = rnd.int(9); // 0..8 bytes, so every length and the inline case occur
        let v = 0n;
        for (let b = 0; b < bytes; b++) v = (v << 8n) | BigInt(rnd.int(256));
        return v;
      };
      const kid = pick();
      const ctr = pick();
      const encoded = encodeHeader(kid, ctr);
      assert.deepEqual(decodeHeader(encoded), { kid, ctr, length: encoded.length });
    }
  });

  it('refuses empty input and KID or CTR fields cut short', () => {
    malformed('');
    malformed('80'); // KID of 1 byte announced, none present
    malformed('f0ffffffffffff'); // KID of 8 bytes announced, 6 present
    malformed('0f01'); // CTR of 8 bytes announced, 1 present
    malformed('8808'); // KID present, CTR of 1 byte missing
  });

  it('refuses values that are not in their minimal encoding', () => {
    malformed('8005'); // KID 5 must sit in the config byte
    malformed('0807'); // CTR 7 must sit in the config byte
    malformed('900012'); // KID 0x12 in 2 bytes with a leading zero
    malformed('090034'); // CTR 0x34 in 2 bytes with a leading zero
  });

  it('throws TypeError for KID or CTR outside 0..2^64-1 or unsafe numbers', () => {
    assert.throws(() => encodeHeader(-1, 0), TypeError);
    assert.throws(() => encodeHeader(0n, 2n ** 64n), TypeError);
    assert.throws(() => encodeHeader(2 ** 53, 0), TypeError);
    assert.throws(() => encodeHeader(1.5, 0), TypeError);
  });
});
