import { describe, expect, it } from 'vitest';
import { randomHex } from './random-hex';

describe('randomHex', () => {
  it('gives ids of the asked length that do not repeat, across many refills of its pool', () => {
    const seen = new Set<string>();
    // 32 bytes each: 128 ids use one pool, so 20,000 refill it over a hundred times.
    for (let i = 0; i < 20_000; i++) {
      const id = randomHex(i % 2 ? 32 : 4);
      expect(id).toMatch(i % 2 ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{8}$/);
      if (i % 2) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
  });

  it('refuses more bytes than its pool holds rather than repeating them', () => {
    expect(() => randomHex(5000)).toThrow(RangeError);
  });
});
