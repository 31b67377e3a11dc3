import type { SchedulerClient } from '@shoal/mesos';
import type { FrameworkOptions } from './framework-contract';
import type { HeldOffers } from './held-offers';
import type { OfferCapacity } from './offer-capacity';
import { expiredOffers, unneededOffers } from './offer-policy';
import type { OfferStats } from './offer-stats';
import type { TaskQueues } from './task-queues';

/**
 * Gives held offers back with DECLINE, as the offer policy picks them, counting what they
 * held as declined. Each leaves the held set at once, before the DECLINE is answered, so
 * no round places a task on it meanwhile.
 */
export class OfferDecliner {
  constructor(
    private readonly client: Pick<SchedulerClient, 'decline'>,
    private readonly held: HeldOffers,
    private readonly pending: TaskQueues,
    private readonly stats: OfferStats,
    private readonly options: Pick<FrameworkOptions, 'refuseSeconds' | 'offerHoldSeconds'>,
    /** Offers die with the subscription: unsubscribed, there is nothing to give back. */
    private readonly subscribed: () => boolean,
    /** How many offers a role between bursts keeps (see lingerShare). */
    private readonly share: () => number,
  ) {}

  /** Declines every offer of each capacity (an agent's offers to a role). */
  async decline(capacities: OfferCapacity[]): Promise<void> {
    if (capacities.length === 0 || !this.subscribed()) return;
    for (const capacity of capacities) {
      const held = this.held.remove(capacity.offer.id.value);
      this.stats.declined(held?.role ?? capacity.offer.allocation_info?.role ?? '*', capacity);
    }
    await this.client.decline(
      capacities.flatMap((capacity) => capacity.offers.map((offer) => offer.id)),
      { refuse_seconds: this.options.refuseSeconds },
    );
  }

  /** The offers no one needs (see unneededOffers). */
  unneeded(): Promise<void> {
    return this.decline(
      unneededOffers(
        this.held,
        this.pending.queues,
        this.pending.lastDemand,
        Date.now(),
        this.share(),
      ),
    );
  }

  /** Every offer of a role one of whose offers has been held too long (see expiredOffers). */
  expired(): Promise<void> {
    return this.decline(
      expiredOffers(this.held, Date.now() - this.options.offerHoldSeconds * 1000),
    );
  }
}
