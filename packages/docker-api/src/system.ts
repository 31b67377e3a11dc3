import type { ClusterView, QuotaLine, ResourceAmounts, TenantUsage } from '@shoal/core';
import { knownImages } from './images';
import type { RequestContext, Route } from './router';
import { MAX_API_VERSION, MIN_API_VERSION, SERVER_NAME, versionBody } from './version';

const MIB = 1024 * 1024;
type Resource = keyof ResourceAmounts;
const RESOURCES: Resource[] = ['cpus', 'memoryMb', 'diskMb', 'gpus'];

function sum(
  items: { cpus: number; memoryMb: number; diskMb: number; gpus: number }[],
): ResourceAmounts {
  const total = { cpus: 0, memoryMb: 0, diskMb: 0, gpus: 0 };
  for (const item of items) for (const r of RESOURCES) total[r] += item[r];
  return total;
}

const EMULATED =
  'WARNING: this is an emulated Mesos cluster (Shoal started without MESOS_MASTER): containers do not run anywhere';

const round = (n: number) => Math.round(n * 100) / 100;
const show = (n: number | null, unit: string) => (n === null ? 'none' : `${round(n)}${unit}`);

/** Revocable resources after the firm ones they are no part of; nothing when there are none. */
function revocableText(r: ResourceAmounts): string {
  if (r.cpus <= 0 && r.memoryMb <= 0) return '';
  return ` + ${round(r.cpus)} revocable cpus, ${round(r.memoryMb)} revocable MB`;
}

function quotaText(resource: Resource, line: QuotaLine): string {
  const unit = resource === 'memoryMb' || resource === 'diskMb' ? ' MB' : '';
  return `used ${show(line.used, unit)}, guarantee ${show(line.guarantee, unit)}, limit ${show(line.limit, unit)}`;
}

/** What the tenant can use at most: its quota limit, or the firm resources its role can be offered. */
function capacity(usage: TenantUsage, offerable: ResourceAmounts, resource: Resource): number {
  return usage.quota[resource].limit ?? offerable[resource];
}

function clusterSummary(
  cluster: ClusterView,
  role: string,
  agents: Awaited<ReturnType<ClusterView['agents']>>,
) {
  const usable = agents.filter((a) => a.active && !a.draining);
  const offers = cluster.heldOffers(role);
  const framework = cluster.framework();
  return {
    // The master's address and the framework id are cluster internals, for admins only.
    framework: {
      subscribed: framework.subscribed,
      roleSuppressed: framework.suppressedRoles.includes(role),
      emulated: framework.emulated,
      problem: framework.problem,
    },
    agents: {
      count: usable.length,
      draining: agents.filter((a) => a.draining).length,
      total: sum(usable.map((a) => a.total)),
      revocable: sum(usable.map((a) => a.revocable)),
    },
    heldOffers: {
      count: offers.length,
      revocable: offers.filter((o) => o.revocable).length,
      total: sum(offers.map((o) => o.resources)),
      revocableTotal: sum(offers.map((o) => o.revocableResources)),
    },
  };
}

/**
 * GET /info, as the tenant sees its slice of the cluster: its containers, its
 * quota as the machine's size, and the Mesos facts behind it, both as
 * SystemStatus lines (printed by `docker info`) and as the `Shoal` object.
 */
