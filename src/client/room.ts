/**
 * A meeting as the browser sees it. The Room owns the connection state machine (connection-state.ts lists
 * the states and the inputs they accept), routes every server message to the part that owns it, and passes
 * on what the parts say as its own typed events (room-types.ts). The parts, one concern each:
 *   meeting-media.ts     the media: what we send (local-publications.ts), what we receive (remote-media.ts),
 *                        the active speaker, and recovery after a resume or an SFU restart
 *   reconnection.ts      resume or join again after the socket drops (reconnect-policy.ts says when)
 *   own-media-state.ts   our microphone and camera under the host's rules
 *   sealed-messages.ts   chat, raised hands and reactions, sealed for the MLS group
 *   polls.ts             polls (sealed for the MLS group too, sent as `poll`)
 *   host-admissions.ts   admitting waiting people with their MLS commit
 *   recording-consent.ts recording with everyone's consent (asks and answers sealed for the MLS group)
 *   room-encryption.ts   the end-to-end encryption wiring;  join-request.ts  the `join` request
 * The TURN relay the server grants (`iceServers`) is the Room's, shared by every peer connection it makes.
 *
 * The passcode and host secret given to `join` stay in this object's memory only
 * (needed to join again if the socket drops before admission); they are never
 * written anywhere.
 */
import type { ServerMessage, ServerMessageOf, VideoQuality } from '../protocol/index.ts';
import type { Reaction } from '../e2ee/session/index.ts';
import type { MeetingEncryption } from './e2ee/meeting-encryption.ts';
import { transition, type ConnectionInput, type ConnectionState, type EndReason } from './connection-state.ts';
import { Emitter } from '../events/emitter.ts';
import { HostAdmissions } from './host-admissions.ts';
import { HostControls } from './host-controls.ts';
import { InMeetingSignals } from './in-meeting-signals.ts';
import { joinFailureReason, requestJoin, type JoinOptions } from './join-request.ts';
import { MeetingMedia, type PeerConnectionName } from './meeting-media.ts';
import type { ActiveSpeakerDetector } from './media/active-speaker.ts';
import { IceServerList, type TransformHook } from './media/peer-connection.ts';
import { SpeakerHistory } from './media/speakers.ts';
import type { Subscriber, RemoteTrack } from './media/subscriber.ts';
import type { VisibleVideo } from './media/subscription-policy.ts';
import { OwnMediaState } from './own-media-state.ts';
import { Polls } from './polls.ts';
import { Breakout } from './breakout/breakout.ts';
import { Reconnection } from './reconnection.ts';
import { RecordingConsent } from './recording-consent.ts';
import { failClosedHook, startMeetingEncryption } from './room-encryption.ts';
import type { RoomEvents, RoomNotice, RoomOptions } from './room-types.ts';
import { RoomState } from './room-state.ts';
import { SealedMessages } from './sealed-messages.ts';
import { SignallingClient, SignallingError } from './signalling-client.ts';

export type { JoinOptions } from './join-request.ts';
export type { RoomEvents, RoomNotice, RoomOptions } from './room-types.ts';

export class Room extends Emitter<RoomEvents> {
  readonly state = new RoomState();
  readonly signalling: SignallingClient;
  readonly host: HostControls;
  readonly subscriber: Subscriber;
  /** The TURN relay the server granted: every peer connection of this room uses it. */
  readonly iceServers = new IceServerList();
  readonly activeSpeaker: ActiveSpeakerDetector;
  /** Who talks and talked lately, from the SFU's voice activity: decides whose microphones we receive. */
  readonly speakers = new SpeakerHistory();
  /** Raised hands and reactions (sealed for the MLS group, sent as `signal`: src/e2ee/session/signals.ts). */
  readonly signals = new InMeetingSignals();
  /** Polls (sealed for the MLS group, sent as `poll`: src/e2ee/session/polls.ts). */
  readonly polls: Polls;
  /** Breakout rooms (src/client/breakout/): each a Room of its own; null in a breakout room's Room. */
  readonly breakout: Breakout | null;
  /** Recording with everyone's consent (recording-consent.ts); the web layer records. */
  readonly recording: RecordingConsent;
  readonly #hook: TransformHook = failClosedHook(() => this.#encryption);
  readonly #media: MeetingMedia;
  readonly #ownMedia: OwnMediaState;
  readonly #sealed: SealedMessages;
  readonly #admissions: HostAdmissions;
  readonly #reconnection: Reconnection;
  #encryption: MeetingEncryption | null = null;
  readonly #unbind: (() => void)[] = [];
  #connection: ConnectionState = { name: 'idle' };
  #join: JoinOptions | null = null;
  #resumeToken: string | null = null;
  /** In a breakout room: this meeting's media is paused (`pauseMedia`), its connection and MLS group kept. */
  #mediaPaused = false;

