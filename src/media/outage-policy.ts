/**
 * When to stop waiting for the SFU: the give-up rule of a media-engine outage.
 *
 * An SFU that dies now and then is restarted and its meetings go on (clients publish and subscribe
 * again). It is given up on, and the meetings on it end with `media-failure`, when either
 *   - one outage lasts longer than `maxOutageMs` (the SFU does not come back: missing binary, port
 *     taken, config refused), or
 *   - it is the `maxOutages`-th outage within `windowMs` (a crash loop: an SFU that comes up and dies
 *     again, for example on input a peer sends each time it reconnects, would otherwise keep every
 *     meeting in "reconnecting" for ever).
 * The defaults, 20 s and 5 outages a minute, let a meeting live through a few crashes (a restart
 * takes about 0.4 s) and end within 20 s when the SFU cannot serve it.
 *
 * Pure and clock-injectable so that the rule is tested alone (test/unit/media-outage-policy.test.ts).
 */

export interface OutagePolicyOptions {
  /** An outage longer than this is given up on. */
  maxOutageMs: number;
  /** This many outages within `windowMs` are given up on at the last one. */
  maxOutages: number;
  windowMs: number;
}

export const DEFAULT_OUTAGE_POLICY: Readonly<OutagePolicyOptions> = Object.freeze({ maxOutageMs: 20_000, maxOutages: 5, windowMs: 60_000 });

export type OutageVerdict = { action: 'recover'; giveUpInMs: number } | { action: 'give-up'; reason: string };

export class OutagePolicy {
  readonly options: Readonly<OutagePolicyOptions>;
  readonly #now: () => number;
  /** Start times of the outages still inside the window. */
  #starts: number[] = [];

  constructor(options: Partial<OutagePolicyOptions> = {}, now: () => number = Date.now) {
    const merged = { ...DEFAULT_OUTAGE_POLICY, ...options };
    for (const [name, value] of Object.entries(merged)) {
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`outage policy ${name} must be a positive integer`);
    }
    this.options = Object.freeze(merged);
    this.#now = now;
  }

  /** An outage began: recover (and give up if it is not over within `giveUpInMs`), or give up now. */
  outageStarted(): OutageVerdict {
    const now = this.#now();
    this.#starts = this.#starts.filter((t) => now - t < this.options.windowMs);
    this.#starts.push(now);
    if (this.#starts.length >= this.options.maxOutages) {
      return { action: 'give-up', reason: `${this.#starts.length} outages within ${this.options.windowMs / 1000} s` };
    }
    return { action: 'recover', giveUpInMs: this.options.maxOutageMs };
  }
}
