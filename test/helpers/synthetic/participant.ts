/**
 * A synthetic participant: a Node client that joins a Sabha meeting through the real protocol, as the browser
 * client does, with the project's own E2EE (an E2eeSession on the real WorkerCore: MLS KeyPackage, admission,
 * Welcome, commits, SFrame keys), publishes a camera and microphone from fixtures through werift (camera.ts), and
 * receives and decrypts what it subscribes to (receiver.ts), so it can stand in for a listener.
 *
 * Phases: connecting → waiting (waiting room) → joined → left. Inputs, besides the server's messages:
 *   join(options)                 connect and send `join` (with the host secret: host)
 *   admit(ids) / admitWaiting()   host: admit with the MLS commit that adds them, in batches of at most 100
 *   publishCamera(options)        publish, then `set-media-state` on
 *   subscribe(video, audio)       the whole wanted subscription (`subscribe`)
 *   setTalking(talking)           loud or silent microphone
 *   leave() / close()
 * Server messages it acts on: waiting, joined, participant-*, publication-*, waiting-room and waiting-room-changed
 * (auto-admission when asked), subscriber-offer (answered), subscriber-tracks (slots re-pointed), speaking, send-layers (layers stop
 * and resume), left; the E2EE session takes mls-* and chat.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { MlsSuite } from '../../../src/e2ee/mls/index.ts';
import { E2eeSession, type E2eeProblemCode } from '../../../src/e2ee/session/index.ts';
import type { ParticipantInfo, PublicationInfo, ServerMessage, VideoQuality, WaitingEntry } from '../../../src/protocol/index.ts';
import { SyntheticCamera } from './camera.ts';
import { InProcessWorker } from './in-process-worker.ts';
import type { MediaClock } from './media-clock.ts';
import { mediaFixtures, type MediaFixtures } from './media-fixtures.ts';
import { SyntheticReceiver } from './receiver.ts';
import { SignallingLink } from './signalling.ts';

/** The server's cap on ids in one `admit`. */
export const ADMIT_BATCH = 100;

const WORKER_TICK_MS = 1000;

export type SyntheticPhase = 'connecting' | 'waiting' | 'joined' | 'left';

export interface SyntheticParticipantOptions {
  readonly wsUrl: string;
  readonly meetingId: string;
  readonly passcode: string;
  readonly name: string;
  readonly hostSecret?: string;
  /** One loaded MLS suite shared by every participant of a process. */
  readonly mlsSuite?: MlsSuite;
  readonly fixtures?: MediaFixtures;
  readonly clock?: MediaClock;
  /** Host: admit everyone waiting as soon as their KeyPackage is there, in batches of at most 100. */
  readonly autoAdmit?: boolean;
}

export interface SyntheticEvents {
  phase: [phase: SyntheticPhase];
  message: [message: ServerMessage];
  admitted: [participantIds: string[]];
}

/** When things happened (performance.now()), for the benchmarks. */
export interface SyntheticTimes {
  joinSent?: number;
  waiting?: number;
  joined?: number;
  keyed?: number;
}

export class SyntheticParticipant extends EventEmitter<SyntheticEvents> {
  readonly link: SignallingLink;
  readonly worker = new InProcessWorker();
  readonly session: E2eeSession;
  readonly options: SyntheticParticipantOptions;
  readonly times: SyntheticTimes = {};
  readonly participants = new Map<string, ParticipantInfo>();
  readonly publications = new Map<string, PublicationInfo>();
  readonly speaking = new Set<string>();
  readonly problems: { code: E2eeProblemCode; participantId?: string }[] = [];
  /** Errors of requests made on the participant's own initiative (admission, answers): a test asserts none. */
  readonly errors: string[] = [];
  /** The latest `send-layers` for the camera. */
  sendLayers: boolean[] | undefined;
  phase: SyntheticPhase = 'connecting';
  participantId: string | undefined;
  role: ParticipantInfo['role'] | undefined;
  leftReason: string | undefined;
  camera: SyntheticCamera | undefined;
  receiver: SyntheticReceiver | undefined;
  /** The waiting room as the host knows it: the `waiting-room` snapshot, then `waiting-room-changed`. */
  readonly waitingRoom = new Map<string, WaitingEntry>();
  #offers: Promise<void> = Promise.resolve();
  /** The worker's once-a-second tick (worker.ts does the same): due send keys, key expiry, failure reports. */
  readonly #ticker = setInterval(() => this.worker.core.tick(), WORKER_TICK_MS).unref();
  #admitting = false;
  #admitAgain = false;