  constructor(readonly options: RoomOptions) {
    super();
    const joined = () => this.#connection.name === 'joined' && !this.#mediaPaused;
    const signalling = (this.signalling = new SignallingClient({ url: options.signallingUrl }));
    this.host = new HostControls(signalling);
    const { state, speakers, iceServers } = this;
    const media = (this.#media = new MeetingMedia({ signal: signalling, transformHook: this.#hook, iceServers, localMedia: options.localMedia, state, speakers, joined }));
    this.subscriber = media.remote.subscriber;
    this.activeSpeaker = media.activeSpeaker;
    this.#ownMedia = new OwnMediaState({ signalling, localMedia: options.localMedia, state, joined });
    this.#sealed = new SealedMessages({ signalling, encryption: () => this.#encryption, state, signals: this.signals });
    this.#admissions = new HostAdmissions({ state, encryption: () => this.#encryption });
    this.polls = new Polls({
      send: async (poll, to) => {
        if (!this.#encryption) throw new SignallingError('closed', 'not in a meeting');
        await signalling.request(await this.#encryption.encryptPoll(poll, to));
      },
      selfId: () => state.selfId,
      roleOf: (id) => state.participants.get(id)?.role,
      nameOf: (id) => state.participants.get(id)?.name,
    });
    this.recording = new RecordingConsent({
      request: (message) => signalling.request(message),
      encryption: () => this.#encryption,
      selfId: () => state.selfId,
      people: () => state.participants.keys(),
    });
    this.#reconnection = new Reconnection({
      signalling,
      policies: () => this.options.reconnect,
      connection: () => this.#connection,
      input: (input) => this.#input(input),
      resumeToken: () => this.#resumeToken,
      sendJoin: () => this.#sendJoin(),
      cleanup: () => this.#cleanup(),
      finish: (reason) => this.#finish(reason),
    });

    signalling.on('message', (m) => this.#onMessage(m));
    signalling.on('invalid-message', (reason) => this.emit('notice', { kind: 'invalid-message', reason }));
    media.recovery.on('state', (state) => this.emit('media-recovery', state));
    media.remote.on('tracks', (tracks) => this.emit('tracks', tracks));
    media.remote.on('receive-stats', (report) => this.emit('receive-stats', report));
    media.publications.on('local-screen', (track) => this.emit('local-screen', track));
    const notice = (n: RoomNotice) => this.emit('notice', n);
    media.remote.on('notice', notice);
    media.publications.on('notice', notice);
    this.#ownMedia.on('notice', notice);
    this.#sealed.on('notice', notice);
    this.#admissions.on('notice', notice);
    this.activeSpeaker.on('active-speaker', (id) => this.emit('active-speaker', id));
    this.activeSpeaker.on('levels', (levels) => this.emit('levels', levels));
    this.state.on('publications-changed', (list) => this.#media.remote.handlePublications(list));
    this.state.on('participant-updated', (p, previous) => {
      if (p.id === this.state.selfId) this.#ownMedia.handleSelfUpdated(p.audio, previous.audio);
      if (p.audio !== previous.audio || p.video !== previous.video) this.#media.remote.updateSubscription();
    });
    this.state.on('participant-left', (p) => this.speakers.forget(p.id));
    this.speakers.on('changed', () => this.#media.remote.updateSubscription());
    const roster = () => this.#encryption?.setMeetingRoster(this.state.participants.keys());
    for (const event of ['reset', 'participant-joined', 'participant-left'] as const) this.state.on(event, roster);
    for (const event of ['reset', 'participant-left'] as const) this.state.on(event, () => this.signals.retain(new Set(this.state.participants.keys())));
    for (const event of ['reset', 'participant-joined', 'participant-left'] as const) this.state.on(event, () => this.recording.handleRosterChanged());
    for (const event of ['reset', 'participant-left'] as const) this.state.on(event, () => this.polls.retain(new Set(this.state.participants.keys())));
    this.breakout = options.breakoutRoom ? null : new Breakout({ main: this, createRoom: () => new Room({ ...this.options, breakoutRoom: true }), joinOptions: () => this.#join });
  }

  /** The meeting's end-to-end encryption, from `join` on. */
  get encryption(): MeetingEncryption | null {
    return this.#encryption;
  }

  get connection(): ConnectionState {
    return this.#connection;
  }

  get remoteTracks(): readonly RemoteTrack[] {
    return this.#media.remote.tracks;
  }

  get screenTrack(): MediaStreamTrack | null {
    return this.#media.publications.screenTrack;
  }

  /** The peer connections, for statistics (the debug hook and tests read counters from them). */
  peerConnections(): { name: PeerConnectionName; pc: RTCPeerConnection }[] {
    return this.#media.peerConnections();
  }

  /**
   * The layout says which videos it draws and how large: only these are received (at most
   * MAX_VIDEO_SLOTS), each at the simulcast layer its tile needs. Call it on every page flip,
   * pin, layout or active-speaker change; unchanged calls cost nothing.
   */
  setVisibleVideos(videos: readonly VisibleVideo[]): void {
    this.#media.remote.setVisibleVideos(videos);
  }

  /** Congestion: receive no video above `quality` until it is raised again. */
  setQualityCap(quality: VideoQuality): void {
    this.#media.remote.setQualityCap(quality);
  }

  async join(options: JoinOptions): Promise<void> {
    if (!this.#input({ type: 'join' })) throw new Error('join called twice');
    this.#join = options;
    const { signalling, state, signals, options: { createE2eeWorker, deviceIdentity } } = this;
    const onMembersGrew = () => {
      this.#sealed.reannounceHand();
      this.polls.reannounce();
    };
    this.#encryption = startMeetingEncryption({ meetingId: options.meetingId, signalling, createE2eeWorker, deviceIdentity, state, signals, onMembersGrew });
    this.#encryption.on('poll', (m) => this.polls.handlePoll(m));
    this.emit('encryption', this.#encryption);
    const media = this.options.localMedia;
    this.#unbind.push(
      media.on('track', (kind, track) => this.#media.publications.replaceTrack(kind, track)),
      media.on('state', () => this.#ownMedia.sendMediaState()),
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

  get mediaPaused(): boolean {
    return this.#mediaPaused;
  }

  /** Breakout rooms: stop sending and receiving this meeting's media (the connection and MLS group stay). */
  pauseMedia(): void {
    if (this.#mediaPaused) return;
    this.#mediaPaused = true;
    this.#media.pause();
  }

  /** Back from a breakout room: publish and subscribe in this meeting again. */
  resumeMedia(): void {
    if (!this.#mediaPaused) return;
    this.#mediaPaused = false;
    if (this.#connection.name !== 'joined') return;
    this.#media.resume();
    this.#ownMedia.sendMediaState();
    this.#media.remote.updateSubscription();
  }

  setMicEnabled(on: boolean): void {
    this.#ownMedia.setMicEnabled(on);
  }

  setCameraEnabled(on: boolean): Promise<void> {
    return this.options.localMedia.setCameraEnabled(on);
  }

  startScreenShare(): Promise<void> {
    return this.#media.publications.startScreenShare();
  }

  stopScreenShare(): void {
    this.#media.publications.stopScreenShare();
  }

  /** Sends a chat message sealed for the MLS group; it shows here at once (the server's echo is dropped). */
  sendChat(text: string, to?: string): Promise<void> {
    return this.#sealed.sendChat(text, to);
  }

  /** Raises our hand; it takes its place in everyone's queue at the time the server relays it. */
  raiseHand(): Promise<void> {
    return this.#sealed.raiseHand();
  }

  lowerHand(): Promise<void> {
    return this.#sealed.lowerHand();
  }

  /** Host or co-host: lowers someone else's hand (`null`: everyone's). Others accept it only from a host. */
  lowerHandsOf(participantId: string | null): Promise<void> {
    return this.#sealed.lowerHandsOf(participantId);
  }

  /** Sends a reaction to everyone; false when we sent too many just now (the same limit every receiver applies). */
  react(emoji: Reaction): Promise<boolean> {
    return this.#sealed.react(emoji);
  }

  /** Host: admits waiting people with the MLS commit that gives them the keys (host-admissions.ts). */
  admit(participantIds: readonly string[]): Promise<void> {
    return this.#admissions.admit(participantIds);
  }

  rename(name: string): Promise<unknown> {
    return this.signalling.request({ type: 'rename', name });
  }

  #input(input: ConnectionInput): boolean {
    const next = transition(this.#connection, input);
    if (!next) return false;
    this.#connection = next;
    this.emit('connection', next);
    return true;
  }

  async #sendJoin(): Promise<void> {
    const error = await requestJoin(this.signalling, this.#join!);
    if (!error) return;
    this.emit('join-error', error);
    this.#finish(joinFailureReason(error));
  }

  #onMessage(message: ServerMessage): void {
    // The E2EE session sees every message first-hand (it needs waiting, joined, waiting-room, mls-*, chat).
    this.#encryption?.handleServerMessage(message);
    switch (message.type) {
      case 'waiting':
        this.#input({ type: 'waiting', reason: message.reason });
        return;
      case 'joined':
        this.recording.handleJoined(message);
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
      case 'signal':
        this.#sealed.handleRelayed(message);
        return;
      case 'recording-state':
      case 'recording-ask':
      case 'recording-consent-needed':
      case 'recording-answer':
      case 'recording-outcome':
        this.recording.handleMessage(message);
        return;
      case 'publish-answer':
      case 'subscriber-offer':
      case 'subscriber-tracks':
      case 'speaking':
      case 'media-status':
      case 'send-layers':
      case 'ice-servers':
        this.#media.handleMessage(message);
        return;
      case 'chat': // sealed: shown once the E2EE layer opened and checked it (the encryption's `chat` event)
      case 'poll': // sealed: opened by the E2EE layer, judged by `polls`
      case 'mls-pending':
      case 'mls-commit':
      case 'mls-welcome':
      case 'mls-epoch-ready':
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
      this.#ownMedia.muteOnEntry();
      this.#media.start();
      // Senders are sealed from their first frame, which needs the E2EE session to know who we are.
      try {
        await this.#encryption?.whenParticipant(message.self.participantId);
      } catch {
        this.emit('notice', { kind: 'media-failed', source: 'camera' });
        return;
      }
      await this.#media.publications.publishCamera();
    } else {
      this.#media.recoverAfterResume();
    }
    this.#ownMedia.sendMediaState();
    this.#media.remote.updateSubscription();
  }

  #finish(reason: EndReason): void {
    if (!this.#input({ type: 'left', reason })) return;
    this.#cleanup();
  }

  #cleanup(): void {
    this.#media.dispose();
    this.#reconnection.cancel();
    this.#admissions.cancel();
    this.#media.close();
    this.breakout?.dispose();
    if (!this.options.breakoutRoom) this.options.localMedia.stop();
    for (const off of this.#unbind.splice(0)) off();
    this.signalling.close();
    this.#encryption?.close();
    this.signals.clear();
    this.recording.clear();
    this.polls.clear();
    this.#join = null;
    this.#resumeToken = null;
  }
}
