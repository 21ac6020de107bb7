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
} from '../../src/media/engine.ts';

export class FakePublisher extends EventEmitter<MediaPublisherEvents> implements MediaPublisher {
  readonly tracks = [{ mid: '0', kind: 'audio' as const }, { mid: '1', kind: 'video' as const }];
  readonly forwarding = new Map<TrackKind, boolean>([['audio', true], ['video', true]]);
  closed = false;
  constructor(readonly id: string, private readonly room: FakeRoom) { super(); }
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

export class FakeSubscriber extends EventEmitter<MediaSubscriberEvents> implements MediaSubscriber {
  current: string[] = [];
  answers = 0;
  constructor(private readonly room: FakeRoom) { super(); }
  private tracks(): SubscriberTrack[] {
    return this.current.flatMap((publisherId, i) => [
      { mid: String(2 * i), kind: 'audio' as const, publisherId },
      { mid: String(2 * i + 1), kind: 'video' as const, publisherId },
    ]);
  }
  async setPublishers(ids: readonly string[]) {
    const next = [...ids].sort();
    if (next.join() === this.current.join()) return null;
    for (const id of next) if (!this.room.publishers.has(id)) throw new Error('no such publisher');
    this.current = next;
    return { offerSdp: 'v=0 fake-offer', tracks: this.tracks() };
  }
  async answer(_sdp: string): Promise<void> { this.answers += 1; }
  async trickle(_c: IceCandidateInit | null): Promise<void> {}
  async restartIce() { return { offerSdp: 'v=0 fake-restart', tracks: this.tracks() }; }
  async close(): Promise<void> { this.room.subscribers.delete(this); }
  publisherGone(id: string): void {
    if (!this.current.includes(id)) return;
    this.current = this.current.filter((p) => p !== id);
    this.emit('offer', { offerSdp: 'v=0 fake-offer', tracks: this.tracks() });
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
  async createSubscriber() {
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
  /** Simulates the SFU dying. */
  crash(): void {
    this.state = 'down';
    this.emit('down', 'simulated crash');
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
