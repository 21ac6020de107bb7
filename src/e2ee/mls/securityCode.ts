/**
 * The security code participants read aloud to detect a server that splits or forges the group:
 * equal codes mean equal MLS epoch authenticators, i.e. the same group state, membership included.
 */
import { sha256 } from '@noble/hashes/sha2.js';

/** Domain separation: the authenticator feeds nothing else through this label. */
const SECURITY_CODE_LABEL = new TextEncoder().encode('Sabha security code v1\0');
const GROUPS = 3;
const DIGITS_PER_GROUP = 5;
const GROUP_MODULUS = 10 ** DIGITS_PER_GROUP;

/**
 * Three groups of five digits (about 50 bits) from SHA-256(label || epoch_authenticator). Each group is a
 * big-endian uint32 reduced mod 100000; the bias that leaves (under 3e-5 relative) is irrelevant here.
 */
export function securityCodeFromAuthenticator(epochAuthenticator: Uint8Array): string {
  const input = new Uint8Array(SECURITY_CODE_LABEL.length + epochAuthenticator.length);
  input.set(SECURITY_CODE_LABEL);
  input.set(epochAuthenticator, SECURITY_CODE_LABEL.length);
  const digest = sha256(input);
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  const groups: string[] = [];
  for (let i = 0; i < GROUPS; i++) {
    groups.push(String(view.getUint32(i * 4) % GROUP_MODULUS).padStart(DIGITS_PER_GROUP, '0'));
  }
  return groups.join(' ');
}
