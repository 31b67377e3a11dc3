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
function explain(what: string, error: unknown): ShoalError {
  if (error instanceof MesosHttpStatusError && error.status >= 400 && error.status < 500) {
    return new ShoalError(
      'INVALID_ARGUMENT',
      `Mesos refused the ${what}: ${error.body.trim() || `HTTP ${error.status}`}`,
      { cause: error },
    );
  }
  const reason = error instanceof MesosError ? error.message : String(error);
  return new ShoalError('UNAVAILABLE', `The ${what} could not be sent to Mesos: ${reason}`, {
    cause: error,
  });
}

/** Quota (UPDATE_QUOTA: guarantees and limits) and weights (UPDATE_WEIGHTS) of tenant roles. */
export class OperatorPolicySync implements MesosPolicySync {
  constructor(private readonly operator: OperatorClient) {}

  async pushQuota(role: string, q: Required<TenantQuota>): Promise<void> {
    const config: quota.QuotaConfig = { role, guarantees: scalars(q, 1), limits: scalars(q, 2) };
    try {
      await this.operator.updateQuota([config]);
    } catch (error) {
      throw explain(`quota for role ${role}`, error);
    }
  }

  async pushWeight(role: string, weight: number): Promise<void> {
    try {
      await this.operator.updateWeights([{ role, weight }]);
    } catch (error) {
      throw explain(`weight for role ${role}`, error);
    }
  }
}
