/**
 * The compound AEAD of RFC 9605 section 4.5.1 (suites 1-3): AES-CTR, then HMAC over
 *   len(aad) || len(ct) || Nt   (each 8 bytes big-endian) || nonce || aad || ct,
 * truncated to Nt bytes. The counter block is the 12-byte nonce followed by a 32-bit
 * block counter starting at zero. Encrypt-then-MAC: the tag is checked before any
 * decryption happens.
 */
import { concatBytes, constantTimeEqual, encodeBigEndian } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import { SFrameError } from './errors.ts';
import type { SFrameAead } from './aead.ts';
import type { CipherSuite } from './suites.ts';

/** Bits of the AES-CTR block that count blocks: the 4 zero bytes appended to the nonce. */
const BLOCK_COUNTER_BITS = 32;

export function ctrHmacAead(suite: CipherSuite, encKey: CryptoKey, authKey: CryptoKey): SFrameAead {
  const subtle = globalThis.crypto.subtle;
  const nt = suite.nt;
  const tagLengthField = encodeBigEndian(BigInt(nt), 8);

  async function computeTag(nonce: Bytes, aad: Bytes, ct: Uint8Array): Promise<Uint8Array> {
    const authData = concatBytes(
      encodeBigEndian(BigInt(aad.length), 8),
      encodeBigEndian(BigInt(ct.length), 8),
      tagLengthField,
      nonce,
      aad,
      ct,
    );
    const mac = new Uint8Array(await subtle.sign('HMAC', authKey, authData));
    return mac.subarray(0, nt);
  }

  function ctrParams(nonce: Bytes): AesCtrParams {
    return { name: 'AES-CTR', counter: concatBytes(nonce, new Uint8Array(4)), length: BLOCK_COUNTER_BITS };
  }

  return {
    suite,
    async seal(nonce, aad, plaintext) {
      const ct = new Uint8Array(await subtle.encrypt(ctrParams(nonce), encKey, plaintext));
      return concatBytes(ct, await computeTag(nonce, aad, ct));
    },
    async open(nonce, aad, ciphertext) {
      if (ciphertext.length < nt) throw new SFrameError('malformed-frame', 'SFrame ciphertext shorter than its tag');
      const inner = ciphertext.subarray(0, ciphertext.length - nt);
      const tag = ciphertext.subarray(ciphertext.length - nt);
      if (!constantTimeEqual(tag, await computeTag(nonce, aad, inner))) {
        throw new SFrameError('auth-failed', 'SFrame authentication failed');
      }
      return new Uint8Array(await subtle.decrypt(ctrParams(nonce), encKey, inner));
    },
  };
}
