/**
 * The code two people compare to verify each other: three words (30 bits) derived from BOTH device
 * identity public keys in a canonical order, like a safety number. Each side computes it from its own key
 * and the key it sees for the other, so the codes agree exactly when each sees the other's real key.
 *
 * Why slow: a server that wants two people's codes to agree while it sits in between must find an identity
 * key whose code with the victim's matches. PBKDF2 with PERSON_CODE_ITERATIONS makes every try cost about
 * as much as a person waits for the dialog (tens of milliseconds in a browser), so the 2^30 tries of a
 * second preimage cost years of one core instead of minutes. docs/threat-model.md says what 30 bits
 * leave open (a server that prepares for one particular pair in advance).
 */
import { IDENTITY_KEY_ED25519, IDENTITY_PUBLIC_KEY_LENGTH } from './device-identity.ts';
import { PERSON_CODE_WORDS } from './words.ts';

export const PERSON_CODE_VERSION = 1;
/** PBKDF2-SHA256 iterations: about 30 to 60 ms in a browser, once per dialog. */
export const PERSON_CODE_ITERATIONS = 100_000;
export const PERSON_CODE_WORD_COUNT = 3;
const BITS_PER_WORD = 10;
const SALT = new TextEncoder().encode(`Sabha person code v${PERSON_CODE_VERSION}`);

/** Byte-wise comparison; the canonical order makes both sides hash the same input. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The three words for the pair (ours, theirs); the same words for (theirs, ours). */
export async function personCode(ourKey: Uint8Array, theirKey: Uint8Array): Promise<readonly string[]> {
  if (ourKey.length !== IDENTITY_PUBLIC_KEY_LENGTH || theirKey.length !== IDENTITY_PUBLIC_KEY_LENGTH) throw new TypeError('not an identity public key');
  const order = compareBytes(ourKey, theirKey);
  if (order === 0) throw new TypeError('a person code needs two different keys');
  const [first, second] = order < 0 ? [ourKey, theirKey] : [theirKey, ourKey];
  const input = new Uint8Array(2 * (1 + IDENTITY_PUBLIC_KEY_LENGTH));
  input[0] = IDENTITY_KEY_ED25519;
  input.set(first, 1);
  input[1 + IDENTITY_PUBLIC_KEY_LENGTH] = IDENTITY_KEY_ED25519;
  input.set(second, 2 + IDENTITY_PUBLIC_KEY_LENGTH);
  const key = await crypto.subtle.importKey('raw', input, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: SALT, iterations: PERSON_CODE_ITERATIONS }, key, 32);
  const value = new DataView(bits).getUint32(0);
  const words: string[] = [];
  for (let i = 0; i < PERSON_CODE_WORD_COUNT; i++) {
    const shift = 32 - BITS_PER_WORD * (i + 1);
    words.push(PERSON_CODE_WORDS[(value >>> shift) & ((1 << BITS_PER_WORD) - 1)]!);
  }
  return words;
}
