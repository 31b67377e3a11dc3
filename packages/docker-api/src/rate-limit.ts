/**
 * A token bucket per client address for failed token checks: `burst` failures
 * are free, then one more every `60 / perMinute` seconds. Guessing a 190-bit
 * secret is hopeless anyway; this keeps a misconfigured client or a scanner
 * from turning into a stream of database look-ups.
 */
export class FailureLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: { burst: number; perMinute: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again; 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const tokens = this.tokens(address);
    if (tokens >= 1) return 0;
    return Math.ceil(((1 - tokens) * 60) / this.options.perMinute);
  }

  recordFailure(address: string): void {
    this.buckets.set(address, { tokens: this.tokens(address) - 1, at: this.now() });
    if (this.buckets.size > 10_000) this.forgetRefilled();
  }

  private tokens(address: string): number {
    const bucket = this.buckets.get(address);
    if (!bucket) return this.options.burst;
    const refilled = ((this.now() - bucket.at) / 60_000) * this.options.perMinute;
    return Math.min(this.options.burst, bucket.tokens + refilled);
  }

  private forgetRefilled(): void {
    for (const address of this.buckets.keys()) {
      if (this.tokens(address) >= this.options.burst) this.buckets.delete(address);
    }
  }
}
