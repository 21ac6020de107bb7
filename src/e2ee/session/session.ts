/**
 * E2eeSession: one participant's end-to-end encryption for one meeting, on the main thread. It owns the
 * MLS member (group membership, epoch secrets, chat) and the E2EE worker (media frames), takes validated
 * server messages through handle* methods, and speaks to the server only through the `send` callback.
 * It coordinates its parts, one concern each, and gives each only what it needs:
 *   membership.ts             our participant id, our MLS member and whether its KeyPackage was sent
 *   group-follower.ts         getting into the group and following it: snapshots, relayed commits, Welcomes
 *   committer.ts              our commits (the pending work, admissions) and what each verdict does
 *   resync.ts                 asking to be re-added after we fell behind
 *   epoch-keys.ts             the epoch whose keys the worker (worker-link.ts) uses, and `state`
 *   application-messages.ts   sealing and opening chat, in-meeting signals and polls
 *   identity-checks.ts        the identity of a relayed KeyPackage, before we commit it
 *
 * State machine. The session's `state` is 'no-key' until it holds the keys of an epoch, then 'ready'; it
 * goes back to 'no-key' when a commit removes it, and to 'closed' for good. Inputs it accepts:
 *
 *   handleWaiting(waiting)        learn our participant id; create a KeyPackage and send `mls-key-package`
 *   handleJoined(joined)          learn our id; no group yet: create it, send `mls-group-created` (refused
 *                                 because someone was first: new KeyPackage, send it); group exists and we
 *                                 are not in it: send our KeyPackage; we are in it: reconcile the epoch
 *                                 with the server's (settles a commit whose verdict was lost), and resync
 *                                 if we fell behind; resyncing: ask again (a retry after a lost reply)
 *   handleWaitingRoom(list|change) remember the waiting people's KeyPackages for admit() (snapshot, then changes)
 *   handlePending(mls-pending)    we are the chosen committer: ONE commit with all adds, removes and resyncs,
 *                                 `mls-commit`; apply on ok, discard on any refusal, and on `stale-epoch`
 *                                 try again at the next epoch with what is still to do. Its epoch one past
 *                                 ours settles a commit of ours whose verdict was lost (accepted)
 *   handleCommit(mls-commit)      another member's commit: new epoch (or removed: keys dropped); one from
 *                                 a later epoch means we missed a commit: resync
 *   handleWelcome(mls-welcome)    join the group (only a Welcome for this meeting's group); ends a resync
 *   handleEpochReady(mls-epoch-ready)  every connected member holds that epoch's keys: send under it now
 *   handleChat(chat)              decrypt an MLS chat message; emits `chat` (a sealed chat only)
 *   handleSignal(signal)          decrypt a relayed in-meeting signal (raise hand, reaction: signals.ts); emits
 *                                 `signal` (a sealed signal only: each message type opens its own payload)
 *   handlePoll(poll)              decrypt a relayed poll message (polls.ts); emits `poll` (a sealed poll only,
 *                                 from the sender the server names, for everyone or for us)
 *   handleServerMessage(any)      routes the types above, ignores the rest
 *   admit(ids, entries?)          host: `admit` carrying the commit that adds them (cryptographic admission)
 *   encryptChat(text, to?)        -> the `chat` body to send
 *   encryptSignal(signal)         -> the `signal` message to send
 *   sealRecordingConsent(value)   -> the `proof` of a recording ask or answer (recording-consent.ts)
 *   openRecordingConsent(from, proof) -> the ask or answer `from` sealed, or undefined
 *   encryptPoll(poll, to?)        -> the `poll` message to send
 *   decryptChat(data)             -> an MLS chat message opened (rejects on anything unverifiable)
 *   attachSender / attachReceiver media transforms through the worker
 *   close()                       drop everything (safe twice)
 *
 * Every input runs in one queue, in arrival order, and a commit's server round trip is part of its turn:
 * the messages the server sent before its verdict are handled after the verdict, which is what MLS needs
 * (a lost race is discarded before the winning commit is processed). At each new epoch the SFrame keys
 * are derived and pushed to the worker, and `epoch` is emitted with the security code.
 *
 * A commit never wedges the session, whatever its verdict, lost ones included (committer.ts). Falling behind
 * never forks the group silently: we ask to be re-added, and only if the server refuses is `desynchronized`
 * reported (resync.ts). Keys at a new epoch: the receive keys at once, the send key once every member holds
 * them (epoch-keys.ts).
 */
