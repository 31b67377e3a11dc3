import type { InverseOffer, master as m, Offer, Resource, Role, Task, URL } from '@shoal/mesos';
import { roleTotals } from './ledger';
import type { Master } from './master';
import type {
  AgentRecord,
  FrameworkRecord,
  InverseOfferRecord,
  OfferRecord,
  TaskRecord,
} from './model';
import { addResources, emptyResources, type Resources, resourcesToWire } from './resources';
import { ancestorRoles } from './roles';
import { id, timeInfo } from './wire';

/** The only quantities GET_ROLES gives a role: Mesos cannot tell which others are scalars. */
const ROLE_QUANTITIES = new Set(['cpus', 'mem', 'disk', 'gpus']);

/** Renders the master's records as the v1 messages that GET_* calls and events carry. */
export class Views {
  constructor(private readonly master: Master) {}

  agentUrl(agent: AgentRecord): URL {
    const gateway = this.master.gateway;
    return {
      scheme: this.master.options.agentTls ? 'https' : 'http',
      address: { hostname: agent.hostname, ip: gateway.host, port: gateway.port },
      path: '/slave(1)',
    };
  }

  agentInfo(agent: AgentRecord) {
    return {
      hostname: agent.hostname,
      port: this.master.gateway.port,
      resources: resourcesToWire(agent.total),
      attributes: agent.attributes,
      id: id(agent.id),
    };
  }

  agent(agent: AgentRecord): m.Response.GetAgents.Agent {
    const view: m.Response.GetAgents.Agent = {
      agent_info: this.agentInfo(agent),
      active: !agent.deactivated,
      deactivated: agent.deactivated,
      version: this.master.options.version,
      pid: `slave(1)@${this.master.gateway.host}:${this.master.gateway.port}`,
      registered_time: timeInfo(agent.registeredAt),
      total_resources: resourcesToWire(agent.total),
      allocated_resources: resourcesToWire(agent.used),
      offered_resources: resourcesToWire(agent.offered),
      capabilities: [
        { type: 'MULTI_ROLE' },
        { type: 'HIERARCHICAL_ROLE' },
        { type: 'AGENT_DRAINING' },
      ],
    };
    if (agent.reregisteredAt !== undefined) view.reregistered_time = timeInfo(agent.reregisteredAt);
    if (agent.drain) view.drain_info = { state: agent.drain.state, config: agent.drain.config };
    return view;
  }

  /** Offers carry `allocation_info` only for MULTI_ROLE frameworks, as the master strips it otherwise. */
  private resourcesFor(framework: FrameworkRecord, resources: Resources, role: string): Resource[] {
    const multiRole = framework.capabilities.has('MULTI_ROLE');
    return resourcesToWire(resources, {
      ...(multiRole ? { allocationRole: role } : {}),
      legacyRole: !framework.capabilities.has('RESERVATION_REFINEMENT'),
    });
  }

  offer(offer: OfferRecord): Offer {
    const view: Offer = {
      id: id(offer.id),
      framework_id: id(offer.framework.id),
      agent_id: id(offer.agent.id),
      hostname: offer.agent.hostname,
      url: this.agentUrl(offer.agent),
      resources: this.resourcesFor(offer.framework, offer.resources, offer.role),
      attributes: offer.agent.attributes,
    };
    if (offer.framework.capabilities.has('MULTI_ROLE')) view.allocation_info = { role: offer.role };
    const unavailability = this.master.maintenance.unavailabilityOf(offer.agent);
    if (unavailability) view.unavailability = unavailability;
    return view;
  }

  inverseOffer(inverse: InverseOfferRecord): InverseOffer {
    return {
      id: id(inverse.id),
      url: this.agentUrl(inverse.agent),
      framework_id: id(inverse.framework.id),
      agent_id: id(inverse.agent.id),
      unavailability: inverse.unavailability,
      resources: [],
    };
  }

  task(task: TaskRecord): Task {
    const view: Task = {
      name: task.info.name,
      task_id: id(task.id),
      framework_id: id(task.framework.id),
      executor_id: id(task.executorId),
      agent_id: id(task.agent.id),
      state: task.state,
      resources: this.resourcesFor(task.framework, task.resources, task.role),
      statuses: task.statuses,
    };
    const head = task.pending[0];
    if (head) {
      view.status_update_state = head.state;
      if (head.uuid) view.status_update_uuid = head.uuid;
    }
    if (task.info.labels) view.labels = task.info.labels;
    if (task.info.container) view.container = task.info.container;
    if (task.info.kill_policy) view.kill_policy = task.info.kill_policy;
    // A master shows the discovery names a task was launched with, for discovery services.
    if (task.info.discovery) view.discovery = task.info.discovery;
    return view;
  }

