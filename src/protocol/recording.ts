/**
 * The shapes of the recording-consent messages (docs/protocol.md section "Recording with consent"), used by
 * messages.ts. A recording is made in one host's browser; the server keeps only whether one was asked for or
 * runs, by whom, and who answered what, so that it can refuse `recording-start` without everyone's yes.
 */
import * as z from 'zod/mini';
import { displayName, participantId } from './primitives.ts';

/**
 * A sealed consent message (an ask or an answer, src/e2ee/session/recording-consent.ts): an MLS PrivateMessage
 * of under 120 bytes of payload, about 350 bytes sealed. 2 KiB like a sealed signal.
 */
export const MAX_SEALED_RECORDING_BYTES = 2 * 1024;

/** How long people have to answer a request: an unanswered one ends with everyone silent listed. */
export const RECORDING_CONSENT_TIMEOUT_MS = 60_000;

/** The asking host's random name for one request (about 128 bits): answers and the start name it. */
export const recordingRequestId = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/));

/** Where the meeting's recording stands, as everyone joined is shown it. */
export const recordingStatus = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('idle') }),
  /** A host asked; everyone joined must answer yes before `expiresInMs` (counted from this message). */
  z.strictObject({
    state: z.literal('asking'),
    request: recordingRequestId,
    by: participantId,
    byName: displayName,
    expiresInMs: z.int().check(z.minimum(0), z.maximum(RECORDING_CONSENT_TIMEOUT_MS)),
  }),
  /** `by` records in their browser since `since` (server time). */
  z.strictObject({ state: z.literal('recording'), request: recordingRequestId, by: participantId, byName: displayName, since: z.int() }),
]);
export type RecordingStatus = z.infer<typeof recordingStatus>;
