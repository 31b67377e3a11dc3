import type { Resource, Value } from '@shoal/mesos';

/** Inclusive port range. */
export type PortRange = readonly [number, number];

/**
 * A bag of unreserved resources. Revocable scalars are kept apart because they obey other
 * rules (only REVOCABLE_RESOURCES frameworks see them, quota ignores them, never disk).
 */
export interface Resources {
  scalars: Record<string, number>;
  ports: PortRange[];
  revocable: Record<string, number>;
}

export function emptyResources(): Resources {
  return { scalars: {}, ports: [], revocable: {} };
}

// Mesos keeps scalars in fixed point with three decimals; rounding the same way keeps
// sums such as 0.1 + 0.2 from leaving crumbs that would count as "available".
function fixed(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function addScalars(
  a: Record<string, number>,
  b: Record<string, number>,
  sign: 1 | -1,
): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [name, value] of Object.entries(b)) {
    const next = fixed((out[name] ?? 0) + sign * value);
    if (next > 0) out[name] = next;
    else delete out[name];
  }
  return out;
}

export function normalizeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [b, e] of sorted) {
    const last = out[out.length - 1];
    if (last && b <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([b, e]);
  }
  return out;
}

function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  let current: PortRange[] = normalizeRanges(a);
  for (const [rb, re] of b) {
    const next: PortRange[] = [];
    for (const [b0, e0] of current) {
      if (re < b0 || rb > e0) {
        next.push([b0, e0]);
        continue;
      }
      if (rb > b0) next.push([b0, rb - 1]);
      if (re < e0) next.push([re + 1, e0]);
    }
    current = next;
  }
  return current;
}

function rangesContain(outer: readonly PortRange[], inner: readonly PortRange[]): boolean {
  return inner.every(([b, e]) => outer.some(([ob, oe]) => ob <= b && e <= oe));
}

export function addResources(a: Resources, b: Resources): Resources {
  return {
    scalars: addScalars(a.scalars, b.scalars, 1),
    ports: normalizeRanges([...a.ports, ...b.ports]),
    revocable: addScalars(a.revocable, b.revocable, 1),
  };
}

/** `a - b`, clamped at zero (callers only subtract what they know is there). */
export function subtractResources(a: Resources, b: Resources): Resources {
  return {
    scalars: addScalars(a.scalars, b.scalars, -1),
    ports: subtractRanges(a.ports, b.ports),
    revocable: addScalars(a.revocable, b.revocable, -1),
  };
}

function scalarsContain(outer: Record<string, number>, inner: Record<string, number>): boolean {
  return Object.entries(inner).every(([name, value]) => (outer[name] ?? 0) + 1e-9 >= value);
}

export function containsResources(outer: Resources, inner: Resources): boolean {
  return (
    scalarsContain(outer.scalars, inner.scalars) &&
    scalarsContain(outer.revocable, inner.revocable) &&
    rangesContain(outer.ports, inner.ports)
  );
}

export function isEmptyResources(r: Resources): boolean {
  return (
    Object.keys(r.scalars).length === 0 &&
    r.ports.length === 0 &&
    Object.keys(r.revocable).length === 0
  );
}

export function withoutRevocable(r: Resources): Resources {
  return { scalars: r.scalars, ports: r.ports, revocable: {} };
}

/** Limits non-revocable scalars to `caps` (a quota headroom); other names pass through. */
export function capScalars(r: Resources, caps: Record<string, number>): Resources {
  const scalars: Record<string, number> = {};
  for (const [name, value] of Object.entries(r.scalars)) {
    const cap = caps[name];
    const capped = cap === undefined ? value : Math.min(value, fixed(cap));
    if (capped > 0) scalars[name] = capped;
  }
  return { scalars, ports: r.ports, revocable: r.revocable };
}

/**
 * One non-revocable scalar of `capScalars(r, caps[0])` capped again by each later caps,
 * 0 when the capping drops it, without building the capped bag.
 */
export function cappedScalar(
  r: Resources,
  name: string,
  caps: readonly Record<string, number>[],
): number {
  let value = r.scalars[name] ?? 0;
  for (const c of caps) {
    const cap = c[name];
    if (cap !== undefined) value = Math.min(value, fixed(cap));
  }
  return value > 0 ? value : 0;
}

/**
 * `containsResources(outer, capped)`, where `capped` is `r` (its revocable part only when
 * `revocable`) with its scalars capped by each of `caps` in turn, without building it.
 */
