import { badRequest } from '../errors';
import { isObject, isUnset, objectField, stringField, type JsonObject } from './body-fields';

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
  MemorySwappiness: '--memory-swappiness',
  KernelMemory: '--kernel-memory',
  OomKillDisable: '--oom-kill-disable',
  PidsLimit: '--pids-limit',
  MemoryReservation: '--memory-reservation',
  CpusetCpus: '--cpuset-cpus',
  OomScoreAdj: '--oom-score-adj',
  Domainname: '--domainname',
  MacAddress: '--mac-address',
  Healthcheck: '--health-cmd',
  NetworkDisabled: '--network none',
  MaskedPaths: '--security-opt systempaths=unconfined',
  ReadonlyPaths: '--security-opt systempaths=unconfined',
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
  'MaskedPaths',
  'ReadonlyPaths',
]);
const HOST_REASON =
  "Shoal does not offer it to tenants: it reaches into the Mesos agent's host, which other tenants' containers share, so it would break tenant isolation";
const OTHER_REASON =
  'Shoal does not pass this setting on to the Mesos agent that runs the container';

// Maps whose keys are the settings themselves (Volumes: {"/data": {}}): set
// as soon as they have a key, although every value is empty.
const KEYED_MAPS = new Set(['Volumes', 'Tmpfs', 'Sysctls', 'StorageOpt', 'Annotations']);

// Fields whose zero value asks for something, so only these mean "unset": swappiness 0
// keeps the container out of swap (the CLI sends -1 when --memory-swappiness is not given),
// and empty path lists are --security-opt systempaths=unconfined, which unmasks /proc.
// A pids limit of -1 (or 0) is "unlimited", which a Mesos task's processes are.
const UNSET_ONLY_AS: Record<string, readonly unknown[]> = {
  MemorySwappiness: [null, undefined, -1],
  PidsLimit: [null, undefined, 0, -1],
  MaskedPaths: [null, undefined],
  ReadonlyPaths: [null, undefined],
};

function isSet(key: string, value: unknown): boolean {
  const unset = UNSET_ONLY_AS[key];
  if (unset) return !unset.includes(value);
  return KEYED_MAPS.has(key) && isObject(value) ? Object.keys(value).length > 0 : !isUnset(value);
}

function refuseUnsupported(from: JsonObject, known: Set<string>, prefix: string): void {
  for (const [key, value] of Object.entries(from)) {
    if (known.has(key) || !isSet(key, value)) continue;
    const flag = FLAGS[key];
    throw badRequest(
      `${prefix}${key}${flag ? ` (${flag})` : ''} is not supported by Shoal: ${HOST_REACHING.has(key) ? HOST_REASON : OTHER_REASON}`,
    );
  }
}

/** Refuses the top-level fields of a create body that Shoal does not carry out. */
export function refuseUnsupportedSettings(body: JsonObject): void {
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
}

/** Refuses the HostConfig fields of a create body that Shoal does not carry out. */
export function refuseUnsupportedHostSettings(host: JsonObject): void {
  refuseNamedVolumes(host);
  refuseUnsupported(host, new Set([...HOST_CLIENT_SIDE, ...HOST_HANDLED]), 'HostConfig.');
  refuseOtherLogDrivers(host);
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
