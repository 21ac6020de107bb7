/**
 * The AEAD interface the frame layer sees (RFC 5116 style: the tag is the tail of
 * the ciphertext), and the import of raw AEAD keys into non-extractable CryptoKeys.
 * A key is imported for one direction only, so WebCrypto itself refuses to use a
 * receive key for sending and vice versa (RFC 9605 section 4.4.1).
 */
import { ownBytes } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import { ctrHmacAead } from './aead-ctr-hmac.ts';
import { gcmAead } from './aead-gcm.ts';
import type { CipherSuite } from './suites.ts';

export type KeyDirection = 'encrypt' | 'decrypt';

export interface SFrameAead {
  readonly suite: CipherSuite;
  /** Returns ciphertext || tag. */
  seal(nonce: Bytes, aad: Bytes, plaintext: Bytes): Promise<Bytes>;
  /** Takes ciphertext || tag; throws SFrameError 'auth-failed' if the tag does not verify. */
  open(nonce: Bytes, aad: Bytes, ciphertext: Bytes): Promise<Bytes>;
}

/** Splits a compound CTR+HMAC key (section 4.5.1): the first Nka bytes encrypt, the rest authenticate. */
export function splitCtrHmacKey(suite: CipherSuite, key: Uint8Array): { encKey: Uint8Array; authKey: Uint8Array } {
  if (suite.nka === null) throw new TypeError(`${suite.name} has no compound key`);
  return { encKey: key.subarray(0, suite.nka), authKey: key.subarray(suite.nka) };
}

/** Imports an AEAD key of Nk bytes. The caller should zero its copy afterwards. */
export async function importAeadKey(suite: CipherSuite, key: Uint8Array, direction: KeyDirection): Promise<SFrameAead> {
  if (key.length !== suite.nk) throw new TypeError(`${suite.name} needs a ${suite.nk}-byte key`);
  const subtle = globalThis.crypto.subtle;
  if (suite.aead === 'aes-gcm') {
    const k = await subtle.importKey('raw', ownBytes(key), 'AES-GCM', false, [direction]);
    return gcmAead(suite, k);
  }
  const { encKey, authKey } = splitCtrHmacKey(suite, key);
  const enc = await subtle.importKey('raw', ownBytes(encKey), 'AES-CTR', false, [direction]);
  const auth = await subtle.importKey('raw', ownBytes(authKey), { name: 'HMAC', hash: suite.hash }, false, ['sign']);
  return ctrHmacAead(suite, enc, auth);
}
