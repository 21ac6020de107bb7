/**
 * The protocol between the main thread (E2eeSession) and the E2EE worker, in both directions, as strict
 * run-time schemas. Both sides validate what they receive AND what they send: a worker boundary is a trust
 * boundary for bugs, and an unknown field or a wrong type is refused rather than half-used.
 *
 * Every message is `{ kind, data }`. KIDs travel as decimal strings (structured clone keeps bigints, but JSON
 * tooling and logs do not); keys travel as raw bytes and are imported non-extractable on arrival.
 */
// zod/mini (same zod 4, tree-shakable): the worker bundle needs only these schemas, and the classic
// build of zod would make it about 450 KB instead of a few tens.
import * as z from 'zod/mini';
import { MAX_SEND_KEY_DELAY_MS } from './key-timing.ts';

/** Largest KID value: RFC 9605 KIDs are 64-bit unsigned integers. */
const U64_MAX = (1n << 64n) - 1n;

/** An SFrame KID as a canonical decimal string (no sign, no leading zeros), at most 2^64 - 1. */
export const kidString = z.string().check(
  z.regex(/^(0|[1-9][0-9]{0,19})$/, 'KID must be a decimal integer'),
  // zod runs every check even after the regex failed: only convert what is digits.
  z.refine((s) => /^[0-9]{1,20}$/.test(s) && BigInt(s) <= U64_MAX, 'KID must fit in 64 bits'),
);

/** An SFrame base key: Nk bytes of suite 4 (AES_128_GCM_SHA256_128). */
export const SFRAME_BASE_KEY_BYTES = 16;
const baseKey = z.instanceof(Uint8Array).check(z.refine((b) => b.length === SFRAME_BASE_KEY_BYTES, 'base key must be 16 bytes'));

