/**
 * E2eeSession: one participant's end-to-end encryption for one meeting, on the main thread. It owns the
 * MLS member (group membership, epoch secrets, chat) and the E2EE worker (media frames), takes validated
 * server messages through handle* methods, and speaks to the server only through the `send` callback.
 *
 * State machine. The session's `state` is 'no-key' until it holds the keys of an epoch, then 'ready'; it
 * goes back to 'no-key' when a commit removes it, and to 'closed' for good. Inputs it accepts:
 *
 *   handleWaiting(waiting)        learn our participant id; create a KeyPackage and send `mls-key-package`
 *   handleJoined(joined)          learn our id; no group yet: create it, send `mls-group-created` (refused
 *                                 because someone was first: new KeyPackage, send it); group exists and we
 *                                 are not in it: send our KeyPackage; we are in it: reconcile the epoch
 *                                 with the server's (settles a commit whose verdict was lost)
 *   handleWaitingRoom(list|change) remember the waiting people's KeyPackages for admit() (snapshot, then changes)
 *   handlePending(mls-pending)    we are the chosen committer: ONE commit with all adds and removes,
 *                                 `mls-commit`; apply on ok, discard on any refusal, and on `stale-epoch`
 *                                 try again at the next epoch with what is still to do. Its epoch one past
 *                                 ours settles a commit of ours whose verdict was lost (accepted)
 *   handleCommit(mls-commit)      another member's commit: new epoch (or removed: keys dropped)
 *   handleWelcome(mls-welcome)    join the group (only a Welcome for this meeting's group)
 *   handleEpochReady(mls-epoch-ready)  every connected member holds that epoch's keys: send under it now
 *   handleChat(chat)              decrypt an MLS chat message; emits `chat`
 *   handleServerMessage(any)      routes the types above, ignores the rest
 *   admit(ids, entries?)          host: `admit` carrying the commit that adds them (cryptographic admission)
 *   encryptChat(text, to?)        -> the `chat` body to send
 *   attachSender / attachReceiver media transforms through the worker
 *   close()                       drop everything (safe twice)
 *
 * Every input runs in one queue, in arrival order, and a commit's server round trip is part of its turn:
 * the messages the server sent before its verdict are handled after the verdict, which is what MLS needs
 * (a lost race is discarded before the winning commit is processed). At each new epoch the SFrame keys
 * are derived and pushed to the worker, and `epoch` is emitted with the security code.
 *
 * A commit never wedges the session. One the server refused, or that never left (the protocol schema
 * refuses it, e.g. an `admit` of more than MAX_BATCH people), is discarded at once. One whose verdict was
 * lost (timeout, connection lost) stays pending, since the server may have accepted it: a relayed commit,
 * a `joined` snapshot or an `mls-pending` one epoch past ours settles it. Because a round trip is part of
 * its turn, a commit still pending when a turn starts is always one whose verdict was lost, and the next
 * commit we need (admit, pending work) discards it first. Had the server accepted it after all, the next
 * epoch the server names shows that we fell behind (`desynchronized`).
 *
 * Keys at a new epoch: the receive keys are used at once, the send key only once every member has the new
 * keys before our first frame under them: we acknowledge each epoch (`mls-epoch-ack`), the server says when
 * every connected member has (`mls-epoch-ready`), and we switch then, or after SEND_KEY_DELAY_MS at the latest
 * (src/e2ee/worker/key-timing.ts). With no valid send key (first epoch, re-added) it is used at once.
 */
import { clientMessage, errorCode, MAX_BATCH, type ChatBody, type ClientMessage, type ServerMessage, type ServerMessageOf, type WaitingEntry } from '../../protocol/messages.ts';
import { applyWaitingRoomMessage, type WaitingRoomMessage } from '../../protocol/waiting-room.ts';
import { MlsMember, MlsProtocolError, type MlsSuite } from '../mls/index.ts';
import { SEND_KEY_DELAY_MS } from '../worker/key-timing.ts';
import type { DecryptFailureReason, MediaKind } from '../worker/messages.ts';
import { fromBase64, toBase64 } from './base64.ts';
import { decodeSealedChat, encodeSealedChat } from './chat.ts';
import { Emitter } from '../../events/emitter.ts';
import { keyPackageIdentity } from './key-package.ts';
import { deriveEpochKeys } from './sframe-keys.ts';
import { WorkerLink, type WorkerPort } from './worker-link.ts';

