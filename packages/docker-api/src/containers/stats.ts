import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerView } from '@shoal/core';
import { queryBool } from '../query';
import type { RequestContext, Route } from '../router';

const MIB = 1024 * 1024;
const ZERO_TIME = '0001-01-01T00:00:00Z';
const STREAM_INTERVAL_MS = 1000;

/**
 * What Shoal can say without a metrics pipeline from the agents: the limits
 * Mesos enforces are exact, usage is not measured. Docker clients compute
 * percentages from deltas, so zero usage shows as 0%, never as made-up load.
 */
const ESTIMATES = {
  measured: false,
  note: 'memory_stats.limit and the cpus are the resources Mesos allocated to the task; usage counters are not collected by Shoal and read 0',
  online_cpus: 'the allocated cpus rounded up to a whole cpu',
  pids_stats: '1 while the task runs (its main process), else 0',
};

function cpuStats(view: ContainerView, running: boolean) {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: 0,
    online_cpus: running ? Math.max(1, Math.ceil(view.spec.cpus)) : 0,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function statsBody(view: ContainerView, read: Date, previous: Date | undefined) {
  const running = view.state === 'running';
  return {
    name: `/${view.name}`,
    id: view.id,
    read: running ? read.toISOString() : ZERO_TIME,
    preread: running && previous ? previous.toISOString() : ZERO_TIME,
    pids_stats: { current: running ? 1 : 0 },
    blkio_stats: {
      io_service_bytes_recursive: null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(view, running),
    precpu_stats: cpuStats(view, running && previous !== undefined),
    memory_stats: running
      ? { usage: 0, stats: {}, limit: Math.round(view.spec.memoryMb * MIB) }
      : {},
    networks: running
      ? {
          eth0: {
            rx_bytes: 0,
            rx_packets: 0,
            rx_errors: 0,
            rx_dropped: 0,
            tx_bytes: 0,
            tx_packets: 0,
            tx_errors: 0,
            tx_dropped: 0,
          },
        }
      : undefined,
    shoal_estimated: ESTIMATES,
  };
}

/** GET /containers/{id}/stats: one sample, or one a second while the container runs. */
async function stats(ctx: RequestContext): Promise<void> {
  const { tenantId } = ctx.caller;
  let view = await ctx.services.containers.get(tenantId, ctx.params.id ?? '');
  if (!queryBool(ctx.query, 'stream', true)) {
    ctx.ex.json(200, statsBody(view, new Date(), undefined));
    return;
  }
  const out = ctx.ex.stream(200, { 'Content-Type': 'application/json' });
  let previous: Date | undefined;
  for (;;) {
    const read = new Date();
    out.write(`${JSON.stringify(statsBody(view, read, previous))}\n`);
    previous = read;
    if (view.state !== 'running') break;
    await sleep(STREAM_INTERVAL_MS, undefined, { signal: ctx.ex.signal }).catch(() => undefined);
    if (ctx.ex.signal.aborted) return;
    view = await ctx.services.containers.get(tenantId, view.id);
  }
  out.end();
}

export const statsRoutes: Route[] = [
  { method: 'GET', path: '/containers/{id}/stats', handle: stats },
];
