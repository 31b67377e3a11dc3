import type { Offer } from '@shoal/mesos';
import type { AgentFacts } from './types';

/** An agent as its latest offer describes it. */
export interface KnownAgent extends AgentFacts {
  /** `host:port` of its HTTP API (sandbox files), when the offer says. */
  endpoint?: string;
}

/**
 * What an offer tells of its agent. Attributes become the strings placement constraints
 * match: text as it is, a scalar as its number, a set as its items joined by commas.
 */
export function agentOf(offer: Offer): KnownAgent {
  const address = offer.url?.address;
  return {
    agentId: offer.agent_id.value,
    hostname: offer.hostname,
    attributes: Object.fromEntries(
      (offer.attributes ?? []).map((a) => [
        a.name,
        a.text?.value ?? (a.scalar ? String(a.scalar.value) : (a.set?.item?.join(',') ?? '')),
      ]),
    ),
    ...(address ? { endpoint: `${address.ip ?? address.hostname}:${address.port}` } : {}),
  };
}
