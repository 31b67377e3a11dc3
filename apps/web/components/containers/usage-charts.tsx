'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { LineChart } from '@/components/charts/line-chart';
import { messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';
import {
  addSample,
  formatBytes,
  roundUpBytes,
  usagePoints,
  type UsageSample,
} from '@/lib/usage-series';

/** How often the page asks the agent while it is open (agents sample about once a second). */
const EVERY_MS = 2_000;
/** Three minutes of readings. */
const KEEP = 90;

const percent = (v: number) => `${Number(v.toFixed(v < 10 ? 1 : 0))} %`;
const perSecond = (v: number) => `${formatBytes(v)}/s`;

/**
 * CPU, memory and network of a running container over the time the page has been open, read
 * from its agent's statistics every few seconds (only while the tab is visible).
 */
export function UsageCharts({
  tenantSlug,
  id,
  running,
}: {
  tenantSlug: string;
  id: string;
  running: boolean;
}) {
  const trpc = useTRPC();
  const stats = useQuery({
    ...trpc.containers.stats.queryOptions({ tenantSlug, ref: id }),
    enabled: running,
    refetchInterval: running ? EVERY_MS : false,
    staleTime: 0,
  });
  const [samples, setSamples] = useState<UsageSample[]>([]);
  // Each answer is added once, as it arrives (not in an effect: nothing else to synchronise).
  const [added, setAdded] = useState(0);
  if (stats.dataUpdatedAt !== added) {
    setAdded(stats.dataUpdatedAt);
    const sample = stats.data?.sample;
    if (sample) setSamples((kept) => addSample(kept, sample, KEEP));
  }

  if (!running) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Usage is measured while the container runs.
      </p>
    );
  }
  const points = usagePoints(samples);
  const limit = samples.at(-1);
  const waiting =
    stats.data && !stats.data.sample
      ? 'Its agent has no figures for this task yet.'
      : 'Waiting for a second reading…';
  const measuresNetwork = points.length === 0 || points.some((p) => p.rxPerSecond !== null);
  return (
    <div>
      {stats.error && (
        <p role="alert" className="mb-3 text-sm text-red-700 dark:text-red-300">
          {messageOf(stats.error)}
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-3" data-testid="usage-charts">
        <LineChart
          title="CPU (% of one CPU)"
          empty={waiting}
          format={percent}
          max={limit ? limit.cpusLimit * 100 : undefined}
          series={[
            {
              label: 'used',
              tone: 'blue',
              points: points.map((p) => ({ at: p.at, value: p.cpuPercent })),
            },
          ]}
        />
        <LineChart
          title="Memory"
          empty={waiting}
          format={formatBytes}
          roundTop={roundUpBytes}
          max={limit?.memLimitBytes}
          series={[
            {
              label: 'resident',
              tone: 'violet',
              points: points.map((p) => ({ at: p.at, value: p.memoryBytes })),
            },
          ]}
        />
        <LineChart
          title="Network"
          empty={measuresNetwork ? waiting : 'This agent does not measure network traffic.'}
          format={perSecond}
          roundTop={roundUpBytes}
          series={
            measuresNetwork
              ? [
                  {
                    label: 'received',
                    tone: 'green',
                    points: points.map((p) => ({ at: p.at, value: p.rxPerSecond ?? 0 })),
                  },
                  {
                    label: 'sent',
                    tone: 'amber',
                    dashed: true,
                    points: points.map((p) => ({ at: p.at, value: p.txPerSecond ?? 0 })),
                  },
                ]
              : []
          }
        />
      </div>
      {limit && (
        <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
          Scales end at what Mesos allocated: {Number(limit.cpusLimit.toFixed(2))} CPU
          {limit.cpusLimit === 1 ? '' : 's'} ({percent(limit.cpusLimit * 100)}) and{' '}
          {formatBytes(limit.memLimitBytes)} of memory. Readings every {EVERY_MS / 1000} s while
          this page is open.
        </p>
      )}
    </div>
  );
}
