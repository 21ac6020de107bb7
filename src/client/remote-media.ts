/**
 * What this participant receives: the subscriber connection, what it is asked to carry (the videos the
 * layout draws, the microphones of who talks, under the congestion cap), the remote tracks it delivers, and
 * its receive statistics, sampled every SAMPLE_INTERVAL_MS for congestion control and the tiles.
 *
 * Input arrives through methods (the Room forwards server messages and meeting-state changes); output
 * leaves as typed events, which the Room passes on as its own.
 */
import type { ServerMessageOf, VideoQuality } from '../protocol/index.ts';
import { Emitter } from '../events/emitter.ts';
import type { AudioLevelSource } from './media/active-speaker.ts';
import type { IceServerList, SignalPort, TransformHook } from './media/peer-connection.ts';
import { inboundVideoCounters, QualityGovernor, SAMPLE_INTERVAL_MS } from './media/quality-governor.ts';
import type { SpeakerHistory } from './media/speakers.ts';
import { Subscriber, type RemoteTrack } from './media/subscriber.ts';
import { subscriptionFor, type VisibleVideo } from './media/subscription-policy.ts';
import type { RoomNotice } from './room-types.ts';
import type { RoomState } from './room-state.ts';

export interface RemoteMediaEvents {
  /** Every remote track currently received (a full snapshot). */
  tracks: [tracks: readonly RemoteTrack[]];
  'receive-stats': [report: RTCStatsReport];
  notice: [notice: Extract<RoomNotice, { kind: 'media-failed' }>];
}

export interface RemoteMediaOptions {
  signal: SignalPort;
  transformHook: TransformHook;
  iceServers: IceServerList;
  /** The meeting as the server describes it: who publishes what, and who we are. */
  state: RoomState;
  /** Who talks and talked lately: decides whose microphones we receive. */
  speakers: SpeakerHistory;
  /** The subscription is asked for only while joined. */
  joined: () => boolean;
}

export class RemoteMedia extends Emitter<RemoteMediaEvents> {
  readonly subscriber: Subscriber;
  readonly #options: RemoteMediaOptions;
  #tracks: readonly RemoteTrack[] = [];
  /** The publications last seen, so that the subscriber learns which went away. */
  #publications = new Set<string>();
  /** What the layout draws; null until it says (then screens and a first page of cameras). */
  #visible: readonly VisibleVideo[] | null = null;
  /** Congestion control lowers this; never above what the tiles ask. */
  #qualityCap: VideoQuality = 'high';
  /** Its ceiling starts at what the first page of cameras is drawn at before the layout says (medium). */
  readonly #governor = new QualityGovernor('medium');
  #receiveStatsTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: RemoteMediaOptions) {
    super();
    this.#options = options;
    this.subscriber = new Subscriber({ signal: options.signal, transformHook: options.transformHook, iceServers: options.iceServers });
    this.subscriber.on('tracks', (tracks) => {
      this.#tracks = tracks;
      this.emit('tracks', tracks);
    });
    this.#governor.on('cap', (quality) => this.setQualityCap(quality));
  }

  get tracks(): readonly RemoteTrack[] {
    return this.#tracks;
  }

  /** The remote microphones, for the active-speaker detector. */
  remoteAudio(): ReturnType<AudioLevelSource['remoteAudio']> {
    return this.#tracks.filter((t) => t.kind === 'audio').map((t) => ({ participantId: t.participantId, receiver: t.receiver }));
  }

  /** Whether media flows (after an SFU restart): connected and receiving, when anything is to be received. */
  flowing(): boolean {
    return !this.subscriber.wantsMedia || (this.subscriber.peerConnection?.connectionState === 'connected' && this.#tracks.length > 0);
  }

  setVisibleVideos(videos: readonly VisibleVideo[]): void {
    this.#visible = videos.map((v) => ({ participantId: v.participantId, source: v.source, quality: v.quality }));
    // Screens are never capped: the governor's steps down start from the best camera layer drawn.
    const cameras = this.#visible.filter((v) => v.source === 'camera').map((v) => v.quality);
    this.#governor.setCeiling(cameras.includes('high') ? 'high' : cameras.includes('medium') || cameras.length === 0 ? 'medium' : 'low');
    this.updateSubscription();
  }

  setQualityCap(quality: VideoQuality): void {
    if (quality === this.#qualityCap) return;
    this.#qualityCap = quality;
    this.updateSubscription();
  }

  /** Asks the subscriber for what should be received now; unchanged wishes send nothing. */
  updateSubscription(): void {
    if (!this.#options.joined()) return;
    const { state, speakers } = this.#options;
    this.subscriber.setDesired(
      subscriptionFor({
        selfId: state.selfId,
        publications: state.publications.values(),
        participants: state.participants,
        visible: this.#visible,
        rankSpeakers: (ids) => speakers.rank(ids),
        qualityCap: this.#qualityCap,
      }),
    );
  }

  /** The meeting's publications changed: those gone leave the subscription, then it is asked again. */
  handlePublications(list: readonly { id: string }[]): void {
    const now = new Set(list.map((p) => p.id));
    for (const id of this.#publications) if (!now.has(id)) this.subscriber.publicationGone(id);
    this.#publications = now;
    this.updateSubscription();
  }

  handleOffer(message: ServerMessageOf<'subscriber-offer'>): void {
    void this.subscriber.handleOffer(message).catch(() => this.#failed());
  }

  handleTracks(message: ServerMessageOf<'subscriber-tracks'>): void {
    void this.subscriber.handleTracks(message).catch(() => this.#failed());
  }

  /**
   * After a resume the server may have forgotten what we asked for, and the connection may have failed while
   * the socket was down (its restart request lost with it): ask again, and restart a failed connection.
   */
  recoverAfterResume(): void {
    this.subscriber.resync();
    if (this.subscriber.peerConnection?.connectionState === 'failed') this.subscriber.restart();
  }

  /** One `getStats()` every SAMPLE_INTERVAL_MS serves congestion control and the connection-quality tiles. */
  startReceiveStats(): void {
    let busy = false;
    this.#receiveStatsTimer = setInterval(() => {
      const pc = this.subscriber.peerConnection;
      if (!pc || busy) return;
      busy = true;
      pc.getStats()
        .then((report) => {
          const { received, lost } = inboundVideoCounters(report);
          this.#governor.sample(received, lost);
          this.emit('receive-stats', report);
        })
        .catch(() => undefined) // the connection closed under us
        .finally(() => (busy = false));
    }, SAMPLE_INTERVAL_MS);
  }

  stopReceiveStats(): void {
    clearInterval(this.#receiveStatsTimer);
  }

  close(): void {
    this.subscriber.close();
  }

  #failed(): void {
    this.emit('notice', { kind: 'media-failed', source: 'subscriber' });
  }
}
