import { formatAmount } from '@/lib/format';
import type { ClusterTotals, ResourceKey } from './cluster-model';

const RESOURCES: { key: ResourceKey; label: string; unit: 'cpus' | 'MB' | 'gpus' }[] = [
  { key: 'cpus', label: 'CPUs', unit: 'cpus' },
  { key: 'memoryMb', label: 'Memory', unit: 'MB' },
  { key: 'diskMb', label: 'Disk', unit: 'MB' },
  { key: 'gpus', label: 'GPUs', unit: 'gpus' },
];

/** Allocated against total per resource, and agents by state. */
export function ClusterTotalsView({ totals }: { totals: ClusterTotals }) {
  const { agents } = totals;
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <div className="space-y-4">
        {RESOURCES.filter((r) => totals.total[r.key] > 0).map((r) => {
          const used = totals.used[r.key];
          const total = totals.total[r.key];
          const text = `${formatAmount(used, r.unit)} of ${formatAmount(total, r.unit)} allocated`;
          return (
            <div key={r.key}>
              <div className="mb-1 flex justify-between text-sm">
                <span className="font-medium text-slate-800">{r.label}</span>
                <span className="text-slate-700">{text}</span>
              </div>
              <div
                role="meter"
                aria-label={`${r.label} allocated`}
                aria-valuemin={0}
                aria-valuemax={total}
                aria-valuenow={used}
                aria-valuetext={text}
                className="h-3 overflow-hidden rounded-full bg-slate-200"
              >
                <div
                  className="h-full bg-blue-700"
                  style={{ width: `${Math.min(100, (used / total) * 100)}%` }}
                />
              </div>
            </div>
          );
        })}
      </div>
      <dl className="grid grid-cols-2 gap-3 text-sm" data-testid="agent-counts">
        {(
          [
            ['Active agents', agents.active],
            ['Inactive agents', agents.inactive],
            ['Draining or drained', agents.draining],
            ['In maintenance', agents.maintenance],
          ] as const
        ).map(([label, n]) => (
          <div key={label} className="rounded-md border border-slate-200 p-3">
            <dt className="text-slate-600">{label}</dt>
            <dd className="text-2xl font-semibold text-slate-900">{n}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
