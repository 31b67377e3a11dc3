import type { PlacementNeeds, TaskRequest } from '@shoal/scheduler';

// What the container domain needs from the process that owns the Mesos
// subscription. Core depends on these shapes only; apps/server provides them.

/** The parts of the framework the supervisor drives (MesosFramework has them all). */
export interface TaskLauncher {
  submit(request: TaskRequest): void;
  /** Queues tasks together; they are placed in one round. */
  submitAll(requests: readonly TaskRequest[]): void;
  cancel(taskId: string): boolean;
  isPending(taskId: string): boolean;
  kill(taskId: string, agentId?: string, gracePeriodSeconds?: number): Promise<void>;
}

/** Where a task's sandbox is: its agent. */
export interface SandboxTask {
  mesosTaskId: string;
  agentId: string;
  agentEndpoint: string | null;
}

/** Reads a task's sandbox files through its agent's `/files` endpoints. */
export interface SandboxReader {
  read(
    task: SandboxTask,
    file: 'stdout' | 'stderr',
    offset: number,
    length: number,
  ): Promise<{ data: string; offset: number }>;
  /** The sizes of stdout and stderr, from one listing; none when the agent has no such sandbox. */
  sizes(task: SandboxTask): Promise<{ stdout: number; stderr: number } | undefined>;
}

/** Wakes whoever converges desired and actual state (the leader's supervisor). */
export interface ConvergeTrigger {
  wake(): void;
}

/** Resource usage of one task as its agent measures it (`/monitor/statistics`). */
export interface TaskUsage {
  /** When the agent took the sample. */
  at: Date;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  cpusLimit: number;
  memRssBytes: number;
  memLimitBytes: number;
  /** Only where the agent measures it (Mesos's network/port_mapping isolator). */
  network?: NetworkCounters;
  /** Per block device, only where the agent measures it (the cgroups/blkio isolator). */
  blockIo?: BlockIoCounter[];
}

export interface NetworkCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export interface BlockIoCounter {
  major: number;
  minor: number;
  op: 'read' | 'write';
  bytes: number;
}

export interface TaskMonitor {
  /** Undefined when the agent has no statistics for the task (not running, or no monitor). */
  usage(task: {
    mesosTaskId: string;
    agentId: string;
    agentEndpoint: string | null;
  }): Promise<TaskUsage | undefined>;
}

/**
 * Whether the cluster as last listed could ever run a container of a role: the reason
 * no agent could (too large, a host port outside every range, a constraint no agent
 * meets), or undefined when one could or the cluster is not known yet. Answers from
 * what it has in hand, without a call: it runs inside a batch of starts.
 */
export interface PlacementCheck {
  whyNeverPlaced(role: string, needs: PlacementNeeds): string | undefined;
  /** Resolves once the cluster has been listed once (or that took too long to wait for). */
  ready(): Promise<void>;
}

/** The task a process runs in or is attached to, as its agent knows it. */
export interface SessionTarget {
  mesosTaskId: string;
  agentId: string;
  /** `host:port` of the agent's HTTP API. */
  agentEndpoint: string;
  hostname?: string;
}

/** A process to run inside a running task's container (docker exec). */
export interface SessionCommand {
  /** argv, argv[0] being the executable. */
  argv: string[];
  /** `KEY=value`, added to what the container's first process has. */
  env: string[];
  tty: boolean;
  user?: string;
  /** The terminal's first size, when `tty`. */
  size?: TerminalSize;
}

export interface TerminalSize {
  rows: number;
  columns: number;
}

export interface OutputChunk {
  /** With a terminal everything comes as stdout. */
  stream: 'stdout' | 'stderr';
  data: Uint8Array;
}

/**
 * A process on an agent with its input and output carried over the agent's API: a
 * process started in a task's container, or a task's own first process (when it has a
 * terminal).
 */
export interface ProcessSession {
  /** What the process writes, until it has ended (or the session was closed). */
  readonly output: AsyncIterable<OutputChunk>;
  write(data: Uint8Array): void;
  /** No more input: the process reads the end of it (EOT on a terminal). */
  endInput(): void;
  resize(size: TerminalSize): void;
  /** The exit code (128 + signal for a process killed), once the process has ended. */
  exitCode(): Promise<number>;
  /** Ends the session; a process started for it is killed. */
  close(): void;
}

/** Runs processes in task containers and attaches to them, through the Mesos agents. */
export interface ContainerSessions {
  exec(
    target: SessionTarget,
    command: SessionCommand,
    signal: AbortSignal,
  ): Promise<ProcessSession>;
  /** The task's own first process; only tasks launched with a terminal can be attached. */
  attach(target: SessionTarget, signal: AbortSignal): Promise<ProcessSession>;
  /** Resizes the terminal of a task launched with one, over an input connection of its own. */
  resize(target: SessionTarget, size: TerminalSize): Promise<void>;
}

/**
 * What the process owning the Mesos subscription plugs into the container service once it
 * has made it: until then, changes wait for the leader's next pass.
 */
export interface LaunchHooks {
  readonly launcher: TaskLauncher | undefined;
  readonly converge: ConvergeTrigger;
}
