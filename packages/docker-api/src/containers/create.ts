import {
  type ContainerRuntime,
  type ContainerSpecInput,
  isRuntime,
  type PortBinding,
  type RestartPolicy,
  type RestartPolicyName,
} from '@shoal/core';
import { badRequest } from '../errors';
import {
  amountField,
  boolField,
  commandField,
  isObject,
  isUnset,
  objectField,
  stringField,
  stringListField,
  stringMapField,
  type JsonObject,
} from './body-fields';
import { parseNetworking } from './endpoints';

const MIB = 1024 * 1024;

// Fields that only describe the client's side of things (which streams it will
// attach, where it writes the id file, its terminal size) or are plain image
// metadata: accepting them changes nothing about how the container runs.
const CLIENT_SIDE = new Set([
  'Image',
  'AttachStdin',
  'AttachStdout',
  'AttachStderr',
  'ArgsEscaped',
  'OnBuild',
  'Shell',
  'HostConfig',
  'NetworkingConfig',
  // dockerode repeats the ?name= query parameter in the body.
  'name',
]);
const HOST_CLIENT_SIDE = new Set(['ContainerIDFile', 'ConsoleSize', 'LogConfig']);
// Everything Shoal maps onto a ContainerSpec.
const HANDLED = new Set([
  'Hostname',
  'User',
  'Env',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'Labels',
  'ExposedPorts',
  'Tty',
  'OpenStdin',
  'StdinOnce',
  'StopSignal',
  'StopTimeout',
]);
const HOST_HANDLED = new Set([
  'NetworkMode',
  'PortBindings',
  'PublishAllPorts',
  'Memory',
  'NanoCpus',
  'CpuShares',
  'CpuPeriod',
  'CpuQuota',
  'RestartPolicy',
  'AutoRemove',
  'DeviceRequests',
  'Runtime',
]);

/** The `docker run` flag behind a HostConfig field, so the refusal names what the user typed. */
const FLAGS: Record<string, string> = {
  Privileged: '--privileged',
  Binds: '-v/--volume',
  Mounts: '--mount',
  Volumes: '-v/--volume',
  VolumesFrom: '--volumes-from',
  VolumeDriver: '--volume-driver',
  CapAdd: '--cap-add',
  CapDrop: '--cap-drop',
  Devices: '--device',
  Links: '--link',
  Dns: '--dns',
  DnsOptions: '--dns-option',
  DnsSearch: '--dns-search',
  ExtraHosts: '--add-host',
  SecurityOpt: '--security-opt',
  ReadonlyRootfs: '--read-only',
  ShmSize: '--shm-size',
  Tmpfs: '--tmpfs',
  Ulimits: '--ulimit',
  Sysctls: '--sysctl',
  PidMode: '--pid',
  IpcMode: '--ipc',
  UTSMode: '--uts',
  UsernsMode: '--userns',
  GroupAdd: '--group-add',
  Init: '--init',
  Runtime: '--runtime',
  MemorySwap: '--memory-swap',
  MemoryReservation: '--memory-reservation',
  CpusetCpus: '--cpuset-cpus',
  OomScoreAdj: '--oom-score-adj',
  Domainname: '--domainname',
  MacAddress: '--mac-address',
  Healthcheck: '--health-cmd',
  NetworkDisabled: '--network none',
};

// Settings that reach past the container into the agent host, which every tenant's
// containers share: Mesos has them, but a tenant given them could touch other tenants.
const HOST_REACHING = new Set([
  'Privileged',
  'Binds',
  'Mounts',
  'Volumes',
  'VolumesFrom',
  'VolumeDriver',
  'CapAdd',
  'Devices',
  'SecurityOpt',
  'Sysctls',
  'PidMode',
  'IpcMode',
  'UTSMode',
  'UsernsMode',
  'CgroupParent',
  'Cgroup',
]);
const HOST_REASON =
  "Shoal does not offer it to tenants: it reaches into the Mesos agent's host, which other tenants' containers share, so it would break tenant isolation";
const OTHER_REASON =
  'Shoal does not pass this setting on to the Mesos agent that runs the container';

// Maps whose keys are the settings themselves (Volumes: {"/data": {}}): set
// as soon as they have a key, although every value is empty.
const KEYED_MAPS = new Set(['Volumes', 'Tmpfs', 'Sysctls', 'StorageOpt', 'Annotations']);

const isSet = (key: string, value: unknown) =>
  KEYED_MAPS.has(key) && isObject(value) ? Object.keys(value).length > 0 : !isUnset(value);

