/**
 * The passkey endpoints (docs/accounts.md "Passkeys"):
 *
 *   POST /api/passkeys/register/options {token?}           signed in (CSRF) or with an enrolment token
 *   POST /api/passkeys/register/verify  {token?, response, name?}
 *                                                          → {passkey, signedIn}; with a token: the token is spent
 *                                                            in the transaction that stores the passkey, then the
 *                                                            browser is signed in (method 'enrolment')
 *   POST /api/passkeys/signin/options   {}                 → request options (discoverable credentials)
 *   POST /api/passkeys/signin/verify    {response}         → {signedIn:true} and the session cookie
 *   GET  /api/passkeys                                     → {passkeys:[…]} of the signed-in user
 *   POST /api/passkeys/:id/delete       {}                 → {deleted:true}
 *
 * Every POST needs `Origin` = this server (router.ts); a signed-in one also the CSRF header. Sign-in consults only
 * the per-address passkey throttle (types.ts SignInThrottle), never a per-account one, so failed passwords against
 * an account cannot lock its owner out of passkey sign-in.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, readJson, requireCsrf } from '../../http/json-api.ts';
import { jsonRoute } from '../routes/router.ts';
import type { HttpRoute, SignedIn, User } from '../types.ts';
import { createChallengeStore } from './challenge-store.ts';
import { refused, registrationOptions, signInOptions, verifyRegistration, verifySignIn, type CeremonyDeps } from './ceremonies.ts';
import type { PasskeyContext } from './context.ts';
import { emptyBody, registerOptionsBody, registerVerifyBody, signInOptionsBody, signInVerifyBody } from './messages.ts';
import { createPasskeyStore, type StoredPasskey } from './passkey-store.ts';
import { relyingPartyFor, type RelyingParty } from './relying-party.ts';

const DEFAULT_PASSKEY_NAME = 'Passkey';

/** What a page sees of a passkey: never the public key or the credential id. */
export function passkeySummary(passkey: StoredPasskey) {
  return { id: passkey.id, name: passkey.name, createdAt: passkey.createdAt, lastUsedAt: passkey.lastUsedAt, transports: passkey.transports };
}

