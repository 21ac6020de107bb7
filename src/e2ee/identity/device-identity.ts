/**
 * A browser's long-lived device identity key: an Ed25519 key pair made with WebCrypto, its private half
 * non-extractable. It never signs anything but the binding of one MLS credential (binding.ts), and only its
 * public half ever leaves the device, inside that credential. Where it is kept: identity-store.ts (IndexedDB).
 *
 * Ed25519 because MLS already needs it (the cipher suite's signatures): every browser that can join a
 * meeting can do this too (Chromium 137+, Firefox 129+, Node 20).
 */
import { sha256 } from '@noble/hashes/sha2.js';

/** The one algorithm of device identity keys; the tag travels in the credential so another can follow. */
export const IDENTITY_KEY_ED25519 = 1;
export const IDENTITY_PUBLIC_KEY_LENGTH = 32;
export const BINDING_SIGNATURE_LENGTH = 64;

export interface DeviceIdentity {
  /** The raw Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** Signs with the private key, which cannot be read out of the CryptoKey. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** A DeviceIdentity over a WebCrypto key pair (from generateKey or from IndexedDB). */
export async function deviceIdentityFromKeyPair(pair: CryptoKeyPair): Promise<DeviceIdentity> {
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  if (publicKey.length !== IDENTITY_PUBLIC_KEY_LENGTH) throw new TypeError('not an Ed25519 public key');
  const privateKey = pair.privateKey;
  return {
    publicKey,
    async sign(message) {
      return new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, new Uint8Array(message)));
    },
  };
}

/** A new key pair whose private half cannot be exported. */
export async function generateIdentityKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as CryptoKeyPair;
}

/**
 * A fresh identity that lives in memory only: for members made outside a browser (tests, synthetic load,
 * benchmarks). In a browser the session is given the stored one instead.
 */
export async function ephemeralDeviceIdentity(): Promise<DeviceIdentity> {
  return deviceIdentityFromKeyPair(await generateIdentityKeyPair());
}

/** Verifies an Ed25519 signature by a raw identity public key; false for a malformed key or signature. */
export async function verifyIdentitySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (publicKey.length !== IDENTITY_PUBLIC_KEY_LENGTH || signature.length !== BINDING_SIGNATURE_LENGTH) return false;
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), 'Ed25519', false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, new Uint8Array(signature), new Uint8Array(message));
  } catch {
    return false;
  }
}

const FINGERPRINT_LABEL = new TextEncoder().encode('Sabha identity fingerprint v1\0');

/**
 * What this browser remembers a person by: hex SHA-256 over a label, the algorithm tag and the public key.
 * Not shown to people (they compare the pair code instead); it keys the stored verifications.
 */
export function identityFingerprint(publicKey: Uint8Array): string {
  const input = new Uint8Array(FINGERPRINT_LABEL.length + 1 + publicKey.length);
  input.set(FINGERPRINT_LABEL);
  input[FINGERPRINT_LABEL.length] = IDENTITY_KEY_ED25519;
  input.set(publicKey, FINGERPRINT_LABEL.length + 1);
  return Array.from(sha256(input), (b) => b.toString(16).padStart(2, '0')).join('');
}
