/**
 * The two WebAuthn ceremonies on the server, with @simplewebauthn/server doing the cryptography and the parsing of
 * authenticator data. HTTP is routes.ts's business; this file decides.
 *
 * Registration (for a user already known: the signed-in one, or the one an enrolment token names):
 *   options  → a challenge bound to that user; resident key required (sign-in asks for no e-mail, so the
 *              credential must be discoverable); user verification preferred; attestation 'none' (Sabha does not
 *              restrict authenticator makes, and attestation would only identify the person's device model).
 *   verify   → the challenge is consumed (once, for that user), then the response is checked: type, challenge,
 *              origin, RP id hash, user presence, the attestation ('none'), a supported algorithm.
 *
 * Sign-in (nobody known yet):
 *   options  → a challenge for sign-in, no allowCredentials (the browser offers the site's passkeys).
 *   verify   → the challenge is consumed, the credential looked up, its user must be enabled and the userHandle (if
 *              sent) must be that user's; then the signature is checked, and only then the counter: an assertion
 *              whose counter is not above the stored one (when either is non-zero) is a replay or comes from a
 *              cloned authenticator: refused and audited as `passkey-replay`. The library's own counter check
 *              runs before the signature is verified; it is disabled here (stored counter passed as 0) so that a
 *              forged assertion counts as a plain failure and only a genuinely signed one as a clone.
 *
 * Every refusal of a sign-in is the same `401 passkey-refused` for the client, whatever the reason.
 */
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { ApiError } from '../../http/json-api.ts';
import type { Database } from '../../store/database.ts';
import type { User } from '../types.ts';
import { challengeOf, type AuthenticationResponse, type RegistrationResponse } from './messages.ts';
import type { ChallengeStore } from './challenge-store.ts';
import { MAX_PASSKEYS_PER_USER, type PasskeyStore, type StoredPasskey } from './passkey-store.ts';
import type { RelyingParty } from './relying-party.ts';

/** COSE algorithms accepted: EdDSA, ES256, RS256 (what authenticators in use make; WebAuthn §5.8.3 advice). */
export const SUPPORTED_ALGORITHMS = [-8, -7, -257];
/** How long the browser's dialog may stay open; the challenge lives a little longer (challenge-store.ts). */
export const CEREMONY_TIMEOUT_MS = 3 * 60_000;
/** Transports a browser may report; anything else is dropped rather than stored. */
const KNOWN_TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export const refused = () => new ApiError(401, 'passkey-refused');
const registrationRefused = () => new ApiError(400, 'passkey-refused');

/** The WebAuthn user handle of a Sabha user: the bytes of its random id (no e-mail, nothing personal). */
export const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(userId, 'utf8'));

export interface CeremonyDeps {
  passkeys: PasskeyStore;
  challenges: ChallengeStore;
  now: () => number;
}

export async function registrationOptions(deps: CeremonyDeps, rp: RelyingParty, user: User, address: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await deps.passkeys.listForUser(user.id);
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw new ApiError(409, 'too-many-passkeys');
  const challenge = await deps.challenges.issue('register', address, user.id);
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: userHandleOf(user.id),
    userDisplayName: user.displayName,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
}

/**
 * Checks a registration response for `user` and stores the passkey through `store` (given the database or a
 * transaction: enrolment stores it in the transaction that spends the token). Throws `passkey-refused` (400)
 * when the response does not hold, `passkey-exists` (409) when the credential is registered already.
 */
export async function verifyRegistration(
  deps: CeremonyDeps,
  rp: RelyingParty,
  user: User,
  response: RegistrationResponse,
): Promise<(tx: Database, name: string) => Promise<StoredPasskey>> {
  const challenge = challengeOf(response.response.clientDataJSON);
  if (challenge === undefined || !(await deps.challenges.consume(challenge, 'register', user.id))) throw registrationRefused();
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      expectedType: 'webauthn.create',
      requireUserPresence: true,
      requireUserVerification: false,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  } catch {
    throw registrationRefused();
  }
  if (!verification.verified || verification.registrationInfo.fmt !== 'none') throw registrationRefused();
  const { credential } = verification.registrationInfo;
  if (credential.id !== response.id) throw registrationRefused();
  const transports = (response.response.transports ?? []).filter((t) => KNOWN_TRANSPORTS.has(t));
  return async (tx, name) => {
    const stored = await deps.passkeys.add(tx, {
      userId: user.id,
      credentialId: credential.id,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports,
      createdAt: deps.now(),
      name,
    });
    if (!stored) throw new ApiError(409, 'passkey-exists');
    return stored;
  };
}

export async function signInOptions(deps: CeremonyDeps, rp: RelyingParty, address: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await deps.challenges.issue('signin', address, null);
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'preferred',
    allowCredentials: [],
  });
}

/** Why a sign-in was refused, for the audit log and the throttle (never for the client). */
export type SignInRefusal = 'challenge' | 'unknown-credential' | 'disabled' | 'user-handle' | 'signature' | 'counter';

export type SignInOutcome = { ok: true; user: User; passkey: StoredPasskey } | { ok: false; reason: SignInRefusal; userId: string | null };

export async function verifySignIn(
  deps: CeremonyDeps & { userById(id: string): Promise<User | undefined> },
  rp: RelyingParty,
  response: AuthenticationResponse,
): Promise<SignInOutcome> {
  const challenge = challengeOf(response.response.clientDataJSON);
  if (challenge === undefined || !(await deps.challenges.consume(challenge, 'signin', null))) return { ok: false, reason: 'challenge', userId: null };
  const passkey = response.id === response.rawId ? await deps.passkeys.byCredentialId(response.id) : undefined;
  if (!passkey) return { ok: false, reason: 'unknown-credential', userId: null };
  const user = await deps.userById(passkey.userId);
  if (!user || user.disabled) return { ok: false, reason: 'disabled', userId: passkey.userId };
  const handle = response.response.userHandle;
  if (handle !== undefined && handle !== Buffer.from(userHandleOf(user.id)).toString('base64url')) return { ok: false, reason: 'user-handle', userId: user.id };

  let newCounter: number;
  try {
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      expectedType: 'webauthn.get',
      // 0: the counter is checked below, after the signature (see the header).
      credential: { id: passkey.credentialId, publicKey: passkey.publicKey, counter: 0, transports: [] },
      requireUserVerification: false,
    });
    if (!verification.verified) return { ok: false, reason: 'signature', userId: user.id };
    newCounter = verification.authenticationInfo.newCounter;
  } catch {
    return { ok: false, reason: 'signature', userId: user.id };
  }

  const stored = passkey.counter;
  if ((stored > 0 || newCounter > 0) && newCounter <= stored) return { ok: false, reason: 'counter', userId: user.id };
  // Compare-and-set: a second assertion racing this one with the same counter finds the counter moved.
  if (!(await deps.passkeys.advanceCounter(passkey.id, stored, newCounter, deps.now()))) return { ok: false, reason: 'counter', userId: user.id };
  return { ok: true, user, passkey };
}
