import type { Offer, Resource } from '@shoal/mesos';
import type { PortAssignment, PortRequest } from './types';

export interface Demand {
  cpus: number;
  memMb: number;
  diskMb: number;
  gpus: number;
}

const SCALARS: [keyof Demand, string][] = [
  ['cpus', 'cpus'],
  ['memMb', 'mem'],
  ['diskMb', 'disk'],
  ['gpus', 'gpus'],
];

// Float sums of offered fractions (0.1 + 0.2) must not make a task miss by 1e-17.
const EPSILON = 1e-9;

/** Whether `have` (an amount per scalar resource name) is enough for every scalar of `demand`. */
export function coversDemand(demand: Demand, have: (name: string) => number): boolean {
  return SCALARS.every(([key, name]) => demand[key] <= 0 || have(name) + EPSILON >= demand[key]);
}

/** Only cpus and mem can be revocable in practice; best-effort tasks take those revocably. */
const REVOCABLE_KINDS = new Set(['cpus', 'mem']);

export interface Taken {
  resources: Resource[];
  ports: PortAssignment[];
}

/**
 * What is still free in an agent's offers to one role while tasks are being placed on
 * them. An agent's resources can come in several offers (under a quota limit, its cpus in
 * one and its ports in another): they are one capacity, accepted together, as Mesos
 * allows for offers of one agent. Every resource handed to a task is a copy of an offered
 * one (same role, allocation_info, reservations, revocable marker), as Mesos requires.
 */
export class OfferCapacity {
  private free: Resource[] = [];
  /** The offer each free resource came in, by id. */
  private readonly from = new Map<Resource, string>();
  private readonly offerList: Offer[] = [];

  constructor(offer: Offer) {
    this.absorb(offer);
  }

  /** The first of its offers: the agent, its hostname and the role are every one's. */
  get offer(): Offer {
    return this.offerList[0]!;
  }

  get offers(): readonly Offer[] {
    return this.offerList;
  }

  /** Another offer of the same agent to the same role. */
  absorb(offer: Offer): void {
    this.offerList.push(offer);
    for (const r of offer.resources ?? []) {
      const copy = cloneResource(r);
      this.free.push(copy);
      this.from.set(copy, offer.id.value);
    }
  }

  /** Drops an offer the master took back; whether any offer is left. */
  without(offerId: string): boolean {
    const at = this.offerList.findIndex((o) => o.id.value === offerId);
    if (at >= 0) this.offerList.splice(at, 1);
    this.free = this.free.filter((r) => this.from.get(r) !== offerId);
    return this.offerList.length > 0;
  }

