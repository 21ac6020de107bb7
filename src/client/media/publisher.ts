/**
 * One publisher: the peer connection that sends one source to the SFU (the camera
 * publisher carries microphone and camera; the screen publisher carries the screen).
 *
 * Flow: offer → `publish {source, sdp}` → `publish-answer` (via `handleAnswer`, or as
 * the reply to the request). Local ICE candidates are held until the answer is in,
 * then trickled with `trickle {pc: source}` and a final null, so the server never
 * gets candidates for a publisher it has not created yet.
 *
 * Both transceivers of the camera publisher exist from the start even when a track
 * is missing, so turning the camera on later is a `replaceTrack`, not a renegotiation.
 */
import type { MediaSource } from '../../protocol/index.ts';
import { Emitter } from '../../events/emitter.ts';
import { candidateToWire, createPeerConnection, type IceServerList, type MediaKind, type SignalPort, type TransformHook } from './peer-connection.ts';
import { cameraEncodings, INITIAL_ACTIVE } from './simulcast.ts';
import { LayerSwitch } from './layer-switch.ts';
import { SignallingError } from '../signalling-client.ts';

export interface PublisherEvents {
  /** ICE/DTLS failed; the owner decides whether to publish again. */
  failed: [];
  'connection-state': [state: RTCPeerConnectionState];
}

export interface PublisherOptions {
  source: MediaSource;
  signal: SignalPort;
  selfId: string;
  transformHook: TransformHook;
  answerTimeoutMs?: number;
  /** The granted TURN relay, if any. */
  iceServers?: IceServerList;
}

export class Publisher extends Emitter<PublisherEvents> {
  readonly source: MediaSource;
  #pc: RTCPeerConnection | null = null;
  readonly #senders = new Map<MediaKind, RTCRtpSender>();
  #pendingAnswer: ((sdp: string) => void) | null = null;
  #heldCandidates: (RTCIceCandidate | null)[] | null = [];
  #endSent = false;
  #closed = false;
  /** Which camera layers (low, medium, high) somebody receives, as the server last said. */
  #activeLayers: readonly boolean[] = INITIAL_ACTIVE;
  /** Applies `#activeLayers` to the camera's video sender, one change at a time (layer-switch.ts). */
  #layerSwitch: LayerSwitch | null = null;

  constructor(readonly options: PublisherOptions) {
    super();
    this.source = options.source;
  }

  get peerConnection(): RTCPeerConnection | null {
    return this.#pc;
  }

  get published(): boolean {
    return this.#pc !== null && this.#pc.signalingState === 'stable' && !this.#closed;
  }

  async publish(tracks: Partial<Record<MediaKind, MediaStreamTrack | null>>): Promise<void> {
    if (this.#pc) throw new Error('already published');
    this.#closed = false;
    const pc = createPeerConnection(this.options.iceServers);
    this.#pc = pc;
    this.#heldCandidates = [];
    this.#endSent = false;
    const kinds: MediaKind[] = this.source === 'camera' ? ['audio', 'video'] : ['video'];
    const stream = new MediaStream();
    for (const kind of kinds) {
      const track = tracks[kind] ?? null;
      if (track) stream.addTrack(track);
      // The camera sends three simulcast layers; a screen share one sharp layer.
      const simulcast = this.source === 'camera' && kind === 'video';
      const transceiver = pc.addTransceiver(track ?? kind, {
        direction: 'sendonly',
        streams: [stream],
        ...(simulcast ? { sendEncodings: cameraEncodings(this.#activeLayers) } : {}),
      });
      this.#senders.set(kind, transceiver.sender);
      if (simulcast) this.#layerSwitch = new LayerSwitch(transceiver.sender);
      this.options.transformHook(transceiver.sender, kind, this.options.selfId, this.source);
    }
    pc.onicecandidate = (event) => this.#onLocalCandidate(event.candidate);
    pc.onconnectionstatechange = () => {
      this.emit('connection-state', pc.connectionState);
      if (pc.connectionState === 'failed' && this.#pc === pc) this.emit('failed');
    };

    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answerSdp = await this.#exchange(offer.sdp ?? '');
    if (this.#pc !== pc) throw new Error('publisher closed');
    await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    const held = this.#heldCandidates ?? [];
    this.#heldCandidates = null;
    for (const candidate of held) this.#sendCandidate(candidate);
  }

  /** The SFU's answer, however it arrived. */
  handleAnswer(sdp: string): void {
    this.#pendingAnswer?.(sdp);
  }

  async replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    const sender = this.#senders.get(kind);
    if (sender && sender.track !== track) await sender.replaceTrack(track);
  }

  /**
   * The server says which simulcast layers anybody receives (`send-layers`): the others are not encoded.
   * Remembered, so a publisher made again later starts with them.
   */
  async setActiveLayers(active: readonly boolean[]): Promise<void> {
    this.#activeLayers = [...active];
    await this.#layerSwitch?.set(this.#activeLayers);
  }

  /** Tells the server and closes the peer connection. Safe to call twice. */
  unpublish(): void {
    if (!this.#pc) return;
    try {
      this.options.signal.send({ type: 'unpublish', source: this.source });
    } catch {
      // Not connected: the server drops the publisher with the participant anyway.
    }
    this.close();
  }

  /** Closes locally without telling the server (the server already knows, or is gone). */
  close(): void {
    this.#closed = true;
    this.#pendingAnswer = null;
    this.#senders.clear();
    this.#layerSwitch?.close();
    this.#layerSwitch = null;
    const pc = this.#pc;
    this.#pc = null;
    if (pc) {
      pc.onicecandidate = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
  }

  #exchange(sdp: string): Promise<string> {
    const timeoutMs = this.options.answerTimeoutMs ?? 20_000;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pendingAnswer = null;
        // A `timeout` like the signalling client's own, so the owner knows asking again may work.
        reject(new SignallingError('timeout', 'no publish answer'));
      }, timeoutMs);
      this.#pendingAnswer = (answer) => {
        clearTimeout(timer);
        this.#pendingAnswer = null;
        resolve(answer);
      };
      this.options.signal.request({ type: 'publish', source: this.source, sdp }).then(
        (reply) => {
          if (reply.type === 'publish-answer' && reply.source === this.source) this.handleAnswer(reply.sdp);
        },
        (err: unknown) => {
          clearTimeout(timer);
          this.#pendingAnswer = null;
          reject(err);
        },
      );
    });
  }

  #onLocalCandidate(candidate: RTCIceCandidate | null): void {
    if (this.#heldCandidates) this.#heldCandidates.push(candidate);
    else this.#sendCandidate(candidate);
  }

  #sendCandidate(candidate: RTCIceCandidate | null): void {
    const wire = candidateToWire(candidate);
    if (!wire) {
      if (this.#endSent) return;
      this.#endSent = true;
    }
    try {
      this.options.signal.send({ type: 'trickle', pc: this.source, candidate: wire });
    } catch {
      // The socket is down; on resume ICE either survived or the publisher is redone.
    }
  }
}
