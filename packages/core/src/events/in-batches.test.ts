import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inBatches } from './in-batches';

/** A source fed by the test: what is pushed is yielded, in order. */
function feed<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  async function* source(): AsyncGenerator<T> {
    for (;;) {
      while (items.length > 0) yield items.shift()!;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    source: source(),
    push(item: T) {
      items.push(item);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

describe('inBatches', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a long burst at the spacing, in few batches, and a lone event after a lull at once', async () => {
    const { source, push, end } = feed<number>();
    const batches: number[][] = [];
    const reading = (async () => {
      for await (const batch of inBatches(source, 50, 1_000)) batches.push(batch);
    })();
    // A burst: one event every 10 ms for 3 s.
    for (let i = 0; i < 300; i++) {
      push(i);
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    // Every event, in order, and at most one batch a second after the first window.
    expect(batches.flat()).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(batches.length).toBeLessThanOrEqual(4);

    // Quiet for longer than the spacing: the next event waits only its window.
    await vi.advanceTimersByTimeAsync(5_000);
    const before = batches.length;
    push(300);
    await vi.advanceTimersByTimeAsync(60);
    expect(batches.slice(before)).toEqual([[300]]);
    end();
    await vi.advanceTimersByTimeAsync(1_000);
    await reading;
  });

  it('with no spacing, sends each window as it closes', async () => {
    const { source, push, end } = feed<number>();
    const batches: number[][] = [];
    const reading = (async () => {
      for await (const batch of inBatches(source, 50)) batches.push(batch);
    })();
    for (let i = 0; i < 100; i++) {
      push(i);
      await vi.advanceTimersByTimeAsync(10);
    }
    end();
    await vi.advanceTimersByTimeAsync(100);
    await reading;
    expect(batches.flat()).toHaveLength(100);
    expect(batches.length).toBeGreaterThanOrEqual(15);
  });
});
