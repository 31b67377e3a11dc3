import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createServices } from '@shoal/core';
import { createDb, type Db } from '@shoal/db';
import { startSimCluster, type SimCluster } from '@shoal/mesos-sim';
import { freePort, startPrivatePostgres } from './testing/private-postgres';
import { eventually, FAST_SIM, liveTasksByContainer, TEST_ENV } from './testing/shoal-under-test';
import { SERVER_MAIN } from './testing/compiled-main';

// Chaos: docker runs across tenants through two `shoal serve` processes, while a
// seeded random schedule partitions agents (for longer than the replace time, on a
// cluster with little room), kills agents, switches the leading master, SIGKILLs the
// leading Shoal and restarts PostgreSQL. Once it all heals, every container's state
// must match exactly one live Mesos task (none for stopped ones), no container may be
// lost or doubled, and every status update must have been stored once.
//
// SHOAL_CHAOS_SEED=<n> replays a schedule; the seed is printed with the counts.

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
// eslint-disable-next-line no-restricted-properties -- the test's own knob, not Shoal's configuration
const SEED = Number(process.env.SHOAL_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TENANTS = ['red', 'green', 'blue'];
const RUNS = 24;
const WORKERS = 4;
const CHAOS_MS = 30_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** mulberry32: small, seedable, good enough to pick faults. */
function randomFrom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    between: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
  };
}

