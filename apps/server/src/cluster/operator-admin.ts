import type {
  AdminAgentSummary,
  AdminFrameworkSummary,
  AdminRoleSummary,
  MesosClusterOperator,
  ResourceSummary,
} from '@shoal/core';
import { ShoalError } from '@shoal/core';
import type { MachineID, maintenance, master, OperatorClient, Resource, Value } from '@shoal/mesos';
import { summary } from './resources';

function quotaSummary(
  scalars: Record<string, Value.Scalar> | undefined,
): Partial<ResourceSummary> | null {
  if (!scalars || Object.keys(scalars).length === 0) return null;
  return {
    ...(scalars.cpus ? { cpus: scalars.cpus.value } : {}),
    ...(scalars.mem ? { memoryMb: scalars.mem.value } : {}),
    ...(scalars.disk ? { diskMb: scalars.disk.value } : {}),
    ...(scalars.gpus ? { gpus: scalars.gpus.value } : {}),
  };
}

const nowNanos = () => BigInt(Date.now()) * 1_000_000n;

/**
 * The machine Mesos runs an agent on: its hostname and the IP of its pid
 * (`slave(1)@10.0.0.5:5051`). Mesos matches maintenance machines on both, so a
 * machine id without the IP matches no agent at all.
 */
export function machineOf(agent: master.Response.GetAgents.Agent): MachineID {
  const ip = /@\[?([^\]@]+?)\]?:\d+$/.exec(agent.pid ?? '')?.[1];
  return { hostname: agent.agent_info.hostname, ...(ip ? { ip } : {}) };
}

/** Equal as Mesos compares machine ids: hostname case-insensitively, IP exactly, unset as empty. */
function sameMachine(a: MachineID, b: MachineID): boolean {
  return (
    (a.hostname ?? '').toLowerCase() === (b.hostname ?? '').toLowerCase() &&
    (a.ip ?? '') === (b.ip ?? '')
  );
}

const sameHost = (machine: MachineID, hostname: string) =>
  (machine.hostname ?? '').toLowerCase() === hostname.toLowerCase();

/** The admin pages' view of, and actions on, the whole cluster through the v1 operator API. */
export class OperatorClusterAdmin implements MesosClusterOperator {
  constructor(
    private readonly operator: OperatorClient,
    private readonly frameworkId: () => string | null,
  ) {}

  async agents(): Promise<AdminAgentSummary[]> {
    const [agents, status] = await Promise.all([
      this.operator.getAgents(),
      this.operator.getMaintenanceStatus(),
    ]);
    const draining = (status.draining_machines ?? []).map((m) => m.id);
    const down = status.down_machines ?? [];
    return (agents.agents ?? []).map((a) => {
      const hostname = a.agent_info.hostname;
      const machine = machineOf(a);
      const listed = (machines: MachineID[]) => machines.some((m) => sameMachine(m, machine));
      const drainState = a.drain_info?.state;
      return {
        id: a.agent_info.id?.value ?? '',
        hostname,
        attributes: Object.fromEntries(
          (a.agent_info.attributes ?? []).map((x) => [
            x.name,
            x.text?.value ?? (x.scalar ? String(x.scalar.value) : ''),
          ]),
        ),
        // Revocable resources can be taken back at any moment: Mesos counts them apart
        // (cpus_revocable_total), and so do the cluster's totals here.
        total: summary(firm(a.total_resources ?? a.agent_info.resources)),
        used: summary(firm(a.allocated_resources)),
        active: a.active,
        drainState: drainState === 'DRAINING' || drainState === 'DRAINED' ? drainState : null,
        maintenance: listed(down) ? 'DOWN' : listed(draining) ? 'SCHEDULED' : null,
      };
    });
  }

