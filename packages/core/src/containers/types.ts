import type { Tenant } from '@shoal/db';
import type { PlacementConstraint } from '@shoal/scheduler';
import type { TaskUsage } from './ports';
import type { NetworkAttachment, NetworkRequest } from '../networks/types';
import type { ContainerRuntime } from './runtime';

// The container domain as both front doors see it. The Docker API maps its
// wire format onto these types, the dashboard's tRPC procedures return them.

/** Docker's container states. */
export const CONTAINER_STATES = [
  'created',
  'restarting',
  'running',
  'removing',
  'paused',
  'exited',
  'dead',
] as const;

export type ContainerStateName = (typeof CONTAINER_STATES)[number];

export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** A fixed host port; absent means any port the agent offers. */
  hostPort?: number;
}

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** For on-failure only; 0 means unlimited. */
  maximumRetryCount?: number;
}

/**
 * Placement rules on agent attributes or `hostname`, with Marathon's operators
 * (UNIQUE, CLUSTER, LIKE, UNLIKE, MAX_PER): the scheduler's own type.
 */
export type { PlacementConstraint };

/** Everything a create request may say, already validated and normalised. */
export interface ContainerSpec {
  name: string;
  image: string;
  /** Docker's Entrypoint and Cmd, kept apart as Docker keeps them. */
  entrypoint?: string[];
  cmd?: string[];
  /** `KEY=value` strings, in order. */
  env: string[];
  labels: Record<string, string>;
  workingDir?: string;
  user?: string;
  hostname?: string;
  tty: boolean;
  /** The terminal's first size (Docker's ConsoleSize), when it has one: as the client's. */
  consoleSize?: { rows: number; columns: number };
  openStdin: boolean;
  /**
   * Docker's StdinOnce: the input is the first attached client's, closed when it leaves
   * (`docker run -i` in the foreground sets it). Absent in containers stored before it was kept.
   */
  stdinOnce?: boolean;
  /**
   * The Mesos containerizer that runs it, fixed at create (absent in containers stored
   * before there was a choice: docker). See runtimeOf.
   */
  runtime?: ContainerRuntime;
  /**
   * Under the ucr runtime with a network of its own: the CNI network it joins (the
   * bridge's, or the one the tenant's networks map to when it is on any of them).
   */
  cniNetwork?: string;
  /**
   * `bridge` is a network of its own with ports published on it: Docker's bridge, or
   * the tenant's networks when `networks` lists any.
   */
  networkMode: 'bridge' | 'host' | 'none';
  /** The tenant's networks it is on, with its aliases on each (docker network connect). */
  networks?: NetworkAttachment[];
  ports: PortBinding[];
  /** Docker's ExposedPorts (--expose): ports it listens on that no -p publishes. */
  exposedPorts?: Omit<PortBinding, 'hostPort'>[];
  publishAllPorts: boolean;
  /** Docker's StopSignal (--stop-signal): what `docker stop` sends unless told; TERM if absent. */
  stopSignal?: string;
  /** Docker's StopTimeout (--stop-timeout): a stop's grace period in seconds; 10 if absent. */
  stopTimeout?: number;
  /** Mesos resources the task asks for. */
  cpus: number;
  /**
   * How a Docker client asked for the cpus when not as an amount (--cpus): in relative
   * shares, 1024 a cpu (--cpu-shares), or as a CFS quota over its period (--cpu-quota and
   * --cpu-period). Shown as it was asked.
   */
  cpusAsked?: { shares: number } | { period: number; quota: number };
  memoryMb: number;
  diskMb: number;
  gpus: number;
  restartPolicy: RestartPolicy;
  autoRemove: boolean;
  /** Runs on revocable resources only; the first to be killed when they are revoked. */
  bestEffort: boolean;
  constraints: PlacementConstraint[];
}

