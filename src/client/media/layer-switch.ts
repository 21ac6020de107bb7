/**
 * Turns the camera's simulcast layers on and off as the server says (`send-layers`): one parameter change at
 * a time, always towards the latest wish, and a rejected change tried again.
 *
 * Why not getParameters/setParameters on each message: Chromium keeps one "last returned" transaction per
 * sender, and a change clears it when it completes, after the encoder has been reconfigured on another
 * thread. A second change whose getParameters() came before that moment is rejected (InvalidStateError,
 * "getParameters() has never been called"). Two `send-layers` close together are ordinary: a host reloads,
 * nobody watches a camera for a moment (all layers off), then the host's new connection watches it again
 * (on). The second change was rejected now and then, the rejection was swallowed, and the camera encoded
 * nothing for the rest of the meeting although the host asked for it. Measured on Chromium 156: about 2 in
 * 100 such pairs were rejected, more on a loaded machine.
 *
 * Inputs: `set(active)` (low, medium, high), `close()`. The sender's own parameters are read before each
 * change, so a change made behind our back, or one that failed, is seen as it is.
 */
import { CAMERA_LAYERS, qualityIndex } from './simulcast.ts';

/** The part of an RTCRtpSender this needs. */
export interface ParameterSender {
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
}

export interface LayerSwitchOptions {
  /** A rejected change is tried again after this long (the change before it has completed by then). */
  retryDelayMs?: number;
  /** Rejections in a row after which the switch gives up until the next `set`. */
  maxAttempts?: number;
}

export const LAYER_RETRY_DELAY_MS = 100;
export const LAYER_MAX_ATTEMPTS = 5;

export class LayerSwitch {
  readonly #sender: ParameterSender;
  readonly #retryDelayMs: number;
  readonly #maxAttempts: number;
  #wanted: readonly boolean[] = [];
  /** Whether a change loop runs; cleared in the same step as its last look at `#wanted`. */
  #busy = false;
  #done: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(sender: ParameterSender, options: LayerSwitchOptions = {}) {
    this.#sender = sender;
    this.#retryDelayMs = options.retryDelayMs ?? LAYER_RETRY_DELAY_MS;
    this.#maxAttempts = options.maxAttempts ?? LAYER_MAX_ATTEMPTS;
  }

  /**
   * Wants these layers active (low, medium, high; a rid not listed stays active). Resolves once the sender
   * has them, or a later `set` has taken over; rejects only if the sender refused them `maxAttempts` times.
   */
  set(active: readonly boolean[]): Promise<void> {
    this.#wanted = [...active];
    if (this.#closed) return Promise.resolve();
    if (!this.#busy) {
      this.#busy = true;
      this.#done = this.#run();
    }
    return this.#done;
  }

  /** The sender is gone: no more changes. */
  close(): void {
    this.#closed = true;
  }

  async #run(): Promise<void> {
    let failures = 0;
    try {
      for (;;) {
        if (this.#closed) return;
        const parameters = this.#sender.getParameters();
        if (!applyLayers(parameters, this.#wanted)) return;
        try {
          await this.#sender.setParameters(parameters);
          failures = 0;
        } catch (error) {
          if (++failures >= this.#maxAttempts) throw error;
          await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs));
        }
      }
    } finally {
      // No await between the last look at #wanted and this: a `set` after it starts a new loop.
      this.#busy = false;
    }
  }
}

/** Sets each encoding's `active` from `active` (low, medium, high); returns whether anything changed. */
export function applyLayers(parameters: RTCRtpSendParameters, active: readonly boolean[]): boolean {
  if (!parameters.encodings || parameters.encodings.length < 2) return false;
  let changed = false;
  for (const encoding of parameters.encodings) {
    const layer = CAMERA_LAYERS.find((l) => l.rid === encoding.rid);
    const want = layer ? (active[qualityIndex(layer.quality)] ?? false) : true;
    if (encoding.active !== want) {
      encoding.active = want;
      changed = true;
    }
  }
  return changed;
}
