/**
 * The cookies of the accounts subsystem. All are `HttpOnly` (no script reads them), `Secure`, `SameSite=Strict`
 * (never sent on a request another site starts) and `Path=/`; with TLS their names carry the `__Host-` prefix,
 * which makes the browser refuse them unless set by this exact host over HTTPS without a Domain (a sibling
 * subdomain cannot plant or overwrite them). Over plain HTTP (loopback only: config `tls: auto`) the prefix
 * would be refused, so the plain name is used.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendSetCookie, readCookie } from '../http/json-api.ts';

export const SESSION_COOKIE = 'sabha_session';
export const PREAUTH_COOKIE = 'sabha_preauth';

export class CookieJar {
  readonly secure: boolean;
  constructor(secure: boolean) {
    this.secure = secure;
  }

  nameOf(base: string): string {
    return this.secure ? `__Host-${base}` : base;
  }

  read(req: IncomingMessage, base: string): string | undefined {
    const value = readCookie(req, this.nameOf(base));
    // Our ids are base64url of 32 bytes: anything else is not ours and never reaches the database.
    return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
  }

  set(res: ServerResponse, base: string, value: string, maxAgeSeconds: number): void {
    appendSetCookie(res, `${this.nameOf(base)}=${value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`);
  }

  clear(res: ServerResponse, base: string): void {
    appendSetCookie(res, `${this.nameOf(base)}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0`);
  }
}

/** 256 random bits, base64url (43 characters): session ids, pre-auth ids, enrolment tokens, CSRF tokens. */
export const newOpaqueId = (): string => randomBytes(32).toString('base64url');

/** What the database keeps of an opaque id: its SHA-256 (hex). A leaked table gives no usable id. */
export const hashId = (id: string): string => createHash('sha256').update(id, 'utf8').digest('hex');