  framework(framework: FrameworkRecord): m.Response.GetFrameworks.Framework {
    let allocated = emptyResources();
    let offered = emptyResources();
    const allocatedWire: Resource[] = [];
    const offeredWire: Resource[] = [];
    for (const [role, usage] of framework.usage) {
      allocated = addResources(allocated, usage.allocated);
      offered = addResources(offered, usage.offered);
      allocatedWire.push(...this.resourcesFor(framework, usage.allocated, role));
      offeredWire.push(...this.resourcesFor(framework, usage.offered, role));
    }
    const view: m.Response.GetFrameworks.Framework = {
      framework_info: framework.info,
      active: framework.connected && !framework.removed,
      connected: framework.connected,
      recovered: framework.recovered,
      registered_time: timeInfo(framework.registeredAt),
      offers: [...framework.offers].map((o) => this.offer(o)),
      inverse_offers: [...framework.inverseOffers].map((o) => this.inverseOffer(o)),
      allocated_resources: allocatedWire,
      offered_resources: offeredWire,
    };
    if (framework.reregisteredAt !== undefined)
      view.reregistered_time = timeInfo(framework.reregisteredAt);
    if (framework.unregisteredAt !== undefined)
      view.unregistered_time = timeInfo(framework.unregisteredAt);
    return view;
  }

  getAgents(): m.Response.GetAgents {
    const agents = [...this.master.agents.values()].filter((a) => a.status === 'REGISTERED');
    return { agents: agents.map((a) => this.agent(a)), recovered_agents: [] };
  }

  getFrameworks(): m.Response.GetFrameworks {
    return {
      frameworks: [...this.master.frameworks.values()].map((f) => this.framework(f)),
      completed_frameworks: this.master.completedFrameworks.map((f) => this.framework(f)),
    };
  }

  getTasks(): m.Response.GetTasks {
    const tasks: Task[] = [];
    const unreachable: Task[] = [];
    const completed: Task[] = [];
    for (const framework of [
      ...this.master.frameworks.values(),
      ...this.master.completedFrameworks,
    ]) {
      for (const task of framework.tasks.values()) tasks.push(this.task(task));
      for (const task of framework.unreachableTasks.values()) unreachable.push(this.task(task));
      for (const task of framework.completedTasks) completed.push(this.task(task));
    }
    return { tasks, unreachable_tasks: unreachable, completed_tasks: completed };
  }

  getState(): m.Response.GetState {
    return {
      get_tasks: this.getTasks(),
      get_executors: { executors: [] },
      get_frameworks: this.getFrameworks(),
      get_agents: this.getAgents(),
    };
  }

  /** Known roles: subscribed, allocated, weighted or with quota, plus all their ancestors. */
  getRoles(): m.Response.GetRoles {
    const frameworks = [...this.master.frameworks.values()];
    const totals = roleTotals(frameworks);
    const known = new Set<string>(this.master.roleConfig.configuredRoles());
    for (const framework of frameworks) for (const role of framework.roles) known.add(role);
    for (const role of totals.keys()) known.add(role);
    for (const role of [...known]) for (const ancestor of ancestorRoles(role)) known.add(ancestor);
    const roles: Role[] = [...known].sort().map((name) => {
      // What the role's subtree holds, offered or allocated, as plain quantities: Mesos
      // adds revocable amounts in under the same names.
      const scalars: Record<string, number> = {};
      for (const [role, usage] of totals) {
        if (role !== name && !role.startsWith(`${name}/`)) continue;
        for (const held of [usage.allocated, usage.offered])
          for (const amounts of [held.scalars, held.revocable])
            for (const [n, value] of Object.entries(amounts))
              if (ROLE_QUANTITIES.has(n)) scalars[n] = (scalars[n] ?? 0) + value;
      }
      return {
        name,
        weight: this.master.roleConfig.weight(name),
        frameworks: frameworks.filter((f) => f.roles.includes(name)).map((f) => id(f.id)),
        resources: resourcesToWire({
          scalars: Object.fromEntries(
            Object.entries(scalars)
              .map(([n, v]) => [n, Math.round(v * 1000) / 1000] as const)
              .filter(([, v]) => v > 0),
          ),
          ports: [],
          revocable: {},
        }),
      };
    });
    return { roles };
  }

  /** Non-revocable scalars of all registered agents (the quota capacity heuristic). */
  capacity(): Record<string, number> {
    let total = emptyResources();
    for (const agent of this.master.agents.values()) {
      if (agent.status === 'REGISTERED') total = addResources(total, agent.total);
    }
    return total.scalars;
  }
}
