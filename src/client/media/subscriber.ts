/**
 * The single multistream peer connection that receives from the SFU.
 *
 * The client states the whole subscription it wants (`setDesired` → `subscribe`: videos with a
 * quality each, and microphones); the SFU re-points existing m-lines (slots) without renegotiation
 * and says so with `subscriber-tracks`, or adds m-lines with a `subscriber-offer`, whose `tracks`
 * say what each mid carries. Offers are handled strictly one after another, because two overlapping
 * setRemoteDescription/answer rounds would corrupt the negotiation. After each change the full list
 * of live remote tracks is emitted, so listeners reconcile with a snapshot rather than follow deltas.
 *
 * At most one `subscribe` is in flight; changes made meanwhile are sent together when it returns,
 * at most every MIN_REQUEST_INTERVAL_MS (a page flip and a speaker change in the same moment are one
 * request, and the server's rate limit is never reached by a user scrolling).
 */
import type { ServerMessageOf, SubscribedTrack, MediaSource, VideoQuality } from '../../protocol/index.ts';
import { Emitter } from '../../events/emitter.ts';
import { SerialQueue } from '../../events/serial-queue.ts';
import { candidateToWire, createPeerConnection, type IceServerList, type MediaKind, type SignalPort, type TransformHook } from './peer-connection.ts';
import { mediaRequestPolicy, type ReconnectPolicy } from '../reconnect-policy.ts';
import { isRetryableMediaFailure, mediaAttemptResult } from './media-request-retry.ts';

const MAX_SUBSCRIBE_RETRIES = 6;
const MIN_REQUEST_INTERVAL_MS = 150;

/** The whole subscription a client wants. */
export interface SubscriptionRequest {
  video: readonly { publicationId: string; quality: VideoQuality }[];
  audio: readonly string[];
}

const EMPTY: SubscriptionRequest = { video: [], audio: [] };

function canonical(request: SubscriptionRequest): { request: SubscriptionRequest; key: string } {
  const video = [...new Map(request.video.map((v) => [v.publicationId, v])).values()].sort((a, b) => (a.publicationId < b.publicationId ? -1 : 1));
  const audio = [...new Set(request.audio)].sort();
  const sorted = { video, audio };
  return { request: sorted, key: JSON.stringify(sorted) };
}

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
  tracks: [tracks: readonly RemoteTrack[]];
  'connection-state': [state: RTCPeerConnectionState];
  'negotiation-error': [error: unknown];
}

export interface SubscriberOptions {
  signal: SignalPort;
  transformHook: TransformHook;
  /** The granted TURN relay, if any. */
  iceServers?: IceServerList;
  /** When to ask again for a restart whose reply never came or was refused for now (default: mediaRequestPolicy). */
  retryPolicy?: () => ReconnectPolicy;
}

