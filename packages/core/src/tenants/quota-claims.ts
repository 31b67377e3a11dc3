/**
 * Each resource a container claims of its tenant's quota: its name in messages, the
 * claim's field (TenantUsage, a container's row), the limit's field (Tenant) and its unit.
 * Admission (start-batch) and a quota change (TenantService) check the same pairs.
 */
export const QUOTA_CLAIMS = [
  ['cpus', 'cpus', 'quotaCpusLimit', ''],
  ['memory', 'memMb', 'quotaMemLimit', ' MB'],
  ['disk', 'diskMb', 'quotaDiskLimit', ' MB'],
  ['gpus', 'gpus', 'quotaGpusLimit', ''],
] as const;

/** An amount as quota messages show it: to a thousandth. */
export function shownAmount(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
