import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/core';
import type { Db } from '@shoal/db';
import { OperatorClient } from '@shoal/mesos';
import type { SimCluster } from '@shoal/mesos-sim';
import { containerIn, eventually, startShoalForTest } from './testing/shoal-under-test';
import { simShoalFixture, subscribed, tenant } from './testing/sim-shoal';

// Roles, quota, offers and placement as Shoal meets them in Mesos: each test its own
// emulated cluster and database.
const { cluster, shoalOn, defer } = simShoalFixture();

describe('roles, offers and quota in Mesos', () => {
  it('subscribes with every tenant role, suppresses idle roles and pushes quota with UPDATE_QUOTA', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const acme = await tenant(shoal.services, 'acme');
    await tenant(shoal.services, 'globex');
    const mine = () =>
      sim.state.frameworks().find((f) => f.id === shoal.services.cluster.framework().frameworkId)!;
    await eventually('UPDATE_FRAMEWORK with both roles', async () =>
      ['shoal-acme', 'shoal-globex'].every((r) => mine().roles.includes(r)),
    );
    await eventually(
      'idle roles suppressed and no offers held',
      async () => mine().suppressedRoles.includes('shoal-globex') && mine().offers === 0,
    );

    await shoal.services.tenants.setQuota(
      acme,
      { quotaCpusGuarantee: 1, quotaCpusLimit: 2, quotaMemLimit: 1024 },
      'test',
    );
    const operator = new OperatorClient({ masters: sim.masterUrls });
    defer(() => operator.close());
    const status = await operator.getQuota();
    const config = status.configs?.find((c) => c.role === 'shoal-acme');
    expect(config?.limits).toEqual({ cpus: { value: 2 }, mem: { value: 1024 } });
    expect(config?.guarantees).toEqual({ cpus: { value: 1 } });

    // Only work for acme revives acme, and the offer it gets is acme's.
    await shoal.services.containers.create(acme, { name: 'one', image: 'nginx' }, 'test');
    const started = await shoal.services.containers.start(acme, 'one', 'test');
    expect(started.state).toBe('running');
    expect(sim.state.tasks().find((t) => t.id === started.task!.mesosTaskId)?.role).toBe(
      'shoal-acme',
    );
    expect(mine().suppressedRoles).toContain('shoal-globex');
  });

  it('records offer usage per tenant, shows the cluster to admins and pushes weights', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const id = await tenant(shoal.services);
    const since = new Date(Date.now() - 60_000);
    await shoal.services.containers.create(
      id,
      { name: 'counted', image: 'nginx', cpus: 1 },
      'test',
    );
    await shoal.services.containers.start(id, 'counted', 'test');
    const series = await eventually('offer statistics', async () => {
      const s = await shoal.services.offerStats.series(id, since);
      return s.some((w) => w.cpus.accepted >= 1) ? s : undefined;
    });
    expect(series.reduce((n, w) => n + w.offers, 0)).toBeGreaterThan(0);
    expect(series.reduce((n, w) => n + w.cpus.offered, 0)).toBeGreaterThanOrEqual(1);
    // The 3 cpus the ACCEPT left unused count as declined, as Mesos counts them.
    expect(series.reduce((n, w) => n + w.cpus.declined, 0)).toBeGreaterThanOrEqual(3);

    const overview = await shoal.services.clusterAdmin.overview();
    expect(overview.connected).toBe(true);
    expect(overview.agents).toHaveLength(3);
    expect(overview.frameworks.find((f) => f.isShoal)?.tasks).toBe(1);

    await shoal.services.tenantAdmin.update(id, { weight: 2.5 }, 'test');
    const operator = new OperatorClient({ masters: sim.masterUrls });
    defer(() => operator.close());
    const weights = await operator.getWeights();
    expect(weights.weight_infos?.find((w) => w.role === 'shoal-acme')?.weight).toBe(2.5);
  });

  it('refuses a quota Mesos rejects and keeps the old one', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const id = await tenant(shoal.services);
    await shoal.services.containers.create(id, { name: 'busy', image: 'nginx', cpus: 2 }, 'test');
    await shoal.services.containers.start(id, 'busy', 'test');
    // A limit below what its containers meant to run claim (a container between two runs
    // of its restart policy, or waiting for an offer, claims too): refused with the figures.
    const below = await shoal.services.tenants
      .setQuota(id, { quotaCpusLimit: 1 }, 'test')
      .catch((e: unknown) => e);
    expect((below as ShoalError).message).toMatch(
      /^The containers of acme meant to run .* claim more than the limit asked for: cpus 2 against a limit of 1; stop some of them first/,
    );
    // What Mesos refuses, in the terms of the quota asked for: no advice about its 'force'
    // flag, which neither the dashboard nor the CLI sends.
    const error = await shoal.services.tenants
      .setQuota(id, { quotaCpusGuarantee: 1000, quotaCpusLimit: 1000 }, 'test')
      .catch((e: unknown) => e);
    expect((error as ShoalError).message).toMatch(
      /^Mesos refused the quota for role shoal-acme: the guarantees of all roles together \(.*\) would be more than the cluster has/,
    );
    expect((error as ShoalError).message).not.toMatch(/force|QuotaConfig/);
    const kept = await shoal.services.tenants.getBySlug('acme');
    expect([kept.quotaCpusLimit, kept.quotaCpusGuarantee]).toEqual([null, null]);
  });
});

