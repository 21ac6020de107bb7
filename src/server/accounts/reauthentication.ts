/**
 * Re-authentication of a signed-in user before a change to their credentials (self-service-routes.ts): a
 * session alone (a browser left open, a stolen cookie) must not be enough to take the account over.
 *
 * The rule (docs/accounts.md "Changing your own password or authenticator app"):
 *
 * | the account has | the request must prove |
 * |---|---|
 * | a password | the current password AND a second factor: a current code of the authenticator app, or a fresh passkey assertion |
 * | no password (passkey only) | a fresh passkey assertion of one of the account's own passkeys |
 *
 * A TOTP code is spent like at sign-in (a code of a step already used is refused: a replay); a passkey assertion
 * answers a single-use challenge from `POST /api/passkeys/signin/options` and must advance its signature counter.
 *
 * Throttled with the sign-in throttle's counters (password per e-mail and per address, TOTP per user and per
 * address, passkey per address), checked before any hashing; one attempt per user at a time. Every failure is the
 * same `401 reauth-failed`, whichever factor was wrong: a stolen session is no oracle for the password.
 */
import type { IncomingMessage } from 'node:http';
import * as z from 'zod/mini';
import { ApiError } from '../http/json-api.ts';
import type { AccountsContext } from './context.ts';
import { InFlight } from './in-flight.ts';
import { verifySignIn, type CeremonyDeps } from './passkeys/ceremonies.ts';
import { createChallengeStore } from './passkeys/challenge-store.ts';
import { authenticationResponse, type AuthenticationResponse } from './passkeys/messages.ts';
import { createPasskeyStore } from './passkeys/passkey-store.ts';
import { relyingPartyFor } from './passkeys/relying-party.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import * as schemas from './routes/schemas.ts';
import { matchStep } from './totp.ts';
import type { SignedIn } from './types.ts';

/** The proof fields a self-service request body carries (each optional: which are needed depends on the account). */
export const proofFields = {
  currentPassword: z.optional(schemas.password),
  code: z.optional(schemas.totpCode),
  passkey: z.optional(authenticationResponse),
};

export interface Proof {
  currentPassword?: string | undefined;
  code?: string | undefined;
  passkey?: AuthenticationResponse | undefined;
}

/** How the user proved it was them: a short word for the audit log and the rotated session's method. */
export type ReauthMethod = 'password-totp' | 'password-passkey' | 'passkey';

const slowDown = (retryAfterSeconds: number) => new ApiError(429, 'slow-down', { retryAfterSeconds: Math.max(1, retryAfterSeconds) });
const failed = () => new ApiError(401, 'reauth-failed');
/** The body lacks a factor this account needs: nothing was checked, nothing counted. */
const required = () => new ApiError(400, 'reauth-required');

export interface Reauthenticator {
  /** Resolves how the user proved it, or throws (`reauth-required`, `reauth-failed`, `slow-down`). */
  verify(req: IncomingMessage, signedIn: SignedIn, proof: Proof): Promise<ReauthMethod>;
}

export function createReauthenticator(context: AccountsContext): Reauthenticator {
  const { credentials, throttle } = context;
  const passkeyDeps: CeremonyDeps = { passkeys: createPasskeyStore(context.db), challenges: createChallengeStore(context.db, context.now), now: context.now };
  const inFlight = new InFlight();

  const refuse = async (req: IncomingMessage, userId: string, detail: string): Promise<never> => {
    await context.auditRefusal({ type: detail === 'totp-replay' ? 'totp-replay' : 'reauth-failed', userId, address: context.clientAddress(req), detail });
    throw failed();
  };

  async function verify(req: IncomingMessage, signedIn: SignedIn, proof: Proof): Promise<ReauthMethod> {
    const address = context.clientAddress(req);
    const userId = signedIn.userId;
    const storedHash = await credentials.passwordHash(userId);
    const totp = await credentials.totp(userId);
    const hasPassword = storedHash !== undefined;

    // Which factors this account needs, before anything is checked or counted.
    if (hasPassword && (proof.currentPassword === undefined || (proof.code === undefined && proof.passkey === undefined))) throw required();
    if (!hasPassword && proof.passkey === undefined) throw required();
    // A code for an account without an authenticator app is no factor at all.
    const useCode = hasPassword && proof.code !== undefined;
    if (useCode && !totp) throw required();

    const verdicts = [
      hasPassword ? throttle.check('password', address, signedIn.email) : undefined,
      useCode ? throttle.check('totp', address, userId) : undefined,
      !useCode ? throttle.check('passkey', address) : undefined,
    ];
    const wait = Math.max(0, ...verdicts.map((v) => (v && !v.allowed ? v.retryAfterSeconds : 0)));
    if (verdicts.some((v) => v && !v.allowed)) throw slowDown(wait);
    const release = inFlight.tryHold([[`reauth:${userId}`, 1]]);
    if (!release) throw slowDown(1);
    try {
      if (hasPassword) {
        if (!(await verifyPassword(proof.currentPassword!, storedHash))) {
          throttle.failure('password', address, signedIn.email);
          return await refuse(req, userId, 'password');
        }
        if (needsRehash(storedHash)) await credentials.setPassword(userId, await hashPassword(proof.currentPassword!));
      }
      if (useCode) {
        const step = matchStep(totp!.secret, proof.code!, context.now(), totp!.lastUsedStep);
        if (step === null || !(await credentials.spendTotpStep(userId, step))) {
          throttle.failure('totp', address, userId);
          const replay = matchStep(totp!.secret, proof.code!, context.now(), -1) !== null;
          return await refuse(req, userId, replay ? 'totp-replay' : 'totp');
        }
        throttle.success('totp', address, userId);
        if (hasPassword) throttle.success('password', address, signedIn.email);
        return 'password-totp';
      }
      await verifyPasskey(req, signedIn, proof.passkey!);
      if (hasPassword) throttle.success('password', address, signedIn.email);
      return hasPassword ? 'password-passkey' : 'passkey';
    } finally {
      release();
    }
  }

  async function verifyPasskey(req: IncomingMessage, signedIn: SignedIn, response: AuthenticationResponse): Promise<void> {
    const address = context.clientAddress(req);
    const rp = relyingPartyFor(context.config.publicUrl, req);
    if (!rp) throw new ApiError(400, 'bad-request');
    const outcome = await verifySignIn({ ...passkeyDeps, userById: (id) => context.users.byId(id) }, rp, response);
    // Someone else's passkey (or a valid one of another account held by the attacker) proves nothing here.
    if (!outcome.ok || outcome.user.id !== signedIn.userId) {
      throttle.failure('passkey', address);
      if (!outcome.ok && outcome.reason === 'counter') await context.audit.record({ type: 'passkey-replay', userId: outcome.userId, address, detail: 'reauth' });
      return refuse(req, signedIn.userId, outcome.ok ? 'passkey-other-user' : `passkey-${outcome.reason}`);
    }
    throttle.success('passkey', address);
  }

  return { verify };
}
