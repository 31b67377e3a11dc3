import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@shoal/api';

export type UsageSample = NonNullable<
  inferRouterOutputs<AppRouter>['containers']['stats']['sample']
>;

/** What one interval between two readings shows. */
export interface UsagePoint {
  /** The end of the interval (the later reading). */
  at: Date;
  /** Percent of one CPU, as `docker stats` counts it (a task using two CPUs reads 200 %). */
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  /** Bytes a second; null where the agent does not measure the network. */
  rxPerSecond: number | null;
  txPerSecond: number | null;
}

const cpuSeconds = (s: UsageSample) => s.cpuUserSeconds + s.cpuSystemSeconds;

/**
 * The readings kept with `next` added, at most `keep` of them. A reading no newer than the
 * last adds nothing (the agent had not sampled again); counters that went down belong to a
 * new task (a restart), so the readings of the old one are dropped.
 */
export function addSample(samples: UsageSample[], next: UsageSample, keep: number): UsageSample[] {
  const last = samples.at(-1);
  if (last && next.at.getTime() <= last.at.getTime()) return samples;
  if (last && cpuSeconds(next) < cpuSeconds(last)) return [next];
  return [...samples, next].slice(-keep);
}

/** A point per pair of consecutive readings: rates over the interval, memory at its end. */
export function usagePoints(samples: UsageSample[]): UsagePoint[] {
  const points: UsagePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1]!;
    const after = samples[i]!;
    const seconds = (after.at.getTime() - before.at.getTime()) / 1000;
    const rate = (pick: (n: NonNullable<UsageSample['network']>) => number) =>
      before.network && after.network
        ? Math.max(0, pick(after.network) - pick(before.network)) / seconds
        : null;
    points.push({
      at: after.at,
      cpuPercent: (Math.max(0, cpuSeconds(after) - cpuSeconds(before)) / seconds) * 100,
      memoryBytes: after.memRssBytes,
      memoryLimitBytes: after.memLimitBytes,
      rxPerSecond: rate((n) => n.rxBytes),
      txPerSecond: rate((n) => n.txBytes),
    });
  }
  return points;
}

/** 1, 2 or 5 times a power of ten, at or above `v`: a round top for a scale. */
export function roundUp(v: number): number {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * power >= v) ?? 10) * power;
}

/** As roundUp, in the binary unit formatBytes writes the amount in ("5 KB", not "4.9 KB"). */
export function roundUpBytes(v: number): number {
  const unit = 1024 ** Math.max(0, Math.floor(Math.log(Math.max(v, 1)) / Math.log(1024)));
  return roundUp(v / unit) * unit;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes in binary units with at most one decimal ("1.5 MB"). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(unit === 0 ? 0 : 1))} ${UNITS[unit]}`;
}
