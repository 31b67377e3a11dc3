import type { Attribute, DrainConfig } from '@shoal/mesos';
import type { Master } from './master';
import type { AgentRecord } from './model';
import { type AgentSpec, DEFAULT_AGENT } from './options';
import { emptyResources, normalizeRanges, type Resources } from './resources';

function totalOf(spec: AgentSpec): Resources {
  const scalars: Record<string, number> = {
    cpus: spec.cpus ?? DEFAULT_AGENT.cpus,
    mem: spec.mem ?? DEFAULT_AGENT.mem,
    disk: spec.disk ?? DEFAULT_AGENT.disk,
  };
  const gpus = spec.gpus ?? DEFAULT_AGENT.gpus;
  if (gpus > 0) scalars.gpus = gpus;
  const revocable: Record<string, number> = {};
  for (const [name, value] of Object.entries(spec.revocable ?? {}))
    if (value > 0) revocable[name] = value;
  return { scalars, ports: normalizeRanges(spec.ports ?? DEFAULT_AGENT.ports), revocable };
}

function attributesOf(spec: AgentSpec): Attribute[] {
  return Object.entries(spec.attributes ?? {}).map(([name, value]) =>
    typeof value === 'number'
      ? { name, type: 'SCALAR', scalar: { value } }
      : { name, type: 'TEXT', text: { value } },
  );
}

export class AgentError extends Error {}

/**
 * Agents joining, leaving, being cut off and coming back, and the operator's
 * DEACTIVATE/REACTIVATE/DRAIN calls.
 */
export class AgentManager {
  private added = 0;

  constructor(private readonly master: Master) {}

  get(agentId: string): AgentRecord {
    const agent = this.master.agents.get(agentId);
    if (!agent) throw new AgentError(`Unknown agent '${agentId}'`);
    return agent;
  }

  /** `keptId`: the id the agent had before a restart (see SimOptions.stateFile). */
  add(spec: AgentSpec, keptId?: string): AgentRecord {
    const index = this.added + 1;
    const hostname = spec.hostname ?? `agent-${String(index).padStart(4, '0')}.sim.local`;
    if (this.master.maintenance.isDownHostname(hostname)) {
      throw new AgentError(
        `Machine '${hostname}' is down for maintenance; agents on it cannot register`,
      );
    }
    this.added = index;
    const agent: AgentRecord = {
      id: keptId ?? this.newId(),
      hostname,
      spec,
      total: totalOf(spec),
      attributes: attributesOf(spec),
      status: 'REGISTERED',
      deactivated: false,
      registeredAt: Date.now(),
      used: emptyResources(),
      offered: emptyResources(),
      tasks: new Set(),
      offers: new Set(),
    };
    this.master.agents.set(agent.id, agent);
    const host = hostname.toLowerCase();
    if (!this.master.agentsByHostname.has(host)) this.master.agentsByHostname.set(host, agent);
    this.master.operatorEvents.agentAdded(agent);
    this.master.allocator.soon();
    return agent;
  }

  /** A fresh id, never one an agent kept from before a restart holds. */
  private newId(): string {
    let minted = this.master.ids.agent();
    while (this.master.agents.has(minted)) minted = this.master.ids.agent();
    return minted;
  }

  /** The agent shuts down (crash, maintenance) or is marked gone by the operator. */
  remove(agent: AgentRecord, how: 'shutdown' | 'maintenance' | 'gone'): void {
    if (agent.status === 'REMOVED' || agent.status === 'GONE')
      throw new AgentError(`Agent '${agent.id}' is already removed`);
    const wasRegistered = agent.status === 'REGISTERED';
    this.master.offerBook.rescindOnAgent(agent);
    this.master.maintenance.rescindInverseOffersOn(agent);
    this.master.taskManager.agentRemoved(agent, how !== 'shutdown');
    agent.status = how === 'gone' ? 'GONE' : 'REMOVED';
    if (wasRegistered) this.master.operatorEvents.agentRemoved(agent);
    this.master.log(`agent ${agent.id} (${agent.hostname}) removed: ${how}`);
  }

  partition(agent: AgentRecord): void {
    if (agent.status !== 'REGISTERED')
      throw new AgentError(`Agent '${agent.id}' is not registered`);
    agent.status = 'UNREACHABLE';
    agent.unreachableAt = Date.now();
    this.master.offerBook.rescindOnAgent(agent);
    this.master.maintenance.rescindInverseOffersOn(agent);
    this.master.taskManager.agentUnreachable(agent);
    this.master.operatorEvents.agentRemoved(agent);
    this.master.log(`agent ${agent.id} (${agent.hostname}) unreachable`);
  }

  restore(agent: AgentRecord): void {
    if (agent.status !== 'UNREACHABLE')
      throw new AgentError(`Agent '${agent.id}' is not unreachable`);
    agent.status = 'REGISTERED';
    agent.unreachableAt = undefined;
    agent.reregisteredAt = Date.now();
    this.master.taskManager.agentReregistered(agent);
    this.master.operatorEvents.agentAdded(agent);
    this.checkDrained(agent);
    this.master.allocator.soon();
    this.master.log(`agent ${agent.id} (${agent.hostname}) reregistered`);
  }

  private requireRegistered(agentId: string): AgentRecord {
    const agent = this.master.agents.get(agentId);
    if (!agent || agent.status !== 'REGISTERED') throw new AgentError(`Unknown agent '${agentId}'`);
    return agent;
  }

  deactivate(agentId: string): void {
    const agent = this.requireRegistered(agentId);
    agent.deactivated = true;
    this.master.offerBook.rescindOnAgent(agent);
  }

  reactivate(agentId: string): void {
    const agent = this.requireRegistered(agentId);
    if (agent.drain?.state === 'DRAINING')
      throw new AgentError(`Agent '${agentId}' is still draining`);
    agent.deactivated = false;
    agent.drain = undefined;
    this.master.allocator.soon();
  }

  /** DRAIN_AGENT: no new offers, every task killed; DRAINED once all are acknowledged gone. */
  drain(agentId: string, config: DrainConfig): void {
    const agent = this.requireRegistered(agentId);
    agent.deactivated = true;
    agent.drain = { state: 'DRAINING', config };
    this.master.offerBook.rescindOnAgent(agent);
    for (const task of [...agent.tasks])
      this.master.taskManager.kill(task, 'REASON_AGENT_DRAINING');
    this.checkDrained(agent);
  }

  checkDrained(agent: AgentRecord): void {
    if (agent.drain?.state !== 'DRAINING' || agent.tasks.size > 0 || agent.status !== 'REGISTERED')
      return;
    agent.drain.state = 'DRAINED';
    this.master.log(`agent ${agent.id} drained`);
    if (agent.drain.config.mark_gone) this.remove(agent, 'gone');
  }
}
