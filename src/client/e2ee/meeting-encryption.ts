/**
 * The client's end-to-end encryption for one meeting: an E2eeSession (MLS group, SFrame keys, sealed chat)
 * plus what the UI needs to judge it: which participants' media could not be decrypted lately, and whether
 * the MLS roster matches the people the server says are in the meeting.
 *
 * Inputs it accepts:
 *   handleServerMessage(m)     every validated server message (the session picks what it needs)
 *   setMeetingRoster(ids)      the server's participant ids (self included), on every change
 *   transformHook              attached to every sender and receiver by the media managers; called again
 *                              for a receiver with another participant id, it re-points that receiver (a
 *                              video slot switched to someone else without renegotiation). The worker then
 *                              drops the previous participant's frames still in flight for a short grace
 *                              without reporting them (RETARGET_GRACE_MS), so a switch never shows
 *                              "Can't decrypt"; they are still counted in the worker's stats
 *   admit(ids, entries)        host: admission carrying the commit that adds them
 *   encryptChat(text, to?)     -> the chat body to send
 *   encryptSignal(signal)      -> the `signal` message carrying a sealed in-meeting signal (raise hand, reaction)
 *   sealRecordingConsent / openRecordingConsent   a recording ask or answer as its sealed `proof`, and back
 *   encryptPoll(poll, to?)     -> the `poll` message carrying a sealed poll message (src/e2ee/session/polls.ts)
 *   close()                    safe twice
 * Output: `changed` (anything the UI shows, problems and resyncs counted), `chat` (opened messages), `signal`
 * (opened in-meeting signals), `problem`.
 *
 * Every meeting is encrypted: there is no switch, and no path that sends media or chat in the clear.
 */
import type { ChatBody, ServerMessage, WaitingEntry } from '../../protocol/index.ts';
import { E2eeSession, type RecordingConsentMessage, type E2eeChatMessage, type E2eeSignalMessage, type Signal, type SignalMessage, type E2eeProblemCode, type E2eeState, type WorkerPort } from '../../e2ee/session/index.ts';
import type { E2eePollMessage, PollClientMessage, PollMessage } from '../../e2ee/session/index.ts';
import type { DeviceIdentity } from '../../e2ee/identity/device-identity.ts';
import { Emitter } from '../../events/emitter.ts';
import type { TransformHook } from '../media/peer-connection.ts';
import type { OutgoingMessage } from '../signalling-client.ts';

/** A participant whose frames failed this recently is shown as undecryptable. */
export const DECRYPT_WARNING_MS = 4_000;
/** How long the roster may disagree with the meeting (a join or leave in progress) before we warn. */
export const ROSTER_GRACE_MS = 10_000;
const ROSTER_CHECK_INTERVAL_MS = 1_000;

export interface RosterMismatch {
  /** In the meeting (per the server) but not in the MLS group: cannot decrypt, and we cannot hear them. */
  readonly missingFromGroup: readonly string[];
  /** In the MLS group but not in the meeting: holds the keys without being shown to anyone. */
  readonly unknownInGroup: readonly string[];
}

export interface EncryptionSnapshot {
  readonly state: E2eeState;
  readonly epoch: number | null;
  readonly securityCode: string | null;
  /** Participant ids in the MLS group (blank leaves left out). */
  readonly members: readonly string[];
  readonly roster: RosterMismatch;
  /** Frames dropped per participant since joining (counts only; no reasons that carry secrets). */
  readonly decryptFailures: Readonly<Record<string, number>>;
  /** Why the latest failure of each participant happened (unknown-key, auth-failed, replay, malformed, wrong-sender). */
  readonly decryptFailureReasons: Readonly<Record<string, string>>;
  /** We missed a commit and are being re-added to the group (docs/e2ee-mls.md "Resynchronisation"). */
  readonly resyncing: boolean;
  /** How many times each problem was reported since joining (codes only, nothing secret). */
  readonly problems: Readonly<Partial<Record<E2eeProblemCode, number>>>;
}

