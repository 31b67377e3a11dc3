import { type ContainerView, type PortBinding, runtimeOf } from '@shoal/core';
import { builtinNetworkId } from '../networks';
import { compareApiVersions } from '../version';

// Docker's JSON for a container, from core's ContainerView. Fields Docker
// always sends are present (clients index into them), with zero values where
// a Mesos task has nothing equivalent.

const ZERO_TIME = '0001-01-01T00:00:00Z';
const MIB = 1024 * 1024;

const time = (at: Date | null) => (at ? at.toISOString() : ZERO_TIME);
const portKey = (p: { containerPort: number; protocol: string }) =>
  `${p.containerPort}/${p.protocol}`;

function command(view: ContainerView): string[] {
  return [...(view.spec.entrypoint ?? []), ...(view.spec.cmd ?? [])];
}

/** Docker's NetworkMode: the builtin network, or the first of the tenant's networks it is on. */
function networkMode(view: ContainerView): string {
  return view.spec.networks?.[0]?.name ?? view.spec.networkMode;
}

/**
 * The container's endpoints, one per network it is on. Addresses are the CNI network's
 * to give on the agent, so none is shown. On the tenant's networks its names there are
 * its name, its aliases and, before API 1.45 as in Docker, its short id among the aliases
 * (docker-compose 1.29 looks for it to tell that the aliases are set).
 */
function endpoints(view: ContainerView, apiVersion: string) {
  const shortId = view.id.slice(0, 12);
  const endpoint = (networkId: string, aliases: string[] | null, dnsNames: string[] | null) => ({
    IPAMConfig: null,
    Links: null,
    Aliases: aliases,
    MacAddress: '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: networkId,
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: dnsNames,
  });
  const networks = view.spec.networks ?? [];
  if (networks.length === 0)
    return {
      [view.spec.networkMode]: endpoint(builtinNetworkId(view.spec.networkMode), null, null),
    };
  const withShortId = compareApiVersions(apiVersion, '1.45') < 0;
  return Object.fromEntries(
    networks.map((n) => [
      n.name,
      endpoint(n.id, withShortId ? [...n.aliases, shortId] : n.aliases, [
        ...new Set([view.name, ...n.aliases, shortId]),
      ]),
    ]),
  );
}

/**
 * Docker shows a container's ports, published or not, only while it runs: a stopped
 * container's host ports are the agent's to give again.
 */
const showsPorts = (view: ContainerView) => view.state === 'running' || view.state === 'paused';

/** Host ports Mesos gave the task; the agent's hostname is where they listen. */
function publishedPorts(view: ContainerView) {
  if (!showsPorts(view)) return [];
  const task = view.task;
  return (task?.ports ?? []).map((p) => ({ ...p, hostIp: task?.hostname ?? '0.0.0.0' }));
}

/** Every port it listens on: those published and those only exposed (--expose). */
const listening = (view: ContainerView) => [...view.spec.ports, ...(view.spec.exposedPorts ?? [])];

function exposedPorts(view: ContainerView): Record<string, object> | null {
  const ports = listening(view);
  if (ports.length === 0) return null;
  return Object.fromEntries(ports.map((p) => [portKey(p), {}]));
}

function portBindings(
  ports: PortBinding[],
): Record<string, { HostIp: string; HostPort: string }[]> {
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) {
    (bindings[portKey(p)] ??= []).push({
      HostIp: '',
      HostPort: p.hostPort ? String(p.hostPort) : '',
    });
  }
  return bindings;
}

function networkPorts(
  view: ContainerView,
): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  if (!showsPorts(view)) return ports;
  for (const p of listening(view)) ports[portKey(p)] = null;
  for (const p of publishedPorts(view)) {
    const key = portKey(p);
    ports[key] = [...(ports[key] ?? []), { HostIp: p.hostIp, HostPort: String(p.hostPort) }];
  }
  return ports;
}

const UNSET_RESOURCES = {
  CgroupParent: '',
  BlkioWeight: 0,
  BlkioWeightDevice: [],
  BlkioDeviceReadBps: [],
  BlkioDeviceWriteBps: [],
  BlkioDeviceReadIOps: [],
  BlkioDeviceWriteIOps: [],
  CpuRealtimePeriod: 0,
  CpuRealtimeRuntime: 0,
  CpusetCpus: '',
  CpusetMems: '',
  CpuCount: 0,
  CpuPercent: 0,
  DeviceCgroupRules: null,
  MemoryReservation: 0,
  MemorySwap: 0,
  MemorySwappiness: -1,
  OomKillDisable: false,
  PidsLimit: null,
  Ulimits: [],
  IOMaximumIOps: 0,
  IOMaximumBandwidth: 0,
  DnsOptions: [],
  DnsSearch: [],
  GroupAdd: null,
  IpcMode: 'private',
  Cgroup: '',
  OomScoreAdj: 0,
  PidMode: '',
  UTSMode: '',
  UsernsMode: '',
  ShmSize: 67_108_864,
  Isolation: '',
  MaskedPaths: null,
  ReadonlyPaths: null,
  CgroupnsMode: 'private',
} as const;

const isOomKilled = (view: ContainerView) =>
  view.task?.reason === 'REASON_CONTAINER_LIMITATION_MEMORY';

