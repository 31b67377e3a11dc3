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

/** Reads a task's sandbox files through its agent's `/files/read`. */
export interface SandboxReader {
  read(
    task: { mesosTaskId: string; agentId: string; agentEndpoint: string | null },
    file: 'stdout' | 'stderr',
    offset: number,
    length: number,
  ): Promise<{ data: string; offset: number }>;
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
