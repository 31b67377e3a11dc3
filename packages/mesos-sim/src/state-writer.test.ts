import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StateWriter } from './state-writer';

// Fake timers and a fake clock: the writer's pacing is arithmetic on how long its writes
// took, and is checked here without waiting on the machine's own time.

let clock = 0;
let writes: number[];
let took: number;

function writer(): StateWriter {
  return new StateWriter(
    'state.json',
    () => {
      writes.push(clock);
      clock += took;
    },
    () => {},
    () => clock,
  );
}

/** Moves both the fake timers and the fake clock on. */
async function pass(ms: number): Promise<void> {
  clock += ms;
  await vi.advanceTimersByTimeAsync(ms);
}

beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
  writes = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the state file writer', () => {
  it('writes a change a moment after it, gathering the changes that come meanwhile', async () => {
    took = 1;
    const w = writer();
    w.changed();
    await pass(100);
    w.changed();
    expect(writes).toEqual([]);
    await pass(100);
    expect(writes).toHaveLength(1);
    await pass(1_000);
    expect(writes).toHaveLength(1);
  });

  it('waits nine times as long as a slow write took before the next, so writing keeps to a tenth of the time', async () => {
    took = 300;
    const w = writer();
    w.changed();
    await pass(200);
    expect(writes).toEqual([200]);
    // The write ended at 500: the next may start at 500 + 9 × 300 = 3,200. (The fake timers
    // stood still while it took its 300 ms, so they are 2,700 ms from that time, not 2,400.)
    w.changed();
    await pass(2_600);
    expect(writes).toHaveLength(1);
    await pass(100);
    expect(writes).toEqual([200, 3_200]);
  });

  it('writes once more when stopped, and never after', async () => {
    took = 1;
    const w = writer();
    w.changed();
    w.stop();
    expect(writes).toEqual([0]);
    await pass(1_000);
    w.changed();
    await pass(1_000);
    expect(writes).toEqual([0]);
  });
});
