/**
 * What this participant sends: the camera publisher (microphone and camera on one peer connection) and the
 * screen-share publisher. A publisher whose connection fails is published again on a new peer connection
 * with the same tracks; so is every one after an SFU restart or a resume that broke it.
 *
 * Input arrives through methods (the Room forwards server messages and device changes); output leaves as
 * typed events, which the Room passes on as its own.
 */
import type { MediaSource, ServerMessageOf } from '../protocol/index.ts';
import { Emitter } from '../events/emitter.ts';
import type { LocalMedia } from './media/local-media.ts';
import type { IceServerList, MediaKind, SignalPort, TransformHook } from './media/peer-connection.ts';
import { Publisher } from './media/publisher.ts';
import { refusalReason, type RoomNotice } from './room-types.ts';

export type PublicationNotice = Extract<RoomNotice, { kind: 'media-failed' | 'screen-share-refused' }>;

export interface LocalPublicationsEvents {
  /** The local screen-share track, or null when not sharing. */
  'local-screen': [track: MediaStreamTrack | null];
  notice: [notice: PublicationNotice];
}

export interface LocalPublicationsOptions {
  signal: SignalPort;
  transformHook: TransformHook;
  iceServers: IceServerList;
  localMedia: LocalMedia;
  /** Our participant id once joined; publishing needs it. */
  selfId: () => string | null;
  /** Whether we are in the meeting: a republish that comes after we left or dropped does nothing. */
  joined: () => boolean;
}

export class LocalPublications extends Emitter<LocalPublicationsEvents> {
  readonly #options: LocalPublicationsOptions;
  readonly #publishers = new Map<MediaSource, Publisher>();
  #screenTrack: MediaStreamTrack | null = null;
  /** The camera layers anybody receives, as the server last said; a republished camera starts with them. */
  #cameraLayers: readonly boolean[] | null = null;

  constructor(options: LocalPublicationsOptions) {
    super();
    this.#options = options;
  }

  get screenTrack(): MediaStreamTrack | null {
    return this.#screenTrack;
  }

  /** The publishers' peer connections, camera first when both exist in that order. */
  peerConnections(): { name: MediaSource; pc: RTCPeerConnection }[] {
    const out: { name: MediaSource; pc: RTCPeerConnection }[] = [];
    for (const [name, publisher] of this.#publishers) if (publisher.peerConnection) out.push({ name, pc: publisher.peerConnection });
    return out;
  }

  /** Our microphone's sender, for our own audio level. */
  localAudioSender(): RTCRtpSender | undefined {
    return this.#publishers
      .get('camera')
      ?.peerConnection?.getSenders()
      .find((s) => s.track?.kind === 'audio');
  }

  /** Whether every publisher's connection is up (media flows again after an SFU restart). */
  allConnected(): boolean {
    return [...this.#publishers.values()].every((p) => p.peerConnection?.connectionState === 'connected');
  }

  async publishCamera(): Promise<void> {
    const media = this.#options.localMedia;
    const publisher = this.#newPublisher('camera');
    try {
      await publisher.publish({ audio: media.audioTrack, video: media.videoTrack });
    } catch {
      this.emit('notice', { kind: 'media-failed', source: 'camera' });
    }
  }

  /** Another microphone or camera was chosen (or one turned on or off): the camera publisher sends it. */
  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    void this.#publishers.get('camera')?.replaceTrack(kind, track);
  }

  handleAnswer(message: ServerMessageOf<'publish-answer'>): void {
    this.#publishers.get(message.source)?.handleAnswer(message.sdp);
  }

  handleSendLayers(message: ServerMessageOf<'send-layers'>): void {
    if (message.source !== 'camera') return;
    this.#cameraLayers = message.active;
    void this.#publishers.get('camera')?.setActiveLayers(message.active).catch(() => undefined);
  }

  async startScreenShare(): Promise<void> {
    if (this.#publishers.has('screen') || !this.#options.selfId()) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.contentHint = 'detail';
    track.addEventListener('ended', () => this.stopScreenShare());
    const publisher = this.#newPublisher('screen');
    this.#screenTrack = track;
    this.emit('local-screen', track);
    try {
      await publisher.publish({ video: track });
    } catch (err) {
      if (this.#publishers.get('screen') === publisher) this.#publishers.delete('screen');
      publisher.close();
      track.stop();
      if (this.#screenTrack === track) this.#endScreenTrack();
      this.emit('notice', { kind: 'screen-share-refused', reason: refusalReason(err) });
      throw err;
    }
  }

  stopScreenShare(): void {
    const publisher = this.#publishers.get('screen');
    this.#publishers.delete('screen');
    publisher?.unpublish();
    this.#screenTrack?.stop();
    if (this.#screenTrack) this.#endScreenTrack();
  }

  /**
   * After a resume the server still has our publishers, but the network may have broken them while we were
   * away: a peer connection that failed then (its restart request was lost with the socket), or a publish
   * that never completed. Those start again; connections that are up or still checking are left alone.
   */
  recoverAfterResume(): void {
    for (const [source, publisher] of this.#publishers) {
      const state = publisher.peerConnection?.connectionState;
      if (!publisher.published || state === 'failed' || state === 'closed') void this.#republish(source);
    }
  }

  /** The SFU lost every publisher: close them without telling the server, keeping them to publish again. */
  suspend(): void {
    for (const publisher of this.#publishers.values()) publisher.close();
  }

  /** The SFU is back: every source is published again; the server kept its publication for us. */
  republishAll(): void {
    for (const source of [...this.#publishers.keys()]) void this.#republish(source, { tellServer: false });
  }

  /** The meeting is over for us: every publisher closes and is forgotten. */
  close(): void {
    for (const publisher of this.#publishers.values()) publisher.close();
    this.#publishers.clear();
  }

  /** The meeting is over for us: the screen capture stops (no `local-screen` event: the room is gone). */
  releaseScreenTrack(): void {
    this.#screenTrack?.stop();
    this.#screenTrack = null;
  }

  #endScreenTrack(): void {
    this.#screenTrack = null;
    this.emit('local-screen', null);
  }

  #newPublisher(source: MediaSource): Publisher {
    const { signal, transformHook, iceServers } = this.#options;
    const publisher = new Publisher({ source, signal, selfId: this.#options.selfId()!, transformHook, iceServers });
    if (source === 'camera' && this.#cameraLayers) void publisher.setActiveLayers(this.#cameraLayers);
    publisher.on('failed', () => {
      this.emit('notice', { kind: 'media-failed', source });
      void this.#republish(source);
    });
    this.#publishers.set(source, publisher);
    return publisher;
  }

  /**
   * ICE failed or the server lost the publisher: a new peer connection with the same tracks. After an SFU
   * restart the server already lost it and keeps its publication for us: it is not told (`tellServer: false`).
   */
  async #republish(source: MediaSource, options: { tellServer: boolean } = { tellServer: true }): Promise<void> {
    const old = this.#publishers.get(source);
    if (!old || !this.#options.joined()) return;
    if (options.tellServer) old.unpublish();
    else old.close();
    this.#publishers.delete(source);
    if (source === 'camera') {
      await this.publishCamera();
    } else if (this.#screenTrack) {
      const publisher = this.#newPublisher('screen');
      await publisher.publish({ video: this.#screenTrack }).catch(() => this.stopScreenShare());
    }
  }
}
