/**
 * Participant identities inside MLS. A member's BasicCredential carries the server-assigned participant id
 * (16 lowercase hex characters) bound to the browser's device identity key (src/e2ee/identity/binding.ts:
 * the identity key signs the participant id and the leaf's MLS signature key). Anything else is refused
 * wherever a credential is seen, and so is a binding whose signature does not verify: MLS asks the
 * authentication service about every leaf it accepts, so such a leaf is refused like a tampered tree.
 */
import * as z from 'zod/mini';
import type { AuthenticationService, Credential, CredentialBasic } from 'ts-mls';
import { bindIdentity, decodeBoundIdentity, verifyBinding } from '../identity/binding.ts';
import type { DeviceIdentity } from '../identity/device-identity.ts';

export const participantIdSchema = z.string().check(z.regex(/^[0-9a-f]{16}$/, 'participant id must be 16 lowercase hex characters'));

export type ParticipantId = z.infer<typeof participantIdSchema>;

/** Throws TypeError unless `id` is a participant id. */
export function assertParticipantId(id: unknown): asserts id is ParticipantId {
  if (!participantIdSchema.safeParse(id).success) throw new TypeError('not a participant id');
}

/** The credential of `id` for a leaf whose MLS signature key is `signaturePublicKey`, bound to `device`. */
export async function boundCredentialFor(id: ParticipantId, signaturePublicKey: Uint8Array, device: DeviceIdentity): Promise<CredentialBasic> {
  return { credentialType: 'basic', identity: await bindIdentity(id, signaturePublicKey, device) };
}

/** The participant id in `credential`, or undefined if it is not a Sabha credential (the binding is not checked here). */
export function participantIdOf(credential: Credential): ParticipantId | undefined {
  if (credential.credentialType !== 'basic') return undefined;
  return decodeBoundIdentity(credential.identity)?.participantId;
}

/** The device identity public key in `credential` (raw Ed25519), or undefined if it is not a Sabha credential. */
export function identityKeyOf(credential: Credential): Uint8Array | undefined {
  if (credential.credentialType !== 'basic') return undefined;
  return decodeBoundIdentity(credential.identity)?.identityKey;
}

/** How many verified (credential, signature key) pairs one member remembers: a group of 1000 and some churn. */
const VERIFIED_CACHE_LIMIT = 4096;

/**
 * Accepts only well-formed Sabha credentials whose identity key signed this leaf's participant id and MLS
 * signature key. One per member: ts-mls asks again about the same leaves (every commit re-checks the
 * committer's leaf, a joiner checks every leaf), and a verdict cannot change for the same bytes, so
 * positive verdicts are remembered by the exact bytes checked.
 */
export function participantAuthService(): AuthenticationService {
  const verified = new Set<string>();
  return {
    async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
      if (credential.credentialType !== 'basic') return false;
      const bound = decodeBoundIdentity(credential.identity);
      if (bound === undefined) return false;
      const key = hex(credential.identity) + hex(signaturePublicKey);
      if (verified.has(key)) return true;
      if (!(await verifyBinding(bound, signaturePublicKey))) return false;
      if (verified.size >= VERIFIED_CACHE_LIMIT) verified.clear();
      verified.add(key);
      return true;
    },
  };
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