import type { ChatBody, ClientMessage, ServerMessage, ServerMessageOf, WaitingEntry } from '../../protocol/messages.ts';
import { applyWaitingRoomMessage, type WaitingRoomMessage } from '../../protocol/waiting-room.ts';
import { Emitter } from '../../events/emitter.ts';
import { SerialQueue } from '../../events/serial-queue.ts';
import { MlsProtocolError } from '../mls/index.ts';
import type { MediaKind } from '../worker/messages.ts';
import { openChat, receiveChat, receivePoll, receiveSignal, sealChat, sealPoll, sealSignal } from './application-messages.ts';
import { Committer } from './committer.ts';
import { openRecordingConsent, sealRecordingConsent, type RecordingConsentMessage } from './recording-consent.ts';
import { EpochKeys } from './epoch-keys.ts';
import { GroupFollower } from './group-follower.ts';
import { Membership } from './membership.ts';
import { Resync } from './resync.ts';
import type { PollMessage } from './polls.ts';
import type { E2eeSessionEvents, E2eeSessionOptions, E2eeState, PollClientMessage, ReportProblem, SignalMessage } from './session-types.ts';
import type { Signal } from './signals.ts';
import { WorkerLink } from './worker-link.ts';

export class E2eeSession extends Emitter<E2eeSessionEvents> {
  readonly #options: E2eeSessionOptions;
  readonly #worker: WorkerLink;
  readonly #keys: EpochKeys;
  readonly #membership: Membership;
  readonly #committer: Committer;
  readonly #resync: Resync;
  readonly #follower: GroupFollower;
  #waitingRoom: readonly WaitingEntry[] = [];
  readonly #queue = new SerialQueue();

