/**
 * The small JSON helpers every /api handler uses (accounts, passkeys, OIDC, schedules).
 *
 * - `readJson` reads a bounded body, demands `Content-Type: application/json`, and checks it against a strict
 *   schema; anything else is `400 bad-request`.
 * - `ApiError(status, code)`: the code is the only text a client ever sees. Any other exception a handler
 *   throws becomes `500 internal` with no detail (`sendError`).
 * - `requireSameOrigin` + `requireCsrf` guard every state-changing request: the browser's `Origin` must be
 *   this server, and a signed-in request must carry the session's CSRF token in `X-Sabha-CSRF`. Together with
 *   `SameSite=Strict` cookies and JSON-only bodies (a cross-site form cannot send `application/json`), a page on
 *   another origin cannot make a signed-in browser change anything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { secretsEqual } from '../security/random.ts';

/** Bodies of the account API are small (an e-mail, a password, a WebAuthn response). */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
/** The header a signed-in page sends with every POST/DELETE (`GET /api/session` gives its value). */
export const CSRF_HEADER = 'x-sabha-csrf';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    /** Short, stable, machine-readable: `invalid-credentials`, `forbidden`, `slow-down`... */
    readonly code: string,
    /** Extra fields for the client, beside `error` (e.g. `retryAfterSeconds`, `hints`); never internal text. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export const badRequest = () => new ApiError(400, 'bad-request');
export const forbiddenApi = () => new ApiError(403, 'forbidden');
export const notFoundApi = () => new ApiError(404, 'not-found');

/** Reads the whole body (up to `limit` bytes) and parses it against a strict schema. */
export async function readJson<S extends z.ZodMiniType>(req: IncomingMessage, schema: S, limit = MAX_JSON_BODY_BYTES): Promise<z.infer<S>> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw badRequest();
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new ApiError(413, 'too-large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'too-large');
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest();
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest();
  return parsed.data as z.infer<S>;
}

/** Headers of every /api response besides the shared security headers: never cached, JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/**
 * Turns whatever a handler threw into a response: an ApiError's code (and extras), anything else `500 internal`.
 * Returns the unexpected error so that the caller can log it (the logger redacts).
 */
export function sendError(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): unknown {
  if (error instanceof ApiError) {
    const extraHeaders: Record<string, string> = error.status === 429 && typeof error.extra.retryAfterSeconds === 'number' ? { 'Retry-After': String(error.extra.retryAfterSeconds) } : {};
    sendJson(res, error.status, { ...error.extra, error: error.code }, { ...headers, ...extraHeaders });
    return undefined;
  }
  sendJson(res, 500, { error: 'internal' }, headers);
  return error;
}

/**
 * A state-changing request must come from a page of this server: `Origin` present and equal to the `Host` the
 * browser used (browsers always send Origin on POST/DELETE fetches). Missing or foreign: 403 `cross-origin`.
 */
export function requireSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (typeof origin !== 'string' || host === undefined) throw new ApiError(403, 'cross-origin');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new ApiError(403, 'cross-origin');
  }
  if (originHost !== host) throw new ApiError(403, 'cross-origin');
}

/** A signed-in state-changing request carries the session's CSRF token: missing or wrong, 403 `csrf`. */
export function requireCsrf(req: IncomingMessage, signedIn: { csrf: string }): void {
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string' || given.length === 0 || !secretsEqual(given, signedIn.csrf)) throw new ApiError(403, 'csrf');
}

/** The path of a request without its query string. */
export function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!;
}

/** A named cookie's value from the Cookie header, or undefined. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Adds a Set-Cookie header without dropping those already set on the response. */
export function appendSetCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('Set-Cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}