  async frameworks(): Promise<AdminFrameworkSummary[]> {
    const [frameworks, tasks] = await Promise.all([
      this.operator.getFrameworks(),
      this.operator.getTasks(),
    ]);
    const taskCount = new Map<string, number>();
    for (const t of tasks.tasks ?? [])
      taskCount.set(t.framework_id.value, (taskCount.get(t.framework_id.value) ?? 0) + 1);
    const ours = this.frameworkId();
    return (frameworks.frameworks ?? []).map((f) => {
      const id = f.framework_info.id?.value ?? '';
      return {
        id,
        name: f.framework_info.name,
        roles: f.framework_info.roles ?? (f.framework_info.role ? [f.framework_info.role] : []),
        active: f.active,
        tasks: taskCount.get(id) ?? 0,
        isShoal: id === ours,
      };
    });
  }

  async roles(): Promise<AdminRoleSummary[]> {
    const [roles, frameworks, quota] = await Promise.all([
      this.operator.getRoles(),
      this.operator.getFrameworks(),
      this.operator.getQuota(),
    ]);
    const configs = new Map((quota.configs ?? []).map((c) => [c.role, c]));
    // GET_ROLES adds revocable amounts into a role's figures, which the cluster's totals
    // leave out: a role's firm holdings are added up from every framework's instead.
    const held = (frameworks.frameworks ?? []).flatMap((f) =>
      firm([...(f.allocated_resources ?? []), ...(f.offered_resources ?? [])]),
    );
    return (roles.roles ?? []).map((r) => ({
      name: r.name,
      weight: r.weight,
      allocated: summary(held.filter((x) => inSubtree(x.allocation_info?.role, r.name))),
      quota: {
        guarantee: quotaSummary(configs.get(r.name)?.guarantees),
        limit: quotaSummary(configs.get(r.name)?.limits),
      },
    }));
  }

  async drainAgent(agentId: string, options: { maxGracePeriodSeconds?: number }): Promise<void> {
    await this.operator.drainAgent(
      { value: agentId },
      options.maxGracePeriodSeconds !== undefined
        ? { maxGracePeriod: { seconds: BigInt(Math.round(options.maxGracePeriodSeconds)) } }
        : {},
    );
  }

  async reactivateAgent(agentId: string): Promise<void> {
    await this.operator.reactivateAgent({ value: agentId });
  }

  async scheduleMaintenance(hostname: string, durationSeconds: number): Promise<void> {
    const agents = (await this.operator.getAgents()).agents ?? [];
    const machines = agents.map(machineOf).filter((m) => sameHost(m, hostname));
    if (machines.length === 0)
      throw new ShoalError('NOT_FOUND', `No agent of the cluster runs on ${hostname}`);
    const schedule = await this.operator.getMaintenanceSchedule();
    const windows = withoutMachine(schedule, hostname);
    windows.push({
      machine_ids: machines.filter((m, i) => machines.findIndex((n) => sameMachine(m, n)) === i),
      unavailability: {
        start: { nanoseconds: nowNanos() },
        duration: { nanoseconds: BigInt(Math.round(durationSeconds * 1e9)) },
      },
    });
    await this.operator.updateMaintenanceSchedule({ windows });
  }

  async endMaintenance(hostname: string): Promise<void> {
    const status = await this.operator.getMaintenanceStatus();
    const down = (status.down_machines ?? []).filter((m) => sameHost(m, hostname));
    if (down.length > 0) await this.operator.stopMaintenance(down);
    const schedule = await this.operator.getMaintenanceSchedule();
    await this.operator.updateMaintenanceSchedule({ windows: withoutMachine(schedule, hostname) });
  }
}

/** The schedule's windows with a host's machines taken out (and windows left empty dropped). */
function withoutMachine(schedule: maintenance.Schedule, hostname: string): maintenance.Window[] {
  return (schedule.windows ?? [])
    .map((w) => ({
      ...w,
      machine_ids: (w.machine_ids ?? []).filter((m) => !sameHost(m, hostname)),
    }))
    .filter((w) => w.machine_ids.length > 0);
}

/** Whether a resource allocated to `role` counts for `of`: the role or one of its ancestors. */
function inSubtree(role: string | undefined, of: string): boolean {
  return role !== undefined && (role === of || role.startsWith(`${of}/`));
}

function firm(resources: readonly Resource[] | undefined): Resource[] {
  return (resources ?? []).filter((r) => !r.revocable);
}
