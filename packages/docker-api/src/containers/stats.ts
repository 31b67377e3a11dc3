import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerView, NetworkCounters, TaskUsage } from '@shoal/core';
import { queryBool } from '../query';
import type { RequestContext, Route } from '../router';

const MIB = 1024 * 1024;
const ZERO_TIME = '0001-01-01T00:00:00Z';
const STREAM_INTERVAL_MS = 1000;

/** How the numbers were obtained, so a reader of the JSON knows what is measured. */
function provenance(sample: TaskUsage | undefined) {
  if (!sample) {
    return {
      measured: false,
      note: 'the agent reported no usage for this task: memory_stats.limit and the cpus are the resources Mesos allocated; usage reads 0',
      online_cpus: 'the allocated cpus rounded up to a whole cpu',
    };
  }
  const unmeasured = [
    sample.network ? undefined : 'network (needs the network/port_mapping isolator)',
    sample.blockIo ? undefined : 'block I/O (needs the cgroups/blkio isolator)',
  ].filter(Boolean);
  return {
    measured: true,
    note: `usage comes from the task's agent (/monitor/statistics)${
      unmeasured.length > 0
        ? `; not measured by this agent, so read 0: ${unmeasured.join(', ')}`
        : ''
    }`,
    online_cpus: 'the allocated cpus rounded up to a whole cpu',
  };
}

const NS = 1e9;

// system_cpu_usage is wall time × online cpus, so Docker's formula
// (cpu delta / system delta × online cpus × 100) gives percent of one cpu.
function cpuStats(view: ContainerView, running: boolean, sample: TaskUsage | undefined) {
  const online = running ? Math.max(1, Math.ceil(sample?.cpusLimit || view.spec.cpus)) : 0;
  const user = Math.round((sample?.cpuUserSeconds ?? 0) * NS);
  const kernel = Math.round((sample?.cpuSystemSeconds ?? 0) * NS);
  return {
    cpu_usage: { total_usage: user + kernel, usage_in_kernelmode: kernel, usage_in_usermode: user },
    system_cpu_usage: sample ? Math.round((sample.at.getTime() / 1000) * NS * online) : 0,
    online_cpus: online,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

function statsBody(
  view: ContainerView,
  sample: TaskUsage | undefined,
  previous: TaskUsage | undefined,
  read: Date,
) {
  const running = view.state === 'running';
  return {
    name: `/${view.name}`,
    id: view.id,
    read: read.toISOString(),
    preread: previous ? previous.at.toISOString() : ZERO_TIME,
    pids_stats: running ? { current: 1 } : {},
    blkio_stats: {
      io_service_bytes_recursive: sample?.blockIo
        ? sample.blockIo.map((b) => ({
            major: b.major,
            minor: b.minor,
            op: b.op === 'read' ? 'Read' : 'Write',
            value: b.bytes,
          }))
        : null,
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
    cpu_stats: cpuStats(view, running, sample),
    precpu_stats: cpuStats(view, running && previous !== undefined, previous),
    memory_stats: running
      ? {
          usage: sample?.memRssBytes ?? 0,
          stats: {},
          limit: sample?.memLimitBytes || Math.round(view.spec.memoryMb * MIB),
        }
      : {},
    networks: running ? { eth0: networkCounters(sample?.network) } : undefined,
    // Docker has no field for where the figures come from: Shoal's own object says it.
    Shoal: { estimated: provenance(running ? sample : undefined) },
  };
}

function networkCounters(n: NetworkCounters | undefined) {
  return {
    rx_bytes: n?.rxBytes ?? 0,
    rx_packets: n?.rxPackets ?? 0,
    rx_errors: n?.rxErrors ?? 0,
    rx_dropped: n?.rxDropped ?? 0,
    tx_bytes: n?.txBytes ?? 0,
    tx_packets: n?.txPackets ?? 0,
    tx_errors: n?.txErrors ?? 0,
    tx_dropped: n?.txDropped ?? 0,
  };
}

async function measure(ctx: RequestContext, view: ContainerView): Promise<TaskUsage | undefined> {
  if (view.state !== 'running') return undefined;
  return ctx.services.containers.measure(ctx.caller.tenantId, view.id).catch(() => undefined);
}

/**
 * GET /containers/{id}/stats: one sample a second while streaming. A single
 * sample (stream=false) waits a second for a previous one, as Docker does, so
 * clients can compute a cpu percentage; one-shot=true skips that wait.
 */
async function stats(ctx: RequestContext): Promise<void> {
  const { tenantId } = ctx.caller;
  let view = await ctx.services.containers.get(tenantId, ctx.params.id ?? '');
  if (!queryBool(ctx.query, 'stream', true)) {
    let previous: TaskUsage | undefined;
    if (!queryBool(ctx.query, 'one-shot', false) && view.state === 'running') {
      previous = await measure(ctx, view);
      await sleep(STREAM_INTERVAL_MS, undefined, { signal: ctx.ex.signal }).catch(() => undefined);
      if (ctx.ex.signal.aborted) return;
    }
    ctx.ex.json(200, statsBody(view, await measure(ctx, view), previous, new Date()));
    return;
  }
  const out = ctx.ex.stream(200, { 'Content-Type': 'application/json' });
  let previous: TaskUsage | undefined;
  // As Docker's: a frame a second while it runs, one to begin with, and the stream open
  // while it is stopped (the CLI read its end as an error), until the client leaves or the
  // container is removed.
  for (let first = true; ; first = false) {
    if (first || view.state === 'running') {
      const sample = await measure(ctx, view);
      out.write(`${JSON.stringify(statsBody(view, sample, previous, new Date()))}\n`);
      previous = sample;
    } else previous = undefined;
    await sleep(STREAM_INTERVAL_MS, undefined, { signal: ctx.ex.signal }).catch(() => undefined);
    if (ctx.ex.signal.aborted) return;
    const now = await ctx.services.containers.get(tenantId, view.id).catch(() => undefined);
    if (!now) break;
    view = now;
  }
  out.end();
}

export const statsRoutes: Route[] = [
  { method: 'GET', path: '/containers/{id}/stats', handle: stats },
];
