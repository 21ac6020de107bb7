/**
 * Password sign-in, always with a second factor:
 *
 *   POST /api/auth/password {email, password}
 *     → {next:'totp'} and a short pre-auth cookie (5 minutes; not a session: it opens nothing but the next step)
 *     → {next:'passkey'} for a user whose second factor is a passkey (the page runs the passkey sign-in)
 *   POST /api/auth/totp {code} (with the pre-auth cookie) → signed in.
 *
 * Every refusal of the first step is the same `401 invalid-credentials`, and costs the same Argon2id time,
 * whether the e-mail is unknown, the password wrong or the user disabled: the endpoint tells nothing about who
 * has an account. Both steps are throttled (throttle.ts); a throttled attempt is refused before any hashing
 * with `429 {error:'slow-down', retryAfterSeconds}`, and changes nothing. A TOTP code is accepted once.
 */
import { ApiError, readJson } from '../../http/json-api.ts';
import type { AccountsContext } from '../context.ts';
import { hashId, newOpaqueId, PREAUTH_COOKIE } from '../cookies.ts';
import { InFlight } from '../in-flight.ts';
import { hashPassword, needsRehash, verifyPassword } from '../passwords.ts';
import { matchStep } from '../totp.ts';
import type { HttpRoute } from '../types.ts';
import { normaliseEmail } from '../users.ts';
import { jsonRoute } from './router.ts';
import * as schemas from './schemas.ts';

const PREAUTH_MS = 5 * 60_000;
/** Attempts running at once: one per account, a few per address (an office behind NAT signs in together). */
const IN_FLIGHT_PER_ACCOUNT = 1;
const IN_FLIGHT_PER_ADDRESS = 4;

const slowDown = (retryAfterSeconds: number) => new ApiError(429, 'slow-down', { retryAfterSeconds: Math.max(1, retryAfterSeconds) });
const invalidCredentials = () => new ApiError(401, 'invalid-credentials');

export function passwordSignInRoutes(context: AccountsContext): HttpRoute[] {
  const { db, users, credentials, throttle, sessions, cookies, log } = context;
  const inFlight = new InFlight();

  return [
    jsonRoute(
      {
        method: 'POST',
        path: '/api/auth/password',
        auth: 'none',
        handle: async ({ req, res }) => {
          const body = await readJson(req, schemas.passwordSignIn);
          const address = context.clientAddress(req);
          const accountKey = normaliseEmail(body.email);
          const verdict = throttle.check('password', address, accountKey);
          if (!verdict.allowed) throw slowDown(verdict.retryAfterSeconds);
          const release = inFlight.tryHold([
            [`account:${accountKey}`, IN_FLIGHT_PER_ACCOUNT],
            [`address:${address}`, IN_FLIGHT_PER_ADDRESS],
          ]);
          if (!release) throw slowDown(1);
          try {
            return await passwordStep(res, address, accountKey, body.password);
          } finally {
            release();
          }
        },
      },
      sessions,
      log,
    ),
    totpRoute(),
  ];

  async function passwordStep(res: Parameters<HttpRoute>[1], address: string, accountKey: string, password: string) {
    const user = await users.byEmail(accountKey);
    const stored = user && !user.disabled ? await credentials.passwordHash(user.id) : undefined;
    const ok = await verifyPassword(password, stored);
    if (!ok || !user || user.disabled) {
      throttle.failure('password', address, accountKey);
      await context.auditRefusal({ type: 'sign-in-failed', userId: user?.id ?? null, address, detail: 'password' });
      throw invalidCredentials();
    }
    if (needsRehash(stored!)) await credentials.setPassword(user.id, await hashPassword(password));

    if (await credentials.totp(user.id)) {
      const id = newOpaqueId();
      const at = context.now();
      await db.run('DELETE FROM pending_sign_ins WHERE user_id = ? OR expires_at < ?', [user.id, at]);
      await db.run('INSERT INTO pending_sign_ins (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [hashId(id), user.id, at, at + PREAUTH_MS]);
      cookies.set(res, PREAUTH_COOKIE, id, PREAUTH_MS / 1000);
      return { next: 'totp' };
    }
    if ((await credentials.passkeyCount(user.id)) > 0) return { next: 'passkey' };
    // A password without any second factor signs in nobody (an enrolment left half done cannot commit one).
    throttle.failure('password', address, accountKey);
    await context.auditRefusal({ type: 'sign-in-failed', userId: user.id, address, detail: 'no-second-factor' });
    throw invalidCredentials();
  }

  function totpRoute(): HttpRoute {
    return jsonRoute(
      {
        method: 'POST',
        path: '/api/auth/totp',
        auth: 'none',
        handle: async ({ req, res }) => {
          const body = await readJson(req, schemas.totpSignIn);
          const address = context.clientAddress(req);
          const preauth = cookies.read(req, PREAUTH_COOKIE);
          const pending = preauth
            ? await db.get<{ user_id: string }>('SELECT user_id FROM pending_sign_ins WHERE id_hash = ? AND expires_at > ?', [hashId(preauth), context.now()])
            : undefined;
          if (!pending) throw new ApiError(401, 'sign-in-again');
          const userId = pending.user_id;
          const verdict = throttle.check('totp', address, userId);
          if (!verdict.allowed) throw slowDown(verdict.retryAfterSeconds);
          const release = inFlight.tryHold([
            [`totp-user:${userId}`, IN_FLIGHT_PER_ACCOUNT],
            [`totp-address:${address}`, IN_FLIGHT_PER_ADDRESS],
          ]);
          if (!release) throw slowDown(1);
          try {
            return await totpStep(req, res, address, userId, preauth!, body.code);
          } finally {
            release();
          }
        },
      },
      sessions,
      log,
    );
  }

  async function totpStep(req: Parameters<HttpRoute>[0], res: Parameters<HttpRoute>[1], address: string, userId: string, preauth: string, code: string) {
    const user = await users.byId(userId);
    const totp = await credentials.totp(userId);
    if (!user || user.disabled || !totp) throw new ApiError(401, 'sign-in-again');
    const step = matchStep(totp.secret, code, context.now(), totp.lastUsedStep);
    if (step === null || !(await credentials.spendTotpStep(userId, step))) {
      throttle.failure('totp', address, userId);
      // A right code of a step already used is a replay: worth its own audit type.
      const replay = matchStep(totp.secret, code, context.now(), -1) !== null;
      await context.auditRefusal({ type: replay ? 'totp-replay' : 'sign-in-failed', userId, address, detail: 'totp' });
      throw new ApiError(401, 'invalid-code');
    }
    await db.run('DELETE FROM pending_sign_ins WHERE id_hash = ?', [hashId(preauth)]);
    cookies.clear(res, PREAUTH_COOKIE);
    throttle.success('totp', address, userId);
    throttle.success('password', address, user.email);
    await sessions.signIn(req, res, userId, 'password-totp');
    return { signedIn: true };
  }
}
