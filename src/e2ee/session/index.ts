/** End-to-end encryption of one meeting on the main thread: MLS membership, chat, and the media worker. */
export { E2eeSession } from './session.ts';
export type { E2eeChatMessage, E2eeSignalMessage, SignalMessage, E2eeEpochInfo, E2eeProblemCode, E2eeSessionEvents, E2eeSessionOptions, E2eeState } from './session-types.ts';
export type { WorkerPort } from './worker-link.ts';
export type { DecryptFailureReason, MediaKind } from '../worker/messages.ts';
export { REACTIONS, type Reaction, type Signal } from './signals.ts';
export type { RecordingConsentMessage } from './recording-consent.ts';
export type { E2eePollMessage, PollClientMessage } from './session-types.ts';
export { MAX_POLL_OPTIONS, MIN_POLL_OPTIONS, MAX_POLL_OPTION, MAX_POLL_QUESTION, isPollMessageAllowed, type PollMessage } from './polls.ts';