/** What a caller may leave out of a create request; defaults fill the rest. */
export type ContainerSpecInput = Pick<ContainerSpec, 'image'> &
  Partial<Omit<ContainerSpec, 'image' | 'networks'>> & {
    /** The tenant's networks to be on, by name or id, with the aliases wanted on each. */
    networks?: NetworkRequest[];
  };

export interface TaskView {
  mesosTaskId: string;
  agentId?: string;
  hostname?: string;
  /** Mesos TaskState name, e.g. TASK_RUNNING. */
  state: string;
  reason?: string;
  message?: string;
  /** Host ports given to this task, one per binding. */
  ports: { containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }[];
  launchedAt: Date;
  updatedAt: Date;
}

export interface ContainerView {
  id: string;
  tenantId: string;
  name: string;
  image: string;
  spec: ContainerSpec;
  state: ContainerStateName;
  desiredState: 'running' | 'stopped';
  /** One line in the style of `docker ps` STATUS, e.g. "Up 3 minutes", "Exited (1) 2 seconds ago". */
  status: string;
  exitCode: number | null;
  error: string | null;
  restartCount: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The latest Mesos task of this container, if it was ever launched. */
  task: TaskView | null;
  /** Why it waits to be placed on an agent, while it does (what the offers lack). */
  waiting: string | null;
  /**
   * In a listing, the version of the stored rows the view was made from: two views of a
   * container with the same version differ only in `status`, which is worded from the
   * time of the read.
   */
  version?: string;
}

export interface ContainerListFilters {
  /** Include stopped containers (docker ps -a). */
  all?: boolean;
  /** `key` or `key=value`. */
  label?: string[];
  /** Docker state names. */
  status?: ContainerStateName[];
  /** Prefix of the id. */
  id?: string[];
  limit?: number;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface WaitResult {
  exitCode: number;
  error?: string;
}

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  /** Only the last N lines; undefined for all. */
  tail?: number;
  /** Only lines at or after this time (as LogLine.at dates them). */
  since?: Date;
  /** Only lines at or before this time; a followed log ends once it has passed. */
  until?: Date;
  /** What every run wrote (`docker logs`), not only the latest run's (an attach). */
  allRuns?: boolean;
  /**
   * For a client attached before the container ended, by its id: found even while it is
   * being removed (a `--rm` container takes itself away as it ends), as the client is
   * owed what it wrote. A lookup by a client's name or id finds such a container gone.
   */
  attached?: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** The line including its trailing newline, when it had one. */
  text: string;
  /**
   * When the line had been written by: the first time Shoal saw its file
   * reach past it (see LogClock), so at most a sampling interval late.
   */
  at: Date;
}

export interface ResourceAmounts {
  cpus: number;
  memoryMb: number;
  diskMb: number;
  gpus: number;
}

export interface QuotaLine {
  guarantee: number | null;
  limit: number | null;
  used: number;
}

/** How a tenant is named to its own users. */
export type TenantNames = Pick<Tenant, 'id' | 'slug' | 'name' | 'mesosRole'>;

export interface TenantUsage {
  /** Whose usage it is, as `docker info` names the tenant. */
  tenant: TenantNames;
  quota: { cpus: QuotaLine; memoryMb: QuotaLine; diskMb: QuotaLine; gpus: QuotaLine };
  /** The revocable cpus and memory that best-effort containers meant to run claim: no quota's. */
  bestEffort: { cpus: number; memoryMb: number };
  containersByState: Record<ContainerStateName, number>;
}

export type ContainerAction =
  | 'create'
  | 'start'
  | 'restart'
  | 'stop'
  | 'kill'
  | 'die'
  | 'oom'
  | 'destroy'
  | 'rename'
  | 'update'
  // As Docker words them: the command follows the start and create of a process run in it.
  | `exec_create: ${string}`
  | `exec_start: ${string}`
  | 'exec_die';

