/**
 * The identity checks made on a KeyPackage the server relays, before committing it (docs/e2ee-mls.md "Device
 * identity"): its credential must name the participant the server announced it for, with a device identity
 * binding that verifies (key-package.ts); a resync's must also carry the signature key of that member's
 * current leaf (MlsMember.acceptsResync), so that nobody can put a key of their own in a member's place.
 * One that fails is reported as `key-package-mismatch` and left out, so that one bad KeyPackage does not
 * fail a whole batch (MlsMember.commit checks the same again).
 */
import type { MlsMember } from '../mls/index.ts';
import { fromBase64 } from './base64.ts';
import { verifiedKeyPackageIdentity } from './key-package.ts';
import type { ReportProblem } from './session-types.ts';

/** A participant and the base64 KeyPackage the server announced for them. */
export interface AnnouncedKeyPackage {
  readonly participantId: string;
  readonly keyPackage: string;
}

/** Whether the KeyPackage carries the announced participant id, under a binding that verifies. */
export async function keyPackageMatches(announced: AnnouncedKeyPackage, report: ReportProblem): Promise<boolean> {
  if ((await verifiedKeyPackageIdentity(announced.keyPackage)) === announced.participantId) return true;
  report('key-package-mismatch', announced.participantId);
  return false;
}

/**
 * Whether we may re-add a member with this KeyPackage: someone else than us, in the group now, and a
 * KeyPackage with their id (verified binding) and their leaf's signature key. Only the last is reported.
 */
export async function resyncMatches(member: MlsMember, self: string | undefined, resync: AnnouncedKeyPackage, report: ReportProblem): Promise<boolean> {
  if (resync.participantId === self || !member.members().includes(resync.participantId)) return false;
  if ((await verifiedKeyPackageIdentity(resync.keyPackage)) === resync.participantId && member.acceptsResync(resync.participantId, fromBase64(resync.keyPackage))) return true;
  report('key-package-mismatch', resync.participantId);
  return false;
}
