/**
 * The one error class of the SFrame module. Callers branch on `code`, never on
 * the message: a media pipeline drops a frame on 'auth-failed' or 'replay' but
 * may hold it back on 'unknown-key' until the key arrives (RFC 9605 section 4.4.4).
 * Bad arguments from the caller are programming errors and throw TypeError instead.
 */
export type SFrameErrorCode =
  /** The config byte or the KID/CTR fields are truncated or not minimally encoded. */
  | 'malformed-header'
  /** The frame is too short to hold the tag of the cipher suite. */
  | 'malformed-frame'
  /** No key is known for the KID in the header. */
  | 'unknown-key'
  /** The tag did not verify: wrong key, or header, metadata, ciphertext or tag altered. */
  | 'auth-failed'
  /** The counter was already accepted for this KID, or is older than the replay window. */
  | 'replay'
  /** The key is marked for the other direction (RFC 9605 section 4.4.1: never both). */
  | 'wrong-key-usage'
  /** The sender counter for this KID has reached 2^64 - 1; a new key is needed. */
  | 'counter-exhausted';

export class SFrameError extends Error {
  override readonly name = 'SFrameError';
  constructor(
    readonly code: SFrameErrorCode,
    message: string,
  ) {
    super(message);
  }
}
