import { StackedBar, type Segment, type SegmentTone } from '@/components/charts/stacked-bar';
import { formatAmount } from '@/lib/format';
import type { ClusterOverview } from './cluster-model';

const ROLE_TONES: SegmentTone[] = ['blue', 'violet', 'teal', 'amber', 'pink', 'green', 'cyan'];

/**
 * The cluster's CPUs and memory split by the roles that hold them (in use or offered, as Mesos
 * counts a role's resources), the rest unheld. The largest holders are named; the others are
 * added up, so the bar stays readable with hundreds of roles.
 */
export function RoleAllocation({
  roles,
  total,
}: {
  roles: ClusterOverview['roles'];
  total: { cpus: number; memoryMb: number };
}) {
  const bar = (key: 'cpus' | 'memoryMb') => {
    const holding = roles.filter((r) => r.allocated[key] > 0);
    holding.sort((a, b) => b.allocated[key] - a.allocated[key]);
    const named = holding.slice(0, ROLE_TONES.length);
    const others = holding.slice(ROLE_TONES.length);
    const held = holding.reduce((sum, r) => sum + r.allocated[key], 0);
    const segments: Segment[] = [
      ...named.map((r, i) => ({ label: r.name, value: r.allocated[key], tone: ROLE_TONES[i]! })),
      ...(others.length > 0
        ? [
            {
              label: `${others.length} other roles`,
              value: others.reduce((sum, r) => sum + r.allocated[key], 0),
              tone: 'red' as const,
            },
          ]
        : []),
      { label: 'held by no role', value: Math.max(0, total[key] - held), tone: 'slate' },
    ];
    return segments;
  };
  return (
    <div className="grid gap-6 md:grid-cols-2" data-testid="role-allocation">
      <StackedBar
        title="CPUs by role"
        segments={bar('cpus')}
        format={(v) => formatAmount(v, 'cpus')}
      />
      <StackedBar
        title="Memory by role"
        segments={bar('memoryMb')}
        format={(v) => formatAmount(Math.round(v), 'MB')}
      />
    </div>
  );
}
