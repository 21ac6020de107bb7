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
import { isRetryableMediaFailure } from './media/media-request-retry.ts';
import { Publisher } from './media/publisher.ts';
import { mediaRequestPolicy, type ReconnectPolicy } from './reconnect-policy.ts';
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
  /** When to publish again after a publish that timed out or was refused for now (default: mediaRequestPolicy). */
  retryPolicy?: () => ReconnectPolicy;
}

export class LocalPublications extends Emitter<LocalPublicationsEvents> {
  readonly #options: LocalPublicationsOptions;
  readonly #publishers = new Map<MediaSource, Publisher>();
  #screenTrack: MediaStreamTrack | null = null;
  /** A screen share being started (the browser's picker may be open), until it is published or has failed. */
  #screenStarting: Promise<void> | null = null;
  /** The camera layers anybody receives, as the server last said; a republished camera starts with them. */
  #cameraLayers: readonly boolean[] | null = null;
  /** Publishes being retried, by source: a newer publish of the source, suspend, close or stopping aborts one. */
  readonly #retries = new Map<MediaSource, AbortController>();

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
    this.#cancelRetry('camera');
    const err = await this.#publishOnce('camera');
    if (err === null) return;
    this.emit('notice', { kind: 'media-failed', source: 'camera' });
    if (isRetryableMediaFailure(err)) this.#retryPublish('camera');
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

  /**
   * Asks the browser for a screen and publishes it. Every way this can fail rejects, after undoing whatever
   * was done (the capture stopped, the publisher closed and forgotten, `local-screen` back to null), so the UI
   * can say so: the browser refused or had nothing to capture (a DOMException: NotAllowedError, NotFoundError —
   * headless Firefox, a machine with no display — …), the capture came without a live video track (reported
   * as NotFoundError too), or the SFU did not take it (then also a `screen-share-refused` notice).
   * A press while a start is under way (the picker may be open) starts nothing more; a share the person
   * stopped while it was being published ends quietly.
   */
  startScreenShare(): Promise<void> {
    if (this.#publishers.has('screen') || this.#screenStarting) return Promise.resolve();
    if (!this.#options.selfId()) return Promise.reject(new Error('not in the meeting'));
    const starting = this.#captureAndPublishScreen().finally(() => (this.#screenStarting = null));
    this.#screenStarting = starting;
    return starting;
  }

  async #captureAndPublishScreen(): Promise<void> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    // Only the video is sent: anything else the browser gave is stopped, not left capturing.
    for (const other of stream.getTracks()) if (other !== track) other.stop();
    if (!track || track.readyState !== 'live') {
      track?.stop();
      throw new DOMException('the screen capture has no live video track', 'NotFoundError');
    }
    if (!this.#options.joined()) {
      // We left or dropped while the picker was open: nothing to publish into.
      track.stop();
      throw new Error('not in the meeting');
    }
    let publisher: Publisher | null = null;
    try {
      track.contentHint = 'detail';
      track.addEventListener('ended', () => this.stopScreenShare());
      publisher = this.#newPublisher('screen');
      this.#screenTrack = track;
      this.emit('local-screen', track);
      await publisher.publish({ video: track });
    } catch (err) {
      // Stopped by the person (or the meeting left) while publishing: stopScreenShare already undid it all.
      const stoppedMeanwhile = publisher !== null && this.#screenTrack !== track;
      if (publisher && this.#publishers.get('screen') === publisher) this.#publishers.delete('screen');
      publisher?.close();
      track.stop();
      if (this.#screenTrack === track) this.#endScreenTrack();
      if (stoppedMeanwhile) return;
      this.emit('notice', { kind: 'screen-share-refused', reason: refusalReason(err) });
      throw err;
    }
  }

  stopScreenShare(): void {
    this.#cancelRetry('screen');
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
    for (const source of [...this.#retries.keys()]) this.#cancelRetry(source);
    for (const publisher of this.#publishers.values()) publisher.close();
  }

  /**
   * Breakout rooms: our media leaves this meeting while we are in a room. The screen share stops; the camera's
   * publisher is taken back at the server (`unpublish`) and closed, and kept to publish again (`republishAll`).
   */
  withdraw(): void {
    this.stopScreenShare();
    for (const source of [...this.#retries.keys()]) this.#cancelRetry(source);
    for (const publisher of this.#publishers.values()) publisher.unpublish();
  }

  /** The SFU is back: every source is published again; the server kept its publication for us. */
  republishAll(): void {
    for (const source of [...this.#publishers.keys()]) void this.#republish(source, { tellServer: false });
  }

  /** The meeting is over for us: every publisher closes and is forgotten. */
  close(): void {
    for (const source of [...this.#retries.keys()]) this.#cancelRetry(source);
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
    this.#cancelRetry(source);
    if (options.tellServer) old.unpublish();
    else old.close();
    this.#publishers.delete(source);
    if (source === 'camera') {
      await this.publishCamera();
    } else if (this.#screenTrack) {
      const err = await this.#publishOnce('screen');
      if (err !== null && isRetryableMediaFailure(err)) this.#retryPublish('screen');
      else if (err !== null) this.stopScreenShare();
    }
  }

  /**
   * Publishes `source` on a new publisher with its current tracks: null when it worked, else why not. A
   * publish that timed out or was refused for now is taken back at once (`unpublish`): the server handles a
   * participant's media requests in order, so whatever the lost publish made there is closed before the next
   * publish of the source, which then creates a fresh publisher instead of renegotiating the one that belongs
   * to the abandoned peer connection.
   */
  async #publishOnce(source: MediaSource): Promise<unknown> {
    const media = this.#options.localMedia;
    const screen = this.#screenTrack;
    if (source === 'screen' && !screen) return new Error('not sharing');
    const publisher = this.#newPublisher(source);
    try {
      await publisher.publish(source === 'camera' ? { audio: media.audioTrack, video: media.videoTrack } : { video: screen });
      return null;
    } catch (err) {
      if (isRetryableMediaFailure(err) && this.#publishers.get(source) === publisher) publisher.unpublish();
      return err ?? new Error('publish failed');
    }
  }

  /**
   * A publish of `source` timed out or was refused for now while the socket stayed up, so no resume will redo
   * it: publish again on the retry policy's schedule. Ends when one works, on a final refusal, when the
   * policy gives up (a screen share then stops), or when a newer publish of the source, a suspend, leaving or
   * stopping the share aborts it.
   */
  #retryPublish(source: MediaSource): void {
    this.#cancelRetry(source);
    const controller = new AbortController();
    this.#retries.set(source, controller);
    const policy = (this.#options.retryPolicy ?? mediaRequestPolicy)();
    void policy
      .run(async () => {
        if (!this.#options.joined()) return 'stop';
        const err = await this.#publishOnce(source);
        if (err === null) return 'done';
        return isRetryableMediaFailure(err) ? 'retry' : 'stop';
      }, controller.signal)
      .then((outcome) => {
        if (this.#retries.get(source) !== controller) return;
        this.#retries.delete(source);
        if (source === 'screen' && (outcome === 'stopped' || outcome === 'gave-up')) this.stopScreenShare();
      });
  }

  #cancelRetry(source: MediaSource): void {
    this.#retries.get(source)?.abort();
    this.#retries.delete(source);
  }
}
