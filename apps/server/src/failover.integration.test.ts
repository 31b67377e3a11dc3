import { afterEach, describe, expect, it } from 'vitest';
import { createServices, ShoalError, type Services } from '@shoal/core';
import { createDb, type Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { OperatorClient } from '@shoal/mesos';
import { startSimCluster, type SimCluster, type SimOptions } from '@shoal/mesos-sim';
import type { RunningShoal } from './app';
import {
  containerIn,
  eventually,
  FAST_SIM,
  liveTasksByContainer,
  startShoalForTest,
} from './testing/shoal-under-test';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function cluster(options: SimOptions = {}): Promise<{ sim: SimCluster; db: Db }> {
  const sim = await startSimCluster({ agents: 3, ...FAST_SIM, ...options });
  cleanups.push(() => sim.close());
  const db = await createTestDatabase();
  cleanups.push(() => db.close());
  return { sim, db };
}

async function shoalOn(sim: SimCluster, db: Db): Promise<RunningShoal> {
  const shoal = await startShoalForTest({ db, masters: sim.masterUrls });
  cleanups.push(() => shoal.close());
  return shoal;
}

async function subscribed(services: Services): Promise<void> {
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
}

async function tenant(services: Services, slug = 'acme'): Promise<string> {
  const existing = await services.tenants.list();
  return (
    existing.find((t) => t.slug === slug) ??
    (await services.tenants.create({ slug, name: slug }, 'test'))
  ).id;
}

describe('framework identity and reconciliation', () => {
  it('a restarted server keeps its framework id and neither loses nor duplicates containers', async () => {
    const { sim, db } = await cluster();
    const first = await shoalOn(sim, db);
    await subscribed(first.services);
    const tenantId = await tenant(first.services);
    const frameworkId = first.services.cluster.framework().frameworkId;
    const names = ['a', 'b', 'c', 'd'];
    for (const name of names)
      await first.services.containers.create(tenantId, { name, image: 'nginx' }, 'test');
    // Start them without waiting, and stop the server while launches are under way.
    const starts = names.map((n) =>
      first.services.containers.start(tenantId, n, 'test').catch(() => undefined),
    );
    await eventually('a launch to be recorded', async () => (await db.prisma.task.count()) > 0);
    await first.close();
    await Promise.all(starts);

    const second = await shoalOn(sim, db);
    await subscribed(second.services);
    expect(second.services.cluster.framework().frameworkId).toBe(frameworkId);
    for (const name of names) await containerIn(second.services, tenantId, name, ['running']);
    await eventually('one live task per container in Mesos', async () => {
      const live = liveTasksByContainer(sim);
      return live.size === names.length && [...live.values()].every((ids) => ids.length === 1);
    });
  });

  it('follows a leading-master switch without losing running containers', async () => {
    const { sim, db } = await cluster({ masters: 2 });
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const tenantId = await tenant(shoal.services);
    await shoal.services.containers.create(tenantId, { name: 'before', image: 'nginx' }, 'test');
    await shoal.services.containers.start(tenantId, 'before', 'test');

    sim.faults.setLeader(1);
    await eventually('resubscription through the new leader', async () => {
      const f = shoal.services.cluster.framework();
      return f.subscribed && f.master === sim.masterUrls[1];
    });
    await shoal.services.containers.create(tenantId, { name: 'after', image: 'nginx' }, 'test');
    await shoal.services.containers.start(tenantId, 'after', 'test');
    await containerIn(shoal.services, tenantId, 'after', ['running']);
    expect((await shoal.services.containers.get(tenantId, 'before')).state).toBe('running');
    expect(liveTasksByContainer(sim).size).toBe(2);
  });

  it('relaunches through the new leader what the old one lost with an ACCEPT in flight', async () => {
    const { sim, db } = await cluster({ masters: 2 });
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const tenantId = await tenant(shoal.services);
    const names = ['m1', 'm2', 'm3'];
    const held = sim.faults.holdNextCall('ACCEPT');
    for (const name of names) {
      await shoal.services.containers.create(tenantId, { name, image: 'nginx' }, 'test');
      void shoal.services.containers.start(tenantId, name, 'test').catch(() => undefined);
    }
    const accept = await held;
    // The leading master goes while the launches are with it, and takes them along.
    sim.faults.setLeader(1);
    accept.drop();
    for (const name of names) await containerIn(shoal.services, tenantId, name, ['running']);
    expect(shoal.services.cluster.framework().master).toBe(sim.masterUrls[1]);
    await eventually('one live task per container', async () => {
      const live = liveTasksByContainer(sim);
      return live.size === names.length && [...live.values()].every((ids) => ids.length === 1);
    });
  });

  it('resubscribes when its event stream is dropped, acknowledging what it missed', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const tenantId = await tenant(shoal.services);
    const frameworkId = shoal.services.cluster.framework().frameworkId!;
    await shoal.services.containers.create(tenantId, { name: 'steady', image: 'nginx' }, 'test');
    await shoal.services.containers.start(tenantId, 'steady', 'test');
    sim.faults.dropFrameworkStream(frameworkId);
    await shoal.services.containers.create(
      tenantId,
      { name: 'later', image: 'busybox', cmd: ['echo', 'done'] },
      'test',
    );
    await shoal.services.containers.start(tenantId, 'later', 'test').catch(() => undefined);
    const later = await containerIn(shoal.services, tenantId, 'later', ['exited']);
    expect(later.exitCode).toBe(0);
    expect(shoal.services.cluster.framework().frameworkId).toBe(frameworkId);
    await eventually('no unacknowledged updates left', async () =>
      sim.state.tasks().every((t) => t.unacknowledged === 0),
    );
    expect((await shoal.services.containers.get(tenantId, 'steady')).state).toBe('running');
  });

  it('frees the leader lock and subscribes again when its subscription fails for good', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const tenantId = await tenant(shoal.services);
    const frameworkId = shoal.services.cluster.framework().frameworkId!;
    // The next SUBSCRIBED cannot be stored: the subscription ends with an error.
    const store = shoal.services.taskStore;
    const save = store.saveFrameworkId.bind(store);
    let failures = 0;
    store.saveFrameworkId = (id) =>
      failures++ === 0 ? Promise.reject(new Error('database went away')) : save(id);
    sim.faults.dropFrameworkStream(frameworkId);
    await eventually('the failed subscription', async () => failures > 0);
    await eventually('a new subscription', async () =>
      failures > 1 && shoal.services.cluster.framework().subscribed ? true : undefined,
    );
    expect(shoal.framework.isLeader).toBe(true);
    expect(shoal.services.cluster.framework().frameworkId).toBe(frameworkId);
    await shoal.services.containers.create(tenantId, { name: 'after', image: 'nginx' }, 'test');
    await shoal.services.containers.start(tenantId, 'after', 'test');
    await containerIn(shoal.services, tenantId, 'after', ['running']);
  });

  it('loses no update when its database connections are cut while tasks launch', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const tenantId = await tenant(shoal.services);
    const names = Array.from({ length: 8 }, (_, i) => `db-${i}`);
    for (const name of names)
      await shoal.services.containers.create(tenantId, { name, image: 'nginx', cpus: 0.1 }, 'test');
    const starts = names.map((n) =>
      shoal.services.containers.start(tenantId, n, 'test').then(
        () => true,
        () => false,
      ),
    );
    // Every session of this database ends, the leader lock's included, as in a server restart.
    const database = new URL(db.url).pathname.slice(1);
    await db.prisma
      .$executeRawUnsafe(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`,
      )
      .catch(() => undefined);
    const accepted = await Promise.all(starts);
    // A start cut off mid-transaction failed for its caller and left nothing half-done.
    for (const [i, name] of names.entries()) {
      if (accepted[i]) await containerIn(shoal.services, tenantId, name, ['running']);
      else
        expect(await shoal.services.containers.get(tenantId, name)).toMatchObject({
          state: 'created',
          desiredState: 'stopped',
          task: null,
        });
    }
    const running = accepted.filter(Boolean).length;
    await eventually(
      'every update acknowledged and one task per started container',
      async () => {
        const live = liveTasksByContainer(sim);
        return (
          sim.state.tasks().every((t) => t.unacknowledged === 0) &&
          live.size === running &&
          [...live.values()].every((ids) => ids.length === 1)
        );
      },
      30_000,
    );
  });

  it('a standby takes over when the leader dies', async () => {
    const { sim, db } = await cluster();
    const leader = await shoalOn(sim, db);
    await subscribed(leader.services);
    const standby = await shoalOn(sim, db);
    expect(standby.framework.isLeader).toBe(false);
    const tenantId = await tenant(leader.services);
    await leader.services.containers.create(tenantId, { name: 'kept', image: 'nginx' }, 'test');
    await leader.services.containers.start(tenantId, 'kept', 'test');

    await leader.close();
    await subscribed(standby.services);
    expect(standby.framework.isLeader).toBe(true);
    await standby.services.containers.create(tenantId, { name: 'new', image: 'nginx' }, 'test');
    await standby.services.containers.start(tenantId, 'new', 'test');
    await containerIn(standby.services, tenantId, 'new', ['running']);
    expect((await standby.services.containers.get(tenantId, 'kept')).state).toBe('running');
    expect(liveTasksByContainer(sim).size).toBe(2);
  });
});

describe('several instances on one database', () => {
  it('two instances started together on a fresh database both serve, and one admin is seeded', async () => {
    const { sim, db } = await cluster();
    const otherDb = await createDb({ databaseUrl: db.url });
    cleanups.push(() => otherDb.close());
    const [first, second] = await Promise.all([shoalOn(sim, db), shoalOn(sim, otherDb)]);
    expect([first.seeded, second.seeded].filter(Boolean)).toHaveLength(1);
    expect(await db.prisma.user.count({ where: { isAdmin: true } })).toBe(1);
    await eventually('one of them to lead', async () =>
      [first, second].some((s) => s.services.cluster.framework().subscribed),
    );
  });

  it('a standby serves docker run: start answers once it runs, wait and events see the exit', async () => {
    const { sim, db } = await cluster();
    const leader = await shoalOn(sim, db);
    await subscribed(leader.services);
    const standby = await shoalOn(sim, db);
    expect(standby.framework.isLeader).toBe(false);
    const tenantId = await tenant(standby.services);

    const watching = new AbortController();
    const seen: string[] = [];
    const watched = (async () => {
      for await (const e of standby.services.events.subscribe(tenantId, watching.signal))
        seen.push(`${e.name}:${e.action}`);
    })();

    const { containers } = standby.services;
    await containers.create(
      tenantId,
      { name: 'job', image: 'busybox', cmd: ['sleep', '1'] },
      'test',
    );
    const exited = containers.wait(tenantId, 'job', 'next-exit');
    // The start is stored here but launched by the leader; the answer waits for RUNNING.
    const started = await containers.start(tenantId, 'job', 'test');
    expect(started.state).toBe('running');
    expect(await exited).toEqual({ exitCode: 0 });
    await eventually('the standby to hear the exit', async () => seen.includes('job:die'));
    expect(seen).toEqual(['job:create', 'job:start', 'job:die']);
    watching.abort();
    await watched;
  });
  it('ends a wait from stored state on an instance that never hears the exit', async () => {
    const { sim, db } = await cluster();
    const leader = await shoalOn(sim, db);
    await subscribed(leader.services);
    const tenantId = await tenant(leader.services);
    // Services over the same database with no relay: as if this instance's relay were down.
    const deaf = createServices(db, { containers: { startWaitMs: 0, waitCheckMs: 200 } });
    await deaf.containers.create(
      tenantId,
      { name: 'quiet', image: 'busybox', cmd: ['sh', '-c', 'sleep 1; exit 7'] },
      'test',
    );
    const waited = deaf.containers.wait(tenantId, 'quiet', 'next-exit');
    await deaf.containers.start(tenantId, 'quiet', 'test');
    expect(await waited).toEqual({ exitCode: 7 });
  });
});

describe('agents failing and going into maintenance', () => {
  it('replaces a task on an unreachable agent and kills the original when the agent returns', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const tenantId = await tenant(shoal.services);
    await shoal.services.containers.create(tenantId, { name: 'svc', image: 'nginx' }, 'test');
    const running = await shoal.services.containers.start(tenantId, 'svc', 'test');
    const lostAgent = running.task!.agentId!;

    sim.faults.partitionAgent(lostAgent);
    const moved = await eventually('a replacement on another agent', async () => {
      const c = await shoal.services.containers.get(tenantId, 'svc');
      return c.task?.state === 'TASK_RUNNING' && c.task.agentId !== lostAgent ? c : undefined;
    });
    expect(moved.state).toBe('running');

    sim.faults.restoreAgent(lostAgent);
    await eventually('exactly one live task once the agent is back', async () => {
      const ids = liveTasksByContainer(sim).get(running.id.slice(0, 12)) ?? [];
      return ids.length === 1 && ids[0] === moved.task!.mesosTaskId;
    });
    const history = await shoal.services.containers.history(tenantId, 'svc');
    expect(history.some((h) => h.state === 'TASK_UNREACHABLE')).toBe(true);
  });

  it('moves containers off an agent scheduled for maintenance, starting the replacement first', async () => {
    const { sim, db } = await cluster();
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const tenantId = await tenant(shoal.services);
    await shoal.services.containers.create(tenantId, { name: 'moving', image: 'nginx' }, 'test');
    const before = await shoal.services.containers.start(tenantId, 'moving', 'test');
    const agent = sim.state.agents().find((a) => a.id === before.task!.agentId)!;

    // As an admin does from the dashboard: Shoal names the machine as Mesos knows it.
    await shoal.services.clusterAdmin.scheduleMaintenance(agent.hostname, 3600, 'admin@test');
    const listed = await shoal.services.clusterAdmin.overview();
    expect(listed.agents.find((a) => a.id === agent.id)?.maintenance).toBe('SCHEDULED');
    const after = await eventually('the container to run elsewhere', async () => {
      const c = await shoal.services.containers.get(tenantId, 'moving');
      return c.task?.state === 'TASK_RUNNING' && c.task.agentId !== agent.id ? c : undefined;
    });
    expect(after.state).toBe('running');
    await eventually(
      'the old task to be killed',
      async () => (liveTasksByContainer(sim).get(before.id.slice(0, 12)) ?? []).length === 1,
    );
    const history = await eventually('the kill to be recorded', async () => {
      const h = await shoal.services.containers.history(tenantId, 'moving');
      return h.some((u) => u.mesosTaskId === before.task!.mesosTaskId && u.state === 'TASK_KILLED')
        ? h
        : undefined;
    });
    // Started before the old one was killed.
    const replacementRunning = history.findIndex(
      (h) => h.mesosTaskId === after.task!.mesosTaskId && h.state === 'TASK_RUNNING',
    );
    const oldKilled = history.findIndex(
      (h) => h.mesosTaskId === before.task!.mesosTaskId && h.state === 'TASK_KILLED',
    );
    expect(replacementRunning).toBeLessThan(oldKilled);

    await shoal.services.clusterAdmin.endMaintenance(agent.hostname, 'admin@test');
    const ended = await shoal.services.clusterAdmin.overview();
    expect(ended.agents.find((a) => a.id === agent.id)?.maintenance).toBeNull();
    // Out of maintenance, the machine takes containers again.
    const labels = { 'shoal.constraints': `hostname:CLUSTER:${agent.hostname}` };
    await shoal.services.containers.create(
      tenantId,
      { name: 'back', image: 'nginx', labels },
      'test',
    );
    const back = await shoal.services.containers.start(tenantId, 'back', 'test');
    expect(back.task?.agentId).toBe(agent.id);
  });
});

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
    cleanups.push(() => operator.close());
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
    cleanups.push(() => operator.close());
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
    const error = await shoal.services.tenants
      .setQuota(id, { quotaCpusLimit: 1 }, 'test')
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/Mesos refused the quota for role shoal-acme/);
    expect((await shoal.services.tenants.getBySlug('acme')).quotaCpusLimit).toBeNull();
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
    cleanups.push(() => shoal.close());
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

  it('leaves a best-effort container’s cpus and memory out of its tenant’s quota, as Mesos does', async () => {
    const { sim, db } = await cluster({
      agents: [{ cpus: 2 }, { cpus: 2, revocable: { cpus: 4, mem: 4096 } }],
    });
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const id = await tenant(shoal.services);
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
      const { quota } = await containers.usage(id);
      return { cpus: quota.cpus.used, memoryMb: quota.memoryMb.used };
    };
    expect(await used()).toEqual({ cpus: 0, memoryMb: 0 });

    // A container on firm resources is still held to the quota.
    await containers.create(id, { name: 'firm', image: 'nginx', cpus: 2 }, 'test');
    const refused = await containers.start(id, 'firm', 'test').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ShoalError);
    expect((refused as ShoalError).code).toBe('QUOTA_EXCEEDED');
    expect((refused as ShoalError).message).toMatch(/cpus limit is 1, 0 already in use/);

    await containers.stop(id, 'batch', {}, 'test');
    expect(await used()).toEqual({ cpus: 0, memoryMb: 0 });
  });

  it('runs best-effort containers only on revocable resources, and counts those offers apart', async () => {
    const { sim, db } = await cluster({
      agents: [{ cpus: 2 }, { cpus: 2, revocable: { cpus: 4, mem: 4096 } }],
    });
    const shoal = await shoalOn(sim, db);
    await subscribed(shoal.services);
    const id = await tenant(shoal.services);
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
