/**
 * The media side of one meeting: its SFU room, each participant's publishers and
 * their one subscriber. It turns protocol requests into MediaEngine calls and
 * keeps the mapping between publication ids (what clients see) and SFU publishers.
 * Only admitted participants ever reach this class, so only they get media ports.
 */
import type { IceCandidateInit, MediaEngine, MediaPublisher, MediaRoom, MediaSubscriber, SimulcastLayer, SubscriberTrack, TrackKind, WantedStream } from '../../media/engine.ts';
import { MAX_MEETING_HOSTS, type MediaSource, type PeerConnectionName, type PublicationInfo, type SubscribedTrack, type VideoQuality } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import type { Logger } from '../../log/logger.ts';

interface Publication {
  info: PublicationInfo;
  publisher: MediaPublisher;
}

export interface MeetingMediaEvents {
  /** The SFU sent a subscriber a new offer on its own; it must reach the participant. */
  subscriberOffer(participantId: string, sdp: string, tracks: SubscribedTrack[]): void;
  /** The SFU dropped a participant's publisher (e.g. ICE failure). */
  publisherLost(participantId: string, source: MediaSource): void;
  /** Slots of a participant's subscriber were re-pointed: what each mid carries now. */
  subscriberTracks(participantId: string, tracks: SubscribedTrack[]): void;
  /** Which simulcast layers of a participant's camera anybody receives changed. */
  sendLayers(participantId: string, source: MediaSource, active: [boolean, boolean, boolean]): void;
  /** The SFU heard a participant start or stop talking. */
  talking(participantId: string, talking: boolean): void;
}

/** What a participant asked to receive. */
export interface SubscriptionRequest {
  video: readonly { publicationId: string; quality: VideoQuality }[];
  audio: readonly string[];
}

const LAYER_OF: Record<VideoQuality, SimulcastLayer> = { low: 0, medium: 1, high: 2 };

