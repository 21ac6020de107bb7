/** What E2eeSession (session.ts) takes and tells: its options, its events, and the values they carry. */
import type { ClientMessage, ClientMessageOf } from '../../protocol/messages.ts';
import type { DeviceIdentity } from '../identity/device-identity.ts';
import type { MlsSuite } from '../mls/index.ts';
import type { DecryptFailureReason } from '../worker/messages.ts';
import type { PollMessage } from './polls.ts';
import type { Signal } from './signals.ts';
import type { WorkerPort } from './worker-link.ts';

export type E2eeState = 'no-key' | 'ready' | 'closed';

/** Why something did not go as the protocol says; none of these carries secret material. */
export type E2eeProblemCode =
  | 'key-package-mismatch' // the server announced a KeyPackage under another participant's id
  | 'commit-refused' // the server refused our commit for another reason than a lost race
  | 'commit-rejected' // a relayed commit failed MLS validation
  | 'desynchronized' // we missed a commit and could not be re-added (resync refused): we cannot follow the group
  | 'removed' // a commit removed us from the group
  | 'welcome-rejected'
  | 'chat-rejected' // undecryptable, not from the claimed sender, not for us, text the typed-text rule refuses, or not a chat payload (a signal sent as chat)
  | 'plaintext-chat' // a chat message without end-to-end encryption: not shown
  | 'signal-rejected' // a `signal` message that is undecryptable, under another sender's name, or not a signal payload (chat sent as a signal)
  | 'poll-rejected' // a `poll` message that is undecryptable, under another sender's name, for someone else, or not a poll payload (polls.ts)
  | 'worker-message-invalid'
  | 'internal';

/** Reports a problem (the `problem` event); what the session's parts are given instead of the emitter. */
export type ReportProblem = (code: E2eeProblemCode, participantId?: string) => void;

export interface E2eeEpochInfo {
  readonly epoch: number;
  readonly securityCode: string;
  /** Participant ids by MLS leaf index, from the members' credentials; undefined marks a blank leaf. */
  readonly members: readonly (string | undefined)[];
}

export interface E2eeChatMessage {
  readonly from: string;
  readonly text: string;
  /** Set for a private message (sealed with the text, so the server cannot change it). */
  readonly to?: string;
  readonly sentAt: number;
}

/** The client message that carries a sealed in-meeting signal (what encryptSignal returns). */
export type SignalMessage = Omit<ClientMessageOf<'signal'>, 'id'>;

export interface E2eeSignalMessage {
  /** The sender MLS authenticated (the server's `from` agrees). */
  readonly from: string;
  readonly signal: Signal;
  /** The server's relay time: signals are ordered by it. */
  readonly sentAt: number;
}

/** The client message that carries a sealed poll message (what encryptPoll returns). */
export type PollClientMessage = Omit<ClientMessageOf<'poll'>, 'id'>;

export interface E2eePollMessage {
  /** The sender MLS authenticated (the server's `from` agrees). */
  readonly from: string;
  /** Set when it was sent to us alone (an answer to our poll); sealed with the payload, so the server cannot change it. */
  readonly to?: string;
  readonly poll: PollMessage;
  readonly sentAt: number;
}

export interface E2eeSessionEvents {
  epoch: [info: E2eeEpochInfo];
  state: [state: E2eeState];
  'decrypt-failure': [failure: { participantId: string; reason: DecryptFailureReason; count: number }];
  chat: [message: E2eeChatMessage];
  /** An opened in-meeting signal (raise hand, reaction); who may send which is the receiver's rule. */
  signal: [message: E2eeSignalMessage];
  /** An opened poll message (polls.ts); who may send which is the receiver's rule (src/client/polls.ts). */
  poll: [message: E2eePollMessage];
  problem: [problem: { code: E2eeProblemCode; participantId?: string }];
  /** We fell behind and asked to be re-added (true), or joined again from the Welcome (false). */
  resync: [resyncing: boolean];
}

export interface E2eeSessionOptions {
  /** The meeting id: the MLS group id, so a Welcome into another meeting's group is refused. */
  readonly meetingId: string;
  /**
   * Sends a client message. Must resolve when the server answers `ok` and reject with an error whose
   * `code` is the server's error code (`stale-epoch`, ...) when it answers `error`; any other rejection
   * (connection lost, timeout) means the verdict is unknown. SignallingClient.request does exactly this.
   */
  readonly send: (message: ClientMessage) => Promise<unknown>;
  /** The E2EE worker (dist/web/e2ee-worker.js); the session terminates it on close. */
  readonly worker: WorkerPort;
  /** Shares one loaded MLS suite between sessions of one process (tests). */
  readonly mlsSuite?: MlsSuite;
  /** Attempts of one admission commit that keeps losing races. */
  readonly maxCommitAttempts?: number;
  /** This browser's stored device identity (src/e2ee/identity/identity-store.ts); an in-memory one otherwise. */
  readonly deviceIdentity?: () => Promise<DeviceIdentity>;
}
