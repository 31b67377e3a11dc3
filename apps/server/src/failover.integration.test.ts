import { describe, expect, it } from 'vitest';
import { createServices } from '@shoal/core';
import { createDb } from '@shoal/db';
import { containerIn, eventually, liveTasksByContainer } from './testing/shoal-under-test';
import { simShoalFixture, subscribed, tenant } from './testing/sim-shoal';

const { cluster, shoalOn, defer } = simShoalFixture();

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
    defer(() => otherDb.close());
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
