/** What one simulated agent offers. Unset fields take the defaults below. */
export interface AgentSpec {
  hostname?: string;
  cpus?: number;
  /** MB */
  mem?: number;
  /** MB */
  disk?: number;
  gpus?: number;
  ports?: [number, number][];
  /** Text or scalar attributes, e.g. `{ rack: 'r1', zone_weight: 3 }`. */
  attributes?: Record<string, string | number>;
  /** An extra oversubscribed slice, offered only to REVOCABLE_RESOURCES frameworks. */
  revocable?: { cpus?: number; mem?: number };
}

export interface SimOptions {
  /** Number of master HTTP servers sharing one cluster state (default 1). */
  masters?: number;
  /** Agent count with default resources, or one spec per agent (default 3). */
  agents?: number | AgentSpec[];
  host?: string;
  /** Port of the first master; others take the next ports. 0 picks free ports (default 0). */
  port?: number;
  /** Port of the gateway that serves every agent's HTTP endpoints (default 0). */
  agentGatewayPort?: number;
  /** Mesos fixes this at 15 s; tests shorten it (default 15). */
  heartbeatIntervalSeconds?: number;
  /** Batch allocation period, like `--allocation_interval` (default 1000). */
  allocationIntervalMs?: number;
  /** Rescind offers held longer than this, like `--offer_timeout` (default: never). */
  offerTimeoutSeconds?: number;
  /** First retry of an unacknowledged status update; doubles up to 60× (default 10 000). */
  statusUpdateRetryMs?: number;
  /** Seeds every id and uuid the cluster mints (default 1). */
  seed?: number;
  /**
   * Whether tasks report TASK_STAGING as a status update before TASK_STARTING (default
   * false: a real master keeps STAGING to itself, and executors report STARTING first).
   * Set true to see a scheduler cope with an extra update.
   */
  stagingUpdates?: boolean;
  /** Logs one line per notable cluster event when set. */
  log?: (line: string) => void;
  /** Told of faults of the emulator's own (a state file it could not write); `log` if unset. */
  warn?: (line: string) => void;
  /**
   * HTTP basic credentials the masters' scheduler and operator APIs and the agents'
   * endpoints require, as a cluster run with `--authenticate_frameworks`,
   * `--authenticate_http_readwrite` and agents with `--authenticate_http_readonly` does
   * (default: none required). The fault API stays open.
   */
  credentials?: { principal: string; secret: string };
  /** PEM certificate and key: the agent gateway speaks https, and offers say so (default http). */
  agentTls?: { cert: string; key: string };
  /**
   * A file the cluster keeps its state in across a restart: its agents (ids, resources,
   * attributes) and their port, its frameworks, its live tasks and every task's sandbox.
   * Written as things change (a killed process loses at most the last moments) and read
   * at start: the cluster comes back as after a master failover, tasks still running and
   * frameworks known until they subscribe again with their ids; the output of tasks that
   * ran before stays readable at the same agent address (default: none, all in memory).
   */
  stateFile?: string;
  /** The Mesos version masters and agents report (default 1.11.0), to play an older cluster. */
  version?: string;
  /**
   * CNI networks configured on every agent (`--network_cni_config_dir`), which tasks under
   * the Mesos containerizer may join by name (default `['mesos-bridge']`).
   */
  cniNetworks?: string[];
  /**
   * How often an agent's I/O switchboard sends a HEARTBEAT on open output streams, like
   * the agent's `--http_heartbeat_interval` (default 30).
   */
  ioHeartbeatSeconds?: number;
}

export interface ResolvedOptions {
  masters: number;
  agents: AgentSpec[];
  host: string;
  port: number;
  agentGatewayPort: number;
  heartbeatIntervalSeconds: number;
  allocationIntervalMs: number;
  offerTimeoutSeconds: number | undefined;
  statusUpdateRetryMs: number;
  seed: number;
  stagingUpdates: boolean;
  log: (line: string) => void;
  warn: (line: string) => void;
  credentials: { principal: string; secret: string } | undefined;
  agentTls: { cert: string; key: string } | undefined;
  stateFile: string | undefined;
  version: string;
  cniNetworks: string[];
  ioHeartbeatSeconds: number;
}

export const DEFAULT_AGENT = {
  cpus: 4,
  mem: 8192,
  disk: 65536,
  gpus: 0,
  ports: [[31000, 32000]] as [number, number][],
};

export function resolveOptions(options: SimOptions): ResolvedOptions {
  const agents = options.agents ?? 3;
  const resolved: ResolvedOptions = {
    masters: options.masters ?? 1,
    agents: typeof agents === 'number' ? Array.from({ length: agents }, () => ({})) : agents,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    agentGatewayPort: options.agentGatewayPort ?? 0,
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 15,
    allocationIntervalMs: options.allocationIntervalMs ?? 1000,
    offerTimeoutSeconds: options.offerTimeoutSeconds,
    statusUpdateRetryMs: options.statusUpdateRetryMs ?? 10_000,
    seed: options.seed ?? 1,
    stagingUpdates: options.stagingUpdates ?? false,
    log: options.log ?? (() => {}),
    warn: options.warn ?? options.log ?? (() => {}),
    credentials: options.credentials,
    agentTls: options.agentTls,
    stateFile: options.stateFile,
    version: options.version ?? '1.11.0',
    cniNetworks: options.cniNetworks ?? ['mesos-bridge'],
    ioHeartbeatSeconds: options.ioHeartbeatSeconds ?? 30,
  };
  if (!Number.isInteger(resolved.masters) || resolved.masters < 1)
    throw new RangeError('masters must be a positive integer');
  for (const [name, value] of [
    ['heartbeatIntervalSeconds', resolved.heartbeatIntervalSeconds],
    ['allocationIntervalMs', resolved.allocationIntervalMs],
    ['statusUpdateRetryMs', resolved.statusUpdateRetryMs],
    ['ioHeartbeatSeconds', resolved.ioHeartbeatSeconds],
  ] as const) {
    if (!(value > 0)) throw new RangeError(`${name} must be positive`);
  }
  return resolved;
}