async function info(ctx: RequestContext): Promise<void> {
  // Read at once, not one after the other: only the agents need the tenant's role, and
  // they are a listing in hand. The usage names its tenant: a tenant deleted meanwhile
  // (its tokens go with it) is a 404.
  const [usage, images] = await Promise.all([
    ctx.services.containers.usage(ctx.caller.tenantId),
    // One per reference, as docker images lists them: a pulled image a container uses is one.
    knownImages(ctx),
  ]);
  const { tenant } = usage;
  const agents = await ctx.services.cluster.agents(tenant.mesosRole);
  const cluster = clusterSummary(ctx.services.cluster, tenant.mesosRole, agents);
  const byState = usage.containersByState;
  const total = Object.values(byState).reduce((a, b) => a + b, 0);
  const stopped = total - byState.running - byState.paused - byState.restarting;
  const offerable = cluster.agents.total;
  const framework = cluster.framework;
  const warnings = [
    ...(framework.emulated ? [EMULATED] : []),
    ...(framework.subscribed
      ? []
      : [
          `WARNING: Shoal is not subscribed to a Mesos master right now; new containers wait until it is${framework.problem ? `: ${framework.problem}` : ''}`,
        ]),
  ];

  ctx.ex.json(200, {
    ID: tenant.id,
    Containers: total,
    ContainersRunning: byState.running,
    ContainersPaused: byState.paused,
    ContainersStopped: stopped,
    Images: images.length,
    Driver: 'mesos',
    DriverStatus: [],
    SystemStatus: [
      ['Tenant', `${tenant.slug} (${tenant.name})`],
      ['Mesos role', tenant.mesosRole],
      ...RESOURCES.map((r) => [`Quota ${r}`, quotaText(r, usage.quota[r])]),
      [
        'Agents for this role',
        `${cluster.agents.count} (${cluster.agents.draining} draining), ${round(offerable.cpus)} cpus, ${round(offerable.memoryMb)} MB${revocableText(cluster.agents.revocable)}`,
      ],
      [
        'Offers held for this role',
        `${cluster.heldOffers.count}, ${round(cluster.heldOffers.total.cpus)} cpus, ${round(cluster.heldOffers.total.memoryMb)} MB${revocableText(cluster.heldOffers.revocableTotal)}`,
      ],
      [
        'Mesos cluster',
        framework.emulated ? 'EMULATED (Shoal’s built-in Mesos emulator)' : 'Apache Mesos',
      ],
      [
        'Mesos framework',
        framework.subscribed
          ? `subscribed${framework.roleSuppressed ? ' (role suppressed: nothing pending)' : ''}`
          : 'not subscribed',
      ],
    ],
    Plugins: {
      Volume: [],
      Network: ['bridge', 'host', 'null'],
      Authorization: null,
      Log: ['json-file'],
    },
    MemoryLimit: true,
    SwapLimit: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: false,
    PidsLimit: false,
    IPv4Forwarding: true,
    Debug: false,
    NFd: 0,
    NGoroutines: 0,
    OomKillDisable: false,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'none',
    NEventsListener: 0,
    KernelVersion: 'n/a',
    OperatingSystem: 'Shoal on Apache Mesos',
    OSVersion: '',
    OSType: 'linux',
    Architecture: 'x86_64',
    // The tenant's quota limit is its machine size; unlimited, the firm resources its role
    // can be offered (revocable ones can be taken back at any moment).
    NCPU: Math.ceil(capacity(usage, offerable, 'cpus')),
    MemTotal: Math.round(capacity(usage, offerable, 'memoryMb') * MIB),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { InsecureRegistryCIDRs: [], IndexConfigs: {}, Mirrors: [] },
    GenericResources: null,
    DockerRootDir: '',
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: SERVER_NAME,
    Labels: [`shoal.tenant=${tenant.slug}`, `shoal.mesos-role=${tenant.mesosRole}`],
    ExperimentalBuild: false,
    ServerVersion: SERVER_NAME,
    Runtimes: {},
    DefaultRuntime: 'mesos',
    Swarm: {
      NodeID: '',
      NodeAddr: '',
      LocalNodeState: 'inactive',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: null,
    },
    LiveRestoreEnabled: ctx.liveRestore,
    Isolation: '',
    InitBinary: '',
    SecurityOptions: [],
    Warnings: warnings,
    Shoal: {
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, mesosRole: tenant.mesosRole },
      quota: usage.quota,
      containersByState: byState,
      ...cluster,
      apiVersions: { min: MIN_API_VERSION, max: MAX_API_VERSION },
    },
  });
}

async function version(ctx: RequestContext): Promise<void> {
  ctx.ex.json(200, versionBody());
}

export const systemRoutes: Route[] = [
  { method: 'GET', path: '/info', handle: info },
  { method: 'GET', path: '/version', handle: version },
];