export type E2eeState = 'no-key' | 'ready' | 'closed';

/** Why something did not go as the protocol says; none of these carries secret material. */
export type E2eeProblemCode =
  | 'key-package-mismatch' // the server announced a KeyPackage under another participant's id
  | 'commit-refused' // the server refused our commit for another reason than a lost race
  | 'commit-rejected' // a relayed commit failed MLS validation
  | 'desynchronized' // we missed a commit: this session cannot follow the group any more
  | 'removed' // a commit removed us from the group
  | 'welcome-rejected'
  | 'chat-rejected' // undecryptable, not from the claimed sender, not for us, or text the typed-text rule refuses
  | 'plaintext-chat' // a chat message without end-to-end encryption: not shown
  | 'worker-message-invalid'
  | 'internal';

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

export interface E2eeSessionEvents {
  epoch: [info: E2eeEpochInfo];
  state: [state: E2eeState];
  'decrypt-failure': [failure: { participantId: string; reason: DecryptFailureReason; count: number }];
  chat: [message: E2eeChatMessage];
  problem: [problem: { code: E2eeProblemCode; participantId?: string }];
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
}

/** 'unsent': the message never left (the protocol refuses it); 'unknown': sent, but the verdict was lost. */
type CommitVerdict = 'ok' | 'stale' | 'refused' | 'unsent' | 'unknown';
type PendingWork = Pick<ServerMessageOf<'mls-pending'>, 'epoch' | 'adds' | 'removes'>;

