import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter';

describe('FailureLimiter', () => {
  it('allows a burst of failures, then one per refill interval, per address', () => {
    let now = 0;
    const limiter = new FailureLimiter({ burst: 3, perMinute: 6 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
      limiter.recordFailure('10.0.0.1');
    }
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(10);
    expect(limiter.retryAfterSeconds('10.0.0.2')).toBe(0);
    now += 10_000;
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
    limiter.recordFailure('10.0.0.1');
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(10);
  });

  it('refills to the burst and no further', () => {
    let now = 0;
    const limiter = new FailureLimiter({ burst: 2, perMinute: 60 }, () => now);
    limiter.recordFailure('a');
    now += 3_600_000;
    limiter.recordFailure('a');
    limiter.recordFailure('a');
    expect(limiter.retryAfterSeconds('a')).toBe(1);
  });
});
