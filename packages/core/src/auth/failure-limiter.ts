/**
 * A token bucket of failed attempts per key (a client address for API tokens,
 * an account for passwords): `burst` failures are free, then one more every
 * `60 / perMinute` seconds. It slows a password guesser to a few tries a
 * minute, and tells a misconfigured client or a scanner to back off. API
 * tokens are checked before the bucket, so a valid token is never refused for
 * its address's failures. Buckets live in this process only.
 */
export class FailureLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: { burst: number; perMinute: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again; 0 when it may now. */
  retryAfterSeconds(key: string): number {
    const tokens = this.tokens(key);
    if (tokens >= 1) return 0;
    return Math.ceil(((1 - tokens) * 60) / this.options.perMinute);
  }

  recordFailure(key: string): void {
    this.buckets.set(key, { tokens: this.tokens(key) - 1, at: this.now() });
    if (this.buckets.size > 10_000) this.forgetRefilled();
  }

  private tokens(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.options.burst;
    const refilled = ((this.now() - bucket.at) / 60_000) * this.options.perMinute;
    return Math.min(this.options.burst, bucket.tokens + refilled);
  }

  private forgetRefilled(): void {
    for (const key of this.buckets.keys()) {
      if (this.tokens(key) >= this.options.burst) this.buckets.delete(key);
    }
  }
}
