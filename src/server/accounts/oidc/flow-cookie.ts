/**
 * The browser's part of one single sign-on attempt: the `state`, `nonce` and PKCE code verifier that
 * /api/oidc/start chose, kept until /api/oidc/callback in a cookie that lives ten minutes and is cleared at the
 * callback whatever happens there.
 *
 * - `state` ties the callback to the browser that started: a callback whose `state` is not this cookie's (a link an
 *   attacker crafted to sign the victim in as the attacker, or a tampered one) is refused.
 * - `nonce` ties the ID token to this attempt (openid-client checks the token's `nonce` claim against it).
 * - the PKCE verifier (RFC 7636, S256) makes an intercepted authorization code useless without it.
 *
 * `SameSite=Lax`, unlike the session cookie's Strict: the provider's redirect back to Sabha is a top-level
 * navigation started by another site, on which a Strict cookie would not be sent. HttpOnly, Secure, and
 * `__Host-` prefixed under TLS (cookies.ts), so no script and no sibling subdomain can read or plant it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { appendSetCookie, readCookie } from '../../http/json-api.ts';
import type { CookieJar } from '../cookies.ts';

export const FLOW_COOKIE = 'sabha_oidc';
export const FLOW_TTL_MS = 10 * 60_000;

/** openid-client's random values are base64url of 32 bytes; bounded generously. */
const randomValue = z.string().check(z.minLength(32), z.maxLength(128), z.regex(/^[A-Za-z0-9_-]+$/));
const flowSchema = z.strictObject({ state: randomValue, nonce: randomValue, verifier: randomValue, expiresAt: z.number() });
export type OidcFlow = z.infer<typeof flowSchema>;

export function setFlowCookie(res: ServerResponse, cookies: CookieJar, flow: OidcFlow): void {
  const value = Buffer.from(JSON.stringify(flow), 'utf8').toString('base64url');
  appendSetCookie(res, `${cookies.nameOf(FLOW_COOKIE)}=${value}; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=${Math.floor(FLOW_TTL_MS / 1000)}`);
}

export function clearFlowCookie(res: ServerResponse, cookies: CookieJar): void {
  appendSetCookie(res, `${cookies.nameOf(FLOW_COOKIE)}=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0`);
}

/** The live flow of this browser, or undefined (none, unreadable, or older than ten minutes). */
export function readFlowCookie(req: IncomingMessage, cookies: CookieJar, now: number): OidcFlow | undefined {
  const raw = readCookie(req, cookies.nameOf(FLOW_COOKIE));
  if (raw === undefined || raw.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const flow = flowSchema.safeParse(parsed);
  return flow.success && flow.data.expiresAt > now ? flow.data : undefined;
}