export class Subscriber extends Emitter<SubscriberEvents> {
  #pc: RTCPeerConnection | null = null;
  /** What each mid carries according to the latest offer. */
  #byMid = new Map<string, SubscribedTrack>();
  /** Participant each receiver was last handed to the transform hook for. */
  readonly #hooked = new WeakMap<RTCRtpReceiver, string>();
  /** Offers and track maps, handled one after another in arrival order. */
  readonly #queue = new SerialQueue();
  /** What we want now, and what the server last accepted (null: unknown, send again). */
  #desired = canonical(EMPTY);
  #accepted: string | null = null;
  #inFlight = false;
  #lastSentAt = 0;
  #attempt = 0;
  #heldCandidates: (RTCIceCandidate | null)[] | null = [];
  #restartPending = false;
  /** Ends the retries of a `restart-subscriber` that timed out: aborted once an offer came, or on suspend and close. */
  #restartRetry: AbortController | null = null;
  #closed = false;
  /** The SFU restarted and is not back yet: nothing is asked of the server (media-recovery.ts). */
  #suspended = false;
  /** Counts connections dropped for an SFU restart: offers and replies from before one are stale. */
  #connectionGeneration = 0;
  /**
   * A connection was dropped while a `subscribe` or an offer was under way: the server may already hold a
   * subscriber for us whose offer went to the dropped connection, so an unchanged `subscribe` brings no new
   * offer. If none comes, ask for a fresh one (`restart-subscriber`).
   */
  #offerMayBeLost = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

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
   * Asks for exactly this subscription; sends nothing if it did not change. A refusal by the media
   * server (a publication announced a moment before the SFU can serve it, or an SFU restart) is
   * retried with backoff while the wish stays the same.
   */
  setDesired(request: SubscriptionRequest): void {
    const next = canonical(request);
    if (next.key === this.#desired.key) return;
    this.#desired = next;
    this.#attempt = 0;
    this.#schedule(0);
  }

  /**
   * A publication went away: the SFU dropped it from our subscription by itself. If it comes back under the
   * same id (a republished camera) before our next request, the wish looks unchanged, yet the SFU no longer
   * carries it: so what was accepted is no longer known to hold.
   */
  publicationGone(publicationId: string): void {
    const accepted = this.#accepted;
    if (accepted === null || !accepted.includes(JSON.stringify(publicationId))) return;
    this.#accepted = null;
    this.#schedule(0);
  }

  /** After a resume the server may have forgotten what we asked for: ask again. */
  resync(): void {
    this.#accepted = null;
    this.#attempt = 0;
    this.#schedule(0);
  }

  /**
   * The SFU went down with our connection: close it (the tracks go with it) and ask for nothing until
   * `reconnect()`. Offers already queued from before are dropped.
   */
  suspend(): void {
    if (this.#inFlight || this.#queue.pending > 0) this.#offerMayBeLost = true;
    this.#suspended = true;
    this.#connectionGeneration++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pc = this.#pc;
    this.#pc = null;
    if (pc) {
      pc.onicecandidate = null;
      pc.onconnectionstatechange = null;
      pc.ontrack = null;
      pc.close();
    }
    this.#byMid.clear();
    this.#heldCandidates = [];
    this.#restartPending = false;
    this.#cancelRestartRetry();
    this.emit('tracks', []);
  }

  /** The SFU is back: the whole subscription is asked again; its first offer makes a new connection. */
  reconnect(): void {
    if (this.#pc) this.suspend();
    this.#suspended = false;
    this.resync();
  }

  /** Whether anything is to be received at all. */
  get wantsMedia(): boolean {
    const { video, audio } = this.#desired.request;
    return video.length + audio.length > 0;
  }

  #schedule(delayMs: number): void {
    if (this.#closed || this.#suspended || this.#inFlight || this.#timer !== undefined) return;
    if (this.#accepted === this.#desired.key) return;
    const wait = Math.max(delayMs, this.#lastSentAt + MIN_REQUEST_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, Math.max(0, wait));
  }

  #send(): void {
    if (this.#closed || this.#accepted === this.#desired.key) return;
    const { request, key } = this.#desired;
    const generation = this.#connectionGeneration;
    this.#inFlight = true;
    this.#lastSentAt = Date.now();
    this.options.signal.request({ type: 'subscribe', video: [...request.video], audio: [...request.audio] }).then(
      () => {
        this.#inFlight = false;
        // Accepted by an SFU that has restarted since: it holds no more.
        if (generation === this.#connectionGeneration) this.#accepted = key;
        if (generation === this.#connectionGeneration && this.#offerMayBeLost && !this.#pc) {
          this.#offerMayBeLost = false;
          this.restart();
        }
        this.#attempt = 0;
        this.#schedule(0);
      },
      (err: unknown) => {
        this.#inFlight = false;
        if (this.#closed) return;
        const code = (err as { code?: string }).code;
        const retriable = code === 'media-error' || code === 'unavailable' || code === 'timeout' || code === 'not-found';
        if (key !== this.#desired.key) {
          this.#schedule(0); // the wish changed meanwhile: send the new one
        } else if (retriable && this.#attempt < MAX_SUBSCRIBE_RETRIES) {
          this.#schedule(Math.min(4000, 250 * 2 ** this.#attempt++));
        } else {
          // Let the next change (or a resume) send it again.
          this.emit('negotiation-error', err);
        }
      },
    );
  }

  /**
   * Slots were re-pointed without a new offer: follow the new map. Queued behind offers being
   * handled, since the server sent it after them.
   */
  handleTracks(message: ServerMessageOf<'subscriber-tracks'>): Promise<void> {
    const run = this.#queue.run(() => {
      if (this.#closed) return;
      this.#byMid = new Map(message.tracks.map((t) => [t.mid, t]));
      const pc = this.#pc;
      if (!pc) return;
      for (const transceiver of pc.getTransceivers()) this.#hook(transceiver);
      this.emit('tracks', this.currentTracks());
    });
    run.catch((err: unknown) => this.emit('negotiation-error', err));
    return run;
  }

  handleOffer(message: ServerMessageOf<'subscriber-offer'>): Promise<void> {
    const generation = this.#connectionGeneration;
    const run = this.#queue.run(() => (generation === this.#connectionGeneration ? this.#negotiate(message) : undefined));
    run.catch((err: unknown) => this.emit('negotiation-error', err));
    return run;
  }

  /**
   * ICE failed: ask the server for an offer with fresh ICE credentials. The socket may stay up while the
   * request or its reply is lost (no resume then comes to help): after a `timeout` or a refusal for now it is
   * asked again on the retry policy's schedule, until an offer arrives. A second request is harmless:
   * the server restarts ICE on the same subscriber again and sends one more offer.
   */
  restart(): void {
    if (this.#restartPending || this.#closed) return;
    this.#restartPending = true;
    this.#cancelRestartRetry();
    const controller = new AbortController();
    this.#restartRetry = controller;
    void this.#requestRestart().then(async (first) => {
      if (first === null || controller.signal.aborted) return;
      let last = first;
      if (isRetryableMediaFailure(first)) {
        const policy = (this.options.retryPolicy ?? mediaRequestPolicy)();
        const outcome = await policy.run(async () => {
          const err = await this.#requestRestart();
          if (err === null) return 'done';
          last = err;
          return mediaAttemptResult(err);
        }, controller.signal);
        if (outcome === 'done' || outcome === 'aborted') return;
      }
      if (this.#restartRetry !== controller) return;
      this.#restartRetry = null;
      this.#restartPending = false;
      this.emit('negotiation-error', last);
    });
  }

  /** One `restart-subscriber`: null when the server took it, else why not. */
  #requestRestart(): Promise<unknown> {
    return this.options.signal.request({ type: 'restart-subscriber' }).then(
      () => null,
      (err: unknown) => err ?? new Error('restart failed'),
    );
  }

  #cancelRestartRetry(): void {
    this.#restartRetry?.abort();
    this.#restartRetry = null;
  }

  close(): void {
    this.#closed = true;
    this.#cancelRestartRetry();
    clearTimeout(this.#timer);
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
    const pc = createPeerConnection(this.options.iceServers);
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
    this.#offerMayBeLost = false;
    // The map must be in place before setRemoteDescription, which fires ontrack.
    this.#byMid = new Map(message.tracks.map((t) => [t.mid, t]));
    this.#heldCandidates ??= [];
    await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.options.signal.send({ type: 'subscriber-answer', sdp: answer.sdp ?? '' });
    this.#restartPending = false;
    this.#cancelRestartRetry(); // the offer came: a restart request still being retried is no longer needed
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
