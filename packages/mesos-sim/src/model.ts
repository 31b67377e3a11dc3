import type {
  Attribute,
  DrainConfig,
  FrameworkInfo,
  scheduler,
  TaskInfo,
  TaskState,
  TaskStatus,
  Unavailability,
} from '@shoal/mesos';
import type { AgentSpec } from './options';
import type { Resources } from './resources';
import type { Sandbox } from './sandbox';
import type { TaskRun } from './runner';
import type { IoContainer } from './ucr/switchboard';

/**
 * The records the emulated master keeps. They are plain mutable objects owned by the
 * services in this package; everything outside sees them only through snapshots or wire
 * views.
 */

/** Where an agent stands with the master, which decides reconciliation answers. */
export type AgentStatus = 'REGISTERED' | 'UNREACHABLE' | 'REMOVED' | 'GONE';

export interface AgentRecord {
  id: string;
  hostname: string;
  spec: AgentSpec;
  total: Resources;
  attributes: Attribute[];
  status: AgentStatus;
  /** Deactivated agents get no offers (DEACTIVATE_AGENT, DRAIN_AGENT). */
  deactivated: boolean;
  drain?: { state: 'DRAINING' | 'DRAINED'; config: DrainConfig };
  registeredAt: number;
  reregisteredAt?: number;
  unreachableAt?: number;
  /** Resources of tasks the master still counts as allocated. */
  used: Resources;
  offered: Resources;
  tasks: Set<TaskRecord>;
  offers: Set<OfferRecord>;
}

export interface EventSink<E> {
  send(event: E): void;
  close(): void;
}

export interface RoleUsage {
  allocated: Resources;
  offered: Resources;
}

export interface OfferFilter {
  until: number;
  /** The filter only holds while what the agent has left is within what was refused. */
  resources: Resources;
}

export interface FrameworkRecord {
  id: string;
  info: FrameworkInfo;
  roles: string[];
  capabilities: Set<string>;
  connected: boolean;
  removed: boolean;
  /** Set after a leader change until the framework subscribes again. */
  recovered: boolean;
  sink?: EventSink<scheduler.Event>;
  streamId?: string;
  suppressed: Set<string>;
  /** Offer filters by role, then agent id. */
  filters: Map<string, Map<string, OfferFilter>>;
  inverseFilters: Map<string, number>;
  offers: Set<OfferRecord>;
  inverseOffers: Set<InverseOfferRecord>;
  tasks: Map<string, TaskRecord>;
  unreachableTasks: Map<string, TaskRecord>;
  completedTasks: TaskRecord[];
  usage: Map<string, RoleUsage>;
  registeredAt: number;
  reregisteredAt?: number;
  unregisteredAt?: number;
  failoverTimer?: NodeJS.Timeout;
}

export interface OfferRecord {
  id: string;
  framework: FrameworkRecord;
  agent: AgentRecord;
  role: string;
  resources: Resources;
  timer?: NodeJS.Timeout;
}

export interface InverseOfferRecord {
  id: string;
  framework: FrameworkRecord;
  agent: AgentRecord;
  unavailability: Unavailability;
}

export interface TaskRecord {
  id: string;
  framework: FrameworkRecord;
  agent: AgentRecord;
  executorId: string;
  role: string;
  info: TaskInfo;
  resources: Resources;
  /** The state the master knows, which lags the agent until updates are forwarded. */
  state: TaskState;
  /** Statuses the master has seen, newest last (Task.statuses). */
  statuses: TaskStatus[];
  /** The agent's own latest state. */
  agentState: TaskState;
  /** The agent's status update stream: unacknowledged updates, oldest first. */
  pending: TaskStatus[];
  retryTimer?: NodeJS.Timeout;
  retryDelayMs: number;
  /** True once the master gave the resources back (terminal state seen). */
  released: boolean;
  run?: TaskRun;
  /** The agent's id of the task's container, as ContainerStatus.container_id reports it. */
  containerId: string;
  /** The I/O switchboard of a task under the Mesos containerizer launched with a terminal. */
  io?: IoContainer;
  /** Containers nested in the task's (sessions), running or ended, by id. */
  nested: Map<string, IoContainer>;
  sandbox: Sandbox;
  launchedAt: number;
  killReason?: TaskStatus['reason'];
}

const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}
