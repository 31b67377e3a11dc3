import type { InverseOffer, Offer, SchedulerClient } from '@shoal/mesos';
import type { FrameworkListener, FrameworkOptions } from './framework-contract';

/**
 * Agents in a maintenance window, learned from whichever comes first: an offer with
 * its unavailability or an inverse offer. Either way the listener is told once, to
 * move the agent's tasks, and placement keeps new ones off it.
 */
export class AgentMaintenance {
  private readonly draining = new Set<string>();

  constructor(
    private readonly client: Pick<SchedulerClient, 'acceptInverseOffers'>,
    private readonly listener: Pick<FrameworkListener, 'onAgentDraining' | 'onAgentAvailable'>,
    private readonly options: Pick<FrameworkOptions, 'refuseSeconds'>,
  ) {}

  isDraining(agentId: string): boolean {
    return this.draining.has(agentId);
  }

  /**
   * Every offer says whether its agent is in a maintenance window. One with no
   * unavailability is out of it (the window was removed or the machine came back up):
   * it takes tasks again.
   */
  offered(offer: Offer): void {
    const agentId = offer.agent_id.value;
    if (offer.unavailability) this.markDraining(agentId);
    else this.markAvailable(agentId);
  }

  async onInverseOffers(inverseOffers: InverseOffer[]): Promise<void> {
    for (const inverse of inverseOffers) {
      const agentId = inverse.agent_id?.value;
      if (agentId) this.markDraining(agentId);
    }
    // Agreeing is advisory for Mesos; the move itself starts replacements first.
    await this.client.acceptInverseOffers(
      inverseOffers.map((o) => o.id),
      { refuse_seconds: this.options.refuseSeconds },
    );
  }

  private markDraining(agentId: string): void {
    if (this.draining.has(agentId)) return;
    this.draining.add(agentId);
    this.listener.onAgentDraining?.(agentId);
  }

  private markAvailable(agentId: string): void {
    if (!this.draining.delete(agentId)) return;
    this.listener.onAgentAvailable?.(agentId);
  }
}
