/**
 * Test harness for E2eeSession: a meeting reduced to its MLS delivery rules, using the server's own
 * MlsDelivery for the ordering and membership checks, and mirroring meeting.ts in what it sends to whom
 * (relay to members but not the committer, Welcome to the added, `mls-pending` to the chosen committer,
 * admission and its commit as one step, the waiting room as one snapshot then changes). Every message crosses the real protocol schemas in both
 * directions. Each session gets an in-process worker: the real WorkerCore behind structured clone.
 */
import { ProtocolError } from '../../src/server/errors.ts';
import { MlsDelivery } from '../../src/server/meetings/mls-delivery.ts';
import type { Participant } from '../../src/server/meetings/participant.ts';
import { waitingRoomChanges, waitingRoomSnapshot, type WaitingRoomChange } from '../../src/server/meetings/waiting-room-feed.ts';
import { clientMessage, DEFAULT_SETTINGS, serverMessage, type ClientMessage, type ServerMessage } from '../../src/protocol/messages.ts';
import { loadMlsSuite, type MlsSuite } from '../../src/e2ee/mls/index.ts';
import { E2eeSession, type E2eeProblemCode } from '../../src/e2ee/session/index.ts';
import { InProcessWorker } from '../helpers/synthetic/in-process-worker.ts';

export const MEETING_ID = 'abcdefghijklmnop';

// The in-process worker is shared with the synthetic participants (test/helpers/synthetic/).
export { InProcessWorker };

type State = 'waiting-room' | 'joined' | 'gone';

export interface Person {
  readonly id: string;
  role: 'host' | 'cohost' | 'participant';
  state: State;
  readonly joinedAt: number;
  /** False while its signalling connection is down (disconnect/resume): what is sent to it meanwhile is lost. */
  connected: boolean;
  keyPackage: string | undefined;
  readonly session: E2eeSession;
  readonly worker: InProcessWorker;
  readonly received: ServerMessage[];
  readonly problems: { code: E2eeProblemCode; participantId?: string }[];
  readonly chats: { from: string; text: string; to?: string }[];
}

export class FakeMeeting {
  readonly mls = new MlsDelivery();
  readonly people = new Map<string, Person>();
  readonly refused: { from: string; type: string; code: string }[] = [];
  /** Every client message the server was sent (sender and type), in order. */
  readonly clientLog: { from: string; type: string }[] = [];
  /** Client message types held back until release(), to stage races. */
  holdTypes = new Set<string>();
  readonly held: (() => void)[] = [];
  #nextId = 1;
  #clock = 0;
  #delivered = 0;
  readonly #inputs: Promise<unknown>[] = [];
  readonly #pausedInboxes = new Map<string, ServerMessage[]>();

  /**
   * Client message types whose request is lost once: 'request' before the server sees it, 'reply' after the
   * server handled it. Either way the sender's request fails as a timeout would (verdict unknown).
   */
  readonly lose = new Map<string, 'request' | 'reply'>();

  private constructor(
    readonly suite: MlsSuite,
    readonly workerClock: (() => number) | undefined,
  ) {}

  /** `workerClock`: the clock of every person's E2EE worker, for tests that move time themselves. */
  static async create(options: { workerClock?: () => number } = {}): Promise<FakeMeeting> {
    return new FakeMeeting(await loadMlsSuite(), options.workerClock);
  }

