// Operator reads and actions the admin pages need beyond the read-only
// ClusterView. The process that owns the Mesos operator client implements
// MesosClusterOperator and attaches it (services.clusterAdmin.attach); until
// then the cluster page says the operator API is not connected.

import type { AuditService } from '../audit/audit-service';
import type { ResourceSummary } from '../containers/cluster-view';
import { ShoalError } from '../errors';

export interface AdminAgentSummary {
  id: string;
  hostname: string;
  attributes: Record<string, string>;
  total: ResourceSummary;
  used: ResourceSummary;
  active: boolean;
  /** DRAINING / DRAINED per Mesos' agent drain state, or null. */
  drainState: 'DRAINING' | 'DRAINED' | null;
  /** In a maintenance window (Mesos maintenance schedule), and whether it is DOWN. */
  maintenance: 'SCHEDULED' | 'DOWN' | null;
}

export interface AdminFrameworkSummary {
  id: string;
  name: string;
  roles: string[];
  active: boolean;
  tasks: number;
  /** Whether this is Shoal's own framework. */
  isShoal: boolean;
}

export interface AdminRoleSummary {
  name: string;
  weight: number;
  /** Firm resources the role and its subroles hold, allocated or offered. */
  allocated: ResourceSummary;
  /** Quota as the master holds it; null fields mean none. */
  quota: { guarantee: Partial<ResourceSummary> | null; limit: Partial<ResourceSummary> | null };
}

export interface MesosClusterOperator {
  /** Every agent the master knows, across all roles. */
  agents(): Promise<AdminAgentSummary[]>;
  frameworks(): Promise<AdminFrameworkSummary[]>;
  roles(): Promise<AdminRoleSummary[]>;
  /** DRAIN_AGENT: no new tasks there; running ones are killed after the grace period. */
  drainAgent(agentId: string, options: { maxGracePeriodSeconds?: number }): Promise<void>;
  /** REACTIVATE_AGENT: undoes a drain or a deactivation. */
  reactivateAgent(agentId: string): Promise<void>;
  /** Puts the agent's machine in a maintenance window starting now (UPDATE_MAINTENANCE_SCHEDULE). */
  scheduleMaintenance(hostname: string, durationSeconds: number): Promise<void>;
  /** Removes the machine from the maintenance schedule (and STOP_MAINTENANCE if it was DOWN). */
  endMaintenance(hostname: string): Promise<void>;
}

export interface ClusterOverview {
  /** False until a Mesos operator client is attached. */
  connected: boolean;
  agents: AdminAgentSummary[];
  frameworks: AdminFrameworkSummary[];
  roles: AdminRoleSummary[];
}

/** The admin side of the cluster: reads through the operator, audited actions. */
export class ClusterAdminService {
  private operator: MesosClusterOperator | undefined;

  constructor(private readonly audit: AuditService) {}

  attach(operator: MesosClusterOperator): void {
    this.operator = operator;
  }

  async overview(): Promise<ClusterOverview> {
    if (!this.operator) return { connected: false, agents: [], frameworks: [], roles: [] };
    const [agents, frameworks, roles] = await Promise.all([
      this.operator.agents(),
      this.operator.frameworks(),
      this.operator.roles(),
    ]);
    return { connected: true, agents, frameworks, roles };
  }

  async drainAgent(agentId: string, maxGracePeriodSeconds: number | undefined, actor: string) {
    await this.connected().drainAgent(agentId, { maxGracePeriodSeconds });
    await this.audit.record({ actor, action: 'agent.drain', target: agentId });
  }

  async reactivateAgent(agentId: string, actor: string) {
    await this.connected().reactivateAgent(agentId);
    await this.audit.record({ actor, action: 'agent.reactivate', target: agentId });
  }

  async scheduleMaintenance(hostname: string, durationSeconds: number, actor: string) {
    await this.connected().scheduleMaintenance(hostname, durationSeconds);
    await this.audit.record({
      actor,
      action: 'agent.maintenance',
      target: hostname,
      detail: { durationSeconds },
    });
  }

  async endMaintenance(hostname: string, actor: string) {
    await this.connected().endMaintenance(hostname);
    await this.audit.record({ actor, action: 'agent.maintenance-end', target: hostname });
  }

  private connected(): MesosClusterOperator {
    if (!this.operator) {
      throw new ShoalError('UNAVAILABLE', 'The Mesos operator API is not connected');
    }
    return this.operator;
  }
}
