/**
 * Enrolment with a one-time link (`/enrol#<token>`; the token travels in request bodies):
 *
 *   POST /api/enrol/inspect {token}               → {email, displayName, purpose} (email/name null: setup, see next)
 *   POST /api/enrol/setup {token, email, displayName} → the first administrator, for the first-start link only
 *   POST /api/enrol/password {token, password}    → kept with the token until the second factor is proven;
 *                                                   `400 {error:'weak-password', hints}` when common or guessable
 *   POST /api/enrol/totp/begin {token}            → {secret, otpauthUri}
 *   POST /api/enrol/totp/finish {token, code}     → password and TOTP stored, token spent, signed in
 *
 * Passkey enrolment is KEYS' `POST /api/passkeys/register/*` with `{token}`; it spends the token the same way
 * (`enrolment.spend`). An unknown, spent or expired token is `404 invalid-token` at every step.
 */
import { ApiError, readJson } from '../../http/json-api.ts';
import { totpIssuer, type AccountsContext } from '../context.ts';
import { hashPassword, requireStrongPassword } from '../passwords.ts';
import { matchStep, newTotpSecret, otpauthUri } from '../totp.ts';
import type { HttpRoute } from '../types.ts';
import { jsonRoute } from './router.ts';
import * as schemas from './schemas.ts';

const invalidToken = () => new ApiError(404, 'invalid-token');

export function enrolRoutes(context: AccountsContext): HttpRoute[] {
  const { users, enrolment, sessions, throttle, log } = context;
  const route = (path: string, handle: Parameters<typeof jsonRoute>[0]['handle']) => jsonRoute({ method: 'POST', path, auth: 'none', handle }, sessions, log);

  /** The live ticket of a token and its user; a refusal is audited (rate-bounded) and answered `invalid-token`. */
  const ticketOf = async (req: Parameters<HttpRoute>[0], token: string, needUser = true) => {
    const ticket = await enrolment.inspect(token);
    const user = ticket?.userId ? await users.byId(ticket.userId) : undefined;
    if (!ticket || (needUser && !user)) {
      await context.auditRefusal({ type: 'enrolment-refused', address: context.clientAddress(req) });
      throw invalidToken();
    }
    return { ticket, user };
  };

  const hasAnyCredential = async (userId: string) =>
    (await context.credentials.passwordHash(userId)) !== undefined ||
    (await context.credentials.totp(userId)) !== undefined ||
    (await context.credentials.passkeyCount(userId)) > 0;

  return [
    route('/api/enrol/inspect', async ({ req }) => {
      const body = await readJson(req, schemas.tokenOnly);
      const { ticket, user } = await ticketOf(req, body.token, false);
      return { email: user?.email ?? null, displayName: user?.displayName ?? null, purpose: ticket.purpose };
    }),
    route('/api/enrol/setup', async ({ req }) => {
      const body = await readJson(req, schemas.enrolSetup);
      const { ticket } = await ticketOf(req, body.token, false);
      if (ticket.purpose !== 'setup' || ticket.userId !== null) throw invalidToken();
      // An administrator named at an earlier start who never finished enrolling is taken up again; anyone else
      // with that e-mail is not (`email-taken`).
      const existing = await users.byEmail(body.email);
      const abandoned = existing !== undefined && existing.role === 'admin' && !(await hasAnyCredential(existing.id));
      if (existing && !abandoned) throw new ApiError(409, 'email-taken');
      const user = existing ?? (await users.create({ email: body.email, displayName: body.displayName, role: 'admin' }));
      if (!(await enrolment.bind(body.token, user.id))) throw invalidToken();
      await context.audit.record({ type: 'user-created', userId: user.id, address: context.clientAddress(req), detail: 'setup' });
      return { email: user.email, displayName: user.displayName };
    }),
    route('/api/enrol/password', async ({ req }) => {
      const body = await readJson(req, schemas.enrolPassword);
      const { user } = await ticketOf(req, body.token);
      requireStrongPassword(body.password, [user!.email, user!.displayName]);
      if (!(await enrolment.setPendingPassword(body.token, await hashPassword(body.password)))) throw invalidToken();
      return { ok: true };
    }),
    route('/api/enrol/totp/begin', async ({ req }) => {
      const body = await readJson(req, schemas.tokenOnly);
      const { ticket, user } = await ticketOf(req, body.token);
      // A reload of the page shows the same secret: the authenticator app may already hold it.
      const secret = ticket.pendingTotpSecret ?? newTotpSecret();
      if (!ticket.pendingTotpSecret && !(await enrolment.setPendingTotp(body.token, secret))) throw invalidToken();
      return { secret, otpauthUri: otpauthUri(secret, totpIssuer(context), user!.email) };
    }),
    route('/api/enrol/totp/finish', async ({ req, res }) => {
      const body = await readJson(req, schemas.enrolTotpFinish);
      const address = context.clientAddress(req);
      const { ticket, user } = await ticketOf(req, body.token);
      if (!ticket.pendingPasswordHash) throw new ApiError(409, 'password-required');
      if (!ticket.pendingTotpSecret) throw new ApiError(409, 'totp-not-begun');
      const verdict = throttle.check('totp', address, user!.id);
      if (!verdict.allowed) throw new ApiError(429, 'slow-down', { retryAfterSeconds: Math.max(1, verdict.retryAfterSeconds) });
      const step = matchStep(ticket.pendingTotpSecret, body.code, context.now(), -1);
      if (step === null) {
        throttle.failure('totp', address, user!.id);
        throw new ApiError(401, 'invalid-code');
      }
      const userId = await enrolment.spend(body.token, { totpStep: step });
      if (userId === undefined) throw invalidToken();
      throttle.success('totp', address, userId);
      await context.audit.record({ type: 'enrolment-used', userId, address, detail: ticket.purpose });
      await context.audit.record({ type: 'password-set', userId, address });
      await context.audit.record({ type: 'totp-set', userId, address });
      await sessions.signIn(req, res, userId, 'enrolment');
      return { signedIn: true };
    }),
  ];
}
