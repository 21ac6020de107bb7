/**
 * A meeting as the browser sees it: the signalling connection, the state model, the
 * publishers, the subscriber and the active-speaker detector, wired together.
 * The connection states and the inputs they accept are in connection-state.ts.
 *
 * The passcode and host secret given to `join` stay in this object's memory only
 * (needed to join again if the socket drops before admission); they are never
 * written anywhere.
 */
import type { MediaSource, ServerMessage, ServerMessageOf, VideoQuality } from '../protocol/index.ts';
import type { WorkerPort } from '../e2ee/session/index.ts';
import { MeetingEncryption } from './e2ee/meeting-encryption.ts';
import { AdmissionError, admitInBatches } from './admission.ts';
import { transition, type ConnectionInput, type ConnectionState, type EndReason } from './connection-state.ts';
import { Emitter } from '../events/emitter.ts';
import { HostControls } from './host-controls.ts';
import { ActiveSpeakerDetector } from './media/active-speaker.ts';
import type { LocalMedia } from './media/local-media.ts';
import type { TransformHook } from './media/peer-connection.ts';
import { Publisher } from './media/publisher.ts';
import { Subscriber, type RemoteTrack } from './media/subscriber.ts';
import { SpeakerHistory } from './media/speakers.ts';
import { inboundVideoCounters, QualityGovernor, SAMPLE_INTERVAL_MS } from './media/quality-governor.ts';
import { subscriptionFor, type VisibleVideo } from './media/subscription-policy.ts';
import { RoomState, type ChatMessage } from './room-state.ts';
import { reconnectDelayMs, SignallingClient, SignallingError } from './signalling-client.ts';

export interface JoinOptions {
  meetingId: string;
  passcode: string;
  name: string;
  deviceId: string;
  hostSecret?: string;
}

export interface RoomOptions {
  signallingUrl: string;
  localMedia: LocalMedia;
  /** Starts the E2EE worker (default: the bundled /e2ee-worker.js). Every meeting is end-to-end encrypted. */
  createE2eeWorker?: () => WorkerPort;
  /** How long to keep trying to resume after a drop; the server's grace period is about 30 s. */
  resumeWindowMs?: number;
}

export type RoomNotice =
  | { kind: 'muted-by-host' }
  | { kind: 'muted-on-entry' }
  | { kind: 'unmute-not-allowed' }
  | { kind: 'screen-share-refused'; reason: string }
  | { kind: 'chat-refused'; reason: string }
  | { kind: 'admit-failed'; reason: 'no-key-package' | 'refused' }
  | { kind: 'media-failed'; source: MediaSource | 'subscriber' }
  | { kind: 'invalid-message'; reason: string };

export interface RoomEvents {
  connection: [state: ConnectionState];
  /** Every remote track currently received (a full snapshot). */
  tracks: [tracks: readonly RemoteTrack[]];
  /** The local screen-share track, or null when not sharing. */
  'local-screen': [track: MediaStreamTrack | null];
  'active-speaker': [participantId: string | null];
  levels: [levels: ReadonlyMap<string, number>];
  /**
   * The subscriber connection's statistics, every SAMPLE_INTERVAL_MS while joined: one `getStats()` serves
   * congestion control and the tiles' connection-quality indicators.
   */
  'receive-stats': [report: RTCStatsReport];
  notice: [notice: RoomNotice];
  /** The meeting's end-to-end encryption was set up (on join); its own events say the rest. */
  encryption: [encryption: MeetingEncryption];
  /** Own join rejected or failed; `connection` then goes to `left`. */
  'join-error': [error: SignallingError];
}

export class Room extends Emitter<RoomEvents> {
  readonly state = new RoomState();
  readonly signalling: SignallingClient;
  readonly host: HostControls;
  readonly subscriber: Subscriber;
  readonly activeSpeaker: ActiveSpeakerDetector;
  /** Who talks and talked lately, from the SFU's voice activity: decides whose microphones we receive. */
  readonly speakers = new SpeakerHistory();
  readonly #publishers = new Map<MediaSource, Publisher>();
  readonly #hook: TransformHook;
  #encryption: MeetingEncryption | null = null;
  readonly #unbind: (() => void)[] = [];
  #connection: ConnectionState = { name: 'idle' };
  #join: JoinOptions | null = null;
  #resumeToken: string | null = null;
  #screenTrack: MediaStreamTrack | null = null;
  #remoteTracks: readonly RemoteTrack[] = [];
  #reconnecting = false;
  /** What the layout draws; null until it says (then screens and a first page of cameras). */
  #visible: readonly VisibleVideo[] | null = null;
  /** Congestion control lowers this; never above what the tiles ask. */
  #qualityCap: VideoQuality = 'high';
  readonly #governor = new QualityGovernor();
  #receiveStatsTimer: ReturnType<typeof setInterval> | undefined;
  /** The camera layers anybody receives, as the server last said; a republished camera starts with them. */
  #cameraLayers: readonly boolean[] | null = null;

