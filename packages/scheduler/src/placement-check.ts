import type { Resource } from '@shoal/mesos';
import { satisfiesConstraints } from './constraints';
import { totalResources } from './offer-capacity';
import type { PlacementConstraint, PortRequest } from './types';

/** An agent as the cluster lists it (everything it has), or an offer (what it has free). */
export interface AgentInventory {
  hostname: string;
  attributes: Record<string, string>;
  /** Its total resources (those its role may use). */
  resources: readonly Resource[];
}

export interface PlacementNeeds {
  cpus: number;
  memMb: number;
  diskMb: number;
  gpus: number;
  bestEffort: boolean;
  ports: readonly PortRequest[];
  constraints: readonly PlacementConstraint[];
}

interface Shortfall {
  /** What every agent would have to give, e.g. "cpus". */
  kind: string;
  /** The need, said for a person. */
  detail: string;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Why no agent of the cluster could ever run a container, even an empty one; or
 * undefined when one could (now or once others make room). Only what never
 * changes counts: an agent's totals, its port ranges, its attributes; a
 * constraint against peers (UNIQUE, MAX_PER) depends on where others run and is
 * not judged here. An empty list says nothing: the cluster is not known.
 */
export function whyNeverPlaced(
  needs: PlacementNeeds,
  agents: readonly AgentInventory[],
): string | undefined {
  return explain(needs, agents, 'agent');
}

/**
 * Why a waiting container fits none of the offers its role holds now, said for a
 * person ("it asks for 6 cpus, and the largest offer has 4"); undefined when one fits.
 */
export function whyNotPlacedNow(
  needs: PlacementNeeds,
  offers: readonly AgentInventory[],
): string | undefined {
  if (offers.length === 0) return 'no offers from Mesos for its role yet';
  return explain(needs, offers, 'offer');
}

function explain(
  needs: PlacementNeeds,
  places: readonly AgentInventory[],
  noun: Noun,
): string | undefined {
  if (places.length === 0) return undefined;
  // Nearly every container fits the first place looked at: no reasons are gathered for it.
  if (places.some((place) => shortfallsOn(needs, place, noun).length === 0)) return undefined;
  const shortfalls = places.map((place) => shortfallsOn(needs, place, noun));
  // What holds it back everywhere says the most; otherwise each place lacks something else.
  for (const { kind, detail } of shortfalls[0]!) {
    if (shortfalls.every((s) => s.some((x) => x.kind === kind)))
      return `${detail}${largest(kind, places, noun)}`;
  }
  return `no single ${noun} has all it needs (${places
    .slice(0, 3)
    .map((a, i) => `${a.hostname}: ${shortfalls[i]!.map((s) => s.detail).join(', ')}`)
    .join('; ')}${places.length > 3 ? '; …' : ''})`;
}

type Noun = 'agent' | 'offer';

function shortfallsOn(needs: PlacementNeeds, agent: AgentInventory, noun: Noun): Shortfall[] {
  const have = (name: string, revocable: boolean) =>
    agent.resources
      .filter((r) => r.name === name && Boolean(r.revocable) === revocable)
      .reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0);
  const out: Shortfall[] = [];
  const scalars = [
    ['cpus', 'cpus', needs.cpus, ''],
    ['mem', 'memory', needs.memMb, ' MB'],
    ['disk', 'disk', needs.diskMb, ' MB'],
    ['gpus', 'gpus', needs.gpus, ''],
  ] as const;
  for (const [name, word, need, unit] of scalars) {
    if (need <= 0) continue;
    // Best-effort containers run on revocable cpus and memory only.
    const revocable = needs.bestEffort && (name === 'cpus' || name === 'mem');
    if (have(name, revocable) + 1e-9 < need)
      out.push({
        kind: revocable ? `revocable-${name}` : name,
        detail: revocable
          ? `it is best-effort (shoal.best-effort=true) and needs ${round(need)}${unit} of revocable ${word}`
          : `it asks for ${round(need)}${unit} ${word}`,
      });
  }
  const ranges = totalResources(agent.resources).ports;
  const inRange = (p: number) => ranges.some(([b, e]) => p >= b && p <= e);
  for (const port of needs.ports) {
    if (port.hostPort !== undefined && !inRange(port.hostPort))
      out.push({
        kind: `port-${port.hostPort}`,
        detail: `host port ${port.hostPort} is outside the ${noun}s' port ranges`,
      });
  }
  const free = ranges.reduce((n, [b, e]) => n + (e - b + 1), 0);
  if (needs.ports.length > free)
    out.push({ kind: 'ports', detail: `it needs ${needs.ports.length} host ports` });
  const facts = { agentId: '', hostname: agent.hostname, attributes: agent.attributes };
  for (const constraint of needs.constraints) {
    if (!satisfiesConstraints([constraint], facts, []))
      out.push({
        kind: `constraint-${constraint.field}:${constraint.operator}:${constraint.value ?? ''}`,
        detail: `no ${noun} meets its placement constraint ${constraint.field}:${constraint.operator}${constraint.value === undefined ? '' : `:${constraint.value}`}`,
      });
  }
  return out;
}

/** What the best place has of a resource every place lacks, to say how far off it is. */
function largest(kind: string, agents: readonly AgentInventory[], noun: Noun): string {
  const revocable = kind.startsWith('revocable-');
  const name = revocable ? kind.slice('revocable-'.length) : kind;
  if (!['cpus', 'mem', 'disk', 'gpus'].includes(name)) {
    if (kind.startsWith('port-')) {
      const ranges = [
        ...new Set(
          agents.flatMap((a) => totalResources(a.resources).ports.map(([b, e]) => `${b}-${e}`)),
        ),
      ];
      return ranges.length > 0 ? ` (${ranges.join(', ')})` : ` (no ${noun} has ports)`;
    }
    return '';
  }
  const best = Math.max(
    ...agents.map((a) =>
      a.resources
        .filter((r) => r.name === name && Boolean(r.revocable) === revocable)
        .reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0),
    ),
  );
  const unit = name === 'mem' || name === 'disk' ? ' MB' : '';
  if (revocable && best <= 0)
    return noun === 'agent'
      ? ', and no agent offers revocable resources'
      : ', and no offer has revocable resources';
  return `, and the largest ${noun} has ${round(best)}${unit}`;
}