/** GET /containers/{id}/json */
export function inspectBody(view: ContainerView, apiVersion: string) {
  const [path = '', ...args] = command(view);
  const spec = view.spec;
  return {
    Id: view.id,
    Created: view.createdAt.toISOString(),
    Path: path,
    Args: args,
    State: {
      Status: view.state,
      Running: view.state === 'running',
      Paused: view.state === 'paused',
      Restarting: view.state === 'restarting',
      OOMKilled: isOomKilled(view),
      Dead: view.state === 'dead',
      // The process lives on a Mesos agent; its pid there means nothing here.
      Pid: 0,
      ExitCode: view.exitCode ?? 0,
      // Docker has no word for waiting to be placed; a waiting container says why here.
      Error: view.error ?? view.waiting ?? '',
      StartedAt: time(view.startedAt),
      FinishedAt: time(view.finishedAt),
    },
    Image: view.image,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: '',
    Name: `/${view.name}`,
    RestartCount: view.restartCount,
    Driver: 'mesos',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      Binds: null,
      ContainerIDFile: '',
      LogConfig: { Type: 'json-file', Config: {} },
      NetworkMode: networkMode(view),
      PortBindings: portBindings(spec.ports),
      RestartPolicy: {
        Name: spec.restartPolicy.name,
        MaximumRetryCount: spec.restartPolicy.maximumRetryCount ?? 0,
      },
      AutoRemove: spec.autoRemove,
      // The Mesos containerizer behind it, as Docker names its OCI runtime here.
      Runtime: runtimeOf(spec),
      VolumeDriver: '',
      VolumesFrom: null,
      CapAdd: null,
      CapDrop: null,
      Dns: [],
      ExtraHosts: null,
      Links: null,
      Privileged: false,
      PublishAllPorts: spec.publishAllPorts,
      ReadonlyRootfs: false,
      SecurityOpt: null,
      Memory: Math.round(spec.memoryMb * MIB),
      ConsoleSize: spec.consoleSize ? [spec.consoleSize.rows, spec.consoleSize.columns] : [0, 0],
      // The rest of Docker's resource settings, at Docker's "not set", as it always sends
      // them: the CLI's templates (`{{.HostConfig.CpuQuota}}`) fail on a missing key.
      ...UNSET_RESOURCES,
      ...cpusAsAsked(spec),
      Devices: [],
      DeviceRequests:
        spec.gpus > 0
          ? [
              {
                Driver: '',
                Count: spec.gpus,
                DeviceIDs: null,
                Capabilities: [['gpu']],
                Options: {},
              },
            ]
          : null,
      Mounts: [],
    },
    GraphDriver: { Name: 'mesos', Data: null },
    Mounts: [],
    Config: {
      Hostname: spec.hostname ?? view.id.slice(0, 12),
      Domainname: '',
      User: spec.user ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: exposedPorts(view),
      Tty: spec.tty,
      OpenStdin: spec.openStdin,
      StdinOnce: spec.stdinOnce ?? false,
      Env: spec.env,
      Cmd: spec.cmd ?? null,
      Image: view.image,
      Volumes: null,
      WorkingDir: spec.workingDir ?? '',
      Entrypoint: spec.entrypoint ?? null,
      OnBuild: null,
      Labels: spec.labels,
      ...(spec.stopSignal ? { StopSignal: spec.stopSignal } : {}),
      ...(spec.stopTimeout !== undefined ? { StopTimeout: spec.stopTimeout } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: '',
      Ports: networkPorts(view),
      IPAddress: '',
      Gateway: '',
      MacAddress: '',
      Networks: endpoints(view, apiVersion),
    },
    /** What Docker has no field for: the Mesos task behind the container and its resources. */
    Shoal: {
      tenantId: view.tenantId,
      desiredState: view.desiredState,
      resources: { cpus: spec.cpus, memoryMb: spec.memoryMb, diskMb: spec.diskMb, gpus: spec.gpus },
      bestEffort: spec.bestEffort,
      constraints: spec.constraints,
      task: view.task
        ? {
            mesosTaskId: view.task.mesosTaskId,
            agentId: view.task.agentId ?? null,
            hostname: view.task.hostname ?? null,
            state: view.task.state,
            reason: view.task.reason ?? null,
            message: view.task.message ?? null,
            launchedAt: view.task.launchedAt.toISOString(),
          }
        : null,
    },
  };
}

/** One entry of GET /containers/json (docker ps). */
export function summaryBody(view: ContainerView, apiVersion: string) {
  const published = publishedPorts(view);
  const unpublished = showsPorts(view)
    ? listening(view).filter(
        (p) =>
          !published.some((q) => q.containerPort === p.containerPort && q.protocol === p.protocol),
      )
    : [];
  return {
    Id: view.id,
    Names: [`/${view.name}`],
    Image: view.image,
    ImageID: '',
    // With no command of its own a container runs its image's, which Shoal never reads.
    Command: command(view).join(' ') || '(image default)',
    Created: Math.floor(view.createdAt.getTime() / 1000),
    Ports: [
      ...published.map((p) => ({
        IP: p.hostIp,
        PrivatePort: p.containerPort,
        PublicPort: p.hostPort,
        Type: p.protocol,
      })),
      ...unpublished.map((p) => ({ PrivatePort: p.containerPort, Type: p.protocol })),
    ],
    Labels: view.spec.labels,
    State: view.state,
    Status: view.status,
    HostConfig: { NetworkMode: networkMode(view) },
    NetworkSettings: { Networks: endpoints(view, apiVersion) },
    Mounts: [],
  };
}

/** The cpus as the client asked for them: an amount (NanoCpus), shares, or a CFS quota. */
function cpusAsAsked(spec: ContainerView['spec']) {
  const asked = spec.cpusAsked;
  return {
    NanoCpus: asked ? 0 : Math.round(spec.cpus * 1e9),
    CpuShares: asked && 'shares' in asked ? asked.shares : 0,
    CpuPeriod: asked && 'period' in asked ? asked.period : 0,
    CpuQuota: asked && 'quota' in asked ? asked.quota : 0,
  };
}
