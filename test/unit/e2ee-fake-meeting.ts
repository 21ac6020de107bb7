/**
 * Test harness for E2eeSession: a meeting reduced to its MLS delivery rules, using the server's own
 * MlsDelivery for the ordering and membership checks, and mirroring meeting.ts in what it sends to whom
 * (relay to members but not the committer, Welcome to the added, `mls-pending` to the chosen committer,
 * admission and its commit as one step). Every message crosses the real protocol schemas in both
 * directions. Each session gets an in-process worker: the real WorkerCore behind structured clone.
 */
import { ProtocolError } from '../../src/server/errors.ts';
import { MlsDelivery } from '../../src/server/meetings/mls-delivery.ts';
import type { Participant } from '../../src/server/meetings/participant.ts';
import { clientMessage, DEFAULT_SETTINGS, serverMessage, type ClientMessage, type ServerMessage } from '../../src/protocol/messages.ts';
import { loadMlsSuite, type MlsSuite } from '../../src/e2ee/mls/index.ts';
import { E2eeSession, type E2eeProblemCode, type WorkerPort } from '../../src/e2ee/session/index.ts';
import { WorkerCore } from '../../src/e2ee/worker/worker-core.ts';

export const MEETING_ID = 'abcdefghijklmnop';

/** The real WorkerCore, reached through structured clone as a Worker would be. */
export class InProcessWorker implements WorkerPort {
  readonly core: WorkerCore;
  readonly #listeners: ((event: MessageEvent) => void)[] = [];
  terminated = false;

  constructor() {
    this.core = new WorkerCore({
      post: (message) => {
        const event = { data: structuredClone(message) } as MessageEvent;
        for (const listener of this.#listeners) listener(event);
      },
    });
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    if (this.terminated) throw new Error('worker terminated');
    if (transfer.length > 0) throw new Error('transfers are not simulated');
    this.core.handleMessage(structuredClone(message));
  }

  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.#listeners.push(listener);
  }

  terminate(): void {
    this.terminated = true;
  }
}

type State = 'waiting-room' | 'joined' | 'gone';

export interface Person {
  readonly id: string;
  role: 'host' | 'cohost' | 'participant';
  state: State;
  readonly joinedAt: number;
  readonly connected: true;
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
  /** Client message types held back until release(), to stage races. */
  holdTypes = new Set<string>();
  readonly held: (() => void)[] = [];
  #nextId = 1;
  #clock = 0;
  #delivered = 0;
  readonly #inputs: Promise<unknown>[] = [];

  private constructor(readonly suite: MlsSuite) {}

  static async create(): Promise<FakeMeeting> {
    return new FakeMeeting(await loadMlsSuite());
  }

  /** Someone arrives; straight in, or into the waiting room. */
  arrive(role: Person['role'], waitingRoom = false): Person {
    const id = (this.#nextId++).toString(16).padStart(16, '0');
    const worker = new InProcessWorker();
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
      this.#notifyWaitingRoom();
    } else {
      this.#completeJoin(person);
    }
    return person;
  }

  /** The person leaves (or is removed by the host): nothing more is delivered to them. */
  leave(person: Person): void {
    person.state = 'gone';
    this.mls.participantGone(person.id);
    this.#updateMlsWork();
  }

  /** A client message from `person`, as its SDK would send it (chat). */
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

  // ---------------------------------------------------------------------------

  #fromClient(from: string, raw: ClientMessage): Promise<void> {
    const message = clientMessage.parse(raw);
    const person = this.people.get(from)!;
    return new Promise<void>((resolve, reject) => {
      const run = () => {
        try {
          if (person.state === 'gone') throw new ProtocolError('not-in-meeting', 'gone');
          this.#handle(person, message);
          resolve();
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
        p.keyPackage = m.keyPackage;
        if (p.state === 'joined') this.#updateMlsWork();
        else this.#notifyWaitingRoom();
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
        this.#notifyWaitingRoom();
        return;
      }
      case 'chat': {
        const out: ServerMessage = { type: 'chat', from: p.id, fromName: 'someone', body: m.body, sentAt: 1, ...(m.to ? { to: m.to } : {}) };
        const recipients = m.to === undefined ? this.joined() : [this.people.get(m.to)!, p];
        for (const o of recipients) this.#send(o, out);
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
    if (p.role !== 'participant') this.#send(p, { type: 'waiting-room', entries: this.#entries() });
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

  #updateMlsWork(): void {
    if (!this.mls.groupExists) return;
    const work = this.mls.pendingWork(this.joined() as unknown as Participant[]);
    if (work.adds.length === 0 && work.removes.length === 0) return;
    const committer = this.mls.chooseCommitter(this.joined() as unknown as Participant[]);
    if (committer !== undefined) this.#send(this.people.get(committer.id)!, { type: 'mls-pending', ...work });
  }

  #entries() {
    return [...this.people.values()]
      .filter((p) => p.state === 'waiting-room')
      .map((p) => ({ participantId: p.id, name: 'someone', ...(p.keyPackage ? { keyPackage: p.keyPackage } : {}) }));
  }

  #notifyWaitingRoom(): void {
    const entries = this.#entries();
    for (const p of this.joined()) if (p.role !== 'participant') this.#send(p, { type: 'waiting-room', entries });
  }

  /** To a client: checked by the protocol schema, then handed to its session as the SDK would. */
  #send(to: Person, message: ServerMessage): void {
    if (to.state === 'gone') return;
    const checked = serverMessage.parse(message);
    to.received.push(checked);
    this.#delivered++;
    this.#inputs.push(to.session.handleServerMessage(checked));
  }
}
