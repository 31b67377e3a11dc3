import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/core';
import { MesosHttpStatusError, type OperatorClient } from '@shoal/mesos';
import { OperatorPolicySync } from './mesos-policy';

/** A master that answers every UPDATE_QUOTA and UPDATE_WEIGHTS with `status` and `body`. */
function refusingMaster(status: number, body: string): OperatorPolicySync {
  const refuse = () =>
    Promise.reject(new MesosHttpStatusError(status, body, 'http://master.example:5050/api/v1'));
  return new OperatorPolicySync({
    updateQuota: refuse,
    updateWeights: refuse,
  } as unknown as OperatorClient);
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof ShoalError ? `${e.code}: ${e.message}` : String(e)),
  );

const NO_QUOTA = {
  quotaCpusGuarantee: null,
  quotaCpusLimit: null,
  quotaMemGuarantee: null,
  quotaMemLimit: null,
  quotaDiskGuarantee: null,
  quotaDiskLimit: null,
  quotaGpusGuarantee: null,
  quotaGpusLimit: null,
};
const limit = { ...NO_QUOTA, quotaCpusLimit: 1, quotaMemLimit: 1024 };

describe('a quota Mesos refuses', () => {
  it('is said in the terms of the quota asked for, with the figures and no word of a force flag', async () => {
    const master = refusingMaster(
      400,
      "Invalid QuotaConfig: Role 'shoal-tqa' is already consuming 'cpus:2; mem:1024'; this is more than the requested limits 'cpus:1; mem:1024' (use 'force' flag to bypass this check)",
    );
    expect(await refusal(master.pushQuota('shoal-tqa', limit))).toBe(
      'INVALID_ARGUMENT: Mesos refused the quota for role shoal-tqa: the role already uses 2 cpus, 1024 MB memory, more than the limit asked for (1 cpus, 1024 MB memory); stop some of its containers first, or ask for at least what is in use',
    );
  });

  it('says a guarantee over the cluster’s capacity in the same terms', async () => {
    const master = refusingMaster(
      400,
      "Invalid QuotaConfig: total quota guarantees 'cpus:1000' exceed cluster capacity 'cpus:20; mem:40960; disk:500000' (use 'force' flag to bypass this check)",
    );
    expect(await refusal(master.pushQuota('shoal-greedy', NO_QUOTA))).toBe(
      'INVALID_ARGUMENT: Mesos refused the quota for role shoal-greedy: the guarantees of all roles together (1000 cpus) would be more than the cluster has (20 cpus, 40960 MB memory, 500000 MB disk); ask for a smaller guarantee, or add agents first',
    );
  });

  it('passes on other refusals without Mesos’s advice about flags Shoal does not send', async () => {
    const cases: [string, string][] = [
      [
        "Invalid QuotaConfig: guarantees 'cpus:4' is not contained within limits 'cpus:2'",
        'the guarantee (4 cpus) is more than the limit (2 cpus)',
      ],
      [
        "Invalid QuotaConfig: quantity for 'mem' is too large (1e+30 > 1e+15)",
        "quantity for 'mem' is too large (1e+30 > 1e+15)",
      ],
      [
        "Invalid QuotaConfig: something new (use 'force' flag to bypass this check)",
        'something new',
      ],
      [
        "Updating quota on nested role 'eng/web' is not supported yet",
        "Updating quota on nested role 'eng/web' is not supported yet",
      ],
    ];
    for (const [body, said] of cases)
      expect(await refusal(refusingMaster(400, body).pushQuota('r', NO_QUOTA))).toBe(
        `INVALID_ARGUMENT: Mesos refused the quota for role r: ${said}`,
      );
    expect(await refusal(refusingMaster(403, '').pushQuota('r', NO_QUOTA))).toBe(
      'INVALID_ARGUMENT: Mesos refused the quota for role r: HTTP 403',
    );
  });
});