export function containsCapped(
  outer: Resources,
  r: Resources,
  revocable: boolean,
  caps: readonly Record<string, number>[],
): boolean {
  for (const name in r.scalars) {
    const value = cappedScalar(r, name, caps);
    if (value > 0 && (outer.scalars[name] ?? 0) + 1e-9 < value) return false;
  }
  if (revocable && !scalarsContain(outer.revocable, r.revocable)) return false;
  return rangesContain(outer.ports, r.ports);
}

/** Human form used in error messages, close to Mesos's `cpus:2; mem:1024; ports:[31000-32000]`. */
export function formatResources(r: Resources): string {
  const parts = Object.entries(r.scalars).map(([n, v]) => `${n}:${v}`);
  if (r.ports.length > 0) parts.push(`ports:[${r.ports.map(([b, e]) => `${b}-${e}`).join(', ')}]`);
  for (const [n, v] of Object.entries(r.revocable)) parts.push(`${n}(revocable):${v}`);
  return parts.join('; ') || '{}';
}

export class ResourceError extends Error {}

/**
 * Reads wire resources into a bag. Reserved, shared and disk-info resources are outside
 * what the emulator models, so they are refused rather than silently treated as plain.
 */
export function resourcesFromWire(list: readonly Resource[] | undefined): Resources {
  let out = emptyResources();
  for (const r of list ?? []) {
    if (
      r.reservation !== undefined ||
      (r.reservations?.length ?? 0) > 0 ||
      (r.role !== undefined && r.role !== '*')
    ) {
      throw new ResourceError(`Reserved resources are not supported: '${r.name}'`);
    }
    if (r.shared !== undefined || r.disk !== undefined) {
      throw new ResourceError(
        `Shared and persistent disk resources are not supported: '${r.name}'`,
      );
    }
    if (r.type === 'SCALAR') {
      const value = r.scalar?.value;
      if (value === undefined || !Number.isFinite(value) || value < 0) {
        throw new ResourceError(`Invalid scalar resource '${r.name}'`);
      }
      const bag: Record<string, number> = { [r.name]: value };
      out = addResources(
        out,
        r.revocable
          ? { scalars: {}, ports: [], revocable: bag }
          : { scalars: bag, ports: [], revocable: {} },
      );
    } else if (r.type === 'RANGES' && r.name === 'ports') {
      if (r.revocable) throw new ResourceError('Revocable ports are not supported');
      const ranges = (r.ranges?.range ?? []).map((x: Value.Range): PortRange => [
        Number(x.begin),
        Number(x.end),
      ]);
      if (ranges.some(([b, e]) => b > e)) throw new ResourceError('Invalid ports range');
      out = addResources(out, { scalars: {}, ports: ranges, revocable: {} });
    } else {
      throw new ResourceError(`Unsupported resource '${r.name}' of type ${r.type}`);
    }
  }
  return out;
}

export interface WireResourceOptions {
  /** The role the resources are allocated to; sets `allocation_info` on each resource. */
  allocationRole?: string;
  /** Pre-refinement format: unreserved resources carry the deprecated `role: "*"`. */
  legacyRole?: boolean;
}

export function resourcesToWire(r: Resources, options: WireResourceOptions = {}): Resource[] {
  const decorate = (res: Resource): Resource => {
    if (options.legacyRole) res.role = '*';
    if (options.allocationRole !== undefined)
      res.allocation_info = { role: options.allocationRole };
    return res;
  };
  const out: Resource[] = [];
  for (const [name, value] of Object.entries(r.scalars)) {
    out.push(decorate({ name, type: 'SCALAR', scalar: { value } }));
  }
  if (r.ports.length > 0) {
    out.push(
      decorate({
        name: 'ports',
        type: 'RANGES',
        ranges: { range: r.ports.map(([b, e]) => ({ begin: BigInt(b), end: BigInt(e) })) },
      }),
    );
  }
  for (const [name, value] of Object.entries(r.revocable)) {
    out.push(decorate({ name, type: 'SCALAR', scalar: { value }, revocable: {} }));
  }
  return out;
}

/** A role's dominant share of the cluster's non-revocable scalars (DRF). */
export function dominantShare(used: Resources, total: Resources): number {
  let share = 0;
  for (const [name, value] of Object.entries(used.scalars)) {
    const cap = total.scalars[name];
    if (cap && cap > 0) share = Math.max(share, value / cap);
  }
  return share;
}
