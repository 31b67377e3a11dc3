import type { Offer } from '@shoal/mesos';
import { OfferCapacity } from './offer-capacity';

export interface HeldOffer {
  /** One agent's held offers to the role, as one capacity. */
  capacity: OfferCapacity;
  /** When the first of them came. */
  receivedAt: number;
  role: string;
}

/**
 * Offers the framework has not answered yet, one entry per agent and role: offers of an
 * agent to a role that come while one is held join it (see OfferCapacity).
 */
export class HeldOffers {
  private readonly byId = new Map<string, HeldOffer>();
  private readonly byRole = new Map<string, Map<string, HeldOffer>>();

  /** How many offers are held. */
  get size(): number {
    return this.byId.size;
  }

  add(offer: Offer, role: string, receivedAt: number): void {
    let ofRole = this.byRole.get(role);
    if (!ofRole) this.byRole.set(role, (ofRole = new Map()));
    const agent = offer.agent_id.value;
    const held = ofRole.get(agent);
    if (held) held.capacity.absorb(offer);
    else ofRole.set(agent, { capacity: new OfferCapacity(offer), receivedAt, role });
    this.byId.set(offer.id.value, ofRole.get(agent)!);
  }

  /** Takes out the held entry the offer is part of, with all its offers. */
  remove(offerId: string): HeldOffer | undefined {
    const held = this.byId.get(offerId);
    if (!held) return undefined;
    for (const offer of held.capacity.offers) this.byId.delete(offer.id.value);
    const ofRole = this.byRole.get(held.role);
    ofRole?.delete(held.capacity.offer.agent_id.value);
    if (ofRole?.size === 0) this.byRole.delete(held.role);
    return held;
  }

  /** The master took one offer back (RESCIND): the agent's others stay held. */
  rescind(offerId: string): void {
    const held = this.byId.get(offerId);
    if (!held) return;
    const agent = held.capacity.offer.agent_id.value;
    this.byId.delete(offerId);
    if (held.capacity.without(offerId)) return;
    const ofRole = this.byRole.get(held.role);
    ofRole?.delete(agent);
    if (ofRole?.size === 0) this.byRole.delete(held.role);
  }

  ofRole(role: string): HeldOffer[] {
    return [...(this.byRole.get(role)?.values() ?? [])];
  }

  roles(): string[] {
    return [...this.byRole.keys()];
  }

  /** Every held entry (an agent's offers to a role). */
  all(): HeldOffer[] {
    return [...this.byRole.values()].flatMap((ofRole) => [...ofRole.values()]);
  }

  clear(): void {
    this.byId.clear();
    this.byRole.clear();
  }
}
