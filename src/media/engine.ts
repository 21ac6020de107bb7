/**
 * The narrow interface between Sabha's meetings and an SFU. Janus implements it
 * (src/media/janus/); tests use an in-memory fake. Nothing outside src/media/
 * may know which SFU is behind it.
 *
 * Lifecycle: an engine is `start()`ed once and `close()`d once. If the SFU dies,
 * the engine emits `down` (every room, publisher and subscriber of it is gone: the
 * owners learn it here first, then each child emits `hangup('media engine down')`),
 * brings the SFU back, and emits `up` when new rooms can be made again. The owners
 * recreate what they need (a meeting: its room; its clients publish and subscribe
 * again). When the outage policy (outage-policy.ts) gives up on the SFU, the engine
 * emits `failed` once for that outage: whatever depended on it should end. It still
 * tries to come back for later use, and emits `up` if it does.
 */
import type { EventEmitter } from 'node:events';

export type TrackKind = 'audio' | 'video';

export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null | undefined;
  sdpMLineIndex?: number | null | undefined;
}

/** A track of a publisher as the SFU numbered it in the publisher's SDP. */
export interface PublishedTrack {
  mid: string;
  kind: TrackKind;
}

/** A track of a subscriber peer connection and the publisher it comes from. */
export interface SubscriberTrack {
  mid: string;
  kind: TrackKind;
  publisherId: string;
}

/** A simulcast layer: 0 is the lowest resolution (about 180p), 2 the highest (about 720p). */
export type SimulcastLayer = 0 | 1 | 2;

/** One stream a subscriber wants: a publisher's audio, or its video at a simulcast layer. */
export interface WantedStream {
  publisherId: string;
  kind: TrackKind;
  /** Video only; a publisher that does not simulcast sends its one layer whatever is asked. */
  layer?: SimulcastLayer;
}

export interface MediaEngineEvents {
  /** The SFU is gone; every room, publisher and subscriber of it is closed (they hang up right after). */
  down: [reason: string];
  /** The SFU is back; new rooms may be created (the old ones are gone). */
  up: [];
  /** The SFU did not come back in time, or crashes too often (outage-policy.ts): give up on what used it. */
  failed: [reason: string];
}

export interface MediaEngine extends EventEmitter<MediaEngineEvents> {
  readonly state: 'new' | 'starting' | 'up' | 'down' | 'closed';
  start(): Promise<void>;
  /** Idempotent. Closes every room and stops the SFU process if the engine started it. */
  close(): Promise<void>;
  createRoom(options: { maxPublishers: number }): Promise<MediaRoom>;
}

export interface MediaRoom {
  readonly id: string;
  /**
   * Publishes an offer's tracks under `publisherId` (unique in the room, chosen by
   * the caller) and returns the SFU's answer. Screen share and camera are separate publishers.
   */
  publish(publisherId: string, offerSdp: string): Promise<{ publisher: MediaPublisher; answerSdp: string }>;
  /** A multistream subscriber: one peer connection that receives any number of publishers. */
  createSubscriber(): Promise<MediaSubscriber>;
  /** Idempotent; closes every publisher and subscriber of the room. */
  close(): Promise<void>;
}

export interface MediaPublisherEvents {
  /**
   * The SFU dropped the peer connection (ICE/DTLS failure or timeout). Also fired, with
   * the publisher then closed, when its room or the whole SFU went away.
   */
  hangup: [reason: string];
  /** The SFU's voice activity detection (RFC 6464 levels): the publisher started or stopped talking. */
  talking: [talking: boolean];
}

export interface MediaPublisher extends EventEmitter<MediaPublisherEvents> {
  readonly id: string;
  readonly tracks: readonly PublishedTrack[];
  trickle(candidate: IceCandidateInit | null): Promise<void>;
  /** Renegotiation or ICE restart: a new offer on the same publisher. */
  renegotiate(offerSdp: string): Promise<string>;
  /**
   * Whether the SFU forwards this publisher's audio/video to subscribers. The server
   * uses it to enforce a mute that the participant's own browser cannot undo.
   */
  setForwarding(kind: TrackKind, forward: boolean): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface MediaSubscriberEvents {
  /**
   * The SFU renegotiated on its own (a publisher it carried went away): the browser
   * must answer this offer with `answer()`.
   */
  offer: [update: { offerSdp: string; tracks: SubscriberTrack[] }];
  hangup: [reason: string];
}

export interface MediaSubscriber extends EventEmitter<MediaSubscriberEvents> {
  /**
   * Makes the subscription exactly `wanted` (in any order). The peer connection's m-lines are slots:
   * a slot whose stream is no longer wanted is re-pointed to a newly wanted stream of the same kind
   * without renegotiation, or paused when none is left; m-lines are added only when a kind has more
   * wanted streams than slots. `announce` gets the new track map before the SFU starts sending a
   * re-pointed slot's new stream, so the receiver expects the new sender first.
   *
   * Resolves to the SFU's new offer and the resulting track map when m-lines were added, or null
   * when no offer is due now: nothing was added, or the SFU is still waiting for the answer to its
   * previous offer and will send the combined one as an `offer` event. Waits (bounded) for a newly
   * wanted publisher's connection to the SFU to be up, since an SFU may refuse it before.
   */
  setStreams(
    wanted: readonly WantedStream[],
    announce: (tracks: SubscriberTrack[]) => void,
  ): Promise<{ offerSdp: string; tracks: SubscriberTrack[] } | null>;
  /** The browser's answer to the last offer. */
  answer(answerSdp: string): Promise<void>;
  trickle(candidate: IceCandidateInit | null): Promise<void>;
  /** Asks the SFU for an ICE-restart offer. */
  restartIce(): Promise<{ offerSdp: string; tracks: SubscriberTrack[] }>;
  /** Idempotent. */
  close(): Promise<void>;
}