export function passkeyRoutes(ctx: PasskeyContext): HttpRoute[] {
  const now = () => ctx.now();
  const passkeys = createPasskeyStore(ctx.db);
  const deps: CeremonyDeps = { passkeys, challenges: createChallengeStore(ctx.db, now), now };
  const log = ctx.log.child('passkeys');

  const relyingParty = (req: IncomingMessage): RelyingParty => {
    const rp = relyingPartyFor(ctx.config.publicUrl, req);
    if (!rp) throw new ApiError(400, 'bad-request');
    return rp;
  };

  /** The user a registration is for: the enrolment token's, or the signed-in one (with the CSRF check). */
  const registrant = async (req: IncomingMessage, signedIn: SignedIn | null, token: string | undefined): Promise<User> => {
    if (token !== undefined) {
      const ticket = await ctx.enrolment.inspect(token);
      // An unbound first-start token (no administrator named yet) cannot carry a passkey until it is bound.
      const user = ticket?.userId ? await ctx.users.byId(ticket.userId) : undefined;
      if (!user || user.disabled) {
        await ctx.auditRefusal({ type: 'enrolment-refused', userId: user?.id ?? null, address: ctx.clientAddress(req), detail: 'passkey' });
        throw new ApiError(400, 'invalid-token');
      }
      return user;
    }
    if (!signedIn) throw new ApiError(401, 'sign-in-required');
    requireCsrf(req, signedIn);
    const user = await ctx.users.byId(signedIn.userId);
    if (!user || user.disabled) throw new ApiError(401, 'sign-in-required');
    return user;
  };

  const throttled = (address: string): void => {
    const verdict = ctx.throttle.check('passkey', address);
    if (!verdict.allowed) throw new ApiError(429, 'slow-down', { retryAfterSeconds: verdict.retryAfterSeconds });
  };

  const route = (spec: Parameters<typeof jsonRoute>[0]) => jsonRoute(spec, ctx.sessions, log);

  return [
    route({
      method: 'POST',
      path: '/api/passkeys/register/options',
      auth: 'none',
      handle: async ({ req, signedIn }) => {
        const body = await readJson(req, registerOptionsBody);
        const user = await registrant(req, signedIn, body.token);
        return registrationOptions(deps, relyingParty(req), user, ctx.clientAddress(req));
      },
    }),

    route({
      method: 'POST',
      path: '/api/passkeys/register/verify',
      auth: 'none',
      handle: async ({ req, res, signedIn }) => {
        const body = await readJson(req, registerVerifyBody);
        const user = await registrant(req, signedIn, body.token);
        const address = ctx.clientAddress(req);
        const store = await verifyRegistration(deps, relyingParty(req), user, body.response);
        const name = body.name ?? DEFAULT_PASSKEY_NAME;
        let passkey: StoredPasskey | undefined;
        if (body.token !== undefined) {
          // Stored in the transaction that spends the token: both or neither.
          const spentFor = await ctx.enrolment.spend(body.token, {
            extra: async (tx, userId) => {
              if (userId === user.id) passkey = await store(tx, name);
            },
          });
          if (spentFor !== user.id || !passkey) throw new ApiError(400, 'invalid-token');
          await ctx.audit.record({ type: 'enrolment-used', userId: user.id, address, detail: 'passkey' });
        } else {
          passkey = await ctx.db.transaction((tx) => store(tx, name));
        }
        await ctx.audit.record({ type: 'passkey-registered', userId: user.id, address });
        if (body.token !== undefined) await ctx.sessions.signIn(req, res, user.id, 'enrolment');
        return { passkey: passkeySummary(passkey), signedIn: body.token !== undefined };
      },
    }),

    route({
      method: 'POST',
      path: '/api/passkeys/signin/options',
      auth: 'none',
      handle: async ({ req }) => {
        await readJson(req, signInOptionsBody);
        const address = ctx.clientAddress(req);
        throttled(address);
        return signInOptions(deps, relyingParty(req), address);
      },
    }),

    route({
      method: 'POST',
      path: '/api/passkeys/signin/verify',
      auth: 'none',
      handle: async ({ req, res }) => {
        const body = await readJson(req, signInVerifyBody);
        const address = ctx.clientAddress(req);
        throttled(address);
        const outcome = await verifySignIn({ ...deps, userById: (id) => ctx.users.byId(id) }, relyingParty(req), body.response);
        if (!outcome.ok) {
          ctx.throttle.failure('passkey', address);
          // A validly signed assertion whose counter did not advance: a cloned authenticator or a replay. Always
          // recorded (it needs the credential's private key); other refusals go through the rate-bounded path.
          if (outcome.reason === 'counter') await ctx.audit.record({ type: 'passkey-replay', userId: outcome.userId, address, detail: 'counter' });
          else await ctx.auditRefusal({ type: 'sign-in-failed', userId: outcome.userId, address, detail: `passkey-${outcome.reason}` });
          throw refused();
        }
        ctx.throttle.success('passkey', address);
        await ctx.sessions.signIn(req, res, outcome.user.id, 'passkey');
        return { signedIn: true };
      },
    }),

    route({
      method: 'GET',
      path: '/api/passkeys',
      auth: 'user',
      handle: async ({ signedIn }) => ({ passkeys: (await passkeys.listForUser(signedIn!.userId)).map(passkeySummary) }),
    }),

    route({
      method: 'POST',
      path: /^\/api\/passkeys\/([A-Za-z0-9_-]{1,64})\/delete$/,
      auth: 'user',
      handle: async ({ req, params, signedIn }) => {
        await readJson(req, emptyBody);
        const userId = signedIn!.userId;
        const id = params[0]!;
        const mine = await passkeys.listForUser(userId);
        if (!mine.some((p) => p.id === id)) throw new ApiError(404, 'not-found');
        // The last passkey of someone with no password and TOTP would leave no way in but an administrator's reset.
        if (mine.length === 1 && !(await hasPasswordAndTotp(ctx, userId))) throw new ApiError(409, 'last-sign-in-method');
        if (!(await passkeys.remove(userId, id))) throw new ApiError(404, 'not-found');
        await ctx.audit.record({ type: 'passkey-deleted', userId, address: ctx.clientAddress(req) });
        return { deleted: true };
      },
    }),
  ];
}

async function hasPasswordAndTotp(ctx: PasskeyContext, userId: string): Promise<boolean> {
  return (await ctx.credentials.passwordHash(userId)) !== undefined && (await ctx.credentials.totp(userId)) !== undefined;
}
