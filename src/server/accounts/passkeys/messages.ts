/**
 * The bodies the passkey endpoints accept (docs/accounts.md "Passkeys"), strict: an unknown field or a value out
 * of bounds is `400 bad-request` before any WebAuthn code sees it. The `response` objects are what
 * @simplewebauthn/browser's startRegistration()/startAuthentication() return; sizes are bounded well above what
 * real authenticators send (attestation is 'none', so no certificate chains) and within the 64 KiB body limit.
 */
import * as z from 'zod/mini';

const base64url = (maxLength: number) => z.string().check(z.minLength(1), z.maxLength(maxLength), z.regex(/^[A-Za-z0-9_-]+$/));

/** An enrolment token as the /enrol page read it from the link's fragment (AUTH's enrolment.ts checks it). */
const enrolmentToken = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_-]+$/));
/** WebAuthn credential ids are at most 1023 bytes (WebAuthn §5.8.3): 1364 base64url characters. */
const credentialId = base64url(1364);
const transport = z.string().check(z.minLength(1), z.maxLength(32), z.regex(/^[a-z-]+$/));
/** Extension outputs are not used; their presence is tolerated (browsers add credProps), their size bounded. */
const extensionResults = z.record(z.string().check(z.maxLength(64)), z.unknown());
const attachment = z.optional(z.enum(['platform', 'cross-platform']));

export const registrationResponse = z.strictObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(32_768),
    transports: z.optional(z.array(transport).check(z.maxLength(8))),
    publicKeyAlgorithm: z.optional(z.int()),
    publicKey: z.optional(base64url(4096)),
    authenticatorData: z.optional(base64url(16_384)),
  }),
  clientExtensionResults: extensionResults,
  authenticatorAttachment: attachment,
});

export const authenticationResponse = z.strictObject({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(16_384),
    signature: base64url(1024),
    userHandle: z.optional(base64url(128)),
  }),
  clientExtensionResults: extensionResults,
  authenticatorAttachment: attachment,
});

/** A passkey's name as the person typed it (shown on /account only; never logged). */
const passkeyName = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[^\p{Cc}\p{Cf}]+$/u));

export const registerOptionsBody = z.strictObject({ token: z.optional(enrolmentToken) });
export const registerVerifyBody = z.strictObject({ token: z.optional(enrolmentToken), response: registrationResponse, name: z.optional(passkeyName) });
export const signInOptionsBody = z.strictObject({});
export const signInVerifyBody = z.strictObject({ response: authenticationResponse });
export const emptyBody = z.strictObject({});

export type RegistrationResponse = z.infer<typeof registrationResponse>;
export type AuthenticationResponse = z.infer<typeof authenticationResponse>;

/** The challenge a response was made for, read from its clientDataJSON; undefined when unreadable. */
export function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (parsed as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(challenge) ? challenge : undefined;
  } catch {
    return undefined;
  }
}
