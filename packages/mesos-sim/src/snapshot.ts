import type { TaskState } from '@shoal/mesos';
import type { Master } from './master';
import type { TaskRecord } from './model';
import { addResources, emptyResources, type Resources } from './resources';

/** Plain copies of the cluster state for assertions and the fault API; never live records. */

export interface AgentSnapshot {
  id: string;
  hostname: string;
  status: 'REGISTERED' | 'UNREACHABLE' | 'REMOVED' | 'GONE';
  deactivated: boolean;
  drainState?: 'DRAINING' | 'DRAINED';
  total: Resources;
  used: Resources;
  offered: Resources;
  tasks: number;
}

export interface FrameworkSnapshot {
  id: string;
  name: string;
  roles: string[];
  capabilities: string[];
  connected: boolean;
  removed: boolean;
  suppressedRoles: string[];
  offers: number;
  tasks: number;
}

export interface TaskSnapshot {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  /** What the master knows. */
  state: TaskState;
  /** What the agent knows. */
  agentState: TaskState;
  unacknowledged: number;
  resources: Resources;
}

export interface OfferSnapshot {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  resources: Resources;
}

function taskSnapshot(task: TaskRecord): TaskSnapshot {
  return {
    id: task.id,
    frameworkId: task.framework.id,
    agentId: task.agent.id,
    role: task.role,
    state: task.state,
    agentState: task.agentState,
    unacknowledged: task.pending.length,
    resources: task.resources,
  };
}

export class ClusterState {
  constructor(private readonly master: Master) {}

  agents(): AgentSnapshot[] {
    return [...this.master.agents.values()].map((a) => ({
      id: a.id,
      hostname: a.hostname,
      status: a.status,
      deactivated: a.deactivated,
      ...(a.drain ? { drainState: a.drain.state } : {}),
      total: a.total,
      used: a.used,
      offered: a.offered,
      tasks: a.tasks.size,
    }));
  }

  frameworks(): FrameworkSnapshot[] {
    return [...this.master.frameworks.values(), ...this.master.completedFrameworks].map((f) => ({
      id: f.id,
      name: f.info.name,
      roles: [...f.roles],
      capabilities: [...f.capabilities],
      connected: f.connected,
      removed: f.removed,
      suppressedRoles: [...f.suppressed],
      offers: f.offers.size,
      tasks: f.tasks.size,
    }));
  }

  /** Tasks the master still tracks (active, unreachable, and terminal but unacknowledged). */
  tasks(): TaskSnapshot[] {
    const out: TaskSnapshot[] = [];
    for (const f of this.master.frameworks.values()) {
      for (const t of f.tasks.values()) out.push(taskSnapshot(t));
      for (const t of f.unreachableTasks.values()) out.push(taskSnapshot(t));
    }
    return out;
  }

  offers(): OfferSnapshot[] {
    return [...this.master.offers.values()].map((o) => ({
      id: o.id,
      frameworkId: o.framework.id,
      agentId: o.agent.id,
      role: o.role,
      resources: o.resources,
    }));
  }

  /** Allocated plus offered resources of a role (descendants not included). */
  roleUsage(role: string): Resources {
    let total = emptyResources();
    for (const f of this.master.frameworks.values()) {
      const usage = f.usage.get(role);
      if (usage) total = addResources(total, addResources(usage.allocated, usage.offered));
    }
    return total;
  }

  /** What a task wrote so far, also after it ended. */
  output(taskId: string, frameworkId?: string): { stdout: string; stderr: string } | undefined {
    for (const f of [...this.master.frameworks.values(), ...this.master.completedFrameworks]) {
      if (frameworkId !== undefined && f.id !== frameworkId) continue;
      const task =
        f.tasks.get(taskId) ??
        f.unreachableTasks.get(taskId) ??
        f.completedTasks.find((t) => t.id === taskId);
      if (task) return { stdout: task.sandbox.text('stdout'), stderr: task.sandbox.text('stderr') };
    }
    return undefined;
  }

  leader(): number | null {
    return this.master.leader;
  }
}
