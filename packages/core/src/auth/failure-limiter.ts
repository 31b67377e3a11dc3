/** Keys beyond this many are forgotten, those that failed longest ago first. */
const MAX_KEYS = 10_000;

/**
 * A token bucket of failed attempts per key (a client address for API tokens,
 * an account and an address for passwords): `burst` failures are free, then one
 * more every `60 / perMinute` seconds. It slows a password guesser to a few tries
 * a minute, and tells a misconfigured client or a scanner to back off. API
 * tokens are checked before the bucket, so a valid token is never refused for
 * its address's failures. Buckets live in this process only, and at most
 * 10,000 of them: a flood of fresh keys costs memory and time bounded by that.
 */
export class FailureLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: { burst: number; perMinute: number },
    // Read at each call, not bound once: a held clock (tests, Date replaced) is the one used.
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Seconds until `key` may try again; 0 when it may now. */
  retryAfterSeconds(key: string): number {
    const tokens = this.tokens(key);
    if (tokens >= 1) return 0;
    return Math.ceil(((1 - tokens) * 60) / this.options.perMinute);
  }

  recordFailure(key: string): void {
    const tokens = this.tokens(key) - 1;
    // Re-inserted, so the map stays in the order of each key's latest failure.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens, at: this.now() });
    if (this.buckets.size > MAX_KEYS) this.shrink();
  }

  /** Forgives `key`'s failures (its owner proved who they are). */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  private tokens(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.options.burst;
    const refilled = ((this.now() - bucket.at) / 60_000) * this.options.perMinute;
    return Math.min(this.options.burst, bucket.tokens + refilled);
  }

  /** Down to 90% of the cap, so the next sweep is thousands of failures away. */
  private shrink(): void {
    for (const key of this.buckets.keys()) {
      if (this.tokens(key) >= this.options.burst) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= MAX_KEYS * 0.9) break;
      this.buckets.delete(key);
    }
  }
}