export class E2eeSession extends Emitter<E2eeSessionEvents> {
  readonly #options: E2eeSessionOptions;
  readonly #worker: WorkerLink;
  #self: string | undefined;
  #member: MlsMember | undefined;
  #keyPackageSent = false;
  #work: PendingWork | undefined;
  #waitingRoom: readonly WaitingEntry[] = [];
  #state: E2eeState = 'no-key';
  #securityCode: string | undefined;
  #keyedEpoch: number | undefined;
  /** The epoch at which we gave up a commit whose verdict was lost (see #discardLostVerdict). */
  #lostVerdictDiscardedAt: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: E2eeSessionOptions) {
    super();
    this.#options = options;
    this.#worker = new WorkerLink(
      options.worker,
      (report) => {
        if (report.kind === 'decrypt-failure') this.emit('decrypt-failure', { ...report.data });
        // Acknowledged only once the worker can open frames under the new keys: senders may switch on our word.
        if (report.kind === 'receive-keys-ready' && report.data.epoch === this.#keyedEpoch && this.#state === 'ready') {
          this.#options.send({ type: 'mls-epoch-ack', epoch: report.data.epoch }).catch(() => undefined);
        }
      },
      () => this.emit('problem', { code: 'worker-message-invalid' }),
    );
  }

  get state(): E2eeState {
    return this.#state;
  }

  get participantId(): string | undefined {
    return this.#self;
  }

  /** The epoch whose keys are in use, if any. */
  get epoch(): number | undefined {
    return this.#keyedEpoch;
  }

  /** The code participants compare aloud for the current epoch, once keyed. */
  get securityCode(): string | undefined {
    return this.#securityCode;
  }

  /** Participant ids by leaf index, from MLS credentials (empty before joining the group). */
  members(): readonly (string | undefined)[] {
    const member = this.#member;
    return member !== undefined && (member.phase === 'active' || member.phase === 'pending') ? member.members() : [];
  }

  /** Resolves once every input given so far has been handled. */
  whenIdle(): Promise<void> {
    return this.#queue.then(() => undefined);
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
      default:
        return Promise.resolve(false);
    }
  }

  handleWaiting(message: ServerMessageOf<'waiting'>): Promise<void> {
    return this.#input(async () => {
      this.#setSelf(message.participantId);
      await this.#sendKeyPackage();
    });
  }

  handleJoined(message: ServerMessageOf<'joined'>): Promise<void> {
    return this.#input(async () => {
      this.#setSelf(message.self.participantId);
      const member = await this.#ensureMember();
      switch (member.phase) {
        case 'fresh':
          if (message.mls.groupExists) await this.#sendKeyPackage();
          else await this.#createGroup(member);
          return;
        case 'active':
        case 'pending':
          await this.#reconcile(member, message.mls.epoch);
          return;
        case 'removed':
          // Still in the meeting but out of the group: start again with a new KeyPackage.
          await this.#restartMember();
          return;
        case 'closed':
          return;
      }
    });
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
    if (this.#work === undefined || message.epoch >= this.#work.epoch) {
      this.#work = { epoch: message.epoch, adds: message.adds, removes: message.removes };
    }
    return this.#input(async () => {
      await this.#settleLostVerdict(message.epoch);
      await this.#doPendingWork();
    });
  }

  /** Every connected member holds the keys of this epoch: switch our sending to it now (if it is ours). */
  handleEpochReady(message: ServerMessageOf<'mls-epoch-ready'>): Promise<void> {
    return this.#input(async () => {
      if (this.#keyedEpoch !== undefined && message.epoch <= this.#keyedEpoch) this.#worker.activateSendKey(message.epoch);
    });
  }

  handleCommit(message: ServerMessageOf<'mls-commit'>): Promise<void> {
    return this.#input(async () => {
      const member = this.#member;
      if (member === undefined || (member.phase !== 'active' && member.phase !== 'pending')) return;
      // A commit made one epoch past ours means the server accepted our pending one without us hearing it.
      if (member.phase === 'pending' && message.mls.epoch === member.epoch + 1) {
        await member.applyPendingCommit();
        await this.#rekey(member);
      }
      let result: Awaited<ReturnType<MlsMember['processCommit']>>;
      try {
        result = await member.processCommit(fromBase64(message.mls.commit));
      } catch (error) {
        if (error instanceof MlsProtocolError && error.code === 'stale-epoch') return; // a duplicate
        this.emit('problem', { code: error instanceof MlsProtocolError && error.code === 'future-epoch' ? 'desynchronized' : 'commit-rejected' });
        return;
      }
      if (result.kind === 'removed') {
        this.#dropKeys();
        this.emit('problem', { code: 'removed' });
        return;
      }
      await this.#rekey(member);
      await this.#doPendingWork();
    });
  }

  handleWelcome(message: ServerMessageOf<'mls-welcome'>): Promise<void> {
    return this.#input(async () => {
      const member = this.#member;
      if (member === undefined || member.phase !== 'fresh') return;
      try {
        await member.joinFromWelcome(fromBase64(message.welcome), this.#options.meetingId);
      } catch {
        this.emit('problem', { code: 'welcome-rejected' });
        return;
      }
      if (member.epoch !== message.epoch) this.emit('problem', { code: 'desynchronized' });
      await this.#rekey(member);
      await this.#doPendingWork();
    });
  }

  /** Decrypts and emits a chat message; our own echo and anything unverifiable are dropped. */
  handleChat(message: ServerMessageOf<'chat'>): Promise<void> {
    return this.#input(async () => {
      // MLS senders cannot open their own application messages; the UI shows what it sent.
      if (message.from === this.#self) return;
      if (message.body.kind !== 'mls') {
        this.emit('problem', { code: 'plaintext-chat', participantId: message.from });
        return;
      }
      const opened = await this.#openChat(message.body.data);
      // The server names the sender and the recipient; MLS says who really sent it and for whom.
      if (opened === undefined || opened.from !== message.from || opened.to !== message.to) {
        this.emit('problem', { code: 'chat-rejected', participantId: message.from });
        return;
      }
      if (opened.to !== undefined && opened.to !== this.#self) {
        this.emit('problem', { code: 'chat-rejected', participantId: message.from });
        return;
      }
      this.emit('chat', { ...opened, sentAt: message.sentAt });
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
      const verdict = await this.#run(() => this.#admitOnce(participantIds, entries));
      if (verdict !== 'stale' || attempt >= attempts) {
        if (verdict === 'ok') return;
        throw new Error(`admission not accepted (${verdict})`);
      }
      // Lost the epoch: the winning commit is queued ahead of the next attempt.
    }
  }

  /** Seals a chat text (and its recipient, for a private message) as an MLS application message. */
  encryptChat(text: string, to?: string): Promise<ChatBody> {
    return this.#run(async () => {
      const member = this.#requireGroup();
      const sealed = await member.encryptApplication(encodeSealedChat(text, to));
      return { kind: 'mls' as const, data: toBase64(sealed) };
    });
  }

  /** Opens an MLS chat message; the sender is the one MLS authenticates. Rejects on anything unverifiable. */
  decryptChat(data: string): Promise<{ from: string; text: string; to?: string }> {
    return this.#run(async () => {
      const opened = await this.#openChat(data);
      if (opened === undefined) throw new Error('chat message could not be opened');
      return opened;
    });
  }

  /** Seals what this sender sends (`kind` of its track). Needs our participant id. */
  attachSender(sender: RTCRtpSender, kind: MediaKind): void {
    if (this.#self === undefined) throw new TypeError('participant id not known yet');
    this.#worker.attach(sender, 'encrypt', kind, this.#self);
  }

  /** Opens what this receiver gets; frames not sent by `participantId` (per MLS) are dropped. Call again when it changes. */
  attachReceiver(receiver: RTCRtpReceiver, kind: MediaKind, participantId: string): void {
    this.#worker.attach(receiver, 'decrypt', kind, participantId);
  }

  /** Drops all keys and the worker. Safe to call twice. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#member?.close();
    this.#member = undefined;
    this.#worker.close();
    this.#state = 'closed';
    this.#securityCode = undefined;
    this.emit('state', 'closed');
    this.removeAllListeners();
  }

  // -------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------

  #run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(() => {
      if (this.#state === 'closed') throw new Error('E2EE session closed');
      return operation();
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Server input: never rejects; a failure is reported as a problem. */
  #input(operation: () => Promise<void>): Promise<void> {
    return this.#run(operation).catch((error: unknown) => {
      if (this.#state !== 'closed') this.emit('problem', { code: error instanceof MlsProtocolError ? 'commit-rejected' : 'internal' });
    });
  }

  #setSelf(id: string): void {
    if (this.#self !== undefined && this.#self !== id) {
      // A new participant id is a new person to the server: nothing of the old MLS state applies.
      this.#member?.close();
      this.#member = undefined;
      this.#keyPackageSent = false;
      this.#dropKeys();
    }
    this.#self = id;
  }

  async #ensureMember(): Promise<MlsMember> {
    if (this.#member === undefined) {
      if (this.#self === undefined) throw new TypeError('participant id not known yet');
      const suite = this.#options.mlsSuite;
      this.#member = await MlsMember.create(this.#self, suite === undefined ? {} : { suite });
      this.#keyPackageSent = false;
    }
    return this.#member;
  }

  async #sendKeyPackage(): Promise<void> {
    const member = await this.#ensureMember();
    if (member.phase !== 'fresh' || this.#keyPackageSent) return;
    this.#keyPackageSent = true;
    try {
      await this.#options.send({ type: 'mls-key-package', keyPackage: toBase64(member.keyPackageBytes()) });
    } catch (error) {
      // Refused as `invalid-state`: we are already a member (a stale view). Otherwise try again next time.
      if (codeOf(error) !== 'invalid-state') this.#keyPackageSent = false;
    }
  }

  async #createGroup(member: MlsMember): Promise<void> {
    await member.createGroup(this.#options.meetingId);
    const verdict = await this.#submit({ type: 'mls-group-created' });
    if (verdict === 'ok') {
      await this.#rekey(member);
      return;
    }
    // Someone else's group won (or the verdict was lost): ours is a ghost; join theirs with a new KeyPackage.
    await this.#restartMember();
  }

  async #restartMember(): Promise<void> {
    this.#member?.close();
    this.#member = undefined;
    this.#dropKeys();
    await this.#sendKeyPackage();
  }

  /** Compares our epoch with the server's after a (re)join snapshot. */
  async #reconcile(member: MlsMember, serverEpoch: number): Promise<void> {
    if (member.phase === 'pending') {
      if (serverEpoch === member.epoch + 1) {
        await member.applyPendingCommit();
        await this.#rekey(member);
      } else {
        await member.discardPendingCommit();
      }
    }
    if (member.epoch !== serverEpoch) this.emit('problem', { code: 'desynchronized' });
    await this.#doPendingWork();
  }

  async #doPendingWork(): Promise<void> {
    const member = this.#member;
    const work = this.#work;
    if (member === undefined || work === undefined || (member.phase !== 'active' && member.phase !== 'pending')) return;
    // Work announced for a later epoch waits for the commits that lead there.
    if (work.epoch > member.epoch) return;
    this.#work = undefined;
    const roster = member.members();
    // At most MAX_BATCH of each per commit (the protocol's cap); the server asks again for the rest.
    const adds = work.adds
      .filter((a) => a.participantId !== this.#self && !roster.includes(a.participantId) && this.#keyPackageMatches(a))
      .slice(0, MAX_BATCH);
    const removes = work.removes.filter((id) => id !== this.#self && roster.includes(id)).slice(0, MAX_BATCH);
    if (adds.length === 0 && removes.length === 0) return;
    await this.#discardLostVerdict(member);
    const output = await member.commit({
      add: adds.map((a) => ({ identity: a.participantId, keyPackage: fromBase64(a.keyPackage) })),
      remove: removes,
    });
    const verdict = await this.#submit({
      type: 'mls-commit',
      mls: { epoch: output.epoch, commit: toBase64(output.commit), ...(output.welcome ? { welcome: toBase64(output.welcome) } : {}) },
      adds: adds.map((a) => a.participantId),
      removes,
    });
    await this.#settle(member, verdict);
    // The batch is capped, so only an oversized commit (or a bug) gets here: it must not pass unseen.
    if (verdict === 'unsent') this.emit('problem', { code: 'internal' });
    // Lost the race: keep what we tried, to redo (filtered again) once the winning commit is processed,
    // unless the server has told us something newer meanwhile.
    if (verdict === 'stale' && this.#work === undefined) this.#work = { ...work, epoch: member.epoch };
  }

  async #admitOnce(participantIds: readonly string[], entries: readonly WaitingEntry[]): Promise<CommitVerdict> {
    const member = this.#member;
    if (member === undefined || member.phase === 'fresh') {
      return this.#submit({ type: 'admit', participantIds: [...participantIds] });
    }
    if (member.phase === 'pending') await this.#discardLostVerdict(member);
    if (member.phase !== 'active') throw new Error('cannot commit now: we left the group');
    const add = participantIds.map((id) => {
      const entry = entries.find((e) => e.participantId === id);
      if (entry?.keyPackage === undefined) throw new TypeError('a waiting participant has no KeyPackage yet');
      if (keyPackageIdentity(entry.keyPackage) !== id) {
        this.emit('problem', { code: 'key-package-mismatch', participantId: id });
        throw new TypeError('a KeyPackage does not carry the participant id it was announced with');
      }
      return { identity: id, keyPackage: fromBase64(entry.keyPackage) };
    });
    const output = await member.commit({ add });
    const verdict = await this.#submit({
      type: 'admit',
      participantIds: [...participantIds],
      mls: { epoch: output.epoch, commit: toBase64(output.commit), ...(output.welcome ? { welcome: toBase64(output.welcome) } : {}) },
    });
    await this.#settle(member, verdict);
    return verdict;
  }

  /** Applies our pending commit on `ok`, drops it on a refusal or when it never left, keeps it when the verdict is lost. */
  async #settle(member: MlsMember, verdict: CommitVerdict): Promise<void> {
    if (member.phase !== 'pending') return;
    if (verdict === 'ok') {
      // The server was still at our epoch: a commit given up there had not been accepted.
      this.#lostVerdictDiscardedAt = undefined;
      await member.applyPendingCommit();
      await this.#rekey(member);
    } else if (verdict === 'stale' || verdict === 'refused' || verdict === 'unsent') {
      await member.discardPendingCommit();
      if (verdict === 'refused') this.emit('problem', { code: 'commit-refused' });
    }
    // 'unknown': a relayed commit, a joined snapshot or an mls-pending tells (handleCommit, #reconcile,
    // #settleLostVerdict); the next commit we need discards it (#discardLostVerdict).
  }

  /** An `mls-pending` names the server's epoch; one past ours, with no other commit relayed, means it took ours. */
  async #settleLostVerdict(serverEpoch: number): Promise<void> {
    const member = this.#member;
    if (member === undefined) return;
    if (member.phase === 'pending' && serverEpoch === member.epoch + 1) {
      await member.applyPendingCommit();
      await this.#rekey(member);
    } else if (member.phase === 'active' && this.#lostVerdictDiscardedAt === member.epoch && serverEpoch > member.epoch) {
      // The commit we gave up on had been accepted: the group went on without us.
      this.#lostVerdictDiscardedAt = undefined;
      this.emit('problem', { code: 'desynchronized' });
    }
  }

  /** A commit still pending at the start of a turn lost its verdict: give it up so that the next one can go. */
  async #discardLostVerdict(member: MlsMember): Promise<void> {
    if (member.phase !== 'pending') return;
    await member.discardPendingCommit();
    this.#lostVerdictDiscardedAt = member.epoch;
  }

  async #submit(message: ClientMessage): Promise<CommitVerdict> {
    // What the protocol refuses never leaves (the SDK would throw): checked here so that it is known unsent.
    if (!clientMessage.safeParse(message).success) return 'unsent';
    try {
      await this.#options.send(message);
      return 'ok';
    } catch (error) {
      if (error instanceof TypeError) return 'unsent'; // refused by the SDK before sending
      const code = codeOf(error);
      if (code === 'stale-epoch') return 'stale';
      return errorCode.safeParse(code).success ? 'refused' : 'unknown';
    }
  }

  #keyPackageMatches(add: { participantId: string; keyPackage: string }): boolean {
    if (keyPackageIdentity(add.keyPackage) === add.participantId) return true;
    this.emit('problem', { code: 'key-package-mismatch', participantId: add.participantId });
    return false;
  }

  async #openChat(data: string): Promise<{ from: string; text: string; to?: string } | undefined> {
    const member = this.#member;
    if (member === undefined || (member.phase !== 'active' && member.phase !== 'pending')) return undefined;
    let opened: Awaited<ReturnType<MlsMember['decryptApplication']>>;
    try {
      opened = await member.decryptApplication(fromBase64(data));
    } catch {
      return undefined;
    }
    const sealed = decodeSealedChat(opened.data);
    opened.data.fill(0);
    if (sealed === undefined) return undefined;
    return sealed.to === undefined ? { from: opened.sender, text: sealed.text } : { from: opened.sender, text: sealed.text, to: sealed.to };
  }

  #requireGroup(): MlsMember {
    const member = this.#member;
    if (member === undefined || (member.phase !== 'active' && member.phase !== 'pending')) throw new TypeError('not in the MLS group yet');
    return member;
  }

  async #rekey(member: MlsMember): Promise<void> {
    const keys = await deriveEpochKeys(member);
    // Already sending under an earlier epoch: keep it until every member can have this one's keys.
    this.#worker.setKeys(keys, this.#keyedEpoch === undefined ? 0 : SEND_KEY_DELAY_MS);
    // When the worker says these receive keys are installed, we acknowledge the epoch (`mls-epoch-ack`): once
    // every connected member has, everyone switches their sending to it at once (`mls-epoch-ready`), and the
    // delay above is only the fallback.
    keys.send.key.fill(0);
    for (const k of keys.receive) k.key.fill(0);
    const previous = this.#keyedEpoch;
    this.#keyedEpoch = keys.epoch;
    this.#securityCode = member.securityCode();
    if (previous !== keys.epoch || this.#state !== 'ready') {
      this.emit('epoch', { epoch: keys.epoch, securityCode: this.#securityCode, members: member.members() });
    }
    this.#setState('ready');
  }

  #dropKeys(): void {
    if (this.#keyedEpoch !== undefined) this.#worker.dropKeys();
    this.#keyedEpoch = undefined;
    this.#securityCode = undefined;
    this.#setState('no-key');
  }

  #setState(state: E2eeState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}
