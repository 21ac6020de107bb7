/**
 * The media side of one meeting: its SFU room, each participant's publishers and
 * their one subscriber. It turns protocol requests into MediaEngine calls and
 * keeps the mapping between publication ids (what clients see) and SFU publishers.
 * Only admitted participants ever reach this class, so only they get media ports.
 *
 * Surviving the SFU: when the engine goes `down`, every SFU object of the meeting is
 * gone. The publications stay listed (their ids are the participant's and the
 * source's, so a client publishing again gets the same id and nobody sees them leave),
 * each waiting for its publisher to come back; what each participant asked to receive
 * is kept. Participants hear `media-status reconnecting`. On `up` they hear
 * `media-status restored` and publish and subscribe again; a new room is made at the
 * first request. A subscription skips publications still waiting for their publisher,
 * and is applied again (an unsolicited `subscriber-offer`) as each one comes back. The
 * server-enforced mute of each publication is re-applied to its new publisher.
 */
import type { IceCandidateInit, MediaEngine, MediaPublisher, MediaRoom, MediaSubscriber, SimulcastLayer, SubscriberTrack, TrackKind, WantedStream } from '../../media/engine.ts';
import { MAX_MEETING_HOSTS, type MediaSource, type PeerConnectionName, type PublicationInfo, type SubscribedTrack, type VideoQuality } from '../../protocol/index.ts';
import { ProtocolError } from '../errors.ts';
import type { Logger } from '../../log/logger.ts';
import { SerialQueue } from '../../events/serial-queue.ts';

interface Publication {
  info: PublicationInfo;
  /** Undefined while the SFU restarts, until the participant publishes again. */
  publisher: MediaPublisher | undefined;
  /** Kinds the server stopped forwarding (a mute the browser cannot undo): re-applied to a new publisher. */
  stopped: Set<TrackKind>;
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
  /**
   * The SFU went down (`reconnecting`), or is back and everyone should publish and subscribe again (`restored`):
   * to every joined participant, or to one (`participantId`) that resumed after missing it.
   */
  mediaStatus(state: 'reconnecting' | 'restored', participantId?: string): void;
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
  private readonly queues = new Map<string, SerialQueue>();
  /** Per subscriber, the layer it receives of each publication's video: what senders must encode. */
  private readonly layersWanted = new Map<string, Map<string, SimulcastLayer>>();
  /** Per publication, the layers last told to its sender. */
  private readonly layersSent = new Map<string, string>();
  /** What each participant last asked to receive: applied again when a publication's publisher comes back. */
  private readonly requests = new Map<string, SubscriptionRequest>();
  /** Counts SFU outages: a room asked for before the latest one is not used. */
  private generation = 0;
  private engineIsDown = false;
  /** The outage count when each participant last published or subscribed: older means its media is gone. */
  private readonly mediaGeneration = new Map<string, number>();
  private closed = false;
  private readonly onEngineDown = () => this.engineDown();
  private readonly onEngineUp = () => this.engineUp();

