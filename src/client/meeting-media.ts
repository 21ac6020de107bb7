/**
 * The meeting's media as one unit the Room drives: what we send (LocalPublications), what we receive
 * (RemoteMedia), who speaks (ActiveSpeakerDetector), the TURN relay every peer connection uses, and keeping
 * the peer connections up after a resume and when the SFU restarts under the meeting (MediaRecovery). The
 * server's media messages arrive through `handleMessage`; the Room listens to the parts' events itself.
 *
 * Lifecycle: created with the Room; `start()` once first joined; `dispose()` then `close()` when the meeting
 * is over for us (in the Room's cleanup order).
 */
import type { ServerMessageOf } from '../protocol/index.ts';
import type { LocalMedia } from './media/local-media.ts';
import { ActiveSpeakerDetector } from './media/active-speaker.ts';
import { MediaRecovery } from './media/media-recovery.ts';
import type { IceServerList, SignalPort, TransformHook } from './media/peer-connection.ts';
import type { SpeakerHistory } from './media/speakers.ts';
import { LocalPublications } from './local-publications.ts';
import { RemoteMedia } from './remote-media.ts';
import type { RoomState } from './room-state.ts';

export interface MeetingMediaOptions {
  signal: SignalPort;
  /** Attaches every sender and receiver to the E2EE layer (fails closed: room-encryption.ts). */
  transformHook: TransformHook;
  iceServers: IceServerList;
  localMedia: LocalMedia;
  state: RoomState;
  speakers: SpeakerHistory;
  /** Whether we are in the meeting: nothing is asked of the server otherwise. */
  joined: () => boolean;
}

export type PeerConnectionName = 'camera' | 'screen' | 'subscriber';

/** The server messages about media, which the Room hands to `handleMessage`. */
export type MediaMessage = ServerMessageOf<'publish-answer' | 'subscriber-offer' | 'subscriber-tracks' | 'speaking' | 'media-status' | 'send-layers' | 'ice-servers'>;

export class MeetingMedia {
  readonly publications: LocalPublications;
  readonly remote: RemoteMedia;
  readonly activeSpeaker: ActiveSpeakerDetector;
  /** Redoes the media connections when the SFU restarts under the meeting. */
  readonly recovery: MediaRecovery;
  readonly #speakers: SpeakerHistory;
  readonly #iceServers: IceServerList;
  #paused = false;

  constructor(options: MeetingMediaOptions) {
    const { signal, transformHook, iceServers, localMedia, state, speakers, joined } = options;
    this.#speakers = speakers;
    this.#iceServers = iceServers;
    this.remote = new RemoteMedia({ signal, transformHook, iceServers, state, speakers, joined });
    this.publications = new LocalPublications({ signal, transformHook, iceServers, localMedia, selfId: () => state.selfId, joined });
    const subscriber = this.remote.subscriber;
    this.recovery = new MediaRecovery({
      dropMedia: () => {
        this.publications.suspend();
        subscriber.suspend();
      },
      restartMedia: () => {
        // In a breakout room this meeting's media stays paused: `resume` brings it back on the restored SFU.
        if (this.#paused) return;
        this.publications.republishAll();
        subscriber.reconnect();
      },
      mediaFlowing: () => this.#paused || (this.publications.allConnected() && this.remote.flowing()),
    });
    this.activeSpeaker = new ActiveSpeakerDetector({
      remoteAudio: () => this.remote.remoteAudio(),
      localAudio: () => {
        const sender = this.publications.localAudioSender();
        return sender && state.selfId ? { participantId: state.selfId, sender } : null;
      },
    });
  }

  handleMessage(message: MediaMessage): void {
    switch (message.type) {
      case 'publish-answer':
        this.publications.handleAnswer(message);
        return;
      case 'subscriber-offer':
        this.remote.handleOffer(message);
        return;
      case 'subscriber-tracks':
        this.remote.handleTracks(message);
        return;
      case 'speaking':
        this.#speakers.handleSpeaking(message.participantId, message.speaking);
        return;
      case 'media-status':
        this.recovery.handle(message);
        return;
      case 'send-layers':
        this.publications.handleSendLayers(message);
        return;
      case 'ice-servers':
        // The TURN relay for browsers whose network blocks UDP; renewed before it expires while we stay.
        this.#iceServers.set(message.iceServers);
        return;
    }
  }

  /** The peer connections, for statistics (the debug hook and tests read counters from them). */
  peerConnections(): { name: PeerConnectionName; pc: RTCPeerConnection }[] {
    const out: { name: PeerConnectionName; pc: RTCPeerConnection }[] = this.publications.peerConnections();
    const subscriber = this.remote.subscriber.peerConnection;
    if (subscriber) out.push({ name: 'subscriber', pc: subscriber });
    return out;
  }

  /** First joined: levels and receive statistics are sampled from now on. */
  start(): void {
    this.activeSpeaker.start();
    this.remote.startReceiveStats();
  }

  /**
   * After a resume the server still has our publishers and subscriber, but the network may have broken them
   * while we were away; the broken ones start again (one that fails later restarts through its own 'failed'
   * event, with signalling back). During an SFU restart the media recovery owns the peer connections
   * instead: its `restored` redoes them all.
   */
  recoverAfterResume(): void {
    if (this.recovery.state !== 'flowing') return;
    this.remote.recoverAfterResume();
    this.publications.recoverAfterResume();
  }

  /**
   * Breakout rooms (src/client/breakout/): nothing of this meeting is sent or received while we are in a room;
   * the signalling connection and the MLS membership stay. The caller stops asking the server meanwhile
   * (its `joined` says no), then calls `resume` to publish and subscribe again.
   */
  pause(): void {
    this.#paused = true;
    this.publications.withdraw();
    this.remote.subscriber.suspend();
  }

  resume(): void {
    this.#paused = false;
    this.publications.republishAll();
    this.remote.subscriber.reconnect();
  }

  /** Stops waiting for an SFU restart to finish. */
  dispose(): void {
    this.recovery.dispose();
  }

  /** Closes every connection and stops the screen capture; the local camera and microphone are the Room's. */
  close(): void {
    this.activeSpeaker.stop();
    this.#speakers.clear();
    this.remote.stopReceiveStats();
    this.publications.close();
    this.remote.close();
    this.publications.releaseScreenTrack();
  }
}
