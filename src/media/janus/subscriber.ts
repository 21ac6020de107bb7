/**
 * A multistream subscriber: one VideoRoom handle, one browser peer connection,
 * any number of publishers' tracks. Janus makes every offer; the browser answers.
 *
 * Requests run one at a time (a queue), because each Janus `update` depends on the
 * subscription the previous one left behind.
 */
import { EventEmitter } from 'node:events';
import Janode from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle, type VideoRoomStream } from 'janode/plugins/videoroom';
import type { IceCandidateInit, MediaSubscriber, MediaSubscriberEvents, SubscriberTrack } from '../engine.ts';
import type { JanusLink } from './link.ts';
import { toJanusCandidate } from './candidate.ts';

export interface SubscriberOwner {
  readonly link: JanusLink;
  readonly numericId: number;
  readonly pin: string;
  feedOf(publisherId: string): number | undefined;
  publisherUp(publisherId: string): Promise<void> | undefined;
  publisherOf(feed: number): string | undefined;
  removeSubscriber(s: JanusSubscriber): void;
}

type Offer = { offerSdp: string; tracks: SubscriberTrack[] };

export class JanusSubscriber extends EventEmitter<MediaSubscriberEvents> implements MediaSubscriber {
  private closed = false;
  private joined = false;
  /** Feeds Janus currently sends us, as its last `streams` list said. */
  private feeds = new Set<number>();
  private tracks: SubscriberTrack[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly owner: SubscriberOwner, private readonly handle: VideoRoomHandle) {
    super();
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_UPDATED, (data: { streams?: VideoRoomStream[]; jsep?: { type: string; sdp: string } }) => {
      // Unsolicited: Janus renegotiated by itself, typically because a publisher left.
      if (Array.isArray(data?.streams)) this.adopt(data.streams);
      if (data?.jsep?.type === 'offer') this.emit('offer', { offerSdp: data.jsep.sdp, tracks: [...this.tracks] });
    });
    handle.on(Janode.EVENT.HANDLE_HANGUP, (data: { reason?: unknown }) =>
      this.emit('hangup', typeof data?.reason === 'string' ? data.reason : 'hangup'));
    handle.on(Janode.EVENT.HANDLE_ICE_FAILED, () => this.emit('hangup', 'ice failed'));
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_DESTROYED, () => this.lost('room destroyed'));
    handle.once(Janode.EVENT.HANDLE_DETACHED, () => this.lost('detached'));
  }

  setPublishers(publisherIds: readonly string[]): Promise<Offer | null> {
    return this.serial(async () => {
      const wanted = new Map<number, string>();
      for (const id of publisherIds) {
        const feed = typeof id === 'string' ? this.owner.feedOf(id) : undefined;
        if (feed === undefined) throw new TypeError('unknown publisher');
        wanted.set(feed, id);
      }
      const added = [...wanted.keys()].filter((f) => !this.feeds.has(f));
      // Janus refuses to subscribe to a feed whose peer connection is not up yet.
      await this.owner.link.request(
        Promise.all(added.map((f) => this.owner.publisherUp(wanted.get(f)!))), 'publisher connection');
      this.assertOpen();
      const subscribe = added.map((feed) => ({ feed }));
      const unsubscribe = [...this.feeds].filter((f) => !wanted.has(f)).map((feed) => ({ feed }));
      if (subscribe.length === 0 && unsubscribe.length === 0) return null;

      const link = this.owner.link;
      let res: { jsep?: { type: string; sdp: string }; streams?: VideoRoomStream[] };
      if (!this.joined) {
        if (subscribe.length === 0) return null;
        res = await link.request(this.handle.joinSubscriber({
          room: this.owner.numericId, pin: this.owner.pin, streams: subscribe, autoupdate: true, use_msid: false,
        }), 'join subscriber');
        this.joined = true;
      } else {
        // Janus 1.1.2 refuses an empty list ("Empty unsubscription list"): send only non-empty ones.
        res = await link.request(this.handle.update({
          ...(subscribe.length > 0 ? { subscribe } : {}),
          ...(unsubscribe.length > 0 ? { unsubscribe } : {}),
        }), 'update');
      }
      if (Array.isArray(res.streams)) this.adopt(res.streams);
      // What was asked is the subscription now, even if Janus's list lags ("updating"); otherwise a
      // repeated call would subscribe the same feed twice.
      this.feeds = new Set(wanted.keys());
      // No offer: nothing changed for Janus, or it is still waiting for the answer to the previous
      // offer ("updating") and will send the combined one as an `offer` event.
      if (res.jsep?.type !== 'offer') return null;
      return { offerSdp: res.jsep.sdp, tracks: [...this.tracks] };
    });
  }

  answer(answerSdp: string): Promise<void> {
    return this.serial(async () => {
      if (typeof answerSdp !== 'string' || !answerSdp.startsWith('v=0')) throw new TypeError('answer is not an SDP');
      if (!this.joined) throw new Error('no offer to answer');
      await this.owner.link.request(this.handle.start({ jsep: { type: 'answer', sdp: answerSdp } }), 'start');
    });
  }

  async trickle(candidate: IceCandidateInit | null): Promise<void> {
    this.assertOpen();
    await this.owner.link.request(this.handle.trickle(toJanusCandidate(candidate)), 'trickle');
  }

  restartIce(): Promise<Offer> {
    return this.serial(async () => {
      if (!this.joined) throw new Error('subscriber has no peer connection yet');
      const res = await this.owner.link.request(this.handle.configure({ restart: true }), 'configure');
      if (Array.isArray(res.streams)) this.adopt(res.streams);
      if (res.jsep?.type !== 'offer') throw new Error('Janus gave no ICE restart offer');
      return { offerSdp: res.jsep.sdp, tracks: [...this.tracks] };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.owner.removeSubscriber(this);
    await this.owner.link.request(this.handle.detach(), 'detach').catch(() => {});
    this.handle.removeAllListeners();
  }

  lost(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.removeSubscriber(this);
    this.emit('hangup', reason);
    this.handle.removeAllListeners();
  }

  /** Janus's `streams` list is the truth about what this peer connection carries. */
  private adopt(streams: VideoRoomStream[]): void {
    const tracks: SubscriberTrack[] = [];
    const feeds = new Set<number>();
    for (const s of streams) {
      if (s.active === false || typeof s.feed_id !== 'number' || typeof s.mid !== 'string') continue;
      if (s.type !== 'audio' && s.type !== 'video') continue;
      const publisherId = this.owner.publisherOf(s.feed_id);
      if (publisherId === undefined) continue;
      feeds.add(s.feed_id);
      tracks.push({ mid: s.mid, kind: s.type, publisherId });
    }
    this.tracks = tracks;
    this.feeds = feeds;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      this.assertOpen();
      return op();
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('subscriber is closed');
  }
}