  constructor(
    private readonly engine: MediaEngine,
    private readonly maxParticipants: number,
    private readonly events: MeetingMediaEvents,
    private readonly log: Logger,
  ) {
    engine.on('down', this.onEngineDown);
    engine.on('up', this.onEngineUp);
  }

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
      if (existing?.publisher) return { answerSdp: await existing.publisher.renegotiate(offerSdp).catch(mediaError) };
      const generation = this.generation;
      const room = await this.ensureRoom();
      const { publisher, answerSdp } = await room.publish(id, offerSdp).catch(mediaError);
      if (this.closed) {
        await publisher.close();
        throw new ProtocolError('invalid-state', 'the meeting has ended');
      }
      if (generation !== this.generation) throw new ProtocolError('unavailable', 'the media server is restarting');
      if (existing && this.publications.get(id) !== existing) {
        // The participant left while the SFU was answering: its publication is gone.
        await publisher.close();
        throw new ProtocolError('invalid-state', 'no longer in the meeting');
      }
      this.mediaGeneration.set(participantId, generation);
      publisher.on('hangup', () => {
        if (this.publications.get(id)?.publisher === publisher) this.events.publisherLost(participantId, source);
      });
      if (source === 'camera') {
        publisher.on('talking', (talking) => {
          if (this.publications.get(id)?.publisher === publisher) this.events.talking(participantId, talking);
        });
      }
      if (existing) {
        // Published again after an SFU restart: same id, so nobody was told it went; the mute the server
        // enforced holds for the new publisher too, and whoever asked for it receives it again.
        existing.publisher = publisher;
        for (const kind of existing.stopped) await this.applyForwarding(existing, kind, false);
        this.reapplySubscriptions(id);
        return { answerSdp };
      }
      const info: PublicationInfo = { id, participantId, source };
      this.publications.set(id, { info, publisher, stopped: new Set() });
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
    await publication.publisher?.close().catch((error) => this.log.warn('publisher close failed', { error }));
    return publication.info;
  }

  async setForwarding(participantId: string, kind: TrackKind, forward: boolean): Promise<void> {
    const publication = this.publications.get(MeetingMedia.publicationId(participantId, 'camera'));
    if (!publication) return;
    if (forward) publication.stopped.delete(kind);
    else publication.stopped.add(kind);
    await this.applyForwarding(publication, kind, forward);
  }

  private async applyForwarding(publication: Publication, kind: TrackKind, forward: boolean): Promise<void> {
    const publisher = publication.publisher;
    if (!publisher || !publisher.tracks.some((t) => t.kind === kind)) return;
    await publisher.setForwarding(kind, forward).catch((error) => this.log.warn('forwarding change failed', { error }));
  }

  /**
   * Makes the participant's subscription exactly what it asked for; returns the offer to send, if any.
   * Re-pointed slots are announced (`subscriberTracks`) before the SFU switches them.
   */
  subscribe(participantId: string, request: SubscriptionRequest): Promise<{ sdp: string; tracks: SubscribedTrack[] } | null> {
    return this.serial(participantId, async () => {
      const offer = await this.applySubscription(participantId, request);
      this.requests.set(participantId, request);
      this.mediaGeneration.set(participantId, this.generation);
      return offer;
    });
  }

  /**
   * A publication's publisher is back after an SFU restart: everyone who asked for it gets it again, with an
   * unsolicited offer (or slots re-pointed) as for any change the SFU makes by itself.
   */
  private reapplySubscriptions(publicationId: string): void {
    for (const [participantId, request] of this.requests) {
      if (!request.audio.includes(publicationId) && !request.video.some((v) => v.publicationId === publicationId)) continue;
      void this.serial(participantId, async () => {
        const latest = this.requests.get(participantId);
        if (!latest || this.closed) return;
        const offer = await this.applySubscription(participantId, latest);
        if (offer) this.events.subscriberOffer(participantId, offer.sdp, offer.tracks);
      }).catch((error: unknown) => this.log.warn('subscription not applied again', { error }));
    }
  }

  private async applySubscription(participantId: string, request: SubscriptionRequest): Promise<{ sdp: string; tracks: SubscribedTrack[] } | null> {
    const wanted: WantedStream[] = [];
    const layers = new Map<string, SimulcastLayer>();
    for (const { publicationId, quality } of request.video) {
      const now = this.subscribable(participantId, publicationId, 'video');
      // Wanted even while its publisher is not back: its sender must encode that layer when it is.
      layers.set(publicationId, LAYER_OF[quality]);
      if (now) wanted.push({ publisherId: publicationId, kind: 'video', layer: LAYER_OF[quality] });
    }
    for (const publicationId of request.audio) {
      if (!this.subscribable(participantId, publicationId, 'audio')) continue;
      wanted.push({ publisherId: publicationId, kind: 'audio' });
    }
    const subscriber = await this.ensureSubscriber(participantId);
    const announce = (tracks: SubscriberTrack[]) => this.events.subscriberTracks(participantId, this.describe(tracks));
    const update = await subscriber.setStreams(wanted, announce).catch(mediaError);
    const before = this.layersWanted.get(participantId);
    this.layersWanted.set(participantId, layers);
    this.updateSendLayers(new Set([...(before?.keys() ?? []), ...layers.keys()]));
    return update ? { sdp: update.offerSdp, tracks: this.describe(update.tracks) } : null;
  }

  private forgetLayers(subscriberId: string): void {
    const watched = this.layersWanted.get(subscriberId);
    this.layersWanted.delete(subscriberId);
    if (watched) this.updateSendLayers(watched.keys());
  }

  /** Whether the stream can be received now; false while its publisher is not back from an SFU restart. */
  private subscribable(participantId: string, publicationId: string, kind: TrackKind): boolean {
    const publication = this.publications.get(publicationId);
    if (!publication) throw new ProtocolError('not-found', 'no such publication');
    if (publication.info.participantId === participantId) throw new ProtocolError('invalid-state', 'cannot subscribe to oneself');
    if (!publication.publisher) return false;
    if (!publication.publisher.tracks.some((t) => t.kind === kind)) throw new ProtocolError('invalid-state', `that publication has no ${kind}`);
    return true;
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
    const publisher = this.publications.get(MeetingMedia.publicationId(participantId, pc))?.publisher;
    if (!publisher) throw new ProtocolError('invalid-state', 'no publisher for this candidate');
    await publisher.trickle(candidate).catch(mediaError);
  }

  /** Closes everything of one participant; returns the publications that went away. */
  async removeParticipant(participantId: string): Promise<PublicationInfo[]> {
    const removed: PublicationInfo[] = [];
    for (const source of ['camera', 'screen'] as const) {
      const info = await this.closePublication(participantId, source);
      if (info) removed.push(info);
    }
    // Behind any subscription change still in flight: one that finished after this would otherwise leave an
    // SFU subscriber nobody closes, and layers wanted by someone who is gone.
    await this.serial(participantId, async () => {
      const subscriber = this.subscribers.get(participantId);
      this.subscribers.delete(participantId);
      this.requests.delete(participantId);
      this.mediaGeneration.delete(participantId);
      this.forgetLayers(participantId);
      await subscriber?.close().catch(() => undefined);
    }).catch(() => undefined);
    this.queues.delete(participantId);
    return removed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.engine.off('down', this.onEngineDown);
    this.engine.off('up', this.onEngineUp);
    this.publications.clear();
    this.subscribers.clear();
    this.requests.clear();
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

  /**
   * The SFU died: every room, publisher and subscriber of it is gone (they hang up right after this, and are
   * no longer ours then). Publications stay, waiting for their publishers; requests stay, to be applied again.
   */
  private engineDown(): void {
    if (this.closed) return;
    this.engineIsDown = true;
    this.generation++;
    this.room = undefined;
    this.roomPromise = undefined;
    for (const publication of this.publications.values()) publication.publisher = undefined;
    this.subscribers.clear();
    this.events.mediaStatus('reconnecting');
  }

  /** The SFU is back: participants publish and subscribe again; the room is made at the first request. */
  private engineUp(): void {
    if (this.closed) return;
    this.engineIsDown = false;
    this.events.mediaStatus('restored');
  }

  /**
   * A participant entered or came back on a new connection (resume), and has its snapshot: `media-status` sent
   * before (or while it was away) did not reach it, so it is told now if the SFU is down, or restarted since it
   * last published or subscribed.
   */
  sendMissedStatus(participantId: string): void {
    if (this.closed) return;
    if (this.engineIsDown) this.events.mediaStatus('reconnecting', participantId);
    else if ((this.mediaGeneration.get(participantId) ?? this.generation) !== this.generation) this.events.mediaStatus('restored', participantId);
  }

  private async ensureRoom(): Promise<MediaRoom> {
    if (this.closed) throw new ProtocolError('invalid-state', 'the meeting has ended');
    if (this.room) return this.room;
    const generation = this.generation;
    // Camera and screen are separate publishers: two per person, hosts and co-hosts (who do not count
    // towards the cap) included.
    this.roomPromise ??= this.engine.createRoom({ maxPublishers: 2 * (this.maxParticipants + MAX_MEETING_HOSTS) });
    const pending = this.roomPromise;
    let room: MediaRoom;
    try {
      room = await pending;
    } catch (error) {
      if (this.roomPromise === pending) this.roomPromise = undefined;
      this.log.error('room creation failed', { error });
      throw new ProtocolError('unavailable', 'the media server is not available');
    }
    // Made before the SFU went down again: it is gone with it.
    if (generation !== this.generation) throw new ProtocolError('unavailable', 'the media server is restarting');
    this.room = room;
    return room;
  }

  private async ensureSubscriber(participantId: string): Promise<MediaSubscriber> {
    const existing = this.subscribers.get(participantId);
    if (existing) return existing;
    const generation = this.generation;
    const room = await this.ensureRoom();
    const subscriber = await room.createSubscriber().catch(mediaError);
    if (generation !== this.generation || this.closed) {
      await subscriber.close();
      throw new ProtocolError('unavailable', 'the media server is restarting');
    }
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
    let queue = this.queues.get(participantId);
    if (!queue) this.queues.set(participantId, (queue = new SerialQueue()));
    return queue.run(task);
  }

}

function mediaError(error: unknown): never {
  if (error instanceof ProtocolError) throw error;
  throw new ProtocolError('media-error', 'the media server refused the request');
}