  /** Someone arrives; straight in, or into the waiting room. */
  arrive(role: Person['role'], waitingRoom = false): Person {
    const id = (this.#nextId++).toString(16).padStart(16, '0');
    const worker = new InProcessWorker(this.workerClock);
    const person: Person = {
      id,
      role,
      state: waitingRoom ? 'waiting-room' : 'joined',
      joinedAt: this.#clock++,
      connected: true,
      keyPackage: undefined,
      worker,
      received: [],
      problems: [],
      chats: [],
      session: new E2eeSession({ meetingId: MEETING_ID, worker, mlsSuite: this.suite, send: (m) => this.#fromClient(id, m) }),
    };
    person.session.on('problem', (p) => person.problems.push(p));
    person.session.on('chat', (c) => person.chats.push(c));
    this.people.set(id, person);
    if (waitingRoom) {
      this.#send(person, { type: 'waiting', reason: 'waiting-room', title: 't', participantId: id });
      this.#waitingRoomChanged({ added: [this.#entry(person)] });
    } else {
      this.#completeJoin(person);
    }
    return person;
  }

  /** The person leaves (or is removed by the host): nothing more is delivered to them. */
  leave(person: Person): void {
    const wasWaiting = person.state === 'waiting-room';
    person.state = 'gone';
    if (wasWaiting) this.#waitingRoomChanged({ removed: [person.id] });
    this.mls.participantGone(person.id);
    this.#updateMlsWork();
  }

  /**
   * The person's signalling connection drops: as on the server, it stays joined (and a member), and every
   * message sent to it until resume() is lost. Its requests in flight fail as a dropped connection would.
   */
  disconnect(person: Person): void {
    person.connected = false;
    this.#announceEpochReady();
  }

  /** The person resumes: a fresh `joined` snapshot (the MLS epoch included), then pending work, as meeting.ts does. */
  resume(person: Person): void {
    person.connected = true;
    this.#completeJoin(person);
  }

  /** A client message from `person`, as its SDK would send it (chat, signal). */
  sendAs(person: Person, message: ClientMessage): Promise<void> {
    return this.#fromClient(person.id, message);
  }

  /** Delivers the held client messages in the order they were sent. */
  release(): void {
    this.holdTypes.clear();
    for (const run of this.held.splice(0)) run();
  }

  /** Until every session has handled everything and nothing new was sent. */
  async settle(): Promise<void> {
    for (let round = 0; round < 200; round++) {
      const before = this.#delivered;
      await Promise.all(this.#inputs.splice(0));
      await Promise.all([...this.people.values()].map((p) => p.session.whenIdle()));
      await Promise.all([...this.people.values()].map((p) => p.worker.core.cryptor.settled()));
      await new Promise((resolve) => setImmediate(resolve));
      if (before === this.#delivered && this.#inputs.length === 0) return;
    }
    throw new Error('the meeting did not settle');
  }

  /** Waits until `count` client messages are held. */
  async heldCount(count: number): Promise<void> {
    for (let i = 0; i < 2000 && this.held.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    if (this.held.length < count) throw new Error(`only ${this.held.length} messages held`);
  }

  joined(): Person[] {
    return [...this.people.values()].filter((p) => p.state === 'joined');
  }

  /** Messages to `person` wait, in order, until resumeDelivery: the network between the server and them is slow. */
  pauseDelivery(person: Person): void {
    if (!this.#pausedInboxes.has(person.id)) this.#pausedInboxes.set(person.id, []);
  }

  resumeDelivery(person: Person): void {
    const queued = this.#pausedInboxes.get(person.id) ?? [];
    this.#pausedInboxes.delete(person.id);
    for (const message of queued) this.#deliver(person, message);
  }

  // ---------------------------------------------------------------------------

  #fromClient(from: string, raw: ClientMessage): Promise<void> {
    const message = clientMessage.parse(raw);
    const person = this.people.get(from)!;
    this.clientLog.push({ from, type: message.type });
    const loss = this.lose.get(message.type);
    this.lose.delete(message.type);
    const timeout = Object.assign(new Error('no reply'), { code: 'timeout' });
    if (loss === 'request' || !person.connected) return Promise.reject(timeout);
    return new Promise<void>((resolve, reject) => {
      const run = () => {
        try {
          if (person.state === 'gone') throw new ProtocolError('not-in-meeting', 'gone');
          this.#handle(person, message);
          if (loss === 'reply') reject(timeout);
          else resolve();
        } catch (error) {
          if (!(error instanceof ProtocolError)) throw error;
          this.refused.push({ from, type: message.type, code: error.code });
          reject(error);
        }
      };
      if (this.holdTypes.has(message.type)) this.held.push(run);
      else run();
    });
  }

  #handle(p: Person, m: ClientMessage): void {
    switch (m.type) {
      case 'mls-key-package':
        if (this.mls.isMember(p.id)) throw new ProtocolError('invalid-state', 'already a member of the group');
        if (p.keyPackage === m.keyPackage) return;
        p.keyPackage = m.keyPackage;
        if (p.state === 'joined') this.#updateMlsWork();
        else this.#waitingRoomChanged({ updated: [this.#entry(p)] });
        return;
      case 'mls-resync': {
        if (p.state !== 'joined') throw new ProtocolError('not-in-meeting', 'not joined');
        const outcome = this.mls.requestResync(p as unknown as Participant, m.keyPackage);
        if (outcome === 'group-reset') this.#completeJoin(p);
        else if (outcome === 'queued') this.#updateMlsWork();
        return;
      }
      case 'mls-epoch-ack':
        this.mls.ack(p.id, m.epoch);
        this.#announceEpochReady();
        return;
      case 'mls-group-created':
        if (this.joined().some((o) => this.mls.isMember(o.id))) throw new ProtocolError('invalid-state', 'the group already exists');
        this.mls.groupCreated(p as unknown as Participant);
        this.#updateMlsWork();
        return;
      case 'mls-commit': {
        const isPendingJoiner = (id: string) => {
          const o = this.people.get(id);
          return o !== undefined && o.state === 'joined' && o.keyPackage !== undefined;
        };
        const epoch = this.mls.acceptCommit(p as unknown as Participant, m.mls, m.adds, m.removes, isPendingJoiner);
        this.#relayCommit(p, m.mls, epoch, m.adds.map((id) => this.people.get(id)!));
        this.#updateMlsWork();
        return;
      }
      case 'admit': {
        if (p.role === 'participant') throw new ProtocolError('forbidden', 'host only');
        const admitted = m.participantIds.map((id) => {
          const o = this.people.get(id);
          if (o === undefined || o.state !== 'waiting-room') throw new ProtocolError('not-found', 'no such person in the waiting room');
          return o;
        });
        if (m.mls) {
          for (const o of admitted) if (o.keyPackage === undefined) throw new ProtocolError('invalid-state', 'a KeyPackage is missing');
          const epoch = this.mls.acceptCommit(p as unknown as Participant, m.mls, m.participantIds, [], (id) => admitted.some((o) => o.id === id));
          this.#relayCommit(p, m.mls, epoch, admitted);
        }
        for (const o of admitted) this.#completeJoin(o);
        this.#waitingRoomChanged({ removed: admitted.map((o) => o.id) });
        return;
      }
      case 'chat': {
        const out: ServerMessage = { type: 'chat', from: p.id, fromName: 'someone', body: m.body, sentAt: 1, ...(m.to ? { to: m.to } : {}) };
        const recipients = m.to === undefined ? this.joined() : [this.people.get(m.to)!, p];
        for (const o of recipients) this.#send(o, out);
        return;
      }
      case 'signal': {
        const out: ServerMessage = { type: 'signal', from: p.id, data: m.data, sentAt: 1 };
        for (const o of this.joined()) this.#send(o, out);
        return;
      }
      default:
        throw new ProtocolError('bad-message', 'not simulated');
    }
  }

  #completeJoin(p: Person): void {
    p.state = 'joined';
    this.#send(p, {
      type: 'joined',
      self: { participantId: p.id, role: p.role, resumeToken: 'r'.repeat(22) },
      title: 't',
      startedAt: 0,
      settings: { ...DEFAULT_SETTINGS, privateChat: true },
      participants: [],
      publications: [],
      mls: { epoch: this.mls.epoch, groupExists: this.mls.groupExists },
    });
    if (p.role !== 'participant') for (const message of waitingRoomSnapshot(this.#entries())) this.#send(p, message);
    this.#updateMlsWork();
  }

  #relayCommit(committer: Person, mls: { epoch: number; commit: string; welcome?: string }, newEpoch: number, added: Person[]): void {
    for (const o of this.joined()) {
      if (o !== committer && this.mls.isMember(o.id) && !added.includes(o)) {
        this.#send(o, { type: 'mls-commit', mls: { epoch: mls.epoch, commit: mls.commit }, committer: committer.id });
      }
    }
    if (mls.welcome !== undefined) for (const o of added) this.#send(o, { type: 'mls-welcome', welcome: mls.welcome, epoch: newEpoch });
  }

  #announceEpochReady(): void {
    const epoch = this.mls.readyEpoch((id) => this.people.get(id)?.state === 'joined' && this.people.get(id)?.connected === true);
    if (epoch === undefined) return;
    for (const o of this.joined()) if (this.mls.isMember(o.id)) this.#send(o, { type: 'mls-epoch-ready', epoch });
  }

  #updateMlsWork(): void {
    this.#announceEpochReady();
    if (!this.mls.groupExists) return;
    const work = this.mls.pendingWork(this.joined() as unknown as Participant[]);
    if (!MlsDelivery.hasWork(work)) return;
    const committer = this.mls.chooseCommitter(this.joined() as unknown as Participant[]);
    if (committer !== undefined) this.#send(this.people.get(committer.id)!, { type: 'mls-pending', ...work });
  }

  #entries() {
    return [...this.people.values()].filter((p) => p.state === 'waiting-room').map((p) => this.#entry(p));
  }

  #entry(p: Person) {
    return { participantId: p.id, name: 'someone', ...(p.keyPackage ? { keyPackage: p.keyPackage } : {}) };
  }

  /** Changes only, as meeting.ts sends them: a KeyPackage reaches each host once. */
  #waitingRoomChanged(change: WaitingRoomChange): void {
    const messages = waitingRoomChanges(change);
    for (const p of this.joined()) if (p.role !== 'participant') for (const message of messages) this.#send(p, message);
  }

  /** To a client: checked by the protocol schema, then handed to its session as the SDK would. */
  #send(to: Person, message: ServerMessage): void {
    if (to.state === 'gone' || !to.connected) return;
    const checked = serverMessage.parse(message);
    const paused = this.#pausedInboxes.get(to.id);
    if (paused !== undefined) paused.push(checked);
    else this.#deliver(to, checked);
  }

  #deliver(to: Person, message: ServerMessage): void {
    if (to.state === 'gone') return;
    to.received.push(message);
    this.#delivered++;
    this.#inputs.push(to.session.handleServerMessage(message));
  }
}