describe('holding offers', () => {
  // Small enough that the two agents' free cpus together fit no waiting container either.
  const TWO_AGENTS = [
    { hostname: 'small', cpus: 1 },
    { hostname: 'big', cpus: 8 },
  ];

  async function waitingForAnOffer(sim: SimCluster, db: Db, holdSeconds: string) {
    const shoal = await startShoalForTest({
      db,
      masters: sim.masterUrls,
      env: { SHOAL_OFFER_HOLD_SECONDS: holdSeconds },
    });
    defer(() => shoal.close());
    await subscribed(shoal.services);
    const id = await tenant(shoal.services);
    // Half of the big agent is taken: the container fits no agent's free cpus now (though
    // it would fit the big one empty), so it waits, and its role's offers are held for it.
    await shoal.services.containers.create(
      id,
      {
        name: 'filler',
        image: 'nginx',
        cpus: 4,
        labels: { 'shoal.constraints': 'hostname:CLUSTER:big' },
      },
      'test',
    );
    await shoal.services.containers.start(id, 'filler', 'test');
    await shoal.services.containers.create(id, { name: 'huge', image: 'nginx', cpus: 6 }, 'test');
    await shoal.services.containers.start(id, 'huge', 'test');
    const held = await eventually('offers held for the waiting container', async () => {
      const offers = shoal.services.cluster.heldOffers('shoal-acme');
      return offers.length > 0 ? offers.map((o) => o.offerId) : undefined;
    });
    return { shoal, id, held };
  }

  it('declines offers it has held for longer than the hold time', async () => {
    const { sim, db } = await cluster({ agents: TWO_AGENTS });
    const { shoal, held } = await waitingForAnOffer(sim, db, '1');
    await eventually('the held offer to be declined', async () =>
      shoal.services.cluster.heldOffers('shoal-acme').every((o) => !held.includes(o.offerId)),
    );
  });

  it('drops rescinded offers and still launches the waiting container later', async () => {
    const { sim, db } = await cluster({ agents: TWO_AGENTS, offerTimeoutSeconds: 1 });
    const { shoal, id, held } = await waitingForAnOffer(sim, db, '600');
    await eventually('the rescinded offer to be dropped', async () =>
      shoal.services.cluster.heldOffers('shoal-acme').every((o) => !held.includes(o.offerId)),
    );
    expect((await shoal.services.containers.get(id, 'huge')).status).toMatch(
      /^Created \(waiting for resources/,
    );
    sim.faults.addAgents([{ cpus: 8 }]);
    await containerIn(shoal.services, id, 'huge', ['running']);
  });
});

describe('placement', () => {
  it('spreads a group with hostname:UNIQUE over distinct agents and keeps the extra one waiting', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const id = await tenant(shoal.services);
    const labels = { 'shoal.group': 'web', 'shoal.constraints': 'hostname:UNIQUE' };
    for (const n of [1, 2, 3, 4])
      await shoal.services.containers.create(id, { name: `w${n}`, image: 'nginx', labels }, 'test');
    await Promise.all([1, 2, 3].map((n) => shoal.services.containers.start(id, `w${n}`, 'test')));
    const placed = await Promise.all(
      [1, 2, 3].map((n) => shoal.services.containers.get(id, `w${n}`)),
    );
    expect(new Set(placed.map((c) => c.task?.hostname)).size).toBe(3);
    const fourth = await shoal.services.containers.start(id, 'w4', 'test').catch(() => undefined);
    void fourth;
    // It says why it waits: every agent already runs one of its group.
    const waiting = await eventually('the fourth to say why it waits', async () => {
      const view = await shoal.services.containers.get(id, 'w4');
      return view.waiting ? view : undefined;
    });
    expect(waiting.state).toBe('created');
    expect(waiting.status).toBe(
      'Created (waiting for resources: the offers it fits are on agents its placement constraints rule out, given where its group runs)',
    );
  });

  /** Two agents of 2 firm cpus, the second also offering 4 revocable cpus and 4 GB. */
  async function oversubscribed() {
    const { sim, db } = await cluster({
      agents: [{ cpus: 2 }, { cpus: 2, revocable: { cpus: 4, mem: 4096 } }],
    });
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    return { sim, shoal, id: await tenant(shoal.services) };
  }

  it('leaves a best-effort container’s cpus and memory out of its tenant’s quota, as Mesos does', async () => {
    const { shoal, id } = await oversubscribed();
    const { containers, tenants } = shoal.services;
    await tenants.setQuota(id, { quotaCpusLimit: 1, quotaMemLimit: 256 }, 'test');
    await containers.create(
      id,
      {
        name: 'batch',
        image: 'nginx',
        cpus: 3,
        memoryMb: 1024,
        labels: { 'shoal.best-effort': 'true' },
      },
      'test',
    );
    expect((await containers.start(id, 'batch', 'test')).state).toBe('running');
    const used = async () => {
      const { quota, bestEffort } = await containers.usage(id);
      return { cpus: quota.cpus.used, memoryMb: quota.memoryMb.used, bestEffort };
    };
    // What it takes shows apart, as revocable.
    expect(await used()).toEqual({
      cpus: 0,
      memoryMb: 0,
      bestEffort: { cpus: 3, memoryMb: 1024 },
    });

    // A container on firm resources is still held to the quota.
    await containers.create(id, { name: 'firm', image: 'nginx', cpus: 2 }, 'test');
    const refused = await containers.start(id, 'firm', 'test').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShoalError);
    expect((refused as ShoalError).code).toBe('QUOTA_EXCEEDED');
    expect((refused as ShoalError).message).toMatch(/cpus limit is 1, 0 already in use/);

    await containers.stop(id, 'batch', {}, 'test');
    expect(await used()).toEqual({ cpus: 0, memoryMb: 0, bestEffort: { cpus: 0, memoryMb: 0 } });
  });

  it('runs best-effort containers only on revocable resources, and counts those offers apart', async () => {
    const { sim, shoal, id } = await oversubscribed();
    const since = new Date(Date.now() - 60_000);
    await shoal.services.containers.create(
      id,
      { name: 'batch', image: 'nginx', cpus: 3, labels: { 'shoal.best-effort': 'true' } },
      'test',
    );
    const started = await shoal.services.containers.start(id, 'batch', 'test');
    expect(started.state).toBe('running');
    const revocableAgent = sim.state.agents()[1]!;
    expect(started.task?.agentId).toBe(revocableAgent.id);

    // The offer statistics keep the revocable cpus apart: what the container took of them,
    // and none of the firm ones.
    const series = await eventually('offer statistics', async () => {
      const s = await shoal.services.offerStats.series(id, since);
      return s.some((w) => w.revocableCpus.accepted > 0) ? s : undefined;
    });
    const total = (pick: (w: (typeof series)[number]) => number) =>
      series.reduce((n, w) => n + pick(w), 0);
    expect(total((w) => w.revocableCpus.accepted)).toBe(3);
    expect(total((w) => w.cpus.accepted)).toBe(0);
    expect(total((w) => w.revocableCpus.offered)).toBeGreaterThanOrEqual(4);
    // Each firm offer counted holds at most the 2 cpus an agent has.
    expect(total((w) => w.cpus.offered)).toBeLessThanOrEqual(2 * total((w) => w.offers));

    // Nor does the cluster page's role bar count them among the role's firm cpus once its
    // offers are given back (Mesos's GET_ROLES adds them in).
    const role = await eventually('the role holding no firm cpus', async () => {
      const { roles } = await shoal.services.clusterAdmin.overview();
      const r = roles.find((x) => x.name === 'shoal-acme');
      return r?.allocated.cpus === 0 ? r : undefined;
    });
    expect(role.allocated.memoryMb).toBe(0);
  });
});
