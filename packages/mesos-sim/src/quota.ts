import type { quota, WeightInfo } from '@shoal/mesos';
import { isNestedRole, roleError } from './roles';

export type Quantities = Record<string, number>;

export interface RoleQuota {
  guarantees: Quantities;
  limits: Quantities;
}

/** Largest values Mesos accepts: 1 EB for mem/disk (in MB), 1e12 for anything else. */
const MAX_MB = 1024 ** 4;
const MAX_OTHER = 1e12;

function formatQuantities(q: Quantities): string {
  return Object.entries(q)
    .map(([name, value]) => `${name}:${value}`)
    .join('; ');
}

function within(inner: Quantities, outer: Quantities): boolean {
  return Object.entries(inner).every(
    ([name, value]) => outer[name] === undefined || value <= (outer[name] ?? 0) + 1e-9,
  );
}

function fromMap(map: { [key: string]: { value: number } } | undefined): Quantities {
  const out: Quantities = {};
  for (const [name, scalar] of Object.entries(map ?? {})) out[name] = scalar.value;
  return out;
}

function toMap(q: Quantities): { [key: string]: { value: number } } {
  return Object.fromEntries(Object.entries(q).map(([name, value]) => [name, { value }]));
}

export interface QuotaContext {
  force: boolean;
  /** Allocated (not offered) scalars of a role and its descendants. */
  consumption(role: string): Quantities;
  /** Non-revocable scalars of every registered agent. */
  capacity: Quantities;
}

/** Role weights and quota, the operator-owned configuration the allocator reads. */
export class RoleConfig {
  private readonly weights = new Map<string, number>();
  private readonly quotas = new Map<string, RoleQuota>();

  weight(role: string): number {
    return this.weights.get(role) ?? 1;
  }

  weightInfos(): WeightInfo[] {
    return [...this.weights].map(([role, weight]) => ({ role, weight }));
  }

  configuredRoles(): string[] {
    return [...new Set([...this.weights.keys(), ...this.quotas.keys()])];
  }

  quota(role: string): RoleQuota | undefined {
    return this.quotas.get(role);
  }

  quotaEntries(): [string, RoleQuota][] {
    return [...this.quotas];
  }

  /** Applies all weights or none; returns the 400 message on failure. */
  updateWeights(infos: WeightInfo[]): string | undefined {
    for (const info of infos) {
      const role = info.role ?? '';
      const invalid = roleError(role);
      if (invalid) return `Failed to validate update weights request: ${invalid}`;
      if (!(info.weight > 0)) return `Invalid weight: '${info.weight}'. Weights must be positive`;
    }
    for (const info of infos) this.weights.set(info.role ?? '', info.weight);
    return undefined;
  }

  /** UPDATE_QUOTA, all or nothing; returns the 400 message on failure. */
  updateQuota(configs: quota.QuotaConfig[], context: QuotaContext): string | undefined {
    const next = new Map(this.quotas);
    for (const config of configs) {
      const invalid = roleError(config.role);
      if (invalid) return `Invalid QuotaConfig: ${invalid}`;
      if (isNestedRole(config.role))
        return `Updating quota on nested role '${config.role}' is not supported yet`;
      if (config.role === '*')
        return "Invalid QuotaConfig: setting quota for the default '*' role is not supported";
      const guarantees = fromMap(config.guarantees);
      const limits = fromMap(config.limits);
      for (const [name, value] of Object.entries({ ...guarantees, ...limits })) {
        const max = name === 'mem' || name === 'disk' ? MAX_MB : MAX_OTHER;
        if (!Number.isFinite(value) || value < 0)
          return `Invalid QuotaConfig: negative or non-finite quantity for '${name}'`;
        if (value > max)
          return `Invalid QuotaConfig: quantity for '${name}' is too large (${value} > ${max})`;
      }
      if (!within(guarantees, limits)) {
        return `Invalid QuotaConfig: guarantees '${formatQuantities(guarantees)}' is not contained within limits '${formatQuantities(limits)}'`;
      }
      if (!context.force) {
        const consumed = context.consumption(config.role);
        const over = Object.entries(limits).filter(
          ([name, limit]) => (consumed[name] ?? 0) > limit + 1e-9,
        );
        if (over.length > 0) {
          return (
            `Invalid QuotaConfig: Role '${config.role}' is already consuming '${formatQuantities(consumed)}'; ` +
            `this is more than the requested limits '${formatQuantities(limits)}' (use 'force' flag to bypass this check)`
          );
        }
      }
      if (Object.keys(guarantees).length === 0 && Object.keys(limits).length === 0)
        next.delete(config.role);
      else next.set(config.role, { guarantees, limits });
    }
    if (!context.force) {
      const total: Quantities = {};
      for (const q of next.values()) {
        for (const [name, value] of Object.entries(q.guarantees))
          total[name] = (total[name] ?? 0) + value;
      }
      const over = Object.entries(total).some(
        ([name, value]) => value > (context.capacity[name] ?? 0) + 1e-9,
      );
      if (over) {
        return (
          `Invalid QuotaConfig: total quota guarantees '${formatQuantities(total)}' exceed cluster capacity ` +
          `'${formatQuantities(context.capacity)}' (use 'force' flag to bypass this check)`
        );
      }
    }
    this.quotas.clear();
    for (const [role, q] of next) this.quotas.set(role, q);
    return undefined;
  }

  status(): quota.QuotaStatus {
    const entries = [...this.quotas];
    return {
      infos: entries.map(([role, q]) => ({
        role,
        guarantee: Object.entries(q.guarantees).map(([name, value]) => ({
          name,
          type: 'SCALAR',
          scalar: { value },
        })),
      })),
      configs: entries.map(([role, q]) => ({
        role,
        guarantees: toMap(q.guarantees),
        limits: toMap(q.limits),
      })),
    };
  }
}
