import { describe, expect, it } from 'vitest';
import {
  addSample,
  formatBytes,
  roundUp,
  roundUpBytes,
  usagePoints,
  type UsageSample,
} from './usage-series';

const MB = 1024 * 1024;
const reading = (seconds: number, cpu: number, rx?: number): UsageSample => ({
  at: new Date(seconds * 1000),
  cpuUserSeconds: cpu * 0.8,
  cpuSystemSeconds: cpu * 0.2,
  cpusLimit: 2,
  memRssBytes: 100 * MB + seconds,
  memLimitBytes: 512 * MB,
  ...(rx === undefined ? {} : { network: { rxBytes: rx, txBytes: rx / 2 } }),
});

describe('usage readings turned into points', () => {
  it('gives CPU as percent of one CPU and traffic as bytes a second over each interval', () => {
    const points = usagePoints([reading(10, 5, 1000), reading(12, 6, 5096), reading(16, 10, 5096)]);
    expect(points).toHaveLength(2);
    expect(points[0]!.cpuPercent).toBeCloseTo(50);
    expect(points[0]).toMatchObject({ rxPerSecond: 2048, txPerSecond: 1024 });
    expect(points[0]!.at).toEqual(new Date(12_000));
    expect(points[0]!.memoryBytes).toBe(100 * MB + 12);
    expect(points[1]!.cpuPercent).toBeCloseTo(100);
    expect(points[1]).toMatchObject({ rxPerSecond: 0, txPerSecond: 0 });
  });

  it('has no traffic figures where the agent does not measure the network', () => {
    expect(usagePoints([reading(0, 0), reading(1, 1)])[0]).toMatchObject({
      rxPerSecond: null,
      txPerSecond: null,
    });
  });

  it('needs two readings for a point', () => {
    expect(usagePoints([reading(0, 0)])).toEqual([]);
  });
});

describe('readings kept while the page samples', () => {
  it('ignores a reading the agent has not renewed and keeps the newest ones only', () => {
    let kept: UsageSample[] = [];
    for (const s of [0, 1, 1, 2, 3]) kept = addSample(kept, reading(s, s), 3);
    expect(kept.map((s) => s.at.getTime())).toEqual([1000, 2000, 3000]);
  });

  it('starts over when the counters go back, as for a restarted task', () => {
    const kept = addSample([reading(0, 0), reading(1, 40)], reading(2, 1), 10);
    expect(kept.map((s) => s.at.getTime())).toEqual([2000]);
  });
});

describe('byte amounts', () => {
  it('reads in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(1.5 * MB)).toBe('1.5 MB');
  });
});

describe('the top of a chart’s scale', () => {
  it('is a round number at or above the largest value', () => {
    expect([0, 0.3, 7, 12, 40, 101].map(roundUp)).toEqual([1, 0.5, 10, 20, 50, 200]);
  });

  it('is round in the unit bytes are written in', () => {
    expect(formatBytes(roundUpBytes(2048 * 1.1))).toBe('5 KB');
    expect(formatBytes(roundUpBytes(300))).toBe('500 B');
    expect(formatBytes(roundUpBytes(1.5 * MB))).toBe('2 MB');
  });
});
