import type { Offer } from '@shoal/mesos';
import { OfferCapacity } from './offer-capacity';

export interface HeldOffer {
  capacity: OfferCapacity;
  receivedAt: number;
  role: string;
}

/** Offers the framework has not answered yet, by id and by the role they were allocated to. */
export class HeldOffers {
  private readonly byId = new Map<string, HeldOffer>();
  private readonly byRole = new Map<string, Map<string, HeldOffer>>();

  get size(): number {
    return this.byId.size;
  }

  add(offer: Offer, role: string, receivedAt: number): void {
    const held = { capacity: new OfferCapacity(offer), receivedAt, role };
    this.byId.set(offer.id.value, held);
    let ofRole = this.byRole.get(role);
    if (!ofRole) this.byRole.set(role, (ofRole = new Map()));
    ofRole.set(offer.id.value, held);
  }

  remove(offerId: string): HeldOffer | undefined {
    const held = this.byId.get(offerId);
    if (!held) return undefined;
    this.byId.delete(offerId);
    const ofRole = this.byRole.get(held.role);
    ofRole?.delete(offerId);
    if (ofRole?.size === 0) this.byRole.delete(held.role);
    return held;
  }

  ofRole(role: string): HeldOffer[] {
    return [...(this.byRole.get(role)?.values() ?? [])];
  }

  roles(): string[] {
    return [...this.byRole.keys()];
  }

  all(): [string, HeldOffer][] {
    return [...this.byId.entries()];
  }

  clear(): void {
    this.byId.clear();
    this.byRole.clear();
  }
}