function refuseUnsupported(from: JsonObject, known: Set<string>, prefix: string): void {
  for (const [key, value] of Object.entries(from)) {
    if (known.has(key) || !isSet(key, value)) continue;
    // MemorySwappiness -1 is how clients say "the default".
    if (key === 'MemorySwappiness' && value === -1) continue;
    const flag = FLAGS[key];
    throw badRequest(
      `${prefix}${key}${flag ? ` (${flag})` : ''} is not supported by Shoal: ${HOST_REACHING.has(key) ? HOST_REASON : OTHER_REASON}`,
    );
  }
}

export interface CreateRequest {
  name?: string;
  platform?: string;
}

/** Docker's create body → what core's ContainerOperations.create takes. */
export function parseCreateBody(body: unknown, request: CreateRequest): ContainerSpecInput {
  if (!isObject(body))
    throw badRequest('the request body must be a JSON object (the container config)');
  if (request.platform && !request.platform.startsWith('linux')) {
    throw badRequest(
      `platform "${request.platform}" is not supported: Shoal runs Linux containers`,
    );
  }
  const image = stringField(body, 'Image', 'Image');
  if (!image) throw badRequest('Image is required: name the image the container runs');
  // --no-healthcheck (compose's `disable: true`) turns off a check Shoal never runs.
  const noHealthcheck =
    isObject(body.Healthcheck) && Array.isArray(body.Healthcheck.Test)
      ? body.Healthcheck.Test[0] === 'NONE'
      : false;
  refuseUnsupported(
    body,
    new Set([...CLIENT_SIDE, ...HANDLED, ...(noHealthcheck ? ['Healthcheck'] : [])]),
    '',
  );
  const host = objectField(body, 'HostConfig', 'HostConfig') ?? {};
  refuseNamedVolumes(host);
  refuseUnsupported(host, new Set([...HOST_CLIENT_SIDE, ...HOST_HANDLED]), 'HostConfig.');
  refuseOtherLogDrivers(host);

  const ports = parsePorts(host);
  const publishAllPorts = boolField(host, 'PublishAllPorts', 'HostConfig.PublishAllPorts') ?? false;
  if (publishAllPorts) {
    // Docker publishes the ports the image declares; Shoal never sees the image, only what
    // the request names (--expose, -p). Publishing nothing in silence is not an answer.
    if (Object.keys(objectField(body, 'ExposedPorts', 'ExposedPorts') ?? {}).length === 0) {
      throw badRequest(
        '-P (PublishAllPorts) publishes the ports the image exposes, which Shoal cannot read (agents pull images, Shoal does not): name them with --expose, or publish them with -p',
      );
    }
    ports.push(...exposedPorts(body, ports).map((p) => ({ ...p })));
  }

  // Names, labels (shoal.best-effort, shoal.constraints), restart rules and
  // port/network combinations are validated by core, the same for both front doors.
  const spec: ContainerSpecInput = {
    image,
    env: stringListField(body, 'Env', 'Env') ?? [],
    labels: stringMapField(body, 'Labels', 'Labels') ?? {},
    // Whether the runtime can give them is core's to say (the Docker containerizer cannot).
    tty: boolField(body, 'Tty', 'Tty') ?? false,
    openStdin: boolField(body, 'OpenStdin', 'OpenStdin') ?? false,
    ...networking(body, host),
    stdinOnce: boolField(body, 'StdinOnce', 'StdinOnce') ?? false,
    ports,
    publishAllPorts,
    restartPolicy: parseRestartPolicy(host),
    autoRemove: boolField(host, 'AutoRemove', 'HostConfig.AutoRemove') ?? false,
  };
  const name = request.name || stringField(body, 'name', 'name');
  if (name) spec.name = name;
  const entrypoint = commandField(body, 'Entrypoint', 'Entrypoint');
  if (entrypoint) spec.entrypoint = entrypoint;
  const cmd = commandField(body, 'Cmd', 'Cmd');
  if (cmd) spec.cmd = cmd;
  const workingDir = stringField(body, 'WorkingDir', 'WorkingDir');
  if (workingDir) spec.workingDir = workingDir;
  const user = stringField(body, 'User', 'User');
  if (user) spec.user = user;
  const hostname = stringField(body, 'Hostname', 'Hostname');
  if (hostname) spec.hostname = hostname;
  const stopSignal = stringField(body, 'StopSignal', 'StopSignal');
  if (stopSignal) spec.stopSignal = stopSignal;
  // Docker's *int: 0 is a stop with no grace period, not "unset".
  if (body.StopTimeout !== undefined && body.StopTimeout !== null) {
    if (typeof body.StopTimeout !== 'number' || !Number.isInteger(body.StopTimeout))
      throw badRequest('invalid type for StopTimeout: expected a whole number of seconds');
    spec.stopTimeout = body.StopTimeout;
  }
  const exposed = exposedPorts(body, ports);
  if (exposed.length > 0) spec.exposedPorts = exposed;
  Object.assign(spec, parseResources(host));
  const runtime = parseRuntime(host);
  if (runtime) spec.runtime = runtime;
  return spec;
}

