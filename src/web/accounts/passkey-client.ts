/**
 * Passkeys in the browser: the two WebAuthn ceremonies (@simplewebauthn/browser, bundled: no third-party origin)
 * against Sabha's passkey endpoints (docs/accounts.md "Passkeys").
 *
 *   registerPasskey({token?})  POST /api/passkeys/register/options → navigator.credentials.create()
 *                              → POST /api/passkeys/register/verify. With an enrolment token (the /enrol page)
 *                              the token is spent and the browser is signed in; without one the page must be
 *                              signed in (the CSRF token rides along, api-client.ts).
 *   signInWithPasskey()        POST /api/passkeys/signin/options → navigator.credentials.get() (discoverable
 *                              credentials: the browser offers the passkeys it holds for this site; no e-mail asked)
 *                              → POST /api/passkeys/signin/verify → signed in.
 *
 * Neither throws: each resolves to a result whose failure `reason` a page turns into words:
 *   'not-supported'       this browser (or this address: WebAuthn needs https or localhost) cannot do passkeys;
 *   'cancelled'           the person closed the browser's dialog, or it timed out (NotAllowedError/AbortError);
 *   'already-registered'  this authenticator already holds a passkey for this account;
 *   'refused'             the server refused it (`code` says which: passkey-refused, sign-in-required, csrf,
 *                         too-many-passkeys, or an enrolment code);
 *   'slow-down'           throttled (`retryAfterSeconds`);
 *   'failed'              the network or the authenticator failed otherwise: try again.
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import * as z from 'zod/mini';
import { ApiFailure, apiGet, apiPost, setCsrfToken } from './api-client.ts';

export type PasskeyFailureReason = 'not-supported' | 'cancelled' | 'already-registered' | 'refused' | 'slow-down' | 'failed';

export interface PasskeyFailure {
  ok: false;
  reason: PasskeyFailureReason;
  /** The server's error code when the server answered, else a short local code (e.g. `cancelled`). */
  code: string;
  retryAfterSeconds: number | null;
}

export interface RegisteredPasskey {
  ok: true;
  passkey: PasskeySummary;
  /** True when an enrolment token was spent and this browser is now signed in. */
  signedIn: boolean;
}

export interface PasskeySignedIn {
  ok: true;
}

const base64url = z.string().check(z.minLength(1), z.maxLength(1400), z.regex(/^[A-Za-z0-9_-]+$/));
const time = z.number().check(z.minimum(0));

export const passkeySummary = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.maxLength(64)),
  createdAt: time,
  lastUsedAt: z.nullable(time),
  transports: z.array(z.string().check(z.maxLength(32))).check(z.maxLength(8)),
});
export type PasskeySummary = z.infer<typeof passkeySummary>;
export const passkeyList = z.strictObject({ passkeys: z.array(passkeySummary).check(z.maxLength(100)) });

/**
 * The options are handed to the browser's WebAuthn API, which checks them itself; the page checks the parts it
 * relies on and bounds the size, the rest passes through.
 */
const creationOptions = z.looseObject({
  challenge: base64url,
  rp: z.looseObject({ name: z.string().check(z.maxLength(200)) }),
  user: z.looseObject({ id: base64url, name: z.string().check(z.maxLength(320)), displayName: z.string().check(z.maxLength(200)) }),
  pubKeyCredParams: z.array(z.looseObject({ alg: z.number(), type: z.literal('public-key') })).check(z.maxLength(16)),
});
const requestOptions = z.looseObject({ challenge: base64url, rpId: z.optional(z.string().check(z.maxLength(253))) });
const registered = z.strictObject({ passkey: passkeySummary, signedIn: z.boolean() });
const signedIn = z.strictObject({ signedIn: z.literal(true) });

/** Whether this browser can do passkeys at all (a page may hide the passkey button when not). */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

export async function registerPasskey(options: { token?: string; csrf?: string; name?: string } = {}): Promise<RegisteredPasskey | PasskeyFailure> {
  if (!browserSupportsWebAuthn()) return failure('not-supported', 'not-supported');
  if (options.csrf !== undefined) setCsrfToken(options.csrf);
  const token = options.token === undefined ? {} : { token: options.token };
  try {
    const optionsJSON = await apiPost('/passkeys/register/options', token, creationOptions);
    const response = await startRegistration({ optionsJSON: optionsJSON as unknown as PublicKeyCredentialCreationOptionsJSON });
    const result = await apiPost('/passkeys/register/verify', { ...token, response, ...(options.name ? { name: options.name } : {}) }, registered);
    return { ok: true, passkey: result.passkey, signedIn: result.signedIn };
  } catch (error) {
    return asFailure(error);
  }
}

export async function signInWithPasskey(): Promise<PasskeySignedIn | PasskeyFailure> {
  if (!browserSupportsWebAuthn()) return failure('not-supported', 'not-supported');
  try {
    const optionsJSON = await apiPost('/passkeys/signin/options', {}, requestOptions);
    const response = await startAuthentication({ optionsJSON: optionsJSON as unknown as PublicKeyCredentialRequestOptionsJSON });
    await apiPost('/passkeys/signin/verify', { response }, signedIn);
    return { ok: true };
  } catch (error) {
    return asFailure(error);
  }
}

/** GET /api/passkeys: the signed-in user's passkeys. Throws ApiFailure like the other API calls. */
export async function listPasskeys(): Promise<PasskeySummary[]> {
  return (await apiGet('/passkeys', passkeyList)).passkeys;
}

/** POST /api/passkeys/:id/delete. Throws ApiFailure like the other API calls. */
export async function deletePasskey(id: string): Promise<void> {
  await apiPost(`/passkeys/${encodeURIComponent(id)}/delete`, {}, z.strictObject({ deleted: z.literal(true) }));
}

function failure(reason: PasskeyFailureReason, code: string, retryAfterSeconds: number | null = null): PasskeyFailure {
  return { ok: false, reason, code, retryAfterSeconds };
}

function asFailure(error: unknown): PasskeyFailure {
  if (error instanceof ApiFailure) {
    if (error.code === 'slow-down') return failure('slow-down', error.code, error.retryAfterSeconds);
    if (error.code === 'network' || error.code === 'bad-response' || error.status >= 500) return failure('failed', error.code);
    return failure('refused', error.code);
  }
  if (error instanceof WebAuthnError) {
    if (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return failure('already-registered', 'already-registered');
    if (error.code === 'ERROR_INVALID_DOMAIN' || error.code === 'ERROR_INVALID_RP_ID') return failure('not-supported', 'invalid-domain');
    if (error.code === 'ERROR_CEREMONY_ABORTED') return failure('cancelled', 'cancelled');
    const cause = error.cause instanceof Error ? error.cause.name : '';
    if (cause === 'NotAllowedError' || cause === 'AbortError') return failure('cancelled', 'cancelled');
    if (cause === 'NotSupportedError') return failure('not-supported', 'not-supported');
    return failure('failed', 'authenticator');
  }
  if (error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError')) return failure('cancelled', 'cancelled');
  return failure('failed', 'unexpected');
}
