import type { SchedulerClient, TaskInfo } from '@shoal/mesos';
import type { FrameworkListener, FrameworkOptions, FrameworkStore } from './framework-contract';
import type { HeldOffers } from './held-offers';
import type { LiveTasks } from './live-tasks';
import type { OfferCapacity } from './offer-capacity';
import type { OfferDecliner } from './offer-decliner';
import type { OfferStats } from './offer-stats';
import type { Placement } from './placement';
import { buildTaskInfo } from './task-info';
import type { LaunchRecord, TaskRequest } from './types';

/** One offer's part of a round: its tasks go out in one ACCEPT. */
interface Launch {
  capacity: OfferCapacity;
  tasks: TaskInfo[];
  records: LaunchRecord[];
  requests: TaskRequest[];
}

/** The tasks a round placed, grouped by the offer each was placed on. */
export class LaunchBatch {
  private readonly byOffer = new Map<string, Launch>();

  get size(): number {
    return this.byOffer.size;
  }

  add(request: TaskRequest, placement: Placement, agentEndpoint: string | undefined): void {
    const { offer } = placement.capacity;
    let launch = this.byOffer.get(offer.id.value);
    if (!launch) {
      launch = { capacity: placement.capacity, tasks: [], records: [], requests: [] };
      this.byOffer.set(offer.id.value, launch);
    }
    launch.tasks.push(buildTaskInfo(request, offer, placement.resources, placement.ports));
    launch.records.push({
      taskId: request.taskId,
      agentId: offer.agent_id.value,
      hostname: offer.hostname,
      ...(agentEndpoint ? { agentEndpoint } : {}),
      ports: placement.ports,
    });
    launch.requests.push(request);
  }

  all(): Launch[] {
    return [...this.byOffer.values()];
  }
}

/**
 * Hands a round's launches to Mesos: stored first, in one batch, so a crash before the
 * ACCEPT is found by reconciliation; then every offer's ACCEPT at once. Offers are taken
 * out of the held set before anything is awaited, so no other round places on them.
 */
export class Launcher {
  constructor(
    private readonly client: Pick<SchedulerClient, 'accept' | 'reconcile'>,
    private readonly store: Pick<FrameworkStore, 'recordLaunches'>,
    private readonly listener: Pick<FrameworkListener, 'onError' | 'onLaunched'>,
    private readonly options: Pick<FrameworkOptions, 'refuseSeconds'>,
    private readonly held: HeldOffers,
    private readonly live: LiveTasks,
    private readonly stats: OfferStats,
    private readonly decliner: OfferDecliner,
    /** Queues tasks again, for the next offers. */
    private readonly requeue: (requests: TaskRequest[]) => void,
  ) {}

  async launch(batch: LaunchBatch): Promise<void> {
    const launches = batch.all();
    for (const launch of launches) this.held.remove(launch.capacity.offer.id.value);
    let wanted: Set<string>;
    try {
      wanted = await this.store.recordLaunches(launches.flatMap((l) => l.records));
    } catch (error) {
      // Nothing was launched: the tasks wait again, and the offers (partly spent on
      // them here) go back.
      this.listener.onError?.('storing launches failed; the tasks wait for the next offers', error);
      const requests = launches.flatMap((l) => l.requests);
      for (const request of requests) this.live.delete(request.taskId);
      this.requeue(requests);
      await this.decliner.decline(launches.map((l) => l.capacity));
      return;
    }
    const unused: OfferCapacity[] = [];
    await Promise.all(
      launches.map(async ({ capacity, tasks, records }) => {
        const offer = capacity.offer;
        for (const r of records) if (!wanted.has(r.taskId)) this.live.delete(r.taskId);
        const kept = tasks.filter((t) => wanted.has(t.task_id.value));
        if (kept.length === 0) return unused.push(capacity);
        const role = capacity.offer.allocation_info?.role ?? '*';
        this.stats.accepted(role, kept);
        this.stats.declined(role, capacity);
        try {
          // Every offer of the agent the tasks were placed on, as their resources may span them.
          await this.client.accept(
            capacity.offers.map((o) => o.id),
            [{ type: 'LAUNCH', launch: { task_infos: kept } }],
            { refuse_seconds: this.options.refuseSeconds },
          );
          this.listener.onLaunched?.(kept.length);
        } catch (error) {
          // The ACCEPT may or may not have reached the master: ask rather than guess,
          // so a task is neither lost nor launched twice.
          this.listener.onError?.(
            `ACCEPT of offer ${offer.id.value} failed; reconciling its tasks`,
            error,
          );
          await this.client
            .reconcile(
              records
                .filter((r) => wanted.has(r.taskId))
                .map((r) => ({ task_id: { value: r.taskId }, agent_id: { value: r.agentId } })),
            )
            .catch((e: unknown) =>
              this.listener.onError?.('reconciliation after a failed ACCEPT failed', e),
            );
        }
        return undefined;
      }),
    );
    await this.decliner.decline(unused);
  }
}
