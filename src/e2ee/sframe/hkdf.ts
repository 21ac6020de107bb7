/**
 * HKDF (RFC 5869) on raw bytes, built from WebCrypto HMAC. The frame path derives
 * its keys with WebCrypto's own HKDF so they never leave the crypto layer; this
 * byte-level form exists to expose the intermediate `sframe_secret` that the test
 * vectors pin, and to check the two derivations agree.
 */
import { concatBytes, ownBytes } from './bytes.ts';
import type { Bytes } from './bytes.ts';

export type HashName = 'SHA-256' | 'SHA-512';

const HASH_LENGTH: Record<HashName, number> = { 'SHA-256': 32, 'SHA-512': 64 };

async function hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Promise<Bytes> {
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey('raw', ownBytes(key), { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', k, ownBytes(data)));
}

export async function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Promise<Bytes> {
  // RFC 5869 section 2.2: an absent salt is HashLen zero bytes. HMAC zero-pads short keys,
  // so this equals HMAC under the empty key, which WebCrypto refuses to import.
  const key = salt.length === 0 ? new Uint8Array(HASH_LENGTH[hash]) : salt;
  return hmac(hash, key, ikm);
}

export async function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Promise<Bytes> {
  const hashLength = HASH_LENGTH[hash];
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLength) {
    throw new RangeError('HKDF-Expand length out of range');
  }
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    previous = await hmac(hash, prk, concatBytes(previous, info, Uint8Array.of(i)));
    out.set(previous.subarray(0, Math.min(hashLength, length - offset)), offset);
    offset += hashLength;
  }
  return out;
}
