/** Random identifiers and secrets for Janus objects. */
import { randomBytes, randomInt } from 'node:crypto';

/** A random numeric id for a room or feed: positive, safe as a JSON number, unguessable enough to never collide. */
export function randomNumericId(): number {
  // randomInt's range is limited to 2^48; two draws give a 2^53 - 1 bounded value.
  return randomInt(1, 2 ** 48 - 1) * 32 + randomInt(0, 32);
}

/** 256 random bits, url-safe. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