export interface MeetingEncryptionEvents {
  changed: [snapshot: EncryptionSnapshot];
  chat: [message: E2eeChatMessage];
  /** An opened in-meeting signal (raise hand, reaction); the Room decides whether the sender may send it. */
  signal: [message: E2eeSignalMessage];
  /** An opened poll message; the Room's Polls decides whether the sender may send it. */
  poll: [message: E2eePollMessage];
  problem: [problem: { code: E2eeProblemCode; participantId?: string }];
}

export interface MeetingEncryptionOptions {
  readonly meetingId: string;
  readonly request: (message: OutgoingMessage) => Promise<unknown>;
  readonly worker: WorkerPort;
  readonly now?: () => number;
  /** This browser's device identity (loaded from IndexedDB); an in-memory one otherwise. */
  readonly deviceIdentity?: () => Promise<DeviceIdentity>;
}

export class MeetingEncryption extends Emitter<MeetingEncryptionEvents> {
  readonly #session: E2eeSession;
  readonly #now: () => number;
  readonly #lastFailureAt = new Map<string, number>();
  readonly #failureCounts = new Map<string, number>();
  readonly #failureReasons = new Map<string, string>();
  readonly #problemCounts = new Map<E2eeProblemCode, number>();
  /** When each disagreement between the roster and the meeting was first seen. */
  readonly #disagreeSince = new Map<string, number>();
  #members: readonly string[] = [];
  #meeting: ReadonlySet<string> = new Set();
  #roster: RosterMismatch = { missingFromGroup: [], unknownInGroup: [] };
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Senders are sealed as ours; a receiver is bound (or re-bound) to the participant it shows. */
  readonly transformHook: TransformHook = (endpoint, kind, participantId) => {
    if (endpoint instanceof RTCRtpSender) this.#session.attachSender(endpoint, kind);
    else this.#session.attachReceiver(endpoint, kind, participantId);
  };