/** Same pattern as the signalling protocol: 16 lowercase hex characters. */
export const workerParticipantId = z.string().check(z.regex(/^[a-f0-9]{16}$/));
const epoch = z.number().check(z.int(), z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
const count = z.number().check(z.int(), z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
const positiveCount = z.number().check(z.int(), z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));

export const transformOperation = z.enum(['encrypt', 'decrypt']);
export type TransformOperation = z.infer<typeof transformOperation>;
export const mediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKind>;

/**
 * The options of an RTCRtpScriptTransform (arriving in the worker as `event.transformer.options`), and the
 * description of a posted stream pair. For a sender, `participantId` is our own id.
 * `retargetedFrom`: a receiver re-pointed from another participant gets a new transform (its frames then flow
 * through the new one); frames of that participant still in flight are dropped without being reported as
 * failures for a short grace (key-timing.ts RETARGET_GRACE_MS). Only for `decrypt`, never our own id.
 */
export const transformOptions = z
  .strictObject({
    operation: transformOperation,
    participantId: workerParticipantId,
    kind: mediaKind,
    retargetedFrom: z.optional(workerParticipantId),
  })
  .check(
    z.refine(
      (o) => o.retargetedFrom === undefined || (o.operation === 'decrypt' && o.retargetedFrom !== o.participantId),
      'retargetedFrom is for a receiver that showed someone else',
    ),
  );
export type TransformOptions = z.infer<typeof transformOptions>;

/** Chosen by the main thread for the encoded-streams path, so that a receiver can be re-pointed later. */
const streamId = z.number().check(z.int(), z.minimum(1), z.maximum(2 ** 31));

export const decryptFailureReason = z.enum([
  'unknown-key', // no key for the frame's KID: not yet, no longer, or never (forged)
  'auth-failed', // the AEAD tag does not verify: corrupted or forged
  'replay', // a counter already accepted or older than the window
  'malformed', // not an SFrame frame
  'wrong-sender', // authentic, but sent by another member than the one this receiver shows
]);
export type DecryptFailureReason = z.infer<typeof decryptFailureReason>;

// ---------------------------------------------------------------------------
// Main thread → worker
// ---------------------------------------------------------------------------

export const toWorkerMessage = z.discriminatedUnion('kind', [
  /**
   * Our own key for the epoch. Frames are sealed under it from `activateAfterMs` after it arrives (0: at
   * once); until then under the current key, so that every member can open them (key-timing.ts).
   */
  z.strictObject({
    kind: z.literal('set-send-key'),
    data: z.strictObject({
      epoch,
      kid: kidString,
      key: baseKey,
      activateAfterMs: z.number().check(z.int(), z.minimum(0), z.maximum(MAX_SEND_KEY_DELAY_MS)),
    }),
  }),
  /**
   * Every other member's key for `epoch`, usable at once. The epoch this supersedes stays usable for a grace
   * period (senders that have not switched yet, frames in flight), then is dropped. `participantId` comes
   * from the member's MLS credential: a frame that decrypts under it is shown only on that participant's
   * receiver.
   */
  z.strictObject({
    kind: z.literal('set-receive-keys'),
    data: z.strictObject({
      epoch,
      keys: z.array(z.strictObject({ kid: kidString, key: baseKey, participantId: workerParticipantId })).check(z.maxLength(1024)),
    }),
  }),
  /**
   * Every connected member holds the keys of `epoch` (the server's `mls-epoch-ready`): a send key of that
   * epoch (or an older one) waiting for its delay is used now.
   */
  z.strictObject({ kind: z.literal('activate-send-key'), data: z.strictObject({ epoch }) }),
  /** Forget every key, in both directions, of every epoch, now (we were removed, or start again). */
  z.strictObject({ kind: z.literal('drop-keys'), data: z.strictObject({}) }),
  /** Encoded-streams path (Chromium without RTCRtpScriptTransform): a transferred stream pair to transform. */
  z.strictObject({
    kind: z.literal('attach'),
    data: z.strictObject({
      streamId,
      readable: z.instanceof(ReadableStream),
      writable: z.instanceof(WritableStream),
      operation: transformOperation,
      participantId: workerParticipantId,
      kind: mediaKind,
    }),
  }),
  /**
   * Encoded-streams path: a receiver now carries another participant (its streams can be taken only once).
   * Frames of the participant it showed before, still in flight, are dropped without being reported as
   * failures for a short grace (key-timing.ts RETARGET_GRACE_MS).
   */
  z.strictObject({ kind: z.literal('retarget'), data: z.strictObject({ streamId, participantId: workerParticipantId }) }),
]);
export type ToWorkerMessage = z.infer<typeof toWorkerMessage>;

// ---------------------------------------------------------------------------
// Worker → main thread
// ---------------------------------------------------------------------------

export const fromWorkerMessage = z.discriminatedUnion('kind', [
  /** At most one per participant per report interval; `count` frames were dropped since the last one. */
  z.strictObject({
    kind: z.literal('decrypt-failure'),
    data: z.strictObject({ participantId: workerParticipantId, reason: decryptFailureReason, count: positiveCount }),
  }),
  /** The receive keys of `epoch` are installed: frames under them open from now on. */
  z.strictObject({ kind: z.literal('receive-keys-ready'), data: z.strictObject({ epoch }) }),
  z.strictObject({
    kind: z.literal('stats'),
    data: z.strictObject({
      encrypted: count,
      decrypted: count,
      /** Outgoing frames dropped because no send key was set yet: never sent in the clear. */
      droppedNoSendKey: count,
      /** Incoming frames dropped and reported as decrypt failures. */
      droppedUndecryptable: count,
      /**
       * Incoming frames dropped as expected, not reported: no keys yet, an epoch before our first one, or a
       * participant the receiver showed until just before (frame-cryptor.ts).
       */
      droppedExpected: count,
      /** Messages from the main thread that failed the schema. */
      invalidMessages: count,
    }),
  }),
]);
export type FromWorkerMessage = z.infer<typeof fromWorkerMessage>;
export type WorkerStats = Extract<FromWorkerMessage, { kind: 'stats' }>['data'];
