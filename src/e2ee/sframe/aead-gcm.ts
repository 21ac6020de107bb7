/** AES-GCM with a 128-bit tag (suites 4 and 5), straight from WebCrypto. */
import type { Bytes } from './bytes.ts';
import { SFrameError } from './errors.ts';
import type { SFrameAead } from './aead.ts';
import type { CipherSuite } from './suites.ts';

export function gcmAead(suite: CipherSuite, key: CryptoKey): SFrameAead {
  const subtle = globalThis.crypto.subtle;
  const tagLength = suite.nt * 8;
  return {
    suite,
    async seal(nonce, aad, plaintext) {
      const params = { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength };
      return new Uint8Array(await subtle.encrypt(params, key, plaintext));
    },
    async open(nonce, aad, ciphertext): Promise<Bytes> {
      const params = { name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength };
      try {
        return new Uint8Array(await subtle.decrypt(params, key, ciphertext));
      } catch (err) {
        // WebCrypto reports a bad tag as OperationError; anything else is a usage bug and propagates.
        if (err instanceof Error && err.name === 'OperationError') {
          throw new SFrameError('auth-failed', 'SFrame authentication failed');
        }
        throw err;
      }
    },
  };
}