export interface ContainerEvent {
  tenantId: string;
  containerId: string;
  name: string;
  image: string;
  action: ContainerAction;
  at: Date;
  /** Extra attributes, e.g. exitCode for die, signal for kill, and the container's labels. */
  attributes: Record<string, string>;
}

/**
 * The container operations every front door uses. Each takes the caller's
 * tenant first: a container of another tenant is not found, never forbidden.
 * `ref` is a name, a full id or a unique id prefix, as Docker resolves them.
 * Failures are ShoalErrors (NOT_FOUND "No such container: ref", CONFLICT,
 * INVALID_ARGUMENT, QUOTA_EXCEEDED, NOT_SUPPORTED).
 */
export interface ContainerOperations {
  create(tenantId: string, input: ContainerSpecInput, actor: string): Promise<ContainerView>;
  start(tenantId: string, ref: string, actor: string): Promise<ContainerView>;
  /** As start, and says whether it started it: false when it was meant to run already. */
  startIfStopped(
    tenantId: string,
    ref: string,
    actor: string,
  ): Promise<{ container: ContainerView; started: boolean }>;
  stop(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number; signal?: string },
    actor: string,
  ): Promise<ContainerView>;
  /** As stop, and says whether it stopped it: false when it was neither running nor meant to. */
  stopIfRunning(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number; signal?: string },
    actor: string,
  ): Promise<{ container: ContainerView; stopped: boolean }>;
  kill(
    tenantId: string,
    ref: string,
    options: { signal?: string },
    actor: string,
  ): Promise<ContainerView>;
  restart(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number },
    actor: string,
  ): Promise<ContainerView>;
  remove(tenantId: string, ref: string, options: { force?: boolean }, actor: string): Promise<void>;
  /** `docker update --restart`: the policy from the container's next exit on. */
  updateRestartPolicy(
    tenantId: string,
    ref: string,
    policy: RestartPolicy,
    actor: string,
  ): Promise<ContainerView>;
  /** Gives the container a new name (Docker's 409 when the tenant uses it already). */
  rename(tenantId: string, ref: string, name: string, actor: string): Promise<ContainerView>;
  get(tenantId: string, ref: string): Promise<ContainerView>;
  list(tenantId: string, filters?: ContainerListFilters): Promise<ContainerView[]>;
  /**
   * Resolves when the condition holds; rejects with an AbortError when `signal` aborts.
   * `onWaiting` is called once the container is found and the wait heard everything after.
   */
  wait(
    tenantId: string,
    ref: string,
    condition: WaitCondition,
    signal?: AbortSignal,
    onWaiting?: () => void,
  ): Promise<WaitResult>;
  /** Lines from the task's sandbox on its agent; with `follow`, until the task ends or `signal` aborts. */
  logs(
    tenantId: string,
    ref: string,
    options: LogOptions,
    signal?: AbortSignal,
  ): AsyncIterable<LogLine>;
  /** Every status update the container's tasks went through, oldest first. */
  history(
    tenantId: string,
    ref: string,
  ): Promise<
    {
      mesosTaskId: string;
      state: string;
      reason: string | null;
      message: string | null;
      at: Date;
    }[]
  >;
  usage(tenantId: string): Promise<TenantUsage>;
  /** What the task's agent measures now (cpu time, memory), or undefined when nothing is measured. */
  measure(tenantId: string, ref: string): Promise<TaskUsage | undefined>;
  /**
   * Distinct images of the tenant's containers, with how many use each, then the images it
   * pulled (with 0 containers; the same image may appear in both).
   */
  images(tenantId: string): Promise<{ image: string; containers: number; firstSeenAt: Date }[]>;
  /** Remembers that the tenant pulled `reference` (the agents pull it when a container starts). */
  recordPull(tenantId: string, reference: string, actor: string): Promise<void>;
  /** Forgets pulls (docker rmi, image prune); the references it had among them. */
  forgetPulls(tenantId: string, references: string[], actor: string): Promise<string[]>;
}
