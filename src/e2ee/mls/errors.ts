/**
 * Errors of the MLS wrapper. Bad arguments throw the built-in TypeError instead.
 */

/** The call is not valid in the member's current state (see the state machine in member.ts). */
export class MlsStateError extends Error {
  override readonly name = 'MlsStateError';
}

/** Why an incoming MLS message was refused. */
export type MlsProtocolErrorCode =
  | 'malformed' // not a decodable MLS message of the expected kind
  | 'wrong-group' // group id differs from ours
  | 'stale-epoch' // made at an epoch older than ours (a duplicate, or a loser of a commit race)
  | 'future-epoch' // made at an epoch we have not reached: we missed a commit
  | 'rejected' // decodes, but fails MLS validation, decryption, or Sabha's policy
  | 'not-for-us'; // a Welcome that does not carry our KeyPackage

/** An incoming MLS message was refused; the member's state is unchanged. */
export class MlsProtocolError extends Error {
  override readonly name = 'MlsProtocolError';
  readonly code: MlsProtocolErrorCode;

  constructor(code: MlsProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
