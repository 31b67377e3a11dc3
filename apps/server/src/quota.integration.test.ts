import { setTimeout } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/core';
import { OperatorClient } from '@shoal/mesos';
import type { RunningShoal } from './app';
import { eventually, startShoalForTest } from './testing/shoal-under-test';

let shoal: RunningShoal;
let operator: OperatorClient;

beforeAll(async () => {
  shoal = await startShoalForTest();
  operator = new OperatorClient({
    masters: shoal.sim!.masterUrls,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  await eventually(
    'the framework to subscribe',
    async () => shoal.services.cluster.framework().subscribed,
  );
});
afterAll(async () => {
  await operator?.close();
  await shoal?.close();
});

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'resolved', message: '' }),
    (e: unknown) =>
      e instanceof ShoalError
        ? { code: e.code, message: e.message }
        : { code: 'unexpected', message: String(e) },
  );

const mesosQuota = async (role: string) =>
  (await operator.getQuota()).configs?.find((c) => c.role === role);

describe('tenant quota and Mesos', () => {
  it('creates a tenant whose quota Mesos refuses not at all: no tenant, no role, no quota', async () => {
    const { services, db } = shoal;
    // More cpus guaranteed than the cluster has: Mesos refuses it.
    const refused = await outcome(
      services.tenantAdmin.create(
        { slug: 'greedy', name: 'Greedy', quota: { quotaCpusGuarantee: 1000 } },
        'admin',
      ),
    );
    expect(refused.code).toBe('INVALID_ARGUMENT');
    expect(refused.message).toMatch(
      /^Mesos refused the quota for role shoal-greedy: the guarantees of all roles together \(1000 cpus\) would be more than the cluster has \(.*\); ask for a smaller guarantee, or add agents first$/,
    );
    expect(await db.prisma.tenant.count({ where: { slug: 'greedy' } })).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { target: 'greedy' } })).toBe(0);
    expect(await mesosQuota('shoal-greedy')).toBeUndefined();

    // A tenant created afterwards reaches the framework's roles; the refused one never does.
    await services.tenantAdmin.create(
      { slug: 'modest', name: 'Modest', quota: { quotaCpusLimit: 1 } },
      'admin',
    );
    await eventually('the framework to take the new role', async () =>
      services.cluster.framework().roles.includes('shoal-modest'),
    );
    expect(services.cluster.framework().roles).not.toContain('shoal-greedy');
    expect(await mesosQuota('shoal-modest')).toMatchObject({ limits: { cpus: { value: 1 } } });
  });

  it('answers a quota change while no master leads with Mesos unavailable, and stores nothing', async () => {
    const { services } = shoal;
    const tenant = await services.tenantAdmin.create(
      { slug: 'steady', name: 'Steady', quota: { quotaCpusLimit: 2 } },
      'admin',
    );
    shoal.sim!.faults.setLeader(null);
    try {
      const settled: string[] = [];
      const waiting = outcome(services.tenants.setQuota(tenant.id, { quotaCpusLimit: 3 }, 'admin'));
      void waiting.then(() => settled.push('quota'));
      // The tenant is not held while its quota waits for Mesos: a rename goes through first.
      await services.tenantAdmin.update(tenant.id, { name: 'Steady Co' }, 'admin');
      settled.push('rename');
      const during = await waiting;
      expect(settled).toEqual(['rename', 'quota']);
      expect(during.code).toBe('UNAVAILABLE');
      expect(during.message).toMatch(
        /^The quota for role shoal-steady could not be sent to Mesos: /,
      );
      expect((await services.tenants.getBySlug('steady')).quotaCpusLimit).toBe(2);
    } finally {
      shoal.sim!.faults.setLeader(0);
    }
    await services.tenants.setQuota(tenant.id, { quotaCpusLimit: 3 }, 'admin');
    expect((await services.tenants.getBySlug('steady')).quotaCpusLimit).toBe(3);
    expect(await mesosQuota('shoal-steady')).toMatchObject({ limits: { cpus: { value: 3 } } });
  });

  it('lands a quota change made during a master election longer than a database transaction may last', async () => {
    const { services } = shoal;
    const tenant = await services.tenantAdmin.create(
      { slug: 'patient', name: 'Patient', quota: { quotaCpusLimit: 1 } },
      'admin',
    );
    shoal.sim!.faults.setLeader(null);
    const waiting = outcome(services.tenants.setQuota(tenant.id, { quotaCpusLimit: 2 }, 'admin'));
    // The fault under test is an election that outlasts an interactive transaction (5 s);
    // the quota client keeps retrying for about 15 s, so a master leads again in time.
    await setTimeout(6_000);
    shoal.sim!.faults.setLeader(0);
    expect(await waiting).toEqual({ code: 'resolved', message: '' });
    expect((await services.tenants.getBySlug('patient')).quotaCpusLimit).toBe(2);
    expect(await mesosQuota('shoal-patient')).toMatchObject({ limits: { cpus: { value: 2 } } });
  });
});
