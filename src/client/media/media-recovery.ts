/**
 * What the client does when the media server (SFU) restarts under a meeting (`media-status` messages). The
 * meeting, its MLS group and its chat are untouched; only the media peer connections are redone.
 *
 * States and the inputs they accept:
 *   flowing       media as usual
 *                   `reconnecting` → drop every media peer connection (the SFU lost them)  → reconnecting
 *                   `restored` (its `reconnecting` was missed, e.g. during a socket drop)
 *                                  → drop, then publish and subscribe again               → restoring
 *   reconnecting  waiting for the SFU; local tracks are kept, nothing is asked of the server
 *                   `restored`     → publish and subscribe again on new peer connections    → restoring
 *                   `reconnecting` → nothing new                                            → reconnecting
 *   restoring     new connections are being made; checked every CHECK_INTERVAL_MS
 *                   media flows (every publisher connected, the subscriber connected and
 *                   receiving, when anything is to be received)                              → flowing
 *                   `reconnecting` → drop again                                              → reconnecting
 *                   `restored`     → drop, then publish and subscribe again                  → restoring
 * `dispose()` stops checking, from any state.
 *
 * Keys are not touched: the SFrame sender state and the MLS group live in the E2EE session, which attaches
 * itself to the new senders and receivers through the same transform hook as the first time.
 */
import type { ServerMessageOf } from '../../protocol/index.ts';
import { Emitter } from '../../events/emitter.ts';

export type MediaRecoveryState = 'flowing' | 'reconnecting' | 'restoring';

/** What recovery needs of the room; the Room provides it (tests fake it). */
export interface MediaRecoveryPort {
  /** Closes every media peer connection without telling the server (it lost them), keeping local tracks. */
  dropMedia(): void;
  /** Publishes every source again and subscribes again, on new peer connections. */
  restartMedia(): void;
  /** Whether media flows again. */
  mediaFlowing(): boolean;
}

export interface MediaRecoveryEvents {
  state: [state: MediaRecoveryState];
}

const CHECK_INTERVAL_MS = 250;

export class MediaRecovery extends Emitter<MediaRecoveryEvents> {
  #state: MediaRecoveryState = 'flowing';
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #port: MediaRecoveryPort;

  constructor(port: MediaRecoveryPort) {
    super();
    this.#port = port;
  }

  get state(): MediaRecoveryState {
    return this.#state;
  }

  handle(message: ServerMessageOf<'media-status'>): void {
    if (message.state === 'reconnecting') {
      if (this.#state === 'reconnecting') return;
      this.#stopChecking();
      this.#port.dropMedia();
      this.#set('reconnecting');
      return;
    }
    if (this.#state !== 'reconnecting') this.#port.dropMedia();
    this.#port.restartMedia();
    this.#set('restoring');
    this.#stopChecking();
    this.#timer = setInterval(() => {
      if (!this.#port.mediaFlowing()) return;
      this.#stopChecking();
      this.#set('flowing');
    }, CHECK_INTERVAL_MS);
  }

  dispose(): void {
    this.#stopChecking();
  }

  #set(state: MediaRecoveryState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #stopChecking(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