export class MeetingMedia {
  private room: MediaRoom | undefined;
  private roomPromise: Promise<MediaRoom> | undefined;
  private readonly publications = new Map<string, Publication>();
  private readonly subscribers = new Map<string, MediaSubscriber>();
  /** Serialises media operations per participant: SDP exchanges must not interleave. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per subscriber, the layer it receives of each publication's video: what senders must encode. */
  private readonly layersWanted = new Map<string, Map<string, SimulcastLayer>>();
  /** Per publication, the layers last told to its sender. */
  private readonly layersSent = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly engine: MediaEngine,
    private readonly maxParticipants: number,
    private readonly events: MeetingMediaEvents,
    private readonly log: Logger,
  ) {}

  static publicationId(participantId: string, source: MediaSource): string {
    return `${participantId}-${source}`;
  }

  /**
   * Tests only: the SFU room itself, so that a test can subscribe from outside the meeting (as a
   * malicious SFU operator could) and show that it gets only ciphertext. Never used by the server.
   */
  mediaRoomForTests(): MediaRoom | undefined {
    return this.room;
  }

  listPublications(): PublicationInfo[] {
    return [...this.publications.values()].map((p) => p.info);
  }

  hasPublication(id: string): boolean {
    return this.publications.has(id);
  }

  publish(participantId: string, source: MediaSource, offerSdp: string): Promise<{ answerSdp: string; added?: PublicationInfo }> {
    return this.serial(participantId, async () => {
      const id = MeetingMedia.publicationId(participantId, source);
      const existing = this.publications.get(id);
      if (existing) return { answerSdp: await existing.publisher.renegotiate(offerSdp).catch(mediaError) };
      const room = await this.ensureRoom();
      const { publisher, answerSdp } = await room.publish(id, offerSdp).catch(mediaError);
      if (this.closed) {
        await publisher.close();
        throw new ProtocolError('invalid-state', 'the meeting has ended');
      }
      publisher.on('hangup', () => {
        if (this.publications.get(id)?.publisher === publisher) this.events.publisherLost(participantId, source);
      });
      if (source === 'camera') {
        publisher.on('talking', (talking) => {
          if (this.publications.get(id)?.publisher === publisher) this.events.talking(participantId, talking);
        });
      }
      const info: PublicationInfo = { id, participantId, source };
      this.publications.set(id, { info, publisher });
      // Nobody receives a new camera yet: it encodes nothing until someone subscribes (most cameras of a
      // large meeting are on no one's screen).
      this.updateSendLayers([id]);
      return { answerSdp, added: info };
    });
  }

  /** Returns the publication removed, if there was one. Queued behind a publish in flight. */
  unpublish(participantId: string, source: MediaSource): Promise<PublicationInfo | undefined> {
    return this.serial(participantId, () => this.closePublication(participantId, source));
  }

  private async closePublication(participantId: string, source: MediaSource): Promise<PublicationInfo | undefined> {
    const id = MeetingMedia.publicationId(participantId, source);
    const publication = this.publications.get(id);
    if (!publication) return undefined;
    this.publications.delete(id);
    this.layersSent.delete(id);
    for (const wanted of this.layersWanted.values()) wanted.delete(id);
    await publication.publisher.close().catch((error) => this.log.warn('publisher close failed', { error }));
    return publication.info;
  }

  async setForwarding(participantId: string, kind: TrackKind, forward: boolean): Promise<void> {
    const publication = this.publications.get(MeetingMedia.publicationId(participantId, 'camera'));
    if (!publication || !publication.publisher.tracks.some((t) => t.kind === kind)) return;
    await publication.publisher.setForwarding(kind, forward).catch((error) => this.log.warn('forwarding change failed', { error }));
  }

  /**
   * Makes the participant's subscription exactly what it asked for; returns the offer to send, if any.
   * Re-pointed slots are announced (`subscriberTracks`) before the SFU switches them.
   */
  subscribe(participantId: string, request: SubscriptionRequest): Promise<{ sdp: string; tracks: SubscribedTrack[] } | null> {
    return this.serial(participantId, async () => {
      const wanted: WantedStream[] = [];
      const layers = new Map<string, SimulcastLayer>();
      for (const { publicationId, quality } of request.video) {
        this.subscribable(participantId, publicationId, 'video');
        wanted.push({ publisherId: publicationId, kind: 'video', layer: LAYER_OF[quality] });
        layers.set(publicationId, LAYER_OF[quality]);
      }
      for (const publicationId of request.audio) {
        this.subscribable(participantId, publicationId, 'audio');
        wanted.push({ publisherId: publicationId, kind: 'audio' });
      }
      const subscriber = await this.ensureSubscriber(participantId);
      const announce = (tracks: SubscriberTrack[]) => this.events.subscriberTracks(participantId, this.describe(tracks));
      const update = await subscriber.setStreams(wanted, announce).catch(mediaError);
      const before = this.layersWanted.get(participantId);
      this.layersWanted.set(participantId, layers);
      this.updateSendLayers(new Set([...(before?.keys() ?? []), ...layers.keys()]));
      return update ? { sdp: update.offerSdp, tracks: this.describe(update.tracks) } : null;
    });
  }

  private forgetLayers(subscriberId: string): void {
    const watched = this.layersWanted.get(subscriberId);
    this.layersWanted.delete(subscriberId);
    if (watched) this.updateSendLayers(watched.keys());
  }

  private subscribable(participantId: string, publicationId: string, kind: TrackKind): void {
    const publication = this.publications.get(publicationId);
    if (!publication) throw new ProtocolError('not-found', 'no such publication');
    if (publication.info.participantId === participantId) throw new ProtocolError('invalid-state', 'cannot subscribe to oneself');
    if (!publication.publisher.tracks.some((t) => t.kind === kind)) throw new ProtocolError('invalid-state', `that publication has no ${kind}`);
  }

  /**
   * Tells each sender which of its camera's layers anybody receives, so that it encodes no layer in vain.
   * The lowest layer of a camera someone receives stays on: it is what Janus falls back to while a higher
   * one starts.
   */
  private updateSendLayers(publicationIds: Iterable<string>): void {
    for (const id of publicationIds) {
      const publication = this.publications.get(id);
      if (!publication || publication.info.source !== 'camera') continue;
      const active: [boolean, boolean, boolean] = [false, false, false];
      for (const wanted of this.layersWanted.values()) {
        const layer = wanted.get(id);
        if (layer !== undefined) active[layer] = true;
      }
      if (active[1] || active[2]) active[0] = true;
      const text = active.join();
      if (this.layersSent.get(id) === text) continue;
      this.layersSent.set(id, text);
      this.events.sendLayers(publication.info.participantId, 'camera', active);
    }
  }

  answerSubscriber(participantId: string, sdp: string): Promise<void> {
    return this.serial(participantId, async () => {
      const subscriber = this.subscribers.get(participantId);
      if (!subscriber) throw new ProtocolError('invalid-state', 'no subscription to answer');
      await subscriber.answer(sdp).catch(mediaError);
    });
  }

  restartSubscriber(participantId: string): Promise<{ sdp: string; tracks: SubscribedTrack[] }> {
    return this.serial(participantId, async () => {
      const subscriber = this.subscribers.get(participantId);
      if (!subscriber) throw new ProtocolError('invalid-state', 'no subscription to restart');
      const update = await subscriber.restartIce().catch(mediaError);
      return { sdp: update.offerSdp, tracks: this.describe(update.tracks) };
    });
  }

  async trickle(participantId: string, pc: PeerConnectionName, candidate: IceCandidateInit | null): Promise<void> {
    if (pc === 'subscriber') {
      const subscriber = this.subscribers.get(participantId);
      if (!subscriber) throw new ProtocolError('invalid-state', 'no subscription for this candidate');
      await subscriber.trickle(candidate).catch(mediaError);
      return;
    }
    const publication = this.publications.get(MeetingMedia.publicationId(participantId, pc));
    if (!publication) throw new ProtocolError('invalid-state', 'no publisher for this candidate');
    await publication.publisher.trickle(candidate).catch(mediaError);
  }

  /** Closes everything of one participant; returns the publications that went away. */
  async removeParticipant(participantId: string): Promise<PublicationInfo[]> {
    const removed: PublicationInfo[] = [];
    for (const source of ['camera', 'screen'] as const) {
      const info = await this.closePublication(participantId, source);
      if (info) removed.push(info);
    }
    const subscriber = this.subscribers.get(participantId);
    this.subscribers.delete(participantId);
    this.queues.delete(participantId);
    this.forgetLayers(participantId);
    await subscriber?.close().catch(() => undefined);
    return removed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.publications.clear();
    this.subscribers.clear();
    const room = this.room ?? (await this.roomPromise?.catch(() => undefined));
    await room?.close().catch((error) => this.log.warn('room close failed', { error }));
  }

  private describe(tracks: SubscriberTrack[]): SubscribedTrack[] {
    return tracks.flatMap((t) => {
      const publication = this.publications.get(t.publisherId);
      if (!publication) return [];
      const { id, participantId, source } = publication.info;
      return [{ mid: t.mid, kind: t.kind, publicationId: id, participantId, source }];
    });
  }

  private async ensureRoom(): Promise<MediaRoom> {
    if (this.closed) throw new ProtocolError('invalid-state', 'the meeting has ended');
    if (this.room) return this.room;
    // Camera and screen are separate publishers: two per person, hosts and co-hosts (who do not count
    // towards the cap) included.
    this.roomPromise ??= this.engine.createRoom({ maxPublishers: 2 * (this.maxParticipants + MAX_MEETING_HOSTS) });
    try {
      this.room = await this.roomPromise;
    } catch (error) {
      this.roomPromise = undefined;
      this.log.error('room creation failed', { error });
      throw new ProtocolError('unavailable', 'the media server is not available');
    }
    return this.room;
  }

  private async ensureSubscriber(participantId: string): Promise<MediaSubscriber> {
    const existing = this.subscribers.get(participantId);
    if (existing) return existing;
    const room = await this.ensureRoom();
    const subscriber = await room.createSubscriber().catch(mediaError);
    subscriber.on('offer', (update) => {
      if (this.subscribers.get(participantId) === subscriber) {
        this.events.subscriberOffer(participantId, update.offerSdp, this.describe(update.tracks));
      }
    });
    subscriber.on('hangup', () => {
      if (this.subscribers.get(participantId) !== subscriber) return;
      this.subscribers.delete(participantId);
      // It receives nothing any more: its layers need not be encoded (a new subscription asks again).
      this.forgetLayers(participantId);
    });
    this.subscribers.set(participantId, subscriber);
    return subscriber;
  }

  private serial<T>(participantId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(participantId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.queues.set(participantId, next);
    return next;
  }
}

function mediaError(error: unknown): never {
  if (error instanceof ProtocolError) throw error;
  throw new ProtocolError('media-error', 'the media server refused the request');
}