  scalar(name: string, revocable?: boolean): number {
    return this.free
      .filter(
        (r) =>
          r.name === name &&
          r.scalar &&
          (revocable === undefined || Boolean(r.revocable) === revocable),
      )
      .reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0);
  }

  /** What is still free, as resources. */
  get resources(): readonly Resource[] {
    return this.free;
  }

  get hasRevocable(): boolean {
    return this.free.some((r) => r.revocable);
  }

  /** Free port numbers, as [begin, end] pairs. */
  portRanges(): [number, number][] {
    return this.free
      .filter((r) => r.name === 'ports')
      .flatMap((r) => r.ranges?.range ?? [])
      .map((range): [number, number] => [Number(range.begin), Number(range.end)]);
  }

  /** Takes what a task needs, or returns undefined (and takes nothing) when it does not fit. */
  take(demand: Demand, ports: readonly PortRequest[], bestEffort: boolean): Taken | undefined {
    const revocableFor = (name: string) => bestEffort && REVOCABLE_KINDS.has(name);
    if (!coversDemand(demand, (name) => this.scalar(name, revocableFor(name)))) return undefined;
    const hostPorts = this.choosePorts(ports);
    if (!hostPorts) return undefined;

    const resources: Resource[] = [];
    for (const [key, name] of SCALARS) {
      let needed = demand[key];
      for (const r of this.free) {
        if (needed <= EPSILON) break;
        if (r.name !== name || !r.scalar || Boolean(r.revocable) !== revocableFor(name)) continue;
        const amount = Math.min(needed, r.scalar.value);
        if (amount <= 0) continue;
        r.scalar.value -= amount;
        needed -= amount;
        resources.push({ ...cloneResource(r), scalar: { value: round(amount) } });
      }
    }
    for (const port of hostPorts) resources.push(this.takePort(port.hostPort));
    return { resources: mergePortResources(resources), ports: hostPorts };
  }

  private choosePorts(requests: readonly PortRequest[]): PortAssignment[] | undefined {
    const ranges = this.portRanges();
    const used = new Set<number>();
    const isFree = (p: number) => !used.has(p) && ranges.some(([b, e]) => p >= b && p <= e);
    const assigned: PortAssignment[] = [];
    for (const request of requests) {
      let hostPort = request.hostPort;
      if (hostPort !== undefined) {
        if (!isFree(hostPort)) return undefined;
      } else {
        hostPort = undefined;
        for (const [b, e] of ranges) {
          for (let p = b; p <= e && hostPort === undefined; p++) if (!used.has(p)) hostPort = p;
          if (hostPort !== undefined) break;
        }
        if (hostPort === undefined) return undefined;
      }
      used.add(hostPort);
      assigned.push({ containerPort: request.containerPort, hostPort, protocol: request.protocol });
    }
    return assigned;
  }

  private takePort(port: number): Resource {
    for (const r of this.free) {
      if (r.name !== 'ports') continue;
      const ranges = r.ranges?.range ?? [];
      const index = ranges.findIndex(
        (range) => port >= Number(range.begin) && port <= Number(range.end),
      );
      if (index < 0) continue;
      const range = ranges[index]!;
      const pieces = [
        [Number(range.begin), port - 1],
        [port + 1, Number(range.end)],
      ].filter(([b, e]) => b! <= e!);
      ranges.splice(index, 1, ...pieces.map(([b, e]) => ({ begin: BigInt(b!), end: BigInt(e!) })));
      return {
        ...cloneResource(r),
        ranges: { range: [{ begin: BigInt(port), end: BigInt(port) }] },
      };
    }
    throw new Error(`port ${port} is not in the offer`);
  }
}

/** One `ports` resource per source resource, as a real scheduler would send. */
function mergePortResources(resources: Resource[]): Resource[] {
  const scalars = resources.filter((r) => r.name !== 'ports');
  const merged = new Map<string, Resource>();
  for (const r of resources.filter((r) => r.name === 'ports')) {
    const key = JSON.stringify(
      { role: r.role, a: r.allocation_info, res: r.reservations, rv: r.reservation },
      (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    );
    const existing = merged.get(key);
    if (existing) existing.ranges!.range!.push(...(r.ranges?.range ?? []));
    else merged.set(key, r);
  }
  return [...scalars, ...merged.values()];
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function cloneResource(r: Resource): Resource {
  return {
    ...r,
    ...(r.scalar ? { scalar: { value: r.scalar.value } } : {}),
    ...(r.ranges
      ? { ranges: { range: (r.ranges.range ?? []).map((x) => ({ begin: x.begin, end: x.end })) } }
      : {}),
  };
}

export interface ResourceTotals {
  cpus: number;
  memMb: number;
  diskMb: number;
  gpus: number;
  ports: [number, number][];
  revocable: boolean;
}

/** Totals of a resource list, e.g. an offer's or an agent's. */
export function totalResources(resources: readonly Resource[] | undefined): ResourceTotals {
  const sum = (name: string) =>
    (resources ?? [])
      .filter((r) => r.name === name)
      .reduce((s, r) => s + (r.scalar?.value ?? 0), 0);
  return {
    cpus: round(sum('cpus')),
    memMb: round(sum('mem')),
    diskMb: round(sum('disk')),
    gpus: round(sum('gpus')),
    ports: (resources ?? [])
      .filter((r) => r.name === 'ports')
      .flatMap((r) => r.ranges?.range ?? [])
      .map((range): [number, number] => [Number(range.begin), Number(range.end)]),
    revocable: (resources ?? []).some((r) => r.revocable),
  };
}
