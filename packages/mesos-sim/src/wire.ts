import type { TimeInfo } from '@shoal/mesos';

/** Small builders for the codec's message objects (int64 fields are bigint). */

export function timeInfo(ms: number): TimeInfo {
  return { nanoseconds: BigInt(Math.round(ms)) * 1_000_000n };
}

export function id(value: string): { value: string } {
  return { value };
}
