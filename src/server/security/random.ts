/**
 * Every identifier and secret the server hands out comes from here, from the
 * operating system's CSPRNG. Comparisons of secrets take constant time.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[randomInt(32)];
  return out;
}

/** 16 base32 characters: 80 bits. */
export const newMeetingId = (): string => base32(16);
/** 10 base32 characters: 50 bits, on top of throttled guessing. */
export const newPasscode = (): string => base32(10);
/** 256 bits, base64url: host secrets and resume tokens. */
export const newSecret = (): string => randomBytes(32).toString('base64url');
/** 64 bits, hex: participant ids are not sequential, so they reveal nothing about joins. */
export const newParticipantId = (): string => randomBytes(8).toString('hex');

/**
 * Constant-time equality of two strings of any length: both are hashed first, so
 * neither the content nor the length of the secret leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
