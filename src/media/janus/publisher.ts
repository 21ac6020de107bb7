/**
 * A publisher: one VideoRoom handle joined as publisher under a random numeric feed
 * id, carrying one browser peer connection's offered tracks. It ends as its handle
 * does (handle-lifecycle.ts): `close()` by us, or lost (room destroyed, kicked,
 * detached, engine down), which emits `hangup` with the reason.
 */
import { EventEmitter } from 'node:events';
import Janode from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import type { IceCandidateInit, MediaPublisher, MediaPublisherEvents, PublishedTrack, TrackKind } from '../engine.ts';
import type { JanusLink } from './link.ts';
import { activeTracks, checkOffer, withOpusDtx } from './sdp.ts';
import { toJanusCandidate } from './candidate.ts';
import { HandleLifecycle } from './handle-lifecycle.ts';

export interface PublisherOwner {
  readonly link: JanusLink;
  removePublisher(p: JanusPublisher): void;
}

export class JanusPublisher extends EventEmitter<MediaPublisherEvents> implements MediaPublisher {
  private readonly lifecycle: HandleLifecycle;
  private currentTracks: PublishedTrack[];
  /** Kinds the server stopped; re-applied after renegotiation, which may add m-lines. */
  private readonly stopped = new Set<TrackKind>();
  /** Resolves at Janus's webrtcup: before it, Janus refuses subscriptions to this feed ("No such feed"). */
  readonly up: Promise<void>;
  private rejectUp: (err: Error) => void = () => {};

  constructor(
    private readonly owner: PublisherOwner,
    private readonly handle: VideoRoomHandle,
    readonly id: string,
    readonly feed: number,
    answerSdp: string,
  ) {
    super();
    this.currentTracks = activeTracks(answerSdp);
    this.up = new Promise((resolve, reject) => {
      handle.once(Janode.EVENT.HANDLE_WEBRTCUP, () => resolve());
      this.rejectUp = reject;
    });
    this.up.catch(() => {}); // nobody may be waiting
    this.lifecycle = new HandleLifecycle({
      handle, link: owner.link, what: 'publisher',
      ended: (end) => {
        this.rejectUp(new Error('publisher closed'));
        this.owner.removePublisher(this);
        if (end.how === 'lost') this.emit('hangup', end.reason);
      },
    });
    handle.on(Janode.EVENT.HANDLE_HANGUP, (data: { reason?: unknown }) =>
      this.emit('hangup', typeof data?.reason === 'string' ? data.reason : 'hangup'));
    handle.on(Janode.EVENT.HANDLE_ICE_FAILED, () => this.emit('hangup', 'ice failed'));
    // Janus tells every publisher of the room about everyone's talking; only our own feed concerns us.
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_TALKING, (data: { feed?: unknown; talking?: unknown }) => {
      if (data?.feed === this.feed && typeof data.talking === 'boolean') this.emit('talking', data.talking);
    });
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_DESTROYED, () => this.lost('room destroyed'));
    handle.on(VideoRoomPlugin.EVENT.VIDEOROOM_KICKED, () => this.lost('kicked'));
  }

  get tracks(): readonly PublishedTrack[] {
    return this.currentTracks;
  }

  async trickle(candidate: IceCandidateInit | null): Promise<void> {
    this.assertOpen();
    await this.owner.link.request(this.handle.trickle(toJanusCandidate(candidate)), 'trickle');
  }

  async renegotiate(offerSdp: string): Promise<string> {
    this.assertOpen();
    checkOffer(offerSdp);
    const res = await this.owner.link.request(
      this.handle.configure({ e2ee: true, jsep: { type: 'offer', sdp: withOpusDtx(offerSdp) } }), 'configure');
    if (!res.jsep || res.jsep.type !== 'answer') throw new Error('Janus gave no answer to a renegotiation');
    this.currentTracks = activeTracks(res.jsep.sdp);
    for (const kind of this.stopped) await this.applyForwarding(kind, false);
    return res.jsep.sdp;
  }

  async setForwarding(kind: TrackKind, forward: boolean): Promise<void> {
    this.assertOpen();
    if (kind !== 'audio' && kind !== 'video') throw new TypeError('kind must be audio or video');
    if (forward) this.stopped.delete(kind);
    else this.stopped.add(kind);
    await this.applyForwarding(kind, forward);
  }

  /** Detaching leaves the room, which unpublishes and tells subscribers. Idempotent. */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  /** The handle is gone without a Janus request of ours (room destroyed, kicked, Janus down). */
  lost(reason: string): void {
    this.lifecycle.lose(reason);
  }

  private async applyForwarding(kind: TrackKind, forward: boolean): Promise<void> {
    // `send` on a publisher's stream makes the VideoRoom stop relaying that m-line
    // to every subscriber; the browser cannot undo it, only Sabha talks to Janus.
    const streams = this.currentTracks.filter((t) => t.kind === kind).map((t) => ({ mid: t.mid, send: forward }));
    if (streams.length === 0) return;
    await this.owner.link.request(this.handle.configure({ streams }), 'configure');
  }

  private assertOpen(): void {
    this.lifecycle.assertOpen();
  }
}
