/**
 * The one MLS cipher suite Sabha uses, and the crypto back ends that can run it.
 *
 * MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (suite 1, the mandatory-to-implement one): X25519 and
 * Ed25519 are in WebCrypto in Node 20 and in current Chromium (X25519 from 133, Ed25519 from 137), and
 * ts-mls 1.6.4 needs nothing else for it (its pure-JS fallbacks need @noble/curves, which we do not ship).
 *
 * Back ends:
 * - 'webcrypto': ts-mls's default provider. Every hash, HMAC, HKDF step and signature is a WebCrypto call
 *   and most import a key first; at MLS's many tiny operations that per-call overhead dominates.
 * - 'noble' (default): ts-mls's crypto-provider hook with synchronous @noble/hashes SHA-256/HMAC and
 *   @noble/ciphers AES-GCM (ts-mls's `nobleCryptoProvider`), plus, from us, HKDF from @noble/hashes and
 *   Ed25519 keys imported into WebCrypto once per key instead of once per signature.
 *   HPKE (X25519) and the Ed25519 arithmetic stay in WebCrypto.
 */
import {
  defaultCryptoProvider,
  getCiphersuiteFromName,
  nobleCryptoProvider,
  type CiphersuiteImpl,
  type CiphersuiteName,
  type CryptoProvider,
  type Kdf,
  type Signature,
} from 'ts-mls';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const SABHA_CIPHERSUITE: CiphersuiteName = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

export type MlsCryptoBackend = 'webcrypto' | 'noble';

/** A loaded cipher suite; load once and share between members living in one process. */
export interface MlsSuite {
  readonly backend: MlsCryptoBackend;
  readonly impl: CiphersuiteImpl;
}

export async function loadMlsSuite(backend: MlsCryptoBackend = 'noble'): Promise<MlsSuite> {
  const provider = backend === 'noble' ? sabhaNobleProvider() : defaultCryptoProvider;
  const impl = await provider.getCiphersuiteImpl(getCiphersuiteFromName(SABHA_CIPHERSUITE));
  return { backend, impl };
}

function sabhaNobleProvider(): CryptoProvider {
  return {
    async getCiphersuiteImpl(cs) {
      const base = await nobleCryptoProvider.getCiphersuiteImpl(cs);
      if (cs.hpke.kdf !== 'HKDF-SHA256' || cs.signature !== 'Ed25519') return base;
      return { ...base, kdf: nobleHkdfSha256(), signature: webCryptoEd25519WithKeyCache() };
    },
  };
}

function nobleHkdfSha256(): Kdf {
  return {
    async extract(salt, ikm) {
      return extract(sha256, ikm, salt);
    },
    async expand(prk, info, len) {
      return expand(sha256, prk, info, len);
    },
    size: sha256.outputLen,
  };
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 private key (RFC 8410): fixed prefix, then the key.
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

function toPkcs8(signKey: Uint8Array): Uint8Array<ArrayBuffer> {
  if (signKey.length !== 32) return new Uint8Array(signKey);
  const out = new Uint8Array(ED25519_PKCS8_PREFIX.length + 32);
  out.set(ED25519_PKCS8_PREFIX);
  out.set(signKey, ED25519_PKCS8_PREFIX.length);
  return out;
}

/**
 * Ed25519 through WebCrypto, caching the imported CryptoKey per key object. ts-mls keeps the same
 * Uint8Array for a member's private key and for tree leaves across epochs, so a WeakMap keyed by the array
 * hits nearly always, holds no key bytes as strings, and lets keys go with the states that hold them.
 * Private keys are imported non-extractable.
 */
function webCryptoEd25519WithKeyCache(): Signature {
  const subtle = globalThis.crypto.subtle;
  const signKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
  const verifyKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
  const signKeyFor = (raw: Uint8Array): Promise<CryptoKey> => {
    let key = signKeys.get(raw);
    if (key === undefined) {
      key = subtle.importKey('pkcs8', toPkcs8(raw), 'Ed25519', false, ['sign']);
      signKeys.set(raw, key);
    }
    return key;
  };
  const verifyKeyFor = (raw: Uint8Array): Promise<CryptoKey> => {
    let key = verifyKeys.get(raw);
    if (key === undefined) {
      key = subtle.importKey('raw', new Uint8Array(raw), 'Ed25519', true, ['verify']);
      verifyKeys.set(raw, key);
      // A malformed key must not stay cached as a rejected promise.
      key.catch(() => verifyKeys.delete(raw));
    }
    return key;
  };
  return {
    async sign(signKey, message) {
      return new Uint8Array(await subtle.sign('Ed25519', await signKeyFor(signKey), new Uint8Array(message)));
    },
    async verify(publicKey, message, signature) {
      let key: CryptoKey;
      try {
        key = await verifyKeyFor(publicKey);
      } catch {
        return false;
      }
      return subtle.verify('Ed25519', key, new Uint8Array(signature), new Uint8Array(message));
    },
    async keygen() {
      const pair = (await subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
      const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
      const signKey = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
      return { publicKey, signKey };
    },
  };
}
