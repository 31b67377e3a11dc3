import type { Filters, Offer, scheduler, TaskInfo, TaskState, TaskStatus } from '@shoal/mesos';
import { trackOffer, untrackOffer } from './ledger';
import type { Master } from './master';
import type { AgentRecord, FrameworkRecord, OfferRecord, TaskRecord } from './model';
import {
  addResources,
  containsResources,
  emptyResources,
  formatResources,
  isEmptyResources,
  ResourceError,
  type Resources,
  resourcesFromWire,
  subtractResources,
} from './resources';
import { processCounts } from './process-counts';
import { id } from './wire';

const DEFAULT_REFUSE_SECONDS = 5;
const MAX_REFUSE_SECONDS = 365 * 24 * 60 * 60;

/** `Filters.refuse_seconds`: default 5 s, negative means default, capped at a year. */
export function refuseSeconds(filters: Filters | undefined): number {
  const seconds = filters?.refuse_seconds;
  if (seconds === undefined || seconds < 0 || Number.isNaN(seconds)) return DEFAULT_REFUSE_SECONDS;
  return Math.min(seconds, MAX_REFUSE_SECONDS);
}

function tasksOf(operation: Offer.Operation): TaskInfo[] {
  if (operation.type === 'LAUNCH') return operation.launch?.task_infos ?? [];
  if (operation.type === 'LAUNCH_GROUP') return operation.launch_group?.task_group.tasks ?? [];
  return [];
}

/**
 * Outstanding offers: creation, timeout, rescind, DECLINE and ACCEPT (with the task
 * validation the master does before anything reaches an agent).
 */
export class OfferBook {
  constructor(private readonly master: Master) {}

  create(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    resources: Resources,
  ): OfferRecord {
    const offer: OfferRecord = { id: this.master.ids.offer(), framework, agent, role, resources };
    processCounts.offersMade++;
    trackOffer(offer);
    this.master.offers.set(offer.id, offer);
    const timeout = this.master.options.offerTimeoutSeconds;
    if (timeout !== undefined) {
      offer.timer = this.master.timers.after(timeout * 1000, () =>
        this.remove(offer, { rescind: true }),
      );
    }
    return offer;
  }

  send(framework: FrameworkRecord, offers: OfferRecord[]): void {
    if (offers.length === 0) return;
    this.master.subscriptions.send(framework, {
      type: 'OFFERS',
      offers: { offers: offers.map((o) => this.master.views.offer(o)) },
    });
  }

  remove(offer: OfferRecord, { rescind }: { rescind: boolean }): void {
    if (!this.master.offers.delete(offer.id)) return;
    untrackOffer(offer);
    this.master.timers.cancel(offer.timer);
    if (rescind)
      this.master.subscriptions.send(offer.framework, {
        type: 'RESCIND',
        rescind: { offer_id: id(offer.id) },
      });
  }

  /** Drops a framework's offers without telling it (it failed over or went away). */
  discardAll(framework: FrameworkRecord): void {
    for (const offer of [...framework.offers]) this.remove(offer, { rescind: false });
  }

  rescindOnAgent(agent: AgentRecord): void {
    for (const offer of [...agent.offers]) this.remove(offer, { rescind: true });
  }

  rescindForRoles(roles: ReadonlySet<string> | 'all'): void {
    for (const offer of [...this.master.offers.values()]) {
      if (roles === 'all' || roles.has(offer.role)) this.remove(offer, { rescind: true });
    }
  }

  addFilter(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    resources: Resources,
    filters: Filters | undefined,
  ): void {
    const seconds = refuseSeconds(filters);
    if (seconds <= 0 || isEmptyResources(resources)) return;
    let byAgent = framework.filters.get(role);
    if (!byAgent) {
      byAgent = new Map();
      framework.filters.set(role, byAgent);
    }
    const until = Date.now() + seconds * 1000;
    const previous = byAgent.get(agent.id);
    const merged =
      previous && previous.until > Date.now()
        ? addResources(previous.resources, resources)
        : resources;
    byAgent.set(agent.id, { until: Math.max(until, previous?.until ?? 0), resources: merged });
  }

  decline(framework: FrameworkRecord, call: scheduler.Call.Decline): void {
    for (const offerId of call.offer_ids ?? []) {
      const offer = this.master.offers.get(offerId.value);
      if (!offer || offer.framework !== framework) continue;
      this.remove(offer, { rescind: false });
      this.addFilter(framework, offer.agent, offer.role, offer.resources, call.filters);
    }
  }