  constructor(options: E2eeSessionOptions) {
    super();
    this.#options = options;
    this.#worker = new WorkerLink(
      options.worker,
      (report) => {
        if (report.kind === 'decrypt-failure') this.emit('decrypt-failure', { ...report.data });
        // Acknowledged only once the worker can open frames under the new keys: senders may switch on our word.
        if (report.kind === 'receive-keys-ready' && this.#keys.isCurrent(report.data.epoch)) {
          this.#options.send({ type: 'mls-epoch-ack', epoch: report.data.epoch }).catch(() => undefined);
        }
      },
      () => this.emit('problem', { code: 'worker-message-invalid' }),
    );
    this.#keys = new EpochKeys(
      this.#worker,
      (info) => this.emit('epoch', info),
      (state) => this.emit('state', state),
    );
    const send = (message: ClientMessage) => this.#options.send(message);
    const report: ReportProblem = (code, participantId) => this.emit('problem', participantId === undefined ? { code } : { code, participantId });
    this.#membership = new Membership(options);
    this.#committer = new Committer({
      membership: this.#membership,
      send,
      rekey: (member) => this.#keys.install(member),
      resync: (member) => this.#resync.start(member),
      report,
    });
    this.#resync = new Resync({
      membership: this.#membership,
      send,
      forgetCommits: () => this.#committer.forget(),
      onChange: (resyncing) => this.emit('resync', resyncing),
      report,
    });
    this.#follower = new GroupFollower({
      meetingId: options.meetingId,
      send,
      membership: this.#membership,
      keys: this.#keys,
      committer: this.#committer,
      resync: this.#resync,
      report,
    });
  }

  get state(): E2eeState {
    return this.#keys.state;
  }

  get participantId(): string | undefined {
    return this.#membership.self;
  }

  /** True from the moment we found we fell behind until the Welcome that re-adds us is processed. */
  get resyncing(): boolean {
    return this.#resync.active;
  }

  /** The epoch whose keys are in use, if any. */
  get epoch(): number | undefined {
    return this.#keys.epoch;
  }

  /** The code participants compare aloud for the current epoch, once keyed. */
  get securityCode(): string | undefined {
    return this.#keys.securityCode;
  }

  /** Participant ids by leaf index, from MLS credentials (empty before joining the group). */
  members(): readonly (string | undefined)[] {
    return this.#membership.inGroup?.members() ?? [];
  }

  /** A group member's device identity public key, as its verified credential carries it. */
  identityKeyOf(participantId: string): Uint8Array | undefined {
    return this.#membership.member?.identityKeyOf(participantId);
  }

  /** Our own device identity public key, once we have a KeyPackage. */
  ownIdentityKey(): Uint8Array | undefined {
    const member = this.#membership.member;
    return member === undefined || member.phase === 'closed' ? undefined : member.ownIdentityKey();
  }

  /** Resolves once every input given so far has been handled. */
  whenIdle(): Promise<void> {
    return this.#queue.whenIdle();
  }

  // -------------------------------------------------------------------------
  // Inputs: server messages
  // -------------------------------------------------------------------------

  /** Routes the server messages the session cares about; returns whether it took this one. */
  handleServerMessage(message: ServerMessage): Promise<boolean> {
    switch (message.type) {
      case 'waiting':
        return this.handleWaiting(message).then(() => true);
      case 'joined':
        return this.handleJoined(message).then(() => true);
      case 'waiting-room':
      case 'waiting-room-changed':
        return this.handleWaitingRoom(message).then(() => true);
      case 'mls-pending':
        return this.handlePending(message).then(() => true);
      case 'mls-commit':
        return this.handleCommit(message).then(() => true);
      case 'mls-welcome':
        return this.handleWelcome(message).then(() => true);
      case 'mls-epoch-ready':
        return this.handleEpochReady(message).then(() => true);
      case 'chat':
        return this.handleChat(message).then(() => true);
      case 'signal':
        return this.handleSignal(message).then(() => true);
      case 'poll':
        return this.handlePoll(message).then(() => true);
      default:
        return Promise.resolve(false);
    }
  }

  handleWaiting(message: ServerMessageOf<'waiting'>): Promise<void> {
    return this.#input(() => this.#follower.waiting(message));
  }

  handleJoined(message: ServerMessageOf<'joined'>): Promise<void> {
    return this.#input(() => this.#follower.joined(message));
  }

  /** The snapshot (`waiting-room`) replaces the list; `waiting-room-changed` adds, updates and removes. */
  handleWaitingRoom(message: WaitingRoomMessage): Promise<void> {
    return this.#input(async () => {
      this.#waitingRoom = applyWaitingRoomMessage(this.#waitingRoom, message);
    });
  }

  /**
   * The newest work replaces older work at once (not in turn), so that several `mls-pending` arriving while
   * we are busy become one batched commit.
   */
  handlePending(message: ServerMessageOf<'mls-pending'>): Promise<void> {
    this.#committer.offer(message);
    return this.#input(async () => {
      await this.#committer.settleLostVerdict(message.epoch);
      await this.#committer.doPendingWork();
    });
  }

  /** Every connected member holds the keys of this epoch: switch our sending to it now (if it is ours). */
  handleEpochReady(message: ServerMessageOf<'mls-epoch-ready'>): Promise<void> {
    return this.#input(async () => {
      this.#keys.activateSendKey(message.epoch);
    });
  }

  handleCommit(message: ServerMessageOf<'mls-commit'>): Promise<void> {
    return this.#input(() => this.#follower.commit(message));
  }

  handleWelcome(message: ServerMessageOf<'mls-welcome'>): Promise<void> {
    return this.#input(() => this.#follower.welcome(message));
  }

  /** Decrypts and emits a chat message; our own echo and anything unverifiable are dropped. */
  handleChat(message: ServerMessageOf<'chat'>): Promise<void> {
    return this.#input(async () => {
      // MLS senders cannot open their own application messages; the UI shows what it sent.
      if (message.from === this.#membership.self) return;
      const received = await receiveChat(this.#membership.inGroup, this.#membership.self, message);
      if ('problem' in received) this.emit('problem', { code: received.problem, participantId: message.from });
      else this.emit('chat', received.message);
    });
  }

  /**
   * Decrypts and emits an in-meeting signal; our own echo (the Room takes its relay time from it) and anything
   * that is not a sealed signal from the sender the server names (a chat payload included) are dropped.
   */
  handleSignal(message: ServerMessageOf<'signal'>): Promise<void> {
    return this.#input(async () => {
      if (message.from === this.#membership.self) return;
      const received = await receiveSignal(this.#membership.inGroup, message);
      if ('problem' in received) this.emit('problem', { code: received.problem, participantId: message.from });
      else this.emit('signal', received.message);
    });
  }

  /** Decrypts and emits a poll message; anything that is not a sealed poll from the sender the server names, for everyone or us, is dropped. */
  handlePoll(message: ServerMessageOf<'poll'>): Promise<void> {
    return this.#input(async () => {
      if (message.from === this.#membership.self) return;
      const received = await receivePoll(this.#membership.inGroup, this.#membership.self, message);
      if ('problem' in received) this.emit('problem', { code: received.problem, participantId: message.from });
      else this.emit('poll', received.message);
    });
  }

  // -------------------------------------------------------------------------
  // Actions
  // -------------------------------------------------------------------------

  /**
   * Admits waiting people with the commit that adds their KeyPackages (from `entries`, by default the last
   * `waiting-room` list): the server admits them only together with that commit. Without a group of our
   * own to commit to, a plain `admit` is sent and the chosen committer adds them afterwards.
   * Rejects (TypeError) if someone has no KeyPackage yet or a KeyPackage carries another id.
   */
  async admit(participantIds: readonly string[], entries: readonly WaitingEntry[] = this.#waitingRoom): Promise<void> {
    const attempts = this.#options.maxCommitAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const verdict = await this.#run(() => this.#committer.admitOnce(participantIds, entries));
      if (verdict !== 'stale' || attempt >= attempts) {
        if (verdict === 'ok') return;
        throw new Error(`admission not accepted (${verdict})`);
      }
      // Lost the epoch: the winning commit is queued ahead of the next attempt.
    }
  }

  /** Seals a chat text (and its recipient, for a private message) as an MLS application message. */
  encryptChat(text: string, to?: string): Promise<ChatBody> {
    return this.#run(() => sealChat(this.#membership.inGroup, text, to));
  }

  /** Seals an in-meeting signal (raise hand, reaction: signals.ts) as an MLS application message: the `signal` message to send. */
  encryptSignal(signal: Signal): Promise<SignalMessage> {
    return this.#run(() => sealSignal(this.#membership.inGroup, signal));
  }

  /** Seals a poll message (polls.ts), for everyone or for `to` alone: the `poll` message to send. */
  encryptPoll(poll: PollMessage, to?: string): Promise<PollClientMessage> {
    return this.#run(() => sealPoll(this.#membership.inGroup, poll, to));
  }

  /** Seals a recording-consent ask or answer (recording-consent.ts): the `proof` sent beside its clear fields. */
  sealRecordingConsent(value: RecordingConsentMessage): Promise<string> {
    return this.#run(() => sealRecordingConsent(this.#membership.inGroup, value));
  }

  /** Opens a relayed recording-consent proof, in turn with the other inputs; undefined unless `from` sealed one. */
  openRecordingConsent(from: string, proof: string): Promise<RecordingConsentMessage | undefined> {
    return this.#run(() => openRecordingConsent(this.#membership.inGroup, from, proof));
  }

  /** Opens an MLS chat message; the sender is the one MLS authenticates. Rejects on anything unverifiable. */
  decryptChat(data: string): Promise<{ from: string; text: string; to?: string }> {
    return this.#run(async () => {
      const opened = await openChat(this.#membership.inGroup, data);
      if (opened === undefined) throw new Error('chat message could not be opened');
      return opened;
    });
  }

  /** Seals what this sender sends (`kind` of its track). Needs our participant id. */
  attachSender(sender: RTCRtpSender, kind: MediaKind): void {
    const self = this.#membership.self;
    if (self === undefined) throw new TypeError('participant id not known yet');
    this.#worker.attach(sender, 'encrypt', kind, self);
  }

  /** Opens what this receiver gets; frames not sent by `participantId` (per MLS) are dropped. Call again when it changes. */
  attachReceiver(receiver: RTCRtpReceiver, kind: MediaKind, participantId: string): void {
    this.#worker.attach(receiver, 'decrypt', kind, participantId);
  }

  /** Drops all keys and the worker. Safe to call twice. */
  close(): void {
    if (this.#keys.state === 'closed') return;
    this.#membership.forget();
    this.#worker.close();
    this.#keys.close();
    this.removeAllListeners();
  }

  // -------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------

  #run<T>(operation: () => Promise<T>): Promise<T> {
    return this.#queue.run(() => {
      if (this.#keys.state === 'closed') throw new Error('E2EE session closed');
      return operation();
    });
  }

  /** Server input: never rejects; a failure is reported as a problem. */
  #input(operation: () => Promise<void>): Promise<void> {
    return this.#run(operation).catch((error: unknown) => {
      if (this.#keys.state !== 'closed') this.emit('problem', { code: error instanceof MlsProtocolError ? 'commit-rejected' : 'internal' });
    });
  }
}
