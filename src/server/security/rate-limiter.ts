/**
 * Token buckets, one per message kind of one connection. A flood from one
 * connection is refused at its own buckets and never reaches a meeting.
 */
export interface BucketSpec {
  /** Tokens added per second. */
  rate: number;
  /** Largest number of tokens (the burst). */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly spec: BucketSpec, private readonly now: () => number = Date.now) {
    this.tokens = spec.burst;
    this.last = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class RateLimiter<K extends string> {
  private readonly buckets = new Map<K, TokenBucket>();

  constructor(private readonly specFor: (kind: K) => BucketSpec, private readonly now: () => number = Date.now) {}

  allow(kind: K): boolean {
    let bucket = this.buckets.get(kind);
    if (!bucket) {
      bucket = new TokenBucket(this.specFor(kind), this.now);
      this.buckets.set(kind, bucket);
    }
    return bucket.take();
  }
}