  constructor(options: MeetingEncryptionOptions) {
    super();
    this.#now = options.now ?? (() => Date.now());
    this.#session = new E2eeSession({
      meetingId: options.meetingId,
      send: (message) => options.request(message as OutgoingMessage),
      worker: options.worker,
      ...(options.deviceIdentity ? { deviceIdentity: options.deviceIdentity } : {}),
    });
    const session = this.#session;
    session.on('epoch', (info) => {
      this.#members = info.members.filter((id): id is string => id !== undefined);
      this.#checkRoster();
      this.#changed();
    });
    session.on('state', (state) => {
      if (state !== 'ready') this.#members = [];
      this.#checkRoster();
      this.#changed();
    });
    session.on('decrypt-failure', ({ participantId, count, reason }) => {
      this.#lastFailureAt.set(participantId, this.#now());
      this.#failureReasons.set(participantId, reason);
      this.#failureCounts.set(participantId, (this.#failureCounts.get(participantId) ?? 0) + count);
      this.#changed();
    });
    session.on('chat', (message) => this.emit('chat', message));
    session.on('signal', (message) => this.emit('signal', message));
    session.on('poll', (message) => this.emit('poll', message));
    session.on('problem', (problem) => {
      this.#problemCounts.set(problem.code, (this.#problemCounts.get(problem.code) ?? 0) + 1);
      this.emit('problem', problem);
      this.#changed();
    });
    session.on('resync', () => this.#changed());
    this.#timer = setInterval(() => this.#tick(), ROSTER_CHECK_INTERVAL_MS);
  }

  get state(): E2eeState {
    return this.#session.state;
  }

  get participantId(): string | undefined {
    return this.#session.participantId;
  }

  handleServerMessage(message: ServerMessage): void {
    void this.#session.handleServerMessage(message);
  }

  setMeetingRoster(participantIds: Iterable<string>): void {
    this.#meeting = new Set(participantIds);
    this.#checkRoster();
  }

  /** True when this participant's media cannot be shown decrypted right now. */
  cannotDecrypt(participantId: string): boolean {
    if (this.#session.state !== 'ready') return true;
    const at = this.#lastFailureAt.get(participantId);
    return at !== undefined && this.#now() - at < DECRYPT_WARNING_MS;
  }

  /** A group member's device identity public key (its binding verified by MLS), for person verification. */
  identityKeyOf(participantId: string): Uint8Array | undefined {
    return this.#session.identityKeyOf(participantId);
  }

  /** Our own device identity public key, once the session has made its KeyPackage. */
  ownIdentityKey(): Uint8Array | undefined {
    return this.#session.ownIdentityKey();
  }

  admit(participantIds: readonly string[], entries: readonly WaitingEntry[]): Promise<void> {
    return this.#session.admit(participantIds, entries);
  }

  encryptChat(text: string, to?: string): Promise<ChatBody> {
    return this.#session.encryptChat(text, to);
  }

  encryptSignal(signal: Signal): Promise<SignalMessage> {
    return this.#session.encryptSignal(signal);
  }

  encryptPoll(poll: PollMessage, to?: string): Promise<PollClientMessage> {
    return this.#session.encryptPoll(poll, to);
  }

  /** Recording consent (src/e2ee/session/recording-consent.ts): seals an ask or answer as its `proof`. */
  sealRecordingConsent(value: RecordingConsentMessage): Promise<string> {
    return this.#session.sealRecordingConsent(value);
  }

  /** Opens a relayed consent proof; undefined unless `from` sealed a consent message. */
  openRecordingConsent(from: string, proof: string): Promise<RecordingConsentMessage | undefined> {
    return this.#session.openRecordingConsent(from, proof);
  }

  snapshot(): EncryptionSnapshot {
    return {
      state: this.#session.state,
      epoch: this.#session.epoch ?? null,
      securityCode: this.#session.securityCode ?? null,
      members: [...this.#members],
      roster: this.#roster,
      decryptFailures: Object.fromEntries(this.#failureCounts),
      decryptFailureReasons: Object.fromEntries(this.#failureReasons),
      resyncing: this.#session.resyncing,
      problems: Object.fromEntries(this.#problemCounts),
    };
  }

  /** Resolves once the session knows this participant id, so that senders can be sealed from the first frame. */
  async whenParticipant(participantId: string, timeoutMs = 10_000): Promise<void> {
    const deadline = this.#now() + timeoutMs;
    while (this.#session.participantId !== participantId && this.#session.state !== 'closed') {
      if (this.#now() > deadline) throw new Error('E2EE session did not take our participant id');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#session.close();
    this.removeAllListeners();
  }

  #tick(): void {
    const before = JSON.stringify(this.#roster);
    this.#checkRoster();
    // Warnings of failed decryption expire with time, not with an event.
    const expiring = [...this.#lastFailureAt.values()].some((at) => this.#now() - at < DECRYPT_WARNING_MS + ROSTER_CHECK_INTERVAL_MS);
    if (expiring || before !== JSON.stringify(this.#roster)) this.#changed();
  }

  #checkRoster(): void {
    const now = this.#now();
    const inGroup = new Set(this.#members);
    const keyed = this.#session.state === 'ready';
    const disagreements = new Set<string>();
    // Without keys of our own we know no roster: nothing to compare yet.
    if (keyed) {
      for (const id of this.#meeting) if (!inGroup.has(id)) disagreements.add(`meeting:${id}`);
      for (const id of inGroup) if (!this.#meeting.has(id)) disagreements.add(`group:${id}`);
    }
    for (const key of [...this.#disagreeSince.keys()]) if (!disagreements.has(key)) this.#disagreeSince.delete(key);
    for (const key of disagreements) if (!this.#disagreeSince.has(key)) this.#disagreeSince.set(key, now);
    const overdue = (prefix: string) =>
      [...this.#disagreeSince]
        .filter(([key, since]) => key.startsWith(prefix) && now - since >= ROSTER_GRACE_MS)
        .map(([key]) => key.slice(prefix.length))
        .sort();
    this.#roster = { missingFromGroup: overdue('meeting:'), unknownInGroup: overdue('group:') };
  }

  #changed(): void {
    this.emit('changed', this.snapshot());
  }
}
