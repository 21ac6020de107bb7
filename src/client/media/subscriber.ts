/**
 * The single multistream peer connection that receives everything from the SFU.
 *
 * The client states the full set of publications it wants (`setDesired` → `subscribe`);
 * the SFU answers, now or whenever it likes (renegotiation), with `subscriber-offer`,
 * whose `tracks` say what each m-line (mid) carries. Offers are handled strictly one
 * after another, because two overlapping setRemoteDescription/answer rounds would
 * corrupt the negotiation. After each round the full list of live remote tracks is
 * emitted, so listeners reconcile with a snapshot rather than follow deltas.
 */
import type { ServerMessageOf, SubscribedTrack, MediaSource } from '../../protocol/index.ts';
import { Emitter } from '../events.ts';
import { candidateToWire, createPeerConnection, type MediaKind, type SignalPort, type TransformHook } from './peer-connection.ts';

const MAX_SUBSCRIBE_RETRIES = 6;

export interface RemoteTrack {
  mid: string;
  kind: MediaKind;
  participantId: string;
  publicationId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  receiver: RTCRtpReceiver;
}

export interface SubscriberEvents {
  [event: string]: unknown[];
  tracks: [tracks: readonly RemoteTrack[]];
  'connection-state': [state: RTCPeerConnectionState];
  'negotiation-error': [error: unknown];
}

export interface SubscriberOptions {
  signal: SignalPort;
  transformHook: TransformHook;
}

export class Subscriber extends Emitter<SubscriberEvents> {
  #pc: RTCPeerConnection | null = null;
  /** What each mid carries according to the latest offer. */
  #byMid = new Map<string, SubscribedTrack>();
  /** Participant each receiver was last handed to the transform hook for. */
  readonly #hooked = new WeakMap<RTCRtpReceiver, string>();
  #queue: Promise<void> = Promise.resolve();
  #lastRequested: string | null = null;
  #heldCandidates: (RTCIceCandidate | null)[] | null = [];
  #restartPending = false;
  #closed = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly options: SubscriberOptions) {
    super();
  }

  get peerConnection(): RTCPeerConnection | null {
    return this.#pc;
  }

  /** The mid → publication map of the latest offer (the active-speaker detector reads it). */
  trackForMid(mid: string | null): SubscribedTrack | undefined {
    return mid === null ? undefined : this.#byMid.get(mid);
  }

  /**
   * Asks for exactly these publications; sends nothing if the set did not change.
   * A refusal by the media server (a publication announced a moment before the SFU
   * can serve it, or an SFU restart) is retried with backoff while the set stays the same.
   */
  setDesired(publicationIds: readonly string[], force = false): void {
    const sorted = [...new Set(publicationIds)].sort();
    const key = sorted.join(',');
    if (!force && key === (this.#lastRequested ?? '')) return;
    this.#lastRequested = key;
    clearTimeout(this.#retryTimer);
    this.#request(sorted, key, 0);
  }

  #request(sorted: string[], key: string, attempt: number): void {
    this.options.signal.request({ type: 'subscribe', publicationIds: sorted }).catch((err: unknown) => {
      if (this.#closed || this.#lastRequested !== key) return;
      const code = (err as { code?: string }).code;
      if ((code === 'media-error' || code === 'unavailable' || code === 'timeout') && attempt < MAX_SUBSCRIBE_RETRIES) {
        this.#retryTimer = setTimeout(() => {
          if (this.#lastRequested === key && !this.#closed) this.#request(sorted, key, attempt + 1);
        }, Math.min(4000, 250 * 2 ** attempt));
        return;
      }
      // Let the next change (or a resume) send it again.
      this.#lastRequested = null;
      this.emit('negotiation-error', err);
    });
  }

  handleOffer(message: ServerMessageOf<'subscriber-offer'>): Promise<void> {
    const run = this.#queue.then(() => this.#negotiate(message));
    this.#queue = run.catch((err: unknown) => this.emit('negotiation-error', err));
    return run;
  }

  /** ICE failed: ask the server for an offer with fresh ICE credentials. */
  restart(): void {
    if (this.#restartPending || this.#closed) return;
    this.#restartPending = true;
    this.options.signal.request({ type: 'restart-subscriber' }).catch((err: unknown) => {
      this.#restartPending = false;
      this.emit('negotiation-error', err);
    });
  }

  /** After a resume the server may have forgotten what we asked for: ask again. */
  resync(): void {
    const last = this.#lastRequested;
    this.#lastRequested = null;
    if (last !== null) this.setDesired(last === '' ? [] : last.split(','), true);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#pc?.close();
    this.#pc = null;
    this.#byMid.clear();
    this.emit('tracks', []);
  }

  currentTracks(): RemoteTrack[] {
    const pc = this.#pc;
    if (!pc) return [];
    const out: RemoteTrack[] = [];
    for (const transceiver of pc.getTransceivers()) {
      const info = this.trackForMid(transceiver.mid);
      if (!info || transceiver.currentDirection === 'inactive' || transceiver.currentDirection === 'stopped') continue;
      const track = transceiver.receiver.track;
      if (track.kind !== info.kind) continue;
      out.push({ ...info, track, receiver: transceiver.receiver });
    }
    return out;
  }

  #ensurePc(): RTCPeerConnection {
    if (this.#pc) return this.#pc;
    const pc = createPeerConnection();
    this.#pc = pc;
    pc.onicecandidate = (event) => {
      if (this.#heldCandidates) this.#heldCandidates.push(event.candidate);
      else this.#sendCandidate(event.candidate);
    };
    pc.onconnectionstatechange = () => {
      this.emit('connection-state', pc.connectionState);
      if (pc.connectionState === 'failed') this.restart();
    };
    pc.ontrack = (event) => this.#hook(event.transceiver);
    return pc;
  }

  async #negotiate(message: ServerMessageOf<'subscriber-offer'>): Promise<void> {
    if (this.#closed) return;
    const pc = this.#ensurePc();
    // The map must be in place before setRemoteDescription, which fires ontrack.
    this.#byMid = new Map(message.tracks.map((t) => [t.mid, t]));
    this.#heldCandidates ??= [];
    await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.options.signal.send({ type: 'subscriber-answer', sdp: answer.sdp ?? '' });
    this.#restartPending = false;
    const held = this.#heldCandidates;
    this.#heldCandidates = null;
    for (const candidate of held) this.#sendCandidate(candidate);
    for (const transceiver of pc.getTransceivers()) this.#hook(transceiver);
    this.emit('tracks', this.currentTracks());
  }

  #hook(transceiver: RTCRtpTransceiver): void {
    const info = this.trackForMid(transceiver.mid);
    if (!info) return;
    if (this.#hooked.get(transceiver.receiver) === info.participantId) return;
    this.#hooked.set(transceiver.receiver, info.participantId);
    this.options.transformHook(transceiver.receiver, info.kind, info.participantId, info.source);
  }

  #sendCandidate(candidate: RTCIceCandidate | null): void {
    try {
      this.options.signal.send({ type: 'trickle', pc: 'subscriber', candidate: candidateToWire(candidate) });
    } catch {
      // Socket down; a resume or restart sorts ICE out.
    }
  }
}
