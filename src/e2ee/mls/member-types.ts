/** The types of MlsMember's public API (member.ts): its phases, what a commit asks and gives, what a relayed commit did. */
import type { DeviceIdentity } from '../identity/device-identity.ts';
import type { ParticipantId } from './identity.ts';
import type { MlsSuite } from './suite.ts';

export type MlsPhase = 'fresh' | 'active' | 'pending' | 'removed' | 'closed';

export interface MlsAddition {
  /** The participant id the server announced for this KeyPackage; the KeyPackage must carry it. */
  readonly identity: string;
  /** An MLSMessage holding a KeyPackage, as `keyPackageBytes()` produces. */
  readonly keyPackage: Uint8Array;
}

export interface MlsCommitRequest {
  readonly add?: readonly MlsAddition[];
  /** Participant ids to remove; each must be a current member other than ourselves. */
  readonly remove?: readonly string[];
}

export interface MlsCommitOutput {
  readonly commit: Uint8Array;
  /** For the added members; absent when nobody is added. */
  readonly welcome?: Uint8Array;
  /** The epoch the commit was made at: the server accepts it only if that is still the current epoch. */
  readonly epoch: number;
}

export type MlsCommitResult =
  | {
      readonly kind: 'applied';
      /** The new epoch. */
      readonly epoch: number;
      readonly added: readonly ParticipantId[];
      readonly removed: readonly ParticipantId[];
      /** True when the commit was our own pending one. */
      readonly own: boolean;
      /** True when our own pending commit lost to this one and was dropped: commit again if still needed. */
      readonly lostRace: boolean;
    }
  | { readonly kind: 'removed' };

export interface MlsApplicationMessage {
  readonly sender: ParticipantId;
  readonly data: Uint8Array;
  readonly epoch: number;
}

export interface MlsMemberOptions {
  /** Share one loaded suite between members of one process; loads the default ('noble') otherwise. */
  readonly suite?: MlsSuite;
  /**
   * The device identity key the credential is bound to (docs/e2ee-mls.md "Device identity"). Browsers pass
   * their stored one; without it a fresh in-memory identity is made (tests, synthetic participants).
   */
  readonly deviceIdentity?: DeviceIdentity;
}
