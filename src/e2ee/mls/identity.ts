/**
 * Participant identities inside MLS: the server-assigned participant id (16 lowercase hex characters)
 * carried as the identity of a BasicCredential. Anything else is refused wherever a credential is seen.
 */
import * as z from 'zod/mini';
import type { AuthenticationService, Credential, CredentialBasic } from 'ts-mls';

export const participantIdSchema = z.string().check(z.regex(/^[0-9a-f]{16}$/, 'participant id must be 16 lowercase hex characters'));

export type ParticipantId = z.infer<typeof participantIdSchema>;

/** Throws TypeError unless `id` is a participant id. */
export function assertParticipantId(id: unknown): asserts id is ParticipantId {
  if (!participantIdSchema.safeParse(id).success) throw new TypeError('not a participant id');
}

export function credentialFor(id: ParticipantId): CredentialBasic {
  return { credentialType: 'basic', identity: new TextEncoder().encode(id) };
}

/** The participant id in `credential`, or undefined if it is not a Sabha credential. */
export function participantIdOf(credential: Credential): ParticipantId | undefined {
  if (credential.credentialType !== 'basic') return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(credential.identity);
  } catch {
    return undefined;
  }
  return participantIdSchema.safeParse(text).success ? text : undefined;
}

/**
 * Accepts only well-formed Sabha credentials. Binding an id to a signature key is not attempted here:
 * the committer checks that each added KeyPackage carries the id the server announced, and every member
 * reports the ids a commit adds so that the client can compare them with the server's roster.
 */
export const participantAuthService: AuthenticationService = {
  async validateCredential(credential: Credential): Promise<boolean> {
    return participantIdOf(credential) !== undefined;
  },
};
