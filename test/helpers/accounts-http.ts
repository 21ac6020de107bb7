/**
 * Speaking the accounts API over raw HTTP the way a browser or an attacker would: every header explicit (Origin,
 * Cookie, X-Sabha-CSRF, X-Forwarded-For), cookies read from Set-Cookie by hand. Also enrols users end to end
 * (enrolment token → password → TOTP) on a test server whose accounts run on a test clock.
 */
import assert from 'node:assert/strict';
import { createCredentials } from '../../src/server/accounts/credentials.ts';
import { createEnrolment } from '../../src/server/accounts/enrolment.ts';
import { totpAt } from '../../src/server/accounts/totp.ts';
import type { Role } from '../../src/server/accounts/types.ts';
import { createUsers } from '../../src/server/accounts/users.ts';
import type { Database } from '../../src/server/store/database.ts';
import { startTestServer, type TestServer } from './test-server.ts';

export interface TestClock {
  t: number;
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  const clock: TestClock = { t: start, now: () => clock.t, advance: (ms) => void (clock.t += ms) };
  return clock;
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  /** name → value of every cookie the response set (an empty value: cleared). */
  cookies: Map<string, string>;
}

export interface ApiOptions {
  body?: unknown;
  /** Raw request body instead of JSON (with `contentType`). */
  raw?: string;
  contentType?: string;
  cookie?: string | undefined;
  csrf?: string | undefined;
  /** The Origin header; default: the server's own. null: none. */
  origin?: string | null;
  /** X-Forwarded-For (the server must have trustProxy on to believe it). */
  ip?: string;
}

export async function api(server: { url: string }, method: 'GET' | 'POST', path: string, options: ApiOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.origin !== null) headers.origin = options.origin ?? server.url;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-sabha-csrf'] = options.csrf;
  if (options.ip) headers['x-forwarded-for'] = options.ip;
  let body: string | undefined;
  if (method === 'POST') {
    body = options.raw ?? JSON.stringify(options.body ?? {});
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(server.url + path, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
  const text = await response.text();
  const cookies = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers, cookies };
}

export interface EnrolledUser {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
  role: Role;
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** A server in `accounts` mode on `database`, believing X-Forwarded-For, its accounts on `clock`. */
export function startAccountsServer(database: object, clock: TestClock, overrides: Record<string, unknown> = {}): Promise<TestServer> {
  return startTestServer({ overrides: { whoMayHost: 'accounts', trustProxy: true, database, ...overrides }, accounts: { now: clock.now } });
}

let counter = 0;

/** Creates a user and enrols them over HTTP with a password and TOTP, as the enrolment page does. */
export async function enrolUser(server: TestServer, db: Database, clock: TestClock, role: Role = 'member', ip = '198.51.100.200'): Promise<EnrolledUser & Session> {
  counter += 1;
  const email = `person${counter}.${Date.now().toString(36)}@example.org`;
  const user = await createUsers(db).create({ email, displayName: `Person ${counter}`, role });
  const token = await createEnrolment(db, createCredentials(db)).issue(user.id, 'enrol');
  const password = `violet-otter-climbs-Nilgiri-${counter}-${Date.now().toString(36)}`;
  const inspect = await api(server, 'POST', '/api/enrol/inspect', { body: { token }, ip });
  assert.equal(inspect.status, 200);
  assert.equal(inspect.body.email, email);
  assert.equal((await api(server, 'POST', '/api/enrol/password', { body: { token, password }, ip })).status, 200);
  const begin = await api(server, 'POST', '/api/enrol/totp/begin', { body: { token }, ip });
  assert.equal(begin.status, 200);
  const totpSecret = begin.body.secret as string;
  const finish = await api(server, 'POST', '/api/enrol/totp/finish', { body: { token, code: totpAt(totpSecret, clock.now()) }, ip });
  assert.equal(finish.status, 200, JSON.stringify(finish.body));
  const session = await sessionOf(server, finish);
  return { id: user.id, email, password, totpSecret, role, ...session };
}

/** The session a response set: its cookie header value and the CSRF token /api/session gives it. */
export async function sessionOf(server: { url: string }, response: ApiResponse): Promise<Session> {
  const value = response.cookies.get('sabha_session');
  assert.ok(value, 'a session cookie was set');
  const cookie = `sabha_session=${value}`;
  const state = await api(server, 'GET', '/api/session', { cookie });
  assert.equal(state.body.signedIn, true);
  return { cookie, csrf: state.body.csrf as string };
}

/**
 * Password then TOTP, as the sign-in page does. The clock moves one TOTP step first, because a code of a step
 * already used (at enrolment or an earlier sign-in) is refused by design.
 */
export async function signInWithPassword(server: TestServer, user: EnrolledUser, clock: TestClock, ip = '198.51.100.200'): Promise<{ first: ApiResponse; second?: ApiResponse; session?: Session }> {
  clock.advance(30_000);
  const first = await api(server, 'POST', '/api/auth/password', { body: { email: user.email, password: user.password }, ip });
  if (first.status !== 200) return { first };
  const preauth = first.cookies.get('sabha_preauth');
  assert.ok(preauth);
  const second = await api(server, 'POST', '/api/auth/totp', { body: { code: totpAt(user.totpSecret, clock.now()) }, cookie: `sabha_preauth=${preauth}`, ip });
  if (second.status !== 200) return { first, second };
  return { first, second, session: await sessionOf(server, second) };
}
