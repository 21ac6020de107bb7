/**
 * The web pages' one way to the server's JSON API under /api (docs/accounts.md). JSON in and out only; every
 * answer is checked against a strict schema before a page sees it, so a page never works on a shape it did
 * not expect. A state-changing request carries the session's CSRF token in `X-Sabha-CSRF` (the server
 * also checks the `Origin` the browser sets itself). The cookie is HttpOnly: the page never sees it.
 *
 * Failures are typed: the server's answer `{error: code}` becomes an `ApiFailure` with that code (the only text
 * the server ever gives a client); a throttled request carries `retryAfterSeconds`; a refused password carries
 * the server's hint codes. A network failure or an answer of the wrong shape is the code `network` or
 * `bad-response`: pages say "try again", never what went wrong inside.
 */
import * as z from 'zod/mini';

export const CSRF_HEADER = 'X-Sabha-CSRF';

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | null;
  readonly hints: readonly string[];

  constructor(status: number, code: string, extra: { retryAfterSeconds?: number | undefined; hints?: readonly string[] | undefined } = {}) {
    super(code);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = extra.retryAfterSeconds ?? null;
    this.hints = extra.hints ?? [];
  }
}

/** What an error answer may hold. Loose on purpose (an unknown field is ignored): it only ever becomes a code. */
const errorBody = z.object({
  error: z.string().check(z.maxLength(64)),
  retryAfterSeconds: z.optional(z.number().check(z.minimum(0), z.maximum(86_400))),
  hints: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(16))),
});

/** The CSRF token of the session this page belongs to; set from `GET /api/session`. */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function request<T>(method: 'GET' | 'POST', path: string, schema: z.ZodMiniType<T>, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method === 'POST') headers['Content-Type'] = 'application/json';
  if (method === 'POST' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error',
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'network');
  }
  let json: unknown = null;
  try {
    json = response.status === 204 ? {} : await response.json();
  } catch {
    json = null;
  }
  if (!response.ok) {
    const parsed = errorBody.safeParse(json);
    if (!parsed.success) throw new ApiFailure(response.status, response.status === 429 ? 'slow-down' : 'bad-response');
    throw new ApiFailure(response.status, parsed.data.error, { retryAfterSeconds: parsed.data.retryAfterSeconds, hints: parsed.data.hints });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiFailure(response.status, 'bad-response');
  return parsed.data;
}

export function apiGet<T>(path: string, schema: z.ZodMiniType<T>): Promise<T> {
  return request('GET', path, schema);
}

export function apiPost<T>(path: string, body: unknown, schema: z.ZodMiniType<T>): Promise<T> {
  return request('POST', path, schema, body);
}

/** The failure's code, for anything thrown by a call here (or by the passkey client). */
export function failureCode(error: unknown): string {
  return error instanceof ApiFailure ? error.code : 'unexpected';
}
