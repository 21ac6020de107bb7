/**
 * Per-KID key and salt derivation (RFC 9605 section 4.4.2):
 *
 *   sframe_secret = HKDF-Extract("", base_key)
 *   sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  || KID || suite, Nk)
 *   sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " || KID || suite, Nn)
 *
 * KID is 8 bytes big-endian (not the header's compact form), suite 2 bytes big-endian,
 * and HKDF uses the suite's hash. Mixing KID into both labels is what gives each KID
 * of one base key its own key and nonce space.
 */
import { concatBytes, encodeBigEndian, ownBytes, toU64 } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import { importAeadKey } from './aead.ts';
import type { KeyDirection, SFrameAead } from './aead.ts';
import { gcmAead } from './aead-gcm.ts';
import { hkdfExpand, hkdfExtract } from './hkdf.ts';
import type { CipherSuite } from './suites.ts';

const KEY_LABEL_PREFIX = new TextEncoder().encode('SFrame 1.0 Secret key ');
const SALT_LABEL_PREFIX = new TextEncoder().encode('SFrame 1.0 Secret salt ');
const EMPTY_SALT = new Uint8Array(0);

function label(prefix: Uint8Array, suite: CipherSuite, kid: bigint | number): Bytes {
  return concatBytes(prefix, encodeBigEndian(toU64(kid, 'kid'), 8), encodeBigEndian(BigInt(suite.id), 2));
}

export function sframeKeyLabel(suite: CipherSuite, kid: bigint | number): Bytes {
  return label(KEY_LABEL_PREFIX, suite, kid);
}

export function sframeSaltLabel(suite: CipherSuite, kid: bigint | number): Bytes {
  return label(SALT_LABEL_PREFIX, suite, kid);
}

export interface SFrameKeyMaterial {
  readonly secret: Bytes;
  readonly key: Bytes;
  readonly salt: Bytes;
}

/** Derives the raw bytes, intermediate secret included. For conformance checks, not the media path. */
export async function deriveKeyMaterial(
  suite: CipherSuite,
  kid: bigint | number,
  baseKey: Uint8Array,
): Promise<SFrameKeyMaterial> {
  const secret = await hkdfExtract(suite.hash, EMPTY_SALT, baseKey);
  const key = await hkdfExpand(suite.hash, secret, sframeKeyLabel(suite, kid), suite.nk);
  const salt = await hkdfExpand(suite.hash, secret, sframeSaltLabel(suite, kid), suite.nn);
  return { secret, key, salt };
}

/** What the frame layer needs for one KID in one direction. */
export interface SFrameKeys {
  readonly suite: CipherSuite;
  readonly kid: bigint;
  readonly direction: KeyDirection;
  /** Not secret on its own: it is only XORed with the public counter. */
  readonly salt: Bytes;
  readonly aead: SFrameAead;
}

/**
 * Derives the keys for one KID with WebCrypto HKDF (Extract then Expand in one call,
 * the same as above) into non-extractable CryptoKeys. For GCM the key never exists
 * as JS bytes; the compound CTR+HMAC key must be split, so its bytes exist briefly
 * and are zeroed after import.
 */
export async function deriveSFrameKeys(
  suite: CipherSuite,
  kid: bigint | number,
  baseKey: Uint8Array,
  direction: KeyDirection,
): Promise<SFrameKeys> {
  const kid64 = toU64(kid, 'kid');
  const subtle = globalThis.crypto.subtle;
  const ikm = await subtle.importKey('raw', ownBytes(baseKey), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const hkdf = (info: Bytes): HkdfParams => ({ name: 'HKDF', hash: suite.hash, salt: EMPTY_SALT, info });

  const salt = new Uint8Array(await subtle.deriveBits(hkdf(sframeSaltLabel(suite, kid64)), ikm, suite.nn * 8));
  let aead: SFrameAead;
  if (suite.aead === 'aes-gcm') {
    const key = await subtle.deriveKey(
      hkdf(sframeKeyLabel(suite, kid64)),
      ikm,
      { name: 'AES-GCM', length: suite.nk * 8 },
      false,
      [direction],
    );
    aead = gcmAead(suite, key);
  } else {
    const keyBytes = new Uint8Array(await subtle.deriveBits(hkdf(sframeKeyLabel(suite, kid64)), ikm, suite.nk * 8));
    try {
      aead = await importAeadKey(suite, keyBytes, direction);
    } finally {
      keyBytes.fill(0);
    }
  }
  return { suite, kid: kid64, direction, salt, aead };
}
