/**
 * Self-service for a signed-in user (the /account page), each change behind re-authentication
 * (reauthentication.ts: the current password and a second factor, or a passkey for a passkey-only account):
 *
 *   POST /api/account/password {newPassword, currentPassword?, code?, passkey?}
 *     → {changed:true}: sets or changes the password (a passkey-only account adds one this way). Refuses weak or
 *       common passwords like enrolment (`400 {error:'weak-password', hints}`).
 *   POST /api/account/totp/begin {} → {secret, otpauthUri}: a new authenticator secret, held for this session only
 *     (in memory, 10 minutes) until it is proven; nothing changes yet.
 *   POST /api/account/totp/finish {newCode, currentPassword?, code?, passkey?}
 *     → {changed:true}: the new secret replaces the old one (whose codes stop working at once). `code` is a
 *       code of the OLD app; `newCode` of the new one.
 *
 * After either change every other session of the user is revoked, any half-done password sign-in is dropped, and
 * this browser gets a fresh session (rotation): whoever held a copy of a session cookie, or knew the old
 * credential, is out. Audited `password-changed` / `totp-replaced` with the re-authentication method; never a
 * password, a code or a secret. CSRF and same-origin come with `auth: 'user'` (router.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { ApiError, readJson } from '../../http/json-api.ts';
import { totpIssuer, type AccountsContext } from '../context.ts';
import { hashPassword, requireStrongPassword } from '../passwords.ts';
import { createReauthenticator, proofFields, type ReauthMethod } from '../reauthentication.ts';
import { matchStep, newTotpSecret, otpauthUri } from '../totp.ts';
import type { HttpRoute, SignedIn } from '../types.ts';
import { jsonRoute } from './router.ts';
import * as schemas from './schemas.ts';

const changePasswordBody = z.strictObject({ newPassword: schemas.password, ...proofFields });
const finishTotpBody = z.strictObject({ newCode: schemas.totpCode, ...proofFields });

/** How long a new authenticator secret waits to be proven, and how many such wait at once (bounds memory). */
const PENDING_TOTP_MS = 10 * 60_000;
const MAX_PENDING_TOTP = 10_000;

export function selfServiceRoutes(context: AccountsContext): HttpRoute[] {
  const { credentials, sessions, users, log } = context;
  const reauth = createReauthenticator(context);
  /** Session id → the secret shown to it by `begin`, until `finish` or expiry. */
  const pendingTotp = new Map<string, { secret: string; expiresAt: number }>();

  const route = (path: string, handle: Parameters<typeof jsonRoute>[0]['handle']) => jsonRoute({ method: 'POST', path, auth: 'user', handle }, sessions, log);

  /** Revokes every session of the user and signs this browser in again with a new id. */
  const rotate = async (req: IncomingMessage, res: ServerResponse, signedIn: SignedIn, method: ReauthMethod) => {
    await context.db.run('DELETE FROM pending_sign_ins WHERE user_id = ?', [signedIn.userId]);
    await sessions.revokeAll(signedIn.userId);
    await sessions.signIn(req, res, signedIn.userId, method === 'password-totp' ? 'password-totp' : 'passkey');
  };

  return [
    route('/api/account/password', async ({ req, res, signedIn }) => {
      const body = await readJson(req, changePasswordBody);
      const user = await users.byId(signedIn!.userId);
      if (!user) throw new ApiError(401, 'sign-in-required');
      // Checked first: a weak choice costs no re-authentication attempt (and spends no TOTP code).
      requireStrongPassword(body.newPassword, [user.email, user.displayName]);
      if (body.currentPassword !== undefined && body.newPassword === body.currentPassword) throw new ApiError(400, 'same-password');
      const hadPassword = (await credentials.passwordHash(user.id)) !== undefined;
      const method = await reauth.verify(req, signedIn!, body);
      await credentials.setPassword(user.id, await hashPassword(body.newPassword));
      await rotate(req, res, signedIn!, method);
      await context.audit.record({ type: 'password-changed', userId: user.id, address: context.clientAddress(req), detail: `${hadPassword ? 'changed' : 'added'}.${method}` });
      return { changed: true };
    }),
    route('/api/account/totp/begin', async ({ req, signedIn }) => {
      await readJson(req, schemas.empty);
      const at = context.now();
      for (const [id, pending] of pendingTotp) if (pending.expiresAt <= at) pendingTotp.delete(id);
      if (pendingTotp.size >= MAX_PENDING_TOTP && !pendingTotp.has(signedIn!.sessionId)) pendingTotp.delete(pendingTotp.keys().next().value as string);
      // A second `begin` from the same page (a reload) shows the same secret: the app may already hold it.
      const existing = pendingTotp.get(signedIn!.sessionId);
      const secret = existing?.secret ?? newTotpSecret();
      pendingTotp.set(signedIn!.sessionId, { secret, expiresAt: at + PENDING_TOTP_MS });
      return { secret, otpauthUri: otpauthUri(secret, totpIssuer(context), signedIn!.email) };
    }),
    route('/api/account/totp/finish', async ({ req, res, signedIn }) => {
      const body = await readJson(req, finishTotpBody);
      const pending = pendingTotp.get(signedIn!.sessionId);
      if (!pending || pending.expiresAt <= context.now()) throw new ApiError(409, 'totp-not-begun');
      // The new app's code first: a typing slip there must not spend the old app's code. (It tells nothing: the
      // new secret is this session's own.)
      const step = matchStep(pending.secret, body.newCode, context.now(), -1);
      if (step === null) throw new ApiError(400, 'invalid-new-code');
      const hadTotp = (await credentials.totp(signedIn!.userId)) !== undefined;
      const method = await reauth.verify(req, signedIn!, body);
      pendingTotp.delete(signedIn!.sessionId);
      // Overwrites the old secret: its codes stop working now. The new code's step counts as used.
      await credentials.setTotp(signedIn!.userId, pending.secret, step);
      await rotate(req, res, signedIn!, method);
      await context.audit.record({ type: 'totp-replaced', userId: signedIn!.userId, address: context.clientAddress(req), detail: `${hadTotp ? 'replaced' : 'added'}.${method}` });
      return { changed: true };
    }),
  ];
}
