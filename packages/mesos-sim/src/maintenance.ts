import type { allocator, Filters, maintenance, MachineID, Unavailability } from '@shoal/mesos';
import type { Master } from './master';
import type { AgentRecord, FrameworkRecord, InverseOfferRecord } from './model';
import { refuseSeconds } from './offers';
import { id, timeInfo } from './wire';

interface Machine {
  id: MachineID;
  mode: 'DRAINING' | 'DOWN';
  unavailability: Unavailability;
  /** Latest inverse offer answer per framework id. */
  statuses: Map<string, allocator.InverseOfferStatus>;
}

/**
 * Machines are matched as Mesos matches them: on hostname (case-insensitively) and IP
 * together, a missing field being the empty string. An agent's machine is its hostname
 * and the IP of its pid, which for every emulated agent is the gateway's.
 */
function machineKey(machine: MachineID): string {
  return `${(machine.hostname ?? '').toLowerCase()}|${machine.ip ?? ''}`;
}

function describe(machine: MachineID): string {
  return [machine.hostname, machine.ip].filter(Boolean).join('/');
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

export class MaintenanceError extends Error {}

/**
 * Maintenance primitives: the schedule (machines DRAINING with an unavailability),
 * inverse offers and the answers to them, START/STOP_MAINTENANCE (machines DOWN and UP).
 */
export class Maintenance {
  private schedule: maintenance.Schedule = { windows: [] };
  private readonly machines = new Map<string, Machine>();

  constructor(private readonly master: Master) {}

  /** The machine an agent runs on, as the master identifies it. */
  machineIdOf(hostname: string): MachineID {
    return { hostname, ip: this.master.gateway.host };
  }

  private machineOf(agent: AgentRecord): Machine | undefined {
    return this.machines.get(machineKey(this.machineIdOf(agent.hostname)));
  }

  unavailabilityOf(agent: AgentRecord): Unavailability | undefined {
    const machine = this.machineOf(agent);
    return machine?.mode === 'DRAINING' ? machine.unavailability : undefined;
  }

  isDown(agent: AgentRecord): boolean {
    return this.machineOf(agent)?.mode === 'DOWN';
  }

  isDownHostname(hostname: string): boolean {
    return this.machines.get(machineKey(this.machineIdOf(hostname)))?.mode === 'DOWN';
  }

  getSchedule(): maintenance.Schedule {
    return this.schedule;
  }

  private agentsOn(key: string): AgentRecord[] {
    return [...this.master.agents.values()].filter(
      (a) => a.status === 'REGISTERED' && machineKey(this.machineIdOf(a.hostname)) === key,
    );
  }

  updateSchedule(schedule: maintenance.Schedule): void {
    const wanted = new Map<string, { id: MachineID; unavailability: Unavailability }>();
    for (const window of schedule.windows ?? []) {
      for (const machine of window.machine_ids ?? []) {
        if (!machine.hostname && !machine.ip)
          throw new MaintenanceError("Both 'hostname' and 'ip' for a machine are empty");
        if (machine.ip && !IPV4.test(machine.ip))
          throw new MaintenanceError(`Failed to parse IP address '${machine.ip}'`);
        const key = machineKey(machine);
        if (wanted.has(key))
          throw new MaintenanceError(
            `Machine '${describe(machine)}' appears more than once in the schedule`,
          );
        wanted.set(key, { id: machine, unavailability: window.unavailability });
      }
    }
    for (const [key, machine] of this.machines) {
      if (machine.mode === 'DOWN' && !wanted.has(key)) {
        throw new MaintenanceError(
          `Machine '${describe(machine.id)}' is deactivated and cannot be removed from the schedule`,
        );
      }
    }
    const changed = new Set<string>();
    for (const key of this.machines.keys()) if (!wanted.has(key)) changed.add(key);
    for (const key of changed) this.machines.delete(key);
    for (const [key, entry] of wanted) {
      const current = this.machines.get(key);
      if (current) {
        if (current.unavailability.start.nanoseconds !== entry.unavailability.start.nanoseconds)
          changed.add(key);
        current.unavailability = entry.unavailability;
      } else {
        this.machines.set(key, {
          id: entry.id,
          mode: 'DRAINING',
          unavailability: entry.unavailability,
          statuses: new Map(),
        });
        changed.add(key);
      }
    }
    this.schedule = schedule;
    // Offers from machines whose unavailability changed are rescinded so that frameworks
    // learn the new unavailability from the next offers.
    for (const key of changed) {
      for (const agent of this.agentsOn(key)) {
        this.master.offerBook.rescindOnAgent(agent);
        this.rescindInverseOffersOn(agent);
      }
    }
    this.master.allocator.soon();
  }

  private resolve(machines: MachineID[] | undefined): [string, Machine][] {
    const list = machines ?? [];
    if (list.length === 0) throw new MaintenanceError('List of machines is empty');
    const seen = new Set<string>();
    return list.map((m) => {
      const key = machineKey(m);
      const machine = this.machines.get(key);
      if (!machine)
        throw new MaintenanceError(
          `Machine '${describe(m)}' is not part of a maintenance schedule`,
        );
      if (seen.has(key))
        throw new MaintenanceError(`Machine '${describe(m)}' appears more than once`);
      seen.add(key);
      return [key, machine];
    });
  }

  /** START_MAINTENANCE: machines go DOWN and their agents are shut down. */
  start(machines: MachineID[] | undefined): void {
    const resolved = this.resolve(machines);
    for (const [, machine] of resolved) {
      if (machine.mode !== 'DRAINING')
        throw new MaintenanceError(`Machine '${describe(machine.id)}' is not in DRAINING mode`);
    }
    for (const [key, machine] of resolved) {
      machine.mode = 'DOWN';
      machine.statuses.clear();
      for (const agent of this.agentsOn(key)) this.master.agentManager.remove(agent, 'maintenance');
    }
  }

  /**
   * STOP_MAINTENANCE: machines come back UP and leave the schedule. The emulator also
   * restarts the agents that ran there (as new agents), as an operator would.
   */
  stop(machines: MachineID[] | undefined): void {
    const resolved = this.resolve(machines);
    for (const [, machine] of resolved) {
      if (machine.mode !== 'DOWN')
        throw new MaintenanceError(`Machine '${describe(machine.id)}' is not in DOWN mode`);
    }
    const keys = new Set(resolved.map(([key]) => key));
    for (const key of keys) this.machines.delete(key);
    this.schedule = {
      windows: (this.schedule.windows ?? [])
        .map((w) => ({
          ...w,
          machine_ids: (w.machine_ids ?? []).filter((m) => !keys.has(machineKey(m))),
        }))
        .filter((w) => w.machine_ids.length > 0),
    };
    const restarted = new Set<string>();
    for (const agent of [...this.master.agents.values()]) {
      const key = machineKey(this.machineIdOf(agent.hostname));
      if (keys.has(key) && agent.status === 'REMOVED' && !restarted.has(key)) {
        restarted.add(key);
        this.master.agentManager.add({ ...agent.spec, hostname: agent.hostname });
      }
    }
  }

  status(): maintenance.ClusterStatus {
    const draining: maintenance.ClusterStatus.DrainingMachine[] = [];
    const down: MachineID[] = [];
    for (const machine of this.machines.values()) {
      if (machine.mode === 'DOWN') down.push(machine.id);
      else draining.push({ id: machine.id, statuses: [...machine.statuses.values()] });
    }
    return { draining_machines: draining, down_machines: down };
  }

  /** One outstanding inverse offer per (framework, agent) using resources on a draining machine. */
  sendInverseOffers(now: number): void {
    if (this.machines.size === 0) return;
    const made = new Map<FrameworkRecord, InverseOfferRecord[]>();
    for (const agent of this.master.agents.values()) {
      if (agent.status !== 'REGISTERED') continue;
      const machine = this.machineOf(agent);
      if (machine?.mode !== 'DRAINING') continue;
      const frameworks = new Set([...agent.tasks].map((t) => t.framework));
      for (const framework of frameworks) {
        if (!framework.connected) continue;
        if ([...framework.inverseOffers].some((o) => o.agent === agent)) continue;
        const until = framework.inverseFilters.get(agent.id);
        if (until !== undefined && until > now) continue;
        const inverse: InverseOfferRecord = {
          id: this.master.ids.offer(),
          framework,
          agent,
          unavailability: machine.unavailability,
        };
        framework.inverseOffers.add(inverse);
        this.master.inverseOffers.set(inverse.id, inverse);
        if (!machine.statuses.has(framework.id)) {
          machine.statuses.set(framework.id, {
            status: 'UNKNOWN',
            framework_id: id(framework.id),
            timestamp: timeInfo(now),
          });
        }
        const list = made.get(framework) ?? [];
        list.push(inverse);
        made.set(framework, list);
      }
    }
    for (const [framework, list] of made) {
      this.master.subscriptions.send(framework, {
        type: 'INVERSE_OFFERS',
        inverse_offers: { inverse_offers: list.map((o) => this.master.views.inverseOffer(o)) },
      });
    }
  }

  /** ACCEPT/DECLINE_INVERSE_OFFERS: advisory only, recorded for GET_MAINTENANCE_STATUS. */
  respond(
    framework: FrameworkRecord,
    ids: string[],
    accepted: boolean,
    filters: Filters | undefined,
  ): void {
    for (const inverseId of ids) {
      const inverse = this.master.inverseOffers.get(inverseId);
      if (!inverse || inverse.framework !== framework) continue;
      this.remove(inverse, false);
      this.machineOf(inverse.agent)?.statuses.set(framework.id, {
        status: accepted ? 'ACCEPT' : 'DECLINE',
        framework_id: id(framework.id),
        timestamp: timeInfo(Date.now()),
      });
      framework.inverseFilters.set(inverse.agent.id, Date.now() + refuseSeconds(filters) * 1000);
    }
  }

  private remove(inverse: InverseOfferRecord, rescind: boolean): void {
    this.master.inverseOffers.delete(inverse.id);
    inverse.framework.inverseOffers.delete(inverse);
    if (rescind) {
      this.master.subscriptions.send(inverse.framework, {
        type: 'RESCIND_INVERSE_OFFER',
        rescind_inverse_offer: { inverse_offer_id: id(inverse.id) },
      });
    }
  }

  rescindInverseOffersOn(agent: AgentRecord): void {
    for (const inverse of [...this.master.inverseOffers.values()])
      if (inverse.agent === agent) this.remove(inverse, true);
  }

  discardInverseOffers(framework: FrameworkRecord): void {
    for (const inverse of [...framework.inverseOffers]) this.remove(inverse, false);
  }
}