  constructor(readonly options: RoomOptions) {
    super();
    // Fails closed: a sender or receiver created without the E2EE layer in place is never used.
    this.#hook = (endpoint, kind, participantId, source) => {
      if (!this.#encryption) throw new Error('end-to-end encryption is not set up');
      this.#encryption.transformHook(endpoint, kind, participantId, source);
    };
    this.signalling = new SignallingClient({ url: options.signallingUrl });
    this.host = new HostControls(this.signalling);
    this.subscriber = new Subscriber({ signal: this.signalling, transformHook: this.#hook });
    this.activeSpeaker = new ActiveSpeakerDetector({
      remoteAudio: () =>
        this.#remoteTracks.filter((t) => t.kind === 'audio').map((t) => ({ participantId: t.participantId, receiver: t.receiver })),
      localAudio: () => {
        const sender = this.#publishers
          .get('camera')
          ?.peerConnection?.getSenders()
          .find((s) => s.track?.kind === 'audio');
        return sender && this.state.selfId ? { participantId: this.state.selfId, sender } : null;
      },
    });

    this.signalling.on('message', (m) => this.#onMessage(m));
    this.signalling.on('invalid-message', (reason) => this.emit('notice', { kind: 'invalid-message', reason }));
    this.signalling.on('close', (info) => {
      if (!info.intentional) void this.#onDrop();
    });
    this.subscriber.on('tracks', (tracks) => {
      this.#remoteTracks = tracks;
      this.emit('tracks', tracks);
    });
    this.activeSpeaker.on('active-speaker', (id) => this.emit('active-speaker', id));
    this.activeSpeaker.on('levels', (levels) => this.emit('levels', levels));
    let publications = new Set<string>();
    this.state.on('publications-changed', (list) => {
      const now = new Set(list.map((p) => p.id));
      for (const id of publications) if (!now.has(id)) this.subscriber.publicationGone(id);
      publications = now;
      this.#updateSubscription();
    });
    this.state.on('participant-updated', (p, previous) => {
      if (p.id === this.state.selfId) this.#onSelfUpdated(p.audio, previous.audio);
      if (p.audio !== previous.audio || p.video !== previous.video) this.#updateSubscription();
    });
    this.state.on('participant-left', (p) => this.speakers.forget(p.id));
    this.speakers.on('changed', () => this.#updateSubscription());
    this.#governor.on('cap', (quality) => this.setQualityCap(quality));
    const roster = () => this.#encryption?.setMeetingRoster(this.state.participants.keys());
    for (const event of ['reset', 'participant-joined', 'participant-left'] as const) this.state.on(event, roster);
  }

  /** The meeting's end-to-end encryption, from `join` on. */
  get encryption(): MeetingEncryption | null {
    return this.#encryption;
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  get remoteTracks(): readonly RemoteTrack[] {
    return this.#remoteTracks;
  }

  get screenTrack(): MediaStreamTrack | null {
    return this.#screenTrack;
  }

  /** The peer connections, for statistics (the debug hook and tests read counters from them). */
  peerConnections(): { name: 'camera' | 'screen' | 'subscriber'; pc: RTCPeerConnection }[] {
    const out: { name: 'camera' | 'screen' | 'subscriber'; pc: RTCPeerConnection }[] = [];
    for (const [name, publisher] of this.#publishers) if (publisher.peerConnection) out.push({ name, pc: publisher.peerConnection });
    if (this.subscriber.peerConnection) out.push({ name: 'subscriber', pc: this.subscriber.peerConnection });
    return out;
  }

  /**
   * The layout says which videos it draws and how large: only these are received (at most
   * MAX_VIDEO_SLOTS), each at the simulcast layer its tile needs. Call it on every page flip,
   * pin, layout or active-speaker change; unchanged calls cost nothing.
   */
  setVisibleVideos(videos: readonly VisibleVideo[]): void {
    this.#visible = videos.map((v) => ({ participantId: v.participantId, source: v.source, quality: v.quality }));
    this.#updateSubscription();
  }

  /** Congestion: receive no video above `quality` until it is raised again. */
  setQualityCap(quality: VideoQuality): void {
    if (quality === this.#qualityCap) return;
    this.#qualityCap = quality;
    this.#updateSubscription();
  }

  async join(options: JoinOptions): Promise<void> {
    if (!this.#input({ type: 'join' })) throw new Error('join called twice');
    this.#join = options;
    this.#startEncryption(options.meetingId);
    const media = this.options.localMedia;
    this.#unbind.push(
      media.on('track', (kind, track) => void this.#publishers.get('camera')?.replaceTrack(kind, track)),
      media.on('state', () => this.#sendMediaState()),
    );
    await this.#sendJoin();
  }

  /** Leaves (the meeting goes on for the others). */
  async leave(): Promise<void> {
    if (this.#connection.name === 'left') return;
    try {
      if (this.signalling.isOpen) await this.signalling.request({ type: 'leave' }, 3000);
    } catch {
      // Leaving locally is what matters; the server notices the closed socket.
    }
    this.#finish('left');
  }

  /**
   * Host only: ends the meeting for everyone. The server's `left {ended}` finishes it here too. There is no
   * reply: that `left` and the closing socket come instead, so the request fails with `closed` exactly when it
   * worked. Only a request that failed while we are still in the meeting is a failure.
   */
  async endForAll(): Promise<void> {
    try {
      await this.host.endMeeting();
    } catch (err) {
      if (this.#connection.name === 'left' && this.#connection.reason === 'ended') return;
      throw err;
    }
  }

  async transferHostAndLeave(participantId: string): Promise<void> {
    await this.host.transferHost(participantId);
    await this.leave();
  }

  setMicEnabled(on: boolean): void {
    const s = this.state;
    if (on && s.settings && !s.settings.allowUnmute && !s.isHost && s.self && !s.self.audio) {
      this.emit('notice', { kind: 'unmute-not-allowed' });
      return;
    }
    this.options.localMedia.setMicEnabled(on);
  }

  setCameraEnabled(on: boolean): Promise<void> {
    return this.options.localMedia.setCameraEnabled(on);
  }

  async startScreenShare(): Promise<void> {
    if (this.#publishers.has('screen') || !this.state.selfId) return;
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
      if (this.#screenTrack === track) {
        this.#screenTrack = null;
        this.emit('local-screen', null);
      }
      this.emit('notice', { kind: 'screen-share-refused', reason: err instanceof SignallingError ? err.code : 'failed' });
      throw err;
    }
  }

  stopScreenShare(): void {
    const publisher = this.#publishers.get('screen');
    this.#publishers.delete('screen');
    publisher?.unpublish();
    this.#screenTrack?.stop();
    if (this.#screenTrack) {
      this.#screenTrack = null;
      this.emit('local-screen', null);
    }
  }

  /** Sends a chat message sealed for the MLS group; it shows here at once (the server's echo is dropped). */
  async sendChat(text: string, to?: string): Promise<void> {
    const local: ChatMessage | null = this.state.handleOwnChat(text, to);
    try {
      if (!this.#encryption) throw new SignallingError('closed', 'not in a meeting');
      const body = await this.#encryption.encryptChat(text, to);
      await this.signalling.request({ type: 'chat', ...(to ? { to } : {}), body });
    } catch (err) {
      if (local) this.state.handleOwnChatFailed(local);
      this.emit('notice', { kind: 'chat-refused', reason: err instanceof SignallingError ? err.code : 'failed' });
    }
  }

  /**
   * Host: admits waiting people together with the MLS commit that gives them the keys, any number of them:
   * in batches of at most 100 (what one `admit` carries), each its own commit, one after the other. A waiting
   * person's KeyPackage arrives a moment after they start waiting; we give it a few seconds.
   */
  async admit(participantIds: readonly string[]): Promise<void> {
    const encryption = this.#encryption;
    if (!encryption) throw new Error('not in a meeting');
    try {
      await admitInBatches(participantIds, {
        waiting: () => this.state.waiting,
        admitBatch: (ids, entries) => encryption.admit(ids, entries),
      });
    } catch (err) {
      this.emit('notice', { kind: 'admit-failed', reason: err instanceof AdmissionError ? err.reason : 'refused' });
      throw err;
    }
  }

  rename(name: string): Promise<unknown> {
    return this.signalling.request({ type: 'rename', name });
  }

  // -------------------------------------------------------------------------

  #input(input: ConnectionInput): boolean {
    const next = transition(this.#connection, input);
    if (!next) return false;
    this.#connection = next;
    this.emit('connection', next);
    return true;
  }

  async #sendJoin(): Promise<void> {
    const join = this.#join!;
    try {
      if (!this.signalling.isOpen) await this.signalling.connect();
      await this.signalling.request({
        type: 'join',
        meetingId: join.meetingId,
        passcode: join.passcode,
        name: join.name,
        deviceId: join.deviceId,
        ...(join.hostSecret ? { hostSecret: join.hostSecret } : {}),
      });
    } catch (err) {
      const error = err instanceof SignallingError ? err : new SignallingError('internal', 'join failed');
      if (error.code === 'closed') return; // the drop handler takes over
      this.emit('join-error', error);
      this.#finish(joinFailureReason(error));
    }
  }

  #startEncryption(meetingId: string): void {
    const createWorker = this.options.createE2eeWorker ?? (() => new Worker('/e2ee-worker.js', { type: 'module' }));
    const encryption = new MeetingEncryption({ meetingId, request: (m) => this.signalling.request(m), worker: createWorker() });
    this.#encryption = encryption;
    encryption.on('chat', (m) => this.state.handleChat(m));
    this.emit('encryption', encryption);
  }

  #onMessage(message: ServerMessage): void {
    // The E2EE session sees every message first-hand (it needs waiting, joined, waiting-room, mls-*, chat).
    this.#encryption?.handleServerMessage(message);
    switch (message.type) {
      case 'waiting':
        this.#input({ type: 'waiting', reason: message.reason });
        return;
      case 'joined':
        void this.#onJoined(message);
        return;
      case 'left':
        this.#finish(message.reason);
        return;
      case 'participant-joined':
      case 'participant-updated':
      case 'all-muted':
      case 'participant-left':
      case 'waiting-room':
      case 'waiting-room-changed':
      case 'settings':
      case 'passcode':
      case 'publication-added':
      case 'publication-removed':
        this.state.handleMessage(message);
        return;
      case 'chat':
        // Sealed: shown only once the E2EE layer has opened and checked it (`chat` event of the encryption).
        return;
      case 'publish-answer':
        this.#publishers.get(message.source)?.handleAnswer(message.sdp);
        return;
      case 'subscriber-offer':
        void this.subscriber.handleOffer(message).catch(() => this.emit('notice', { kind: 'media-failed', source: 'subscriber' }));
        return;
      case 'subscriber-tracks':
        void this.subscriber.handleTracks(message).catch(() => this.emit('notice', { kind: 'media-failed', source: 'subscriber' }));
        return;
      case 'speaking':
        this.speakers.handleSpeaking(message.participantId, message.speaking);
        return;
      case 'send-layers':
        if (message.source === 'camera') {
          this.#cameraLayers = message.active;
          void this.#publishers.get('camera')?.setActiveLayers(message.active).catch(() => undefined);
        }
        return;
      case 'mls-pending':
      case 'mls-commit':
      case 'mls-welcome':
      case 'mls-epoch-ready':
        return;
      case 'created':
      case 'ok':
      case 'error':
        return;
    }
  }

  async #onJoined(message: ServerMessageOf<'joined'>): Promise<void> {
    const firstTime = this.state.selfId === null;
    this.#resumeToken = message.self.resumeToken;
    this.state.handleJoined(message);
    if (!this.#input({ type: 'joined' })) return;
    if (firstTime) {
      const s = this.state;
      if (s.settings?.muteOnEntry && !s.isHost && this.options.localMedia.micEnabled) {
        this.options.localMedia.setMicEnabled(false);
        this.emit('notice', { kind: 'muted-on-entry' });
      }
      this.activeSpeaker.start();
      this.#startReceiveStats();
      // Senders are sealed from their first frame, which needs the E2EE session to know who we are.
      try {
        await this.#encryption?.whenParticipant(message.self.participantId);
      } catch {
        this.emit('notice', { kind: 'media-failed', source: 'camera' });
        return;
      }
      await this.#publishCamera();
    } else {
      this.subscriber.resync();
      for (const [source, publisher] of this.#publishers) {
        const state = publisher.peerConnection?.connectionState;
        if (state === 'failed' || state === 'closed' || state === undefined) void this.#republish(source);
      }
    }
    this.#sendMediaState();
    this.#updateSubscription();
  }

  #newPublisher(source: MediaSource): Publisher {
    const publisher = new Publisher({ source, signal: this.signalling, selfId: this.state.selfId!, transformHook: this.#hook });
    if (source === 'camera' && this.#cameraLayers) void publisher.setActiveLayers(this.#cameraLayers);
    publisher.on('failed', () => {
      this.emit('notice', { kind: 'media-failed', source });
      void this.#republish(source);
    });
    this.#publishers.set(source, publisher);
    return publisher;
  }

  async #publishCamera(): Promise<void> {
    const media = this.options.localMedia;
    const publisher = this.#newPublisher('camera');
    try {
      await publisher.publish({ audio: media.audioTrack, video: media.videoTrack });
    } catch {
      this.emit('notice', { kind: 'media-failed', source: 'camera' });
    }
  }

  /** ICE failed or the server lost the publisher: a new peer connection with the same tracks. */
  async #republish(source: MediaSource): Promise<void> {
    const old = this.#publishers.get(source);
    if (!old || this.#connection.name !== 'joined') return;
    old.unpublish();
    this.#publishers.delete(source);
    if (source === 'camera') {
      await this.#publishCamera();
    } else if (this.#screenTrack) {
      const publisher = this.#newPublisher('screen');
      await publisher.publish({ video: this.#screenTrack }).catch(() => this.stopScreenShare());
    }
  }

  #sendMediaState(): void {
    if (this.#connection.name !== 'joined' || !this.signalling.isOpen) return;
    const media = this.options.localMedia;
    const audio = media.micEnabled && media.audioTrack !== null;
    const video = media.cameraEnabled && media.videoTrack !== null;
    this.signalling.request({ type: 'set-media-state', audio, video }).catch((err: unknown) => {
      if (err instanceof SignallingError && err.code === 'forbidden' && audio) {
        media.setMicEnabled(false);
        this.emit('notice', { kind: 'unmute-not-allowed' });
      }
    });
  }

  /** A true→false change of our own audio that we did not ask for: the host muted us. */
  #onSelfUpdated(audio: boolean, previousAudio: boolean): void {
    const media = this.options.localMedia;
    if (previousAudio && !audio && media.micEnabled) {
      media.setMicEnabled(false);
      this.emit('notice', { kind: 'muted-by-host' });
    }
  }

  #updateSubscription(): void {
    if (this.#connection.name !== 'joined') return;
    this.subscriber.setDesired(
      subscriptionFor({
        selfId: this.state.selfId,
        publications: this.state.publications.values(),
        participants: this.state.participants,
        visible: this.#visible,
        rankSpeakers: (ids) => this.speakers.rank(ids),
        qualityCap: this.#qualityCap,
      }),
    );
  }

  async #onDrop(): Promise<void> {
    if (this.#reconnecting || this.#connection.name === 'left') return;
    if (!this.#input({ type: 'socket-dropped' })) return;
    this.#reconnecting = true;
    try {
      if (this.#connection.name === 'reconnecting') await this.#resume();
      else await this.#rejoin();
    } finally {
      this.#reconnecting = false;
    }
  }

  async #resume(): Promise<void> {
    const deadline = Date.now() + (this.options.resumeWindowMs ?? 30_000);
    for (let attempt = 0; Date.now() < deadline && this.#connection.name === 'reconnecting'; attempt++) {
      await sleep(reconnectDelayMs(attempt));
      try {
        await this.signalling.connect();
        await this.signalling.request({ type: 'resume', resumeToken: this.#resumeToken! });
        // The reply is `joined` (handled as a message) or `ok`.
        this.#input({ type: 'joined' });
        return;
      } catch (err) {
        if (err instanceof SignallingError && err.code !== 'connect-failed' && err.code !== 'closed' && err.code !== 'timeout') break;
        this.signalling.close();
      }
    }
    if (this.#connection.name === 'reconnecting') {
      this.#input({ type: 'resume-failed' });
      this.#cleanup();
    }
  }

  async #rejoin(): Promise<void> {
    for (let attempt = 0; attempt < 6 && this.#connection.name === 'connecting'; attempt++) {
      await sleep(reconnectDelayMs(attempt));
      try {
        await this.signalling.connect();
      } catch {
        continue;
      }
      await this.#sendJoin();
      return;
    }
    this.#finish('connection-failed');
  }

  #finish(reason: EndReason): void {
    if (!this.#input({ type: 'left', reason })) return;
    this.#cleanup();
  }

  #startReceiveStats(): void {
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

  #cleanup(): void {
    this.activeSpeaker.stop();
    this.speakers.clear();
    clearInterval(this.#receiveStatsTimer);
    for (const publisher of this.#publishers.values()) publisher.close();
    this.#publishers.clear();
    this.subscriber.close();
    this.#screenTrack?.stop();
    this.#screenTrack = null;
    this.options.localMedia.stop();
    for (const off of this.#unbind.splice(0)) off();
    this.signalling.close();
    this.#encryption?.close();
    this.#join = null;
    this.#resumeToken = null;
  }
}

function joinFailureReason(error: SignallingError): EndReason {
  switch (error.code) {
    case 'join-refused':
    case 'locked':
    case 'meeting-full':
    case 'throttled':
    case 'removed':
      return error.code;
    case 'connect-failed':
      return 'connection-failed';
    default:
      return 'error';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