  private validateOffers(framework: FrameworkRecord, ids: string[]): string | undefined {
    if (ids.length === 0) return 'No offers specified';
    const seen = new Set<string>();
    let first: OfferRecord | undefined;
    for (const offerId of ids) {
      if (seen.has(offerId)) return `Duplicate offer ${offerId} in offer list`;
      seen.add(offerId);
      const offer = this.master.offers.get(offerId);
      if (!offer) return `Offer ${offerId} is no longer valid`;
      if (offer.framework !== framework) {
        return `Offer ${offerId} has invalid framework ${offer.framework.id} while framework ${framework.id} is expected`;
      }
      if (offer.agent.status !== 'REGISTERED')
        return `Offer ${offerId} outlived agent ${offer.agent.id}`;
      first ??= offer;
      if (offer.agent !== first.agent) {
        return `Aggregated offers must belong to one single agent. Offer ${offerId} uses agent ${offer.agent.id} and offer ${first.id} uses agent ${first.agent.id}`;
      }
      if (offer.role !== first.role) {
        return `Aggregated offers must be allocated to the same role. Offer ${offerId} uses role ${offer.role} and offer ${first.id} uses role ${first.role}`;
      }
    }
    return undefined;
  }

  private validateTask(
    framework: FrameworkRecord,
    agent: AgentRecord,
    info: TaskInfo,
    pool: Resources,
  ): string | Resources {
    if (
      framework.tasks.has(info.task_id.value) ||
      framework.unreachableTasks.has(info.task_id.value)
    ) {
      return `Task has duplicate ID: ${info.task_id.value}`;
    }
    if (info.agent_id.value !== agent.id) return `Task uses invalid agent: ${info.agent_id.value}`;
    if ((info.command === undefined) === (info.executor === undefined)) {
      return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
    }
    const container = info.container;
    if (container?.type === 'DOCKER' && !container.docker)
      return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
    if (container?.docker && container.docker.image === '') return 'Docker image is empty';
    let resources: Resources;
    try {
      resources = addResources(
        resourcesFromWire(info.resources),
        resourcesFromWire(info.executor?.resources),
      );
    } catch (error) {
      if (error instanceof ResourceError) return `Task uses invalid resources: ${error.message}`;
      throw error;
    }
    if (isEmptyResources(resources)) return 'Task uses no resources';
    if (!containsResources(pool, resources)) {
      return `Task uses more resources ${formatResources(resources)} than available ${formatResources(pool)}`;
    }
    return resources;
  }

  private statusFor(
    info: TaskInfo,
    state: TaskState,
    reason: TaskStatus['reason'],
    message: string,
  ): TaskStatus {
    return {
      task_id: info.task_id,
      state,
      source: 'SOURCE_MASTER',
      reason,
      message,
      agent_id: info.agent_id,
      timestamp: Date.now() / 1000,
    };
  }

  accept(framework: FrameworkRecord, call: scheduler.Call.Accept): void {
    const ids = (call.offer_ids ?? []).map((o) => o.value);
    const launches = (call.operations ?? []).flatMap(tasksOf);
    const invalid = this.validateOffers(framework, ids);
    if (invalid) {
      for (const offerId of ids) {
        const offer = this.master.offers.get(offerId);
        if (offer?.framework === framework) this.remove(offer, { rescind: false });
      }
      const state = framework.capabilities.has('PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const info of launches) {
        const status = this.statusFor(
          info,
          state,
          'REASON_INVALID_OFFERS',
          `Task launched with invalid offers: ${invalid}`,
        );
        this.master.subscriptions.send(framework, { type: 'UPDATE', update: { status } });
      }
      return;
    }
    const offers = ids.map((offerId) => this.master.offers.get(offerId) as OfferRecord);
    const first = offers[0] as OfferRecord;
    const { agent, role } = first;
    let pool = emptyResources();
    for (const offer of offers) {
      pool = addResources(pool, offer.resources);
      this.remove(offer, { rescind: false });
    }
    const launched: TaskRecord[] = [];
    for (const operation of call.operations ?? []) {
      const infos = tasksOf(operation);
      if (operation.type !== 'LAUNCH' && operation.type !== 'LAUNCH_GROUP') {
        this.master.log(
          `ACCEPT: ${operation.type ?? 'UNKNOWN'} operations are not emulated; ignored`,
        );
      }
      for (const info of infos) {
        const result =
          operation.type === 'LAUNCH_GROUP'
            ? 'Task groups (LAUNCH_GROUP) are not supported by the emulator'
            : this.validateTask(framework, agent, info, pool);
        if (typeof result === 'string') {
          const status = this.statusFor(info, 'TASK_ERROR', 'REASON_TASK_INVALID', result);
          this.master.subscriptions.send(framework, { type: 'UPDATE', update: { status } });
          continue;
        }
        pool = subtractResources(pool, result);
        launched.push(this.master.taskManager.launch(framework, agent, role, info, result));
      }
    }
    // Whatever the operations left unused counts as declined, filters included.
    this.addFilter(framework, agent, role, pool, call.filters);
    if (launched.length > 0) {
      this.master.timers.after(0, () => {
        for (const task of launched) this.master.taskManager.start(task);
      });
    }
  }
}
