/**
 * The five cipher suites of RFC 9605 (section 4.5, IANA registry section 8.1) with
 * their constants: Nh hash output, Nka AES key inside a CTR+HMAC key, Nk AEAD key,
 * Nn nonce, Nt tag, all in bytes.
 */
export const CipherSuiteId = {
  AES_128_CTR_HMAC_SHA256_80: 1,
  AES_128_CTR_HMAC_SHA256_64: 2,
  AES_128_CTR_HMAC_SHA256_32: 3,
  AES_128_GCM_SHA256_128: 4,
  AES_256_GCM_SHA512_128: 5,
} as const;
export type CipherSuiteId = (typeof CipherSuiteId)[keyof typeof CipherSuiteId];

export interface CipherSuite {
  readonly id: CipherSuiteId;
  readonly name: keyof typeof CipherSuiteId;
  readonly aead: 'aes-ctr-hmac' | 'aes-gcm';
  readonly hash: 'SHA-256' | 'SHA-512';
  readonly nh: number;
  /** AES key length inside the compound CTR+HMAC key; null for GCM. */
  readonly nka: number | null;
  readonly nk: number;
  readonly nn: number;
  readonly nt: number;
}

const SUITES: Readonly<Record<CipherSuiteId, CipherSuite>> = {
  1: { id: 1, name: 'AES_128_CTR_HMAC_SHA256_80', aead: 'aes-ctr-hmac', hash: 'SHA-256', nh: 32, nka: 16, nk: 48, nn: 12, nt: 10 },
  2: { id: 2, name: 'AES_128_CTR_HMAC_SHA256_64', aead: 'aes-ctr-hmac', hash: 'SHA-256', nh: 32, nka: 16, nk: 48, nn: 12, nt: 8 },
  3: { id: 3, name: 'AES_128_CTR_HMAC_SHA256_32', aead: 'aes-ctr-hmac', hash: 'SHA-256', nh: 32, nka: 16, nk: 48, nn: 12, nt: 4 },
  4: { id: 4, name: 'AES_128_GCM_SHA256_128', aead: 'aes-gcm', hash: 'SHA-256', nh: 32, nka: null, nk: 16, nn: 12, nt: 16 },
  5: { id: 5, name: 'AES_256_GCM_SHA512_128', aead: 'aes-gcm', hash: 'SHA-512', nh: 64, nka: null, nk: 32, nn: 12, nt: 16 },
};

export function isCipherSuiteId(id: number): id is CipherSuiteId {
  return Object.hasOwn(SUITES, id);
}

export function cipherSuite(id: number): CipherSuite {
  if (!isCipherSuiteId(id)) throw new TypeError(`unknown SFrame cipher suite ${id}`);
  return SUITES[id];
}
