import type { Flag, Metric, VersionInfo } from '@shoal/mesos';
import type { Master } from './master';

const STARTED_AT = Date.now();

/** GET_VERSION: what a packaged Mesos build reports. */
export function versionInfo(master: Master): VersionInfo {
  return {
    version: master.options.version,
    build_date: '2020-11-24 12:00:00',
    build_time: 1_606_219_200,
    build_user: 'shoal-mesos-sim',
    git_tag: master.options.version,
  };
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}secs` : `${ms}ms`;
}

/**
 * GET_FLAGS: the flags a master run as the emulator behaves would have, with Mesos's
 * names and value formats (durations as `1secs`, booleans as `true`/`false`).
 */
export function masterFlags(master: Master, self: number): Flag[] {
  const o = master.options;
  const endpoint = master.masterEndpoints[self];
  const authenticated = String(o.credentials !== undefined);
  const flags: Record<string, string> = {
    allocation_interval: duration(o.allocationIntervalMs),
    authenticate_agents: authenticated,
    authenticate_frameworks: authenticated,
    authenticate_http_frameworks: authenticated,
    authenticate_http_readonly: authenticated,
    authenticate_http_readwrite: authenticated,
    filter_gpu_resources: 'true',
    framework_sorter: 'drf',
    hostname_lookup: 'true',
    ip: endpoint?.host ?? o.host,
    logging_level: 'INFO',
    max_completed_frameworks: '50',
    max_completed_tasks_per_framework: '1000',
    min_allocatable_resources: 'cpus:0.01|mem:32',
    port: String(endpoint?.port ?? o.port),
    quorum: String(Math.floor(o.masters / 2) + 1),
    registry: o.masters > 1 ? 'replicated_log' : 'in_memory',
    role_sorter: 'drf',
    root_submissions: 'true',
    work_dir: '/var/lib/mesos/master',
  };
  if (o.offerTimeoutSeconds !== undefined)
    flags.offer_timeout = duration(o.offerTimeoutSeconds * 1000);
  return Object.entries(flags).map(([name, value]) => ({ name, value }));
}

/** GET_METRICS: the master's gauges and counters that the emulated state can answer. */
export function masterMetrics(master: Master, self: number): Metric[] {
  const agents = [...master.agents.values()];
  const registered = agents.filter((a) => a.status === 'REGISTERED');
  const frameworks = [...master.frameworks.values()].filter((f) => !f.removed);
  const tasks = frameworks.flatMap((f) => [...f.tasks.values()]);
  const count = (state: string) => tasks.filter((t) => t.state === state).length;
  const sum = (pick: (a: (typeof agents)[number]) => Record<string, number>, name: string) =>
    registered.reduce((total, a) => total + (pick(a)[name] ?? 0), 0);
  const metrics: Record<string, number> = {
    'master/uptime_secs': (Date.now() - STARTED_AT) / 1000,
    'master/elected': master.leader === self ? 1 : 0,
    'master/slaves_active': registered.filter((a) => !a.deactivated).length,
    'master/slaves_inactive': registered.filter((a) => a.deactivated).length,
    'master/slaves_connected': registered.length,
    'master/slaves_disconnected': agents.filter((a) => a.status === 'UNREACHABLE').length,
    'master/frameworks_active': frameworks.filter((f) => f.connected).length,
    'master/frameworks_connected': frameworks.filter((f) => f.connected).length,
    'master/frameworks_disconnected': frameworks.filter((f) => !f.connected).length,
    'master/frameworks_inactive': frameworks.filter((f) => !f.connected).length,
    'master/outstanding_offers': master.offers.size,
    'master/tasks_staging': count('TASK_STAGING'),
    'master/tasks_starting': count('TASK_STARTING'),
    'master/tasks_running': count('TASK_RUNNING'),
    'master/tasks_killing': count('TASK_KILLING'),
    'master/tasks_unreachable': frameworks.reduce((n, f) => n + f.unreachableTasks.size, 0),
  };
  for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
    const total = sum((a) => a.total.scalars, name);
    const used = sum((a) => a.used.scalars, name);
    metrics[`master/${name}_total`] = total;
    metrics[`master/${name}_used`] = used;
    metrics[`master/${name}_percent`] = total > 0 ? used / total : 0;
  }
  return Object.entries(metrics).map(([name, value]) => ({ name, value }));
}
