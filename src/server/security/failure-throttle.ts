/**
 * Slows down guessing: after `freeFailures` failed attempts for a key (a client
 * address, a meeting id), each further attempt must wait a delay that doubles with
 * every failure, up to `maxDelayMs`. Failures are forgotten after `forgetAfterMs`
 * without any. The table is bounded so that probing random keys cannot grow memory.
 */
export interface FailureThrottleOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  maxKeys: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export class FailureThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: FailureThrottleOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds the caller must still wait before an attempt for `key` is considered; 0 if none. */
  waitFor(key: string): number {
    const entry = this.current(key);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  recordFailure(key: string): void {
    const now = this.now();
    const entry = this.current(key) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
    entry.failures += 1;
    entry.lastFailureAt = now;
    const over = entry.failures - this.options.freeFailures;
    if (over >= 0) {
      const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(over, 30));
      entry.blockedUntil = now + delay;
    }
    // Re-insert so that Map order is least-recently-failed first, then evict the oldest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.options.maxKeys) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  recordSuccess(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private current(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.lastFailureAt > this.options.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