/** One `shoal serve` process with ports of its own; it can be SIGKILLed and started again. */
class Instance {
  private child: ChildProcess | undefined;
  private stderr = '';
  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    readonly dockerUrl: string,
    private readonly metricsUrl: string,
  ) {}

  start(): void {
    this.child = spawn(process.execPath, [SERVER_MAIN, 'serve'], {
      cwd: REPO,
      env: this.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  get alive(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }

  /** Whether it holds the leader lock, from its metrics; false when it does not answer. */
  async leads(): Promise<boolean> {
    try {
      const response = await request(`${this.metricsUrl}/metrics`, { headersTimeout: 2_000 });
      return /^shoal_leader 1$/m.test(await response.body.text());
    } catch {
      return false;
    }
  }

  errors(): string {
    return this.stderr;
  }
}

async function instance(name: string, base: Record<string, string>): Promise<Instance> {
  const [port, dockerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  return new Instance(
    name,
    {
      ...base,
      SHOAL_PORT: String(port),
      SHOAL_DOCKER_PORT: String(dockerPort),
      SHOAL_METRICS_PORT: String(metricsPort),
    },
    `http://127.0.0.1:${dockerPort}`,
    `http://127.0.0.1:${metricsPort}`,
  );
}

interface Answer {
  status: number;
  body: string;
}

/** A Docker API call to whichever instance is up, again until one answers (or the deadline). */
async function docker(
  instances: Instance[],
  token: string,
  method: 'POST' | 'GET',
  path: string,
  body?: unknown,
): Promise<Answer> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 0; ; attempt++) {
    const target = instances[attempt % instances.length]!;
    try {
      const response = await request(`${target.dockerUrl}/v1.50${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const text = await response.body.text();
      // Busy, or the database restarting: the same request again, as a client would.
      if (response.statusCode < 500) return { status: response.statusCode, body: text };
    } catch {
      // That instance is down (killed, restarting): try the next.
    }
    if (Date.now() > deadline) throw new Error(`${method} ${path} never answered`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('chaos', () => {
  it(
    'ends with every container on exactly one live task, none lost or doubled, every update stored once',
    { timeout: 600_000 },
    async () => {
      const random = randomFrom(SEED);
      const counts: Record<string, number> = {};
      const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);

      const pg = await startPrivatePostgres();
      cleanups.push(() => pg.destroy());
      // Little room: 6 agents of one cpu for 24 containers of a quarter cpu.
      const sim: SimCluster = await startSimCluster({
        masters: 2,
        agents: Array.from({ length: 6 }, (_, i) => ({ hostname: `agent-${i}`, cpus: 1 })),
        seed: SEED,
        ...FAST_SIM,
      });
      cleanups.push(() => sim.close());
      const db = await createDb({ databaseUrl: pg.url, poolSize: 3 });
      cleanups.push(() => db.close());
      const writer = createServices(db);
      const tokens = new Map<string, string>();
      for (const slug of TENANTS) {
        const tenant = await writer.tenants.create({ slug, name: slug }, 'chaos');
        tokens.set(
          slug,
          (await writer.tokens.issue({ tenantId: tenant.id, name: 'c' }, 'chaos')).secret,
        );
      }

      const base = {
        ...TEST_ENV,
        DATABASE_URL: pg.url,
        MESOS_MASTER: sim.masterUrls.join(','),
        SHOAL_START_WAIT_SECONDS: '2',
      };
      const instances = [await instance('one', base), await instance('two', base)];
      for (const i of instances) i.start();
      cleanups.push(async () => {
        for (const i of instances) await i.kill();
      });

      // The load: docker run -d (create, start) of every container, a quarter of them
      // stopped again, through whichever instance answers.
      const runs = Array.from({ length: RUNS }, (_, n) => ({
        tenant: TENANTS[n % TENANTS.length]!,
        name: `c${n}`,
        stop: n % 4 === 3,
      }));
      const created = new Set<string>();
      let nextRun = 0;
      const worker = async () => {
        for (;;) {
          const run = runs[nextRun++];
          if (!run) return;
          const token = tokens.get(run.tenant)!;
          const made = await docker(
            instances,
            token,
            'POST',
            `/containers/create?name=${run.name}`,
            {
              Image: 'nginx',
              HostConfig: { NanoCpus: 250_000_000, Memory: 64 * 1024 * 1024 },
            },
          );
          // 409: an earlier attempt made it, and its answer was lost with its instance.
          expect([201, 409]).toContain(made.status);
          created.add(`${run.tenant}/${run.name}`);
          const started = await docker(instances, token, 'POST', `/containers/${run.name}/start`);
          expect([204, 304]).toContain(started.status);
          if (run.stop) {
            const stopped = await docker(
              instances,
              token,
              'POST',
              `/containers/${run.name}/stop?t=1`,
            );
            expect([204, 304]).toContain(stopped.status);
          }
          await new Promise((r) => setTimeout(r, random.between(100, 1_000)));
        }
      };
      const load = Promise.all(Array.from({ length: WORKERS }, worker));

      // The faults, one after another, until the load is done and the chaos has lasted.
      const partitioned = new Set<string>();
      const chaosEnd = Date.now() + CHAOS_MS;
      let loadDone = false;
      void load.finally(() => (loadDone = true));
      while (!loadDone || Date.now() < chaosEnd) {
        await new Promise((r) => setTimeout(r, random.between(500, 1_500)));
        const agents = sim.state.agents().filter((a) => a.status === 'REGISTERED');
        const fault = random.pick([
          'partition',
          'partition',
          'partition',
          'kill-agent',
          'master-failover',
          'kill-leader',
          'restart-postgres',
        ] as const);
        count(fault);
        if (fault === 'partition' && agents.length > 1) {
          const agent = random.pick(agents);
          sim.faults.partitionAgent(agent.id);
          partitioned.add(agent.id);
          // Longer than the replace time (1 s): its tasks get replacements, if there is room.
          await new Promise((r) => setTimeout(r, random.between(1_500, 3_000)));
          sim.faults.restoreAgent(agent.id);
          partitioned.delete(agent.id);
        } else if (fault === 'kill-agent' && agents.length > 1) {
          sim.faults.killAgent(random.pick(agents).id);
          sim.faults.addAgents([{ hostname: `agent-new-${counts[fault]}`, cpus: 1 }]);
        } else if (fault === 'master-failover') {
          sim.faults.setLeader(sim.leaderUrl === sim.masterUrls[0] ? 1 : 0);
        } else if (fault === 'kill-leader') {
          const leads = await Promise.all(instances.map((i) => i.leads()));
          const leader = instances[leads.indexOf(true)] ?? random.pick(instances);
          await leader.kill();
          await new Promise((r) => setTimeout(r, random.between(500, 2_000)));
          leader.start();
        } else if (fault === 'restart-postgres') {
          await pg.restart({
            mode: random.next() < 0.5 ? 'fast' : 'immediate',
            downMs: random.between(500, 2_000),
          });
        }
      }
      await load;
      console.log(`chaos seed ${SEED}: ${JSON.stringify(counts)}`);

      // Healed: every agent back, both instances up. Stored state must come to agree with
      // Mesos, and stay consistent with itself.
      for (const id of partitioned) sim.faults.restoreAgent(id);
      for (const i of instances) if (!i.alive) i.start();
      const live = await eventually(
        'every container to match exactly one live Mesos task, or none when stopped',
        async () => {
          const tasks = liveTasksByContainer(sim);
          const views = (
            await Promise.all(
              (await writer.tenants.list())
                .filter((t) => TENANTS.includes(t.slug))
                .map((t) => writer.containers.list(t.id, { all: true })),
            )
          ).flat();
          const wrong = views.filter((view) => {
            const ids = tasks.get(view.id.slice(0, 12)) ?? [];
            if (view.desiredState === 'stopped') return ids.length !== 0;
            return !(
              view.state === 'running' &&
              view.task?.state === 'TASK_RUNNING' &&
              ids.length === 1 &&
              ids[0] === view.task.mesosTaskId
            );
          });
          // No live task without a container of its own.
          const known = new Set(views.map((v) => v.id.slice(0, 12)));
          const orphans = [...tasks.keys()].filter((k) => !known.has(k));
          if (wrong.length === 0 && orphans.length === 0) return views;
          // Thrown, not returned: a timeout then says which containers never agreed.
          throw new Error(
            JSON.stringify({
              orphans,
              wrong: wrong.slice(0, 3).map((v) => ({
                name: v.name,
                state: v.state,
                desiredState: v.desiredState,
                task: v.task && { id: v.task.mesosTaskId, state: v.task.state },
                mesos: tasks.get(v.id.slice(0, 12)) ?? [],
              })),
            }),
          );
        },
        180_000,
      );
      // Nothing lost, nothing doubled: exactly the containers whose create was answered.
      expect(live.map((v) => v.name).sort()).toEqual(
        runs
          .filter((r) => created.has(`${r.tenant}/${r.name}`))
          .map((r) => r.name)
          .sort(),
      );
      expect(live.length).toBe(RUNS);
      const misplaced = runs
        .map((run) => ({ run, view: live.find((v) => v.name === run.name)! }))
        .filter(({ run, view }) => view.desiredState !== (run.stop ? 'stopped' : 'running'));
      // With each one's task history: what Mesos said that made it end otherwise.
      expect(
        await Promise.all(
          misplaced.map(async ({ run, view }) => ({
            name: run.name,
            meant: run.stop ? 'stopped' : 'running',
            state: view.state,
            history: await historyLines(db, view.id),
          })),
        ),
      ).toEqual([]);
      // Every status update stored once: a task's history never repeats a change.
      const history = await db.prisma.taskUpdate.findMany({
        orderBy: [{ taskId: 'asc' }, { at: 'asc' }],
      });
      const repeated = history.filter(
        (h, i) =>
          i > 0 &&
          history[i - 1]!.taskId === h.taskId &&
          history[i - 1]!.state === h.state &&
          history[i - 1]!.reason === h.reason &&
          history[i - 1]!.message === h.message,
      );
      expect(repeated).toEqual([]);
      for (const i of instances)
        expect(i.errors()).not.toMatch(/"level":"error".*(TypeError|ReferenceError)/);
    },
  );
});

/** A container's task history, one line per update, for the message of a failed check. */
async function historyLines(db: Db, containerId: string): Promise<string[]> {
  const tasks = await db.prisma.task.findMany({
    where: { containerId },
    select: { id: true, mesosTaskId: true, killedBy: true },
  });
  const taskOf = new Map(tasks.map((t) => [t.id, t]));
  const updates = await db.prisma.taskUpdate.findMany({
    where: { taskId: { in: [...taskOf.keys()] } },
    orderBy: { at: 'asc' },
  });
  return updates.map((h) => {
    const task = taskOf.get(h.taskId)!;
    return `${task.mesosTaskId} ${h.state} ${h.reason ?? ''} ${h.message ?? ''} ${task.killedBy ?? ''}`;
  });
}
