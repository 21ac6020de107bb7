/**
 * When to try the signalling connection again after it dropped, and when to stop trying.
 *
 * A policy is a schedule: attempt n (0-based) starts after a delay that doubles from `firstDelayMs` up to
 * `maxDelayMs`, each spread by ±`jitter` so that the clients of a restarted server do not all come back in
 * the same instant. It ends when an attempt succeeds or says stop, after `maxAttempts`, at the give-up
 * deadline (`giveUpAfterMs` after the drop; the last wait is shortened so that one attempt is made right at
 * it), or at once when the AbortSignal fires: leaving the meeting cancels a pending retry without waiting
 * for its timer.
 *
 * Time comes from an injected clock, so tests run the schedule on a fake one.
 */

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * How long the server keeps a dropped participant's place (`limits.resumeGraceSeconds`, default 30 s;
 * docs/protocol.md section 3.4). Resuming later is refused, so trying longer is pointless. A unit test keeps
 * this equal to the server's default.
 */
export const SERVER_RESUME_GRACE_MS = 30_000;

export interface ReconnectPolicyOptions {
  /** Delay before the first attempt; doubles after each failure. Default 500 ms. */
  firstDelayMs?: number;
  /** Longest delay between attempts. Default 8 s. */
  maxDelayMs?: number;
  /** Each delay is multiplied by a factor in [1 - jitter, 1 + jitter). Default 0.25. */
  jitter?: number;
  /** No attempt starts later than this after the schedule began. Default: none. */
  giveUpAfterMs?: number;
  /** At most this many attempts. Default: no limit. */
  maxAttempts?: number;
  random?: () => number;
  clock?: Clock;
}

/** What one attempt reports: it worked, it may work later, or trying again is pointless. */
export type AttemptResult = 'done' | 'retry' | 'stop';
/** How a schedule ended. */
export type RetryOutcome = 'done' | 'stopped' | 'gave-up' | 'aborted';

export class ReconnectPolicy {
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #jitter: number;
  readonly #giveUpAfterMs: number;
  readonly #maxAttempts: number;
  readonly #random: () => number;
  readonly #clock: Clock;

  constructor(options: ReconnectPolicyOptions = {}) {
    this.#firstDelayMs = options.firstDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 8_000;
    this.#jitter = options.jitter ?? 0.25;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? Infinity;
    this.#maxAttempts = options.maxAttempts ?? Infinity;
    this.#random = options.random ?? Math.random;
    this.#clock = options.clock ?? systemClock;
    if (!(this.#firstDelayMs >= 0 && this.#maxDelayMs >= this.#firstDelayMs)) throw new TypeError('delays must satisfy 0 <= firstDelayMs <= maxDelayMs');
    if (!(this.#jitter >= 0 && this.#jitter < 1)) throw new TypeError('jitter must be in [0, 1)');
    if (!(this.#giveUpAfterMs >= 0) || !(this.#maxAttempts >= 1)) throw new TypeError('giveUpAfterMs must be >= 0 and maxAttempts >= 1');
  }

  /** The delay before attempt `attempt` (0-based), jitter included. */
  delayMs(attempt: number): number {
    const base = Math.min(this.#maxDelayMs, this.#firstDelayMs * 2 ** attempt);
    return Math.round(base * (1 - this.#jitter + this.#random() * 2 * this.#jitter));
  }

  /**
   * Runs `attempt` on this schedule until it reports 'done' or 'stop', the attempts or the time run out, or
   * `signal` aborts. An attempt in progress is not interrupted (the caller's abort should also end what it
   * awaits, e.g. by closing the socket); its result is ignored once the signal has fired.
   */
  async run(attempt: (n: number) => Promise<AttemptResult>, signal: AbortSignal): Promise<RetryOutcome> {
    const deadline = this.#clock.now() + this.#giveUpAfterMs;
    for (let n = 0; n < this.#maxAttempts; n++) {
      const remaining = deadline - this.#clock.now();
      if (remaining < 0 || (remaining === 0 && n > 0)) return 'gave-up';
      if (!(await this.#wait(Math.min(this.delayMs(n), remaining), signal))) return 'aborted';
      const result = await attempt(n);
      if (signal.aborted) return 'aborted';
      if (result === 'done') return 'done';
      if (result === 'stop') return 'stopped';
    }
    return 'gave-up';
  }

  /** Resolves true after `ms`, or false as soon as `signal` aborts. */
  #wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#clock.clearTimeout(handle);
        resolve(false);
      };
      const handle = this.#clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Resuming a joined participant: for as long as the server keeps the place. */
export function resumePolicy(options: ReconnectPolicyOptions = {}): ReconnectPolicy {
  return new ReconnectPolicy({ giveUpAfterMs: SERVER_RESUME_GRACE_MS, ...options });
}

/** Joining again after a drop before admission (a waiting person has no place to resume): a few tries. */
export function rejoinPolicy(options: ReconnectPolicyOptions = {}): ReconnectPolicy {
  return new ReconnectPolicy({ maxAttempts: 6, ...options });
}

/**
 * Asking the server again for a media request whose reply never came or was refused for now (a `publish` or a
 * `restart-subscriber` while the socket stayed up): a few tries, so a media server that stays down ends in a
 * notice rather than a request every 8 s forever.
 */
export function mediaRequestPolicy(options: ReconnectPolicyOptions = {}): ReconnectPolicy {
  return new ReconnectPolicy({ maxAttempts: 6, ...options });
}
