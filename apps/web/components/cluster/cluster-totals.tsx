import { StackedBar } from '@/components/charts/stacked-bar';
import { formatAmount } from '@/lib/format';
import type { AgentState, ClusterTotals, ResourceKey } from './cluster-model';

const RESOURCES: { key: ResourceKey; label: string; unit: 'cpus' | 'MB' | 'gpus' }[] = [
  { key: 'cpus', label: 'CPUs', unit: 'cpus' },
  { key: 'memoryMb', label: 'Memory', unit: 'MB' },
  { key: 'diskMb', label: 'Disk', unit: 'MB' },
  { key: 'gpus', label: 'GPUs', unit: 'gpus' },
];

const STATES = [
  { key: 'active', label: 'active', tone: 'green' },
  { key: 'draining', label: 'draining or drained', tone: 'amber' },
  { key: 'maintenance', label: 'in maintenance', tone: 'violet' },
  { key: 'inactive', label: 'inactive', tone: 'red' },
] as const;

/** Allocated against total per resource, and agents by state. */
export function ClusterTotalsView({
  totals,
  byState,
}: {
  totals: ClusterTotals;
  byState: Record<AgentState, number>;
}) {
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
                <span className="font-medium text-slate-800 dark:text-slate-200">{r.label}</span>
                <span className="text-slate-700 dark:text-slate-300">{text}</span>
              </div>
              <div
                role="meter"
                aria-label={`${r.label} allocated`}
                aria-valuemin={0}
                aria-valuemax={total}
                aria-valuenow={used}
                aria-valuetext={text}
                className="h-3 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
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
      <div className="space-y-4">
        <StackedBar
          title="Agents by state"
          segments={STATES.map((s) => ({ label: s.label, value: byState[s.key], tone: s.tone }))}
          format={String}
        />
        <dl className="grid grid-cols-2 gap-3 text-sm" data-testid="agent-counts">
          {(
            [
              ['Active agents', agents.active],
              ['Inactive agents', agents.inactive],
              ['Draining or drained', agents.draining],
              ['In maintenance', agents.maintenance],
            ] as const
          ).map(([label, n]) => (
            <div
              key={label}
              className="rounded-md border border-slate-200 dark:border-slate-700 p-3"
            >
              <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
              <dd className="text-2xl font-semibold text-slate-900 dark:text-slate-100">{n}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
