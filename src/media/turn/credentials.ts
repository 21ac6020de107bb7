/**
 * Short-lived TURN credentials by the TURN REST API convention that coturn implements with
 * `use-auth-secret`: the username is "<expiry in Unix seconds>:<reference>", the password is the
 * base64 HMAC-SHA1 of that username under a secret that only Sabha and the TURN server know. The
 * TURN server needs no list of users and refuses any username whose expiry has passed.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface TurnCredential {
  username: string;
  credential: string;
  /** Unix milliseconds after which the TURN server refuses the credential. */
  expiresAt: number;
}

/** The reference in a username: random per holder, so that TURN logs name nobody and link nothing. */
export function newCredentialReference(): string {
  return randomBytes(9).toString('base64url');
}

export function turnCredential(secret: string, reference: string, ttlSeconds: number, now = Date.now()): TurnCredential {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(reference)) throw new TypeError('a credential reference is 1 to 64 url-safe characters');
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiry}:${reference}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64'), expiresAt: expiry * 1000 };
}
