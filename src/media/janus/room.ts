/**
 * A VideoRoom room created for one meeting. Its numeric id, `secret` (needed to
 * destroy it) and `pin` (needed to join it) are random and known only to Sabha.
 * Lifecycle: open → closed, either by `close()` (children closed, room destroyed in
 * Janus) or by `lost()` (Janus is gone: children lost, no request).
 */
import type { MediaPublisher, MediaRoom, MediaSubscriber } from '../engine.ts';
import type { JanusLink } from './link.ts';
import { randomNumericId, randomSecret } from './ids.ts';
import { JanusPublisher } from './publisher.ts';
import { JanusSubscriber } from './subscriber.ts';
import { checkOffer, withOpusDtx } from './sdp.ts';
import type { Logger } from '../../log/logger.ts';

export interface RoomOwner {
  readonly adminKey: string;
  readonly logger: Logger;
  removeRoom(room: JanusRoom): void;
}

const PUBLISHER_ID = /^[\w.:-]{1,128}$/;

export class JanusRoom implements MediaRoom {
  readonly id: string;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly publishers = new Map<string, JanusPublisher>();
  private readonly publishersByFeed = new Map<number, string>();
  /** Ids being published right now, so that a second publish of the same id fails at once. */
  private readonly pending = new Set<string>();
  private readonly subscribers = new Set<JanusSubscriber>();

  private constructor(
    private readonly owner: RoomOwner,
    readonly link: JanusLink,
    readonly numericId: number,
    private readonly secret: string,
    readonly pin: string,
  ) {
    this.id = String(numericId);
  }

  static async create(owner: RoomOwner, link: JanusLink, maxPublishers: number): Promise<JanusRoom> {
    const room = randomNumericId();
    const secret = randomSecret();
    const pin = randomSecret();
    const res = await link.request(link.admin.message({
      request: 'create',
      room,
      admin_key: owner.adminKey,
      secret,
      pin,
      publishers: maxPublishers,
      is_private: true,
      permanent: false,
      audiocodec: 'opus',
      // VP8 only: the E2EE worker keeps exactly the VP8 payload header clear (src/e2ee/worker/clear-prefix.ts).
      videocodec: 'vp8',
      // Every Sabha meeting is end-to-end encrypted: Janus must not parse payloads, and refuses clear publishers.
      require_e2ee: true,
      notify_joining: false,
      require_pvtid: false,
      record: false,
      lock_record: true,
      // Silence costs nothing: Opus DTX sends a packet every 400 ms or so while quiet; in-band FEC
      // repairs single losses. Janus puts both in its answer, which is what a sender obeys.
      opus_dtx: true,
      opus_fec: true,
      // Voice activity from the RFC 6464 audio-level header extension (outside SFrame: the SFU sees how
      // loud, never what): Sabha tells the meeting who talks, which decides whose microphone a large
      // meeting's browsers receive. Talking = an average level louder than -40 dBov over 0.5 s.
      audiolevel_ext: true,
      audiolevel_event: true,
      audio_active_packets: 25,
      audio_level_average: 40,
      description: 'sabha',
    }), 'create room');
    if (res.plugindata?.data.videoroom !== 'created') throw new Error('Janus did not create the room');
    return new JanusRoom(owner, link, room, secret, pin);
  }

  async publish(publisherId: string, offerSdp: string): Promise<{ publisher: MediaPublisher; answerSdp: string }> {
    this.assertOpen();
    if (typeof publisherId !== 'string' || !PUBLISHER_ID.test(publisherId)) throw new TypeError('invalid publisher id');
    if (this.publishers.has(publisherId) || this.pending.has(publisherId)) throw new TypeError('publisher id already in use');
    checkOffer(offerSdp);
    this.pending.add(publisherId);
    try {
      const handle = await this.link.attachVideoRoom();
      const feed = randomNumericId();
      try {
        const res = await this.link.request(handle.joinConfigurePublisher({
          room: this.numericId, feed, pin: this.pin, e2ee: true, jsep: { type: 'offer', sdp: withOpusDtx(offerSdp) },
        }), 'publish');
        if (res.jsep?.type !== 'answer') throw new Error('Janus gave no answer to the offer');
        this.assertOpen();
        const publisher = new JanusPublisher(this, handle, publisherId, feed, res.jsep.sdp);
        this.publishers.set(publisherId, publisher);
        this.publishersByFeed.set(feed, publisherId);
        return { publisher, answerSdp: res.jsep.sdp };
      } catch (err) {
        await handle.detach().catch(() => {});
        throw err;
      }
    } finally {
      this.pending.delete(publisherId);
    }
  }

  async createSubscriber(): Promise<MediaSubscriber> {
    this.assertOpen();
    const handle = await this.link.attachVideoRoom();
    if (this.closed) {
      await handle.detach().catch(() => {});
      throw new Error('room is closed');
    }
    const subscriber = new JanusSubscriber(this, handle);
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /**
   * Closes every child (each detaches its handle), then destroys the room in Janus. Idempotent: a second
   * call gets the first one's promise.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.owner.removeRoom(this);
    this.closing = (async () => {
      await Promise.all([...this.publishers.values(), ...this.subscribers].map((c) => c.close()));
      await this.link.request(this.link.admin.destroy({ room: this.numericId, secret: this.secret }), 'destroy room')
        .catch((error: unknown) => this.owner.logger.warn('room destroy failed', { room: this.id, error }));
    })();
    return this.closing;
  }

  /**
   * Janus went away with the room in it (the engine lost its link): close locally, no request, and
   * every child's handle is lost with the reason (each emits `hangup`).
   */
  lost(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.removeRoom(this);
    for (const c of [...this.publishers.values(), ...this.subscribers]) c.lost(reason);
  }

  feedOf(publisherId: string): number | undefined {
    return this.publishers.get(publisherId)?.feed;
  }

  publisherMid(publisherId: string, kind: 'audio' | 'video'): string | undefined {
    return this.publishers.get(publisherId)?.tracks.find((t) => t.kind === kind)?.mid;
  }

  /** Resolves once the publisher's peer connection is up in Janus. */
  publisherUp(publisherId: string): Promise<void> | undefined {
    return this.publishers.get(publisherId)?.up;
  }

  publisherOf(feed: number): string | undefined {
    return this.publishersByFeed.get(feed);
  }

  removePublisher(p: JanusPublisher): void {
    if (this.publishers.get(p.id) !== p) return;
    this.publishers.delete(p.id);
    this.publishersByFeed.delete(p.feed);
  }

  removeSubscriber(s: JanusSubscriber): void {
    this.subscribers.delete(s);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('room is closed');
  }
}