/** The container's network: Docker's bridge, host or none, or the tenant's networks. */
function networking(
  body: JsonObject,
  host: JsonObject,
): Pick<ContainerSpecInput, 'networkMode' | 'networks'> {
  const { networkMode, networks } = parseNetworking(
    body,
    stringField(host, 'NetworkMode', 'HostConfig.NetworkMode'),
  );
  return networks.length > 0 ? { networkMode, networks } : { networkMode };
}

/**
 * `--runtime`: which Mesos containerizer runs the container. `runc`, Docker's own
 * default name, means the default here too.
 */
function parseRuntime(host: JsonObject): ContainerRuntime | undefined {
  const runtime = stringField(host, 'Runtime', 'HostConfig.Runtime');
  if (runtime === undefined || runtime === '' || runtime === 'runc') return undefined;
  if (isRuntime(runtime)) return runtime;
  throw badRequest(
    `HostConfig.Runtime (--runtime ${runtime}) is not a Shoal runtime: use docker (the Mesos Docker containerizer) or ucr (the Mesos containerizer with the Docker image)`,
  );
}

/**
 * A named volume (`-v data:/data`, compose's `volumes:`) would be a Docker volume on
 * whichever agent the task lands on: Mesos gives a task none, so it is refused by name.
 */
function refuseNamedVolumes(host: JsonObject): void {
  const binds = Array.isArray(host.Binds) ? host.Binds : [];
  const mounts = Array.isArray(host.Mounts) ? host.Mounts : [];
  const named = [
    ...binds
      .filter((b): b is string => typeof b === 'string' && !b.startsWith('/') && b.includes(':'))
      .map((b) => b.slice(0, b.indexOf(':'))),
    ...mounts
      .filter((m) => isObject(m) && m.Type === 'volume' && typeof m.Source === 'string' && m.Source)
      .map((m) => String((m as JsonObject).Source)),
  ];
  if (named.length > 0)
    throw badRequest(
      `named volume "${named[0]}" (-v ${named[0]}:…, --mount type=volume) is not supported by Shoal: a Mesos task gets no Docker volumes, and a volume on one agent would not follow the container to another`,
    );
}

/** Output always stays in the task's sandbox, which behaves like json-file without options. */
function refuseOtherLogDrivers(host: JsonObject): void {
  const log = objectField(host, 'LogConfig', 'HostConfig.LogConfig');
  if (!log) return;
  const driver = stringField(log, 'Type', 'HostConfig.LogConfig.Type');
  if (driver && driver !== 'json-file') {
    throw badRequest(
      `HostConfig.LogConfig.Type (--log-driver ${driver}) is not supported by Shoal: output stays in the task's sandbox on its Mesos agent`,
    );
  }
  if (!isUnset(log.Config)) {
    throw badRequest(
      "HostConfig.LogConfig.Config (--log-opt) is not supported by Shoal: the task's sandbox on its Mesos agent keeps its output",
    );
  }
}

const PORT_KEY = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/;

function parsePortKey(key: string, path: string): { port: number; protocol: 'tcp' | 'udp' } {
  const match = PORT_KEY.exec(key);
  const port = Number(match?.[1]);
  if (!match || port < 1 || port > 65_535) throw badRequest(`invalid port "${key}" in ${path}`);
  if (match[2] === 'sctp')
    throw badRequest(`${path} "${key}": sctp ports are not supported by Shoal`);
  return { port, protocol: match[2] === 'udp' ? 'udp' : 'tcp' };
}

function parsePorts(host: JsonObject): PortBinding[] {
  const bindings = objectField(host, 'PortBindings', 'HostConfig.PortBindings') ?? {};
  const ports: PortBinding[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const path = 'HostConfig.PortBindings';
    const { port, protocol } = parsePortKey(key, path);
    if (list === null) continue;
    if (!Array.isArray(list)) throw badRequest(`invalid type for ${path}.${key}: expected a list`);
    for (const binding of list) {
      if (!isObject(binding)) throw badRequest(`invalid type for ${path}.${key}: expected objects`);
      const hostIp = stringField(binding, 'HostIp', `${path}.${key}.HostIp`);
      if (hostIp && hostIp !== '0.0.0.0' && hostIp !== '::') {
        throw badRequest(
          `${path}.${key}: binding to host address ${hostIp} is not supported by Shoal; the agent chooses the address`,
        );
      }
      const hostPort = stringField(binding, 'HostPort', `${path}.${key}.HostPort`);
      if (hostPort !== undefined && !/^\d{1,5}$/.test(hostPort)) {
        throw badRequest(
          `${path}.${key}: host port "${hostPort}" must be one port number (ranges are not supported)`,
        );
      }
      ports.push(
        hostPort
          ? { containerPort: port, protocol, hostPort: Number(hostPort) }
          : { containerPort: port, protocol },
      );
    }
  }
  return ports;
}