  private constructor(link: SignallingLink, options: SyntheticParticipantOptions) {
    super();
    this.link = link;
    this.options = options;
    this.session = new E2eeSession({
      meetingId: options.meetingId,
      worker: this.worker,
      ...(options.mlsSuite ? { mlsSuite: options.mlsSuite } : {}),
      send: (message) => link.request(message),
    });
    this.session.on('problem', (p) => this.problems.push(p));
    this.session.on('state', (state) => {
      if (state === 'ready') this.times.keyed ??= performance.now();
    });
    link.on('message', (m) => this.#onMessage(m));
    link.on('close', () => this.#setPhase('left'));
  }

  /** Connects and sends `join`; resolves once the server has placed us (waiting or joined). */
  static async join(options: SyntheticParticipantOptions): Promise<SyntheticParticipant> {
    const link = await SignallingLink.connect(options.wsUrl);
    const participant = new SyntheticParticipant(link, options);
    participant.times.joinSent = performance.now();
    await link.request({
      type: 'join',
      meetingId: options.meetingId,
      passcode: options.passcode,
      name: options.name,
      deviceId: randomBytes(32).toString('base64url'),
      ...(options.hostSecret ? { hostSecret: options.hostSecret } : {}),
    });
    return participant;
  }

  get selfId(): string {
    if (this.participantId === undefined) throw new Error('not placed in the meeting yet');
    return this.participantId;
  }

  /** The participant's camera publication id, once published. */
  get cameraPublicationId(): string {
    return `${this.selfId}-camera`;
  }

  whenPhase(phase: SyntheticPhase, timeoutMs = 30_000): Promise<void> {
    return this.#until(() => this.phase === phase, `phase ${phase}`, timeoutMs, 'phase');
  }

  /** Until the E2EE session holds the keys of the meeting's current epoch. */
  whenKeyed(timeoutMs = 30_000): Promise<void> {
    return this.#until(() => this.session.state === 'ready', 'E2EE keys', timeoutMs);
  }

  // -------------------------------------------------------------------------
  // Host
  // -------------------------------------------------------------------------

  /** Admits these waiting people with the commit that adds them, in batches of at most 100. */
  async admit(participantIds: readonly string[]): Promise<void> {
    for (let i = 0; i < participantIds.length; i += ADMIT_BATCH) {
      const batch = participantIds.slice(i, i + ADMIT_BATCH);
      await this.session.admit(batch, [...this.waitingRoom.values()]);
      this.emit('admitted', batch);
    }
  }

  /** Admits everyone in the waiting room whose KeyPackage has arrived. */
  async admitWaiting(): Promise<number> {
    await this.whenKeyed();
    const ready = [...this.waitingRoom.values()].filter((e) => e.keyPackage !== undefined).map((e) => e.participantId);
    if (ready.length > 0) await this.admit(ready);
    return ready.length;
  }

  // -------------------------------------------------------------------------
  // Media
  // -------------------------------------------------------------------------

  async publishCamera(options: { simulcast?: boolean; talking?: boolean; dtx?: boolean } = {}): Promise<SyntheticCamera> {
    if (this.camera !== undefined) throw new Error('camera already published');
    this.camera = await SyntheticCamera.start({
      cryptor: this.worker.core.cryptor,
      fixtures: this.options.fixtures ?? mediaFixtures(),
      simulcast: options.simulcast ?? true,
      talking: options.talking ?? false,
      dtx: options.dtx ?? true,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      publish: async (sdp) => {
        const reply = await this.link.request({ type: 'publish', source: 'camera', sdp });
        if (reply.type !== 'publish-answer') throw new Error(`publish answered with ${reply.type}`);
        return reply.sdp;
      },
    });
    if (this.sendLayers !== undefined) this.camera.setLayers(this.sendLayers);
    await this.link.request({ type: 'set-media-state', audio: true, video: true });
    return this.camera;
  }

  setTalking(talking: boolean): void {
    this.camera?.setTalking(talking);
  }

  /** The whole wanted subscription; the offer it causes is answered before this resolves. */
  async subscribe(video: readonly { publicationId: string; quality: VideoQuality }[], audio: readonly string[]): Promise<void> {
    await this.link.request({ type: 'subscribe', video: [...video], audio: [...audio] });
    await this.#offers;
  }

  /** Other participants' camera publications, in the order they were announced. */
  otherCameras(): string[] {
    return [...this.publications.values()].filter((p) => p.source === 'camera' && p.participantId !== this.participantId).map((p) => p.id);
  }

  async leave(): Promise<void> {
    if (this.phase !== 'left' && !this.link.closed) {
      this.link.send({ type: 'leave' });
      await this.whenPhase('left', 10_000).catch(() => undefined);
    }
    await this.close();
  }

  async close(): Promise<void> {
    clearInterval(this.#ticker);
    this.link.close();
    await this.camera?.close();
    await this.receiver?.close();
    this.session.close();
    this.#setPhase('left');
  }

  // -------------------------------------------------------------------------

  #onMessage(m: ServerMessage): void {
    // The session takes the MLS messages (and the snapshots it needs) in arrival order.
    void this.session.handleServerMessage(m);
    switch (m.type) {
      case 'waiting':
        this.participantId = m.participantId;
        this.times.waiting ??= performance.now();
        this.#setPhase('waiting');
        break;
      case 'joined':
        this.participantId = m.self.participantId;
        this.role = m.self.role;
        this.participants.clear();
        for (const p of m.participants) this.participants.set(p.id, p);
        this.publications.clear();
        for (const p of m.publications) this.publications.set(p.id, p);
        this.times.joined ??= performance.now();
        this.#setPhase('joined');
        break;
      case 'participant-joined':
      case 'participant-updated':
        this.participants.set(m.participant.id, m.participant);
        if (m.type === 'participant-updated' && m.participant.id === this.participantId) this.role = m.participant.role;
        break;
      case 'participant-left':
        this.participants.delete(m.participantId);
        this.speaking.delete(m.participantId);
        break;
      case 'publication-added':
        this.publications.set(m.publication.id, m.publication);
        break;
      case 'publication-removed':
        this.publications.delete(m.publicationId);
        break;
      case 'waiting-room':
        this.waitingRoom.clear();
        for (const e of m.entries) this.waitingRoom.set(e.participantId, e);
        if (this.options.autoAdmit) void this.#autoAdmit();
        break;
      case 'waiting-room-changed':
        for (const e of [...(m.added ?? []), ...(m.updated ?? [])]) this.waitingRoom.set(e.participantId, e);
        for (const id of m.removed ?? []) this.waitingRoom.delete(id);
        if (this.options.autoAdmit) void this.#autoAdmit();
        break;
      case 'subscriber-offer': {
        const { sdp, tracks } = m;
        this.receiver ??= new SyntheticReceiver(this.worker.core.cryptor, async (answer) => {
          await this.link.request({ type: 'subscriber-answer', sdp: answer });
        });
        const receiver = this.receiver;
        this.#offers = this.#offers.then(() => receiver.handleOffer(sdp, tracks)).catch((error: unknown) => {
          this.errors.push(`subscriber answer: ${String(error)}`);
        });
        break;
      }
      case 'subscriber-tracks': {
        const { tracks } = m;
        // After any offer still being answered, so the newest map wins.
        this.#offers = this.#offers.then(() => this.receiver?.handleTracks(tracks));
        break;
      }
      case 'speaking':
        if (m.speaking) this.speaking.add(m.participantId);
        else this.speaking.delete(m.participantId);
        break;
      case 'send-layers':
        if (m.source === 'camera') {
          this.sendLayers = m.active;
          this.camera?.setLayers(m.active);
        }
        break;
      case 'left':
        this.leftReason = m.reason;
        this.#setPhase('left');
        break;
      default:
        break;
    }
    this.emit('message', m);
  }

  async #autoAdmit(): Promise<void> {
    if (this.#admitting) {
      this.#admitAgain = true;
      return;
    }
    this.#admitting = true;
    try {
      do {
        this.#admitAgain = false;
        if (this.phase !== 'joined') return;
        await this.admitWaiting();
      } while (this.#admitAgain);
    } catch (error) {
      this.errors.push(`admission: ${String(error)}`);
    } finally {
      this.#admitting = false;
    }
  }

  #setPhase(phase: SyntheticPhase): void {
    if (this.phase === phase || this.phase === 'left') return;
    this.phase = phase;
    this.emit('phase', phase);
  }

  #until(condition: () => boolean, what: string, timeoutMs: number, event: 'phase' | 'message' = 'message'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.options.name}: timed out waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(check, 20);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off(event, check);
      };
      this.on(event, check);
    });
  }
}
