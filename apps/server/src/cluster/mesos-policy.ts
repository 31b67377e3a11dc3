import { ShoalError, type MesosPolicySync, type TenantQuota } from '@shoal/core';
import {
  MesosError,
  MesosHttpStatusError,
  type OperatorClient,
  type quota,
  type Value,
} from '@shoal/mesos';

const RESOURCES = [
  ['cpus', 'quotaCpusGuarantee', 'quotaCpusLimit'],
  ['mem', 'quotaMemGuarantee', 'quotaMemLimit'],
  ['disk', 'quotaDiskGuarantee', 'quotaDiskLimit'],
  ['gpus', 'quotaGpusGuarantee', 'quotaGpusLimit'],
] as const;

function scalars(q: Required<TenantQuota>, pick: 1 | 2): Record<string, Value.Scalar> {
  const out: Record<string, Value.Scalar> = {};
  for (const entry of RESOURCES) {
    const value = q[entry[pick]];
    if (value !== null && value !== undefined) out[entry[0]] = { value };
  }
  return out;
}

/** Mesos's answer, in words an admin can act on. */
function explain(what: string, error: unknown, words: (body: string) => string): ShoalError {
  if (error instanceof MesosHttpStatusError && error.status >= 400 && error.status < 500) {
    return new ShoalError(
      'INVALID_ARGUMENT',
      `Mesos refused the ${what}: ${words(error.body.trim()) || `HTTP ${error.status}`}`,
      { cause: error },
    );
  }
  const reason = error instanceof MesosError ? error.message : String(error);
  return new ShoalError('UNAVAILABLE', `The ${what} could not be sent to Mesos: ${reason}`, {
    cause: error,
  });
}

const UNITS: Record<string, (n: string) => string> = {
  cpus: (n) => `${n} cpus`,
  mem: (n) => `${n} MB memory`,
  disk: (n) => `${n} MB disk`,
  gpus: (n) => `${n} gpus`,
};

/** Mesos's quantities ("cpus:2; mem:1024") as the dashboard names them; as given if not. */
function amounts(quantities: string): string {
  const named: string[] = [];
  for (const part of quantities.split(';')) {
    if (!part.trim()) continue;
    const match = /^([\w.-]+):([\d.e+-]+)$/.exec(part.trim());
    if (!match) return quantities;
    const [name = '', value = ''] = match.slice(1);
    named.push(UNITS[name]?.(value) ?? `${value} ${name}`);
  }
  return named.length > 0 ? named.join(', ') : 'nothing';
}

/**
 * Mesos's refusals of a quota name its own API: the 'force' flag of UPDATE_QUOTA, which
 * neither the dashboard nor `shoal quota set` sends (a limit below what runs would leave
 * the role over it). They are said in the terms of the quota an admin set, figures kept.
 */
export function quotaRefusal(body: string): string {
  const consuming =
    /already consuming '([^']*)'; this is more than the requested limits '([^']*)'/.exec(body);
  if (consuming)
    return `the role already uses ${amounts(consuming[1]!)}, more than the limit asked for (${amounts(consuming[2]!)}); stop some of its containers first, or ask for at least what is in use`;
  const overCapacity = /total quota guarantees '([^']*)' exceed cluster capacity '([^']*)'/.exec(
    body,
  );
  if (overCapacity)
    return `the guarantees of all roles together (${amounts(overCapacity[1]!)}) would be more than the cluster has (${amounts(overCapacity[2]!)}); ask for a smaller guarantee, or add agents first`;
  const uncontained = /guarantees '([^']*)' is not contained within limits '([^']*)'/.exec(body);
  if (uncontained)
    return `the guarantee (${amounts(uncontained[1]!)}) is more than the limit (${amounts(uncontained[2]!)})`;
  return body
    .replace(/^Invalid QuotaConfig: /, '')
    .replace(/\s*\(use '?force'? flag[^)]*\)/gi, '')
    .trim();
}

/** Quota (UPDATE_QUOTA: guarantees and limits) and weights (UPDATE_WEIGHTS) of tenant roles. */
export class OperatorPolicySync implements MesosPolicySync {
  constructor(private readonly operator: OperatorClient) {}

  async pushQuota(role: string, q: Required<TenantQuota>): Promise<void> {
    const config: quota.QuotaConfig = { role, guarantees: scalars(q, 1), limits: scalars(q, 2) };
    try {
      await this.operator.updateQuota([config]);
    } catch (error) {
      throw explain(`quota for role ${role}`, error, quotaRefusal);
    }
  }

  async pushWeight(role: string, weight: number): Promise<void> {
    try {
      await this.operator.updateWeights([{ role, weight }]);
    } catch (error) {
      throw explain(`weight for role ${role}`, error, (body) => body);
    }
  }
}