/** Exposed ports that no binding publishes (with -P, each is published on any host port). */
function exposedPorts(body: JsonObject, bound: PortBinding[]): Omit<PortBinding, 'hostPort'>[] {
  const exposed = objectField(body, 'ExposedPorts', 'ExposedPorts') ?? {};
  return Object.keys(exposed)
    .map((key) => parsePortKey(key, 'ExposedPorts'))
    .filter((p) => !bound.some((b) => b.containerPort === p.port && b.protocol === p.protocol))
    .map((p) => ({ containerPort: p.port, protocol: p.protocol }));
}

export function parseRestartPolicy(host: JsonObject): RestartPolicy {
  const policy = objectField(host, 'RestartPolicy', 'HostConfig.RestartPolicy') ?? {};
  // Core checks the name against Docker's four policies.
  const name = (stringField(policy, 'Name', 'HostConfig.RestartPolicy.Name') ??
    'no') as RestartPolicyName;
  const retries = amountField(
    policy,
    'MaximumRetryCount',
    'HostConfig.RestartPolicy.MaximumRetryCount',
  );
  if (retries !== undefined && !Number.isInteger(retries)) {
    throw badRequest('invalid HostConfig.RestartPolicy.MaximumRetryCount: expected a whole number');
  }
  return retries === undefined ? { name } : { name, maximumRetryCount: retries };
}

/** Docker's resource fields in Mesos units: cpus, megabytes, gpus. */
function parseResources(host: JsonObject): { cpus?: number; memoryMb?: number; gpus?: number } {
  const resources: { cpus?: number; memoryMb?: number; gpus?: number } = {};
  const memory = amountField(host, 'Memory', 'HostConfig.Memory');
  if (memory !== undefined) resources.memoryMb = memory / MIB;
  const nanoCpus = amountField(host, 'NanoCpus', 'HostConfig.NanoCpus');
  const period = amountField(host, 'CpuPeriod', 'HostConfig.CpuPeriod');
  const quota = amountField(host, 'CpuQuota', 'HostConfig.CpuQuota');
  const shares = amountField(host, 'CpuShares', 'HostConfig.CpuShares');
  if (nanoCpus !== undefined && (period !== undefined || quota !== undefined)) {
    throw badRequest(
      'conflicting options: NanoCpus (--cpus) and CpuPeriod/CpuQuota cannot both be set',
    );
  }
  if ((period === undefined) !== (quota === undefined)) {
    throw badRequest('CpuPeriod and CpuQuota must be set together (--cpu-period with --cpu-quota)');
  }
  // Mesos has one cpus amount: --cpus says it directly, a CFS quota over its
  // period says the same, and cpu-shares are relative weights where 1024 is one cpu.
  if (nanoCpus !== undefined) resources.cpus = nanoCpus / 1e9;
  else if (period !== undefined && quota !== undefined) resources.cpus = quota / period;
  else if (shares !== undefined) resources.cpus = shares / 1024;
  const gpus = parseGpus(host);
  if (gpus !== undefined) resources.gpus = gpus;
  return resources;
}

/** `--gpus N` arrives as a device request for N devices with the "gpu" capability. */
function parseGpus(host: JsonObject): number | undefined {
  const requests = host.DeviceRequests;
  if (isUnset(requests)) return undefined;
  const path = 'HostConfig.DeviceRequests';
  if (!Array.isArray(requests)) throw badRequest(`invalid type for ${path}: expected a list`);
  let gpus = 0;
  for (const request of requests) {
    if (!isObject(request)) throw badRequest(`invalid type for ${path}: expected objects`);
    const capabilities = request.Capabilities;
    const isGpu =
      Array.isArray(capabilities) &&
      capabilities.some((set) => Array.isArray(set) && set.includes('gpu'));
    const count = request.Count;
    if (!isGpu || !isUnset(request.DeviceIDs) || typeof count !== 'number' || count < 1) {
      throw badRequest(
        `${path} is supported only as --gpus <count>: Mesos gives a task a number of GPUs, not chosen devices or all of them`,
      );
    }
    gpus += count;
  }
  return gpus;
}
