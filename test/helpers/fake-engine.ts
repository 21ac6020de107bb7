/**
 * An in-memory MediaEngine for protocol and rule tests: it records what the server
 * asked of the SFU (publishers, forwarding, subscriptions) without any media.
 */
import { EventEmitter } from 'node:events';
import type {
  IceCandidateInit,
  MediaEngine,
  MediaEngineEvents,
  MediaPublisher,
  MediaPublisherEvents,
  MediaRoom,
  MediaSubscriber,
  MediaSubscriberEvents,
  SubscriberTrack,
  TrackKind,
  WantedStream,
} from '../../src/media/engine.ts';

export class FakePublisher extends EventEmitter<MediaPublisherEvents> implements MediaPublisher {
  /** A screen share (id ending in -screen) has video only, as the client publishes it. */
  readonly tracks: { mid: string; kind: TrackKind }[];
  readonly forwarding = new Map<TrackKind, boolean>([['audio', true], ['video', true]]);
  /** Tests: the SFU's voice activity detection. */
  talk(talking: boolean): void { this.emit('talking', talking); }
  closed = false;
  constructor(readonly id: string, private readonly room: FakeRoom) {
    super();
    this.tracks = id.endsWith('-screen') ? [{ mid: '0', kind: 'video' }] : [{ mid: '0', kind: 'audio' }, { mid: '1', kind: 'video' }];
  }
  async trickle(_c: IceCandidateInit | null): Promise<void> {}
  async renegotiate(_offer: string): Promise<string> { return 'v=0 fake-answer'; }
  async setForwarding(kind: TrackKind, forward: boolean): Promise<void> { this.forwarding.set(kind, forward); }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.room.publishers.delete(this.id);
    for (const s of this.room.subscribers) s.publisherGone(this.id);
  }
}

/**
 * Slots like the Janus adapter: a wanted stream keeps its mid; a free slot of the same kind is
 * re-pointed (announced, no offer); an offer comes only when a kind needs more slots.
 */
export class FakeSubscriber extends EventEmitter<MediaSubscriberEvents> implements MediaSubscriber {
  /** mid -> what it carries (null: paused). */
  readonly slots = new Map<string, { kind: TrackKind; publisherId: string | null }>();
  /** The layer asked for each video publisher. */
  readonly layers = new Map<string, number>();
  answers = 0;
  announced = 0;
  constructor(private readonly room: FakeRoom) { super(); }
  get current(): string[] {
    return [...new Set([...this.slots.values()].flatMap((s) => (s.publisherId ? [s.publisherId] : [])))].sort();
  }
  private tracks(): SubscriberTrack[] {
    return [...this.slots].flatMap(([mid, s]) => (s.publisherId ? [{ mid, kind: s.kind, publisherId: s.publisherId }] : []));
  }
  async setStreams(wanted: readonly WantedStream[], announce: (tracks: SubscriberTrack[]) => void) {
    for (const w of wanted) if (!this.room.publishers.has(w.publisherId)) throw new Error('no such publisher');
    const key = (kind: TrackKind, id: string | null) => `${kind}:${id}`;
    const want = new Map(wanted.map((w) => [key(w.kind, w.publisherId), w]));
    const placed = new Set<string>();
    for (const [mid, slot] of this.slots) {
      const k = key(slot.kind, slot.publisherId);
      if (want.has(k) && !placed.has(k)) placed.add(k);
      else this.slots.set(mid, { kind: slot.kind, publisherId: null });
    }
    let switched = false;
    let added = false;
    for (const w of wanted) {
      const k = key(w.kind, w.publisherId);
      if (placed.has(k)) continue;
      placed.add(k);
      const free = [...this.slots].find(([, s]) => s.kind === w.kind && s.publisherId === null);
      if (free) {
        this.slots.set(free[0], { kind: w.kind, publisherId: w.publisherId });
        switched = true;
      } else {
        this.slots.set(String(this.slots.size), { kind: w.kind, publisherId: w.publisherId });
        added = true;
      }
    }
    this.layers.clear();
    for (const w of wanted) if (w.kind === 'video' && w.layer !== undefined) this.layers.set(w.publisherId, w.layer);
    if (switched) {
      this.announced += 1;
      announce(this.tracks());
    }
    return added ? { offerSdp: 'v=0 fake-offer', tracks: this.tracks() } : null;
  }
  async answer(_sdp: string): Promise<void> { this.answers += 1; }
  async trickle(_c: IceCandidateInit | null): Promise<void> {}
  async restartIce() { return { offerSdp: 'v=0 fake-restart', tracks: this.tracks() }; }
  async close(): Promise<void> { this.room.subscribers.delete(this); }
  publisherGone(id: string): void {
    let changed = false;
    for (const [mid, slot] of this.slots) {
      if (slot.publisherId === id) {
        this.slots.delete(mid);
        changed = true;
      }
    }
    if (changed) this.emit('offer', { offerSdp: 'v=0 fake-offer', tracks: this.tracks() });
  }
}

export class FakeRoom implements MediaRoom {
  readonly publishers = new Map<string, FakePublisher>();
  readonly subscribers = new Set<FakeSubscriber>();
  closed = false;
  constructor(readonly id: string) {}
  async publish(publisherId: string, _offer: string) {
    if (this.publishers.has(publisherId)) throw new Error('duplicate publisher');
    const publisher = new FakePublisher(publisherId, this);
    this.publishers.set(publisherId, publisher);
    return { publisher, answerSdp: 'v=0 fake-answer' };
  }
  /** While set, creating a subscriber waits for it: a slow SFU, for races with what happens meanwhile. */
  subscriberGate: Promise<void> | null = null;
  async createSubscriber() {
    await this.subscriberGate;
    const s = new FakeSubscriber(this);
    this.subscribers.add(s);
    return s;
  }
  async close(): Promise<void> { this.closed = true; }
}

export class FakeEngine extends EventEmitter<MediaEngineEvents> implements MediaEngine {
  state: MediaEngine['state'] = 'new';
  readonly rooms: FakeRoom[] = [];
  async start(): Promise<void> { this.state = 'up'; }
  async close(): Promise<void> { this.state = 'closed'; }
  async createRoom(_o: { maxPublishers: number }): Promise<MediaRoom> {
    if (this.state !== 'up') throw new Error('engine down');
    const room = new FakeRoom(`room-${this.rooms.length + 1}`);
    this.rooms.push(room);
    return room;
  }
  /** Simulates the SFU dying: `down` first, then every publisher and subscriber of every room hangs up. */
  crash(): void {
    this.state = 'down';
    this.emit('down', 'simulated crash');
    for (const room of this.rooms.splice(0)) {
      room.closed = true;
      for (const p of room.publishers.values()) p.emit('hangup', 'media engine down');
      for (const s of room.subscribers) s.emit('hangup', 'media engine down');
    }
  }
  /** Simulates the SFU coming back after a crash. */
  recover(): void {
    this.state = 'up';
    this.emit('up');
  }
  /** Simulates the outage policy giving up on the SFU. */
  giveUp(): void {
    this.emit('failed', 'simulated give-up');
  }
  /** Every publisher ever created in any room, by id (open ones). */
  publisher(id: string): FakePublisher | undefined {
    for (const room of this.rooms) {
      const p = room.publishers.get(id);
      if (p) return p;
    }
    return undefined;
  }
}
