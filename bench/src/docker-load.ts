// Docker API load benchmark: many tenants doing `docker run -d` and `docker ps`
// at once through Shoal's Docker Engine API over HTTP, each with its own API
// token, against an emulated cluster in a separate process. Checks on the way
// that every `docker ps` shows its tenant's containers and nobody else's, and
// at the end that every container runs. Then, on the cluster the load left
// behind: a lone tenant's `docker run -d`, one at a time. Then the cluster is
// filled to --cluster-containers, --tenant-containers of them the reading
// tenant's (through Shoal's services, not HTTP: see seed.ts), and `docker ps -a`
// and `docker info` are timed as that tenant sees them.
//
//   npm run -s docker-load -w @shoal/bench -- [--agents 1000] [--tenants 100] [--runs-per-tenant 10]
//     [--concurrency-per-tenant 2] [--ps-every 2] [--sequential-runs 100] [--reads 200]
//     [--cluster-containers 30000] [--tenant-containers 300] [--seed-concurrency 300]
//     [--database-url postgresql://postgres@127.0.0.1:5432/]
//
// Before Shoal starts, the emulator's own ceiling is measured on the same cluster:
// a framework with no database and no front door, as many callers, as many runs.
// Prints one JSON object on stdout; progress goes to stderr. A fresh database is
// made on the PostgreSQL server and dropped at the end. The tenants' clients run in
// Shoal's process, so its RSS and CPU include them.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { loadEnv } from '@shoal/config';
import { createTestDatabase } from '@shoal/db/testing';
import { createLogger, startShoal, type RunningShoal } from '@shoal/server';
import { measureCeiling } from './ceiling';
import { Operation, TenantClient, type RunOperations, type RunSpec } from './docker-client';
import { seedCluster, type SeedResult } from './seed';
import { cpuMeter, percentile, round, startSim, type SimProcess } from './support';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    tenants: { type: 'string', default: '100' },
    'runs-per-tenant': { type: 'string', default: '10' },
    'concurrency-per-tenant': { type: 'string', default: '2' },
    'ps-every': { type: 'string', default: '2' },
    'sequential-runs': { type: 'string', default: '100' },
    reads: { type: 'string', default: '200' },
    // The cluster is filled to this many containers before the reads (0: as the load left it).
    'cluster-containers': { type: 'string', default: '30000' },
    'tenant-containers': { type: 'string', default: '300' },
    'seed-concurrency': { type: 'string', default: '300' },
    image: { type: 'string', default: 'busybox' },
    cmd: { type: 'string', default: 'sleep infinity' },
    cpus: { type: 'string', default: '0.1' },
    'memory-mb': { type: 'string', default: '32' },
    'run-timeout-seconds': { type: 'string', default: '120' },
    'allocation-interval-ms': { type: 'string', default: '1000' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/' },
    // createDb's default for a server; tests use fewer.
    'db-pool': { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'warn' },
  },
});

function atLeastZero(flag: keyof typeof values): number {
  const n = Number(values[flag]);
  if (!(n >= 0)) throw new Error(`--${flag} takes a number of 0 or more, not "${values[flag]}"`);
  return n;
}

function positive(flag: keyof typeof values): number {
  const n = Number(values[flag]);
  if (!(n > 0)) throw new Error(`--${flag} takes a positive number, not "${values[flag]}"`);
  return n;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
function parseLogLevel(): (typeof LOG_LEVELS)[number] {
  const level = LOG_LEVELS.find((l) => l === values['log-level']);
  if (!level) throw new Error(`--log-level takes one of ${LOG_LEVELS.join(', ')}`);
  return level;
}
const logLevel = parseLogLevel();

const params = {
  agents: positive('agents'),
  tenants: positive('tenants'),
  runsPerTenant: positive('runs-per-tenant'),
  concurrencyPerTenant: positive('concurrency-per-tenant'),
  psEvery: positive('ps-every'),
  sequentialRuns: positive('sequential-runs'),
  reads: positive('reads'),
  clusterContainers: atLeastZero('cluster-containers'),
  tenantContainers: atLeastZero('tenant-containers'),
  seedConcurrency: positive('seed-concurrency'),
  cpus: positive('cpus'),
  memoryMb: positive('memory-mb'),
  allocationIntervalMs: positive('allocation-interval-ms'),
  dbPool: positive('db-pool'),
};
const spec: RunSpec = {
  image: values.image,
  cmd: values.cmd.split(/\s+/).filter(Boolean),
  cpus: params.cpus,
  memoryMb: params.memoryMb,
  timeoutSeconds: positive('run-timeout-seconds'),
};

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

const newRunOperations = (): RunOperations => ({
  create: new Operation(),
  wait: new Operation(),
  start: new Operation(),
  inspect: new Operation(),
  run: new Operation(),
});

const reportAll = (ops: RunOperations, seconds: number) =>
  Object.fromEntries(Object.entries(ops).map(([name, op]) => [name, op.report(seconds)]));

async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Every tenant runs its containers at once, as `docker run -d` does, listing them as it goes. */
async function loadPhase(clients: TenantClient[]) {
  const ops = newRunOperations();
  const ps = new Operation();
  const total = params.tenants * params.runsPerTenant;
  const started = performance.now();
  const progress = setInterval(
    () => log(`runs ${ops.run.latencies.length}/${total} (${ops.run.errors} failed)`),
    5_000,
  );
  await Promise.all(
    clients.flatMap((client) => {
      let next = 0;
      let done = 0;
      const worker = async () => {
        for (;;) {
          const n = next++;
          if (n >= params.runsPerTenant) return;
          try {
            await client.run(`${client.slug}-${n}`, spec, ops);
          } catch (error) {
            // create, wait, start and inspect count their own failures; run counts every one.
            ops.run.fail(error);
          }
          if (++done % params.psEvery === 0) await client.ps(ps).catch(() => undefined);
        }
      };
      return Array.from({ length: params.concurrencyPerTenant }, worker);
    }),
  );
  clearInterval(progress);
  return { ops, ps, seconds: (performance.now() - started) / 1000 };
}

/**
 * A lone tenant's `docker run -d`, one after another, on a cluster otherwise idle:
 * each should be running within one allocation interval (plus a little).
 */
async function sequentialPhase(client: TenantClient) {
  const ops = newRunOperations();
  const startedToRunning: number[] = [];
  const began = performance.now();
  for (let n = 0; n < params.sequentialRuns; n++) {
    try {
      startedToRunning.push(await client.run(`${client.slug}-seq-${n}`, spec, ops));
    } catch (error) {
      ops.run.fail(error);
    }
  }
  startedToRunning.sort((a, b) => a - b);
  const p99 = round(percentile(startedToRunning, 99));
  const bound = params.allocationIntervalMs + 50;
  return {
    runs: params.sequentialRuns,
    errors: ops.run.errors,
    createToRunningMs: {
      p50: round(percentile(startedToRunning, 50)),
      p99,
      max: round(startedToRunning.at(-1) ?? 0),
    },
    boundMs: bound,
    withinBound: p99 <= bound,
    operations: reportAll(ops, (performance.now() - began) / 1000),
  };
}

/** `docker ps -a` and `docker info`, one after another, as one tenant sees them. */
async function readPhase(client: TenantClient) {
  const ps = new Operation();
  const info = new Operation();
  const started = performance.now();
  for (let i = 0; i < params.reads; i++) {
    await client.ps(ps).catch(() => undefined);
    await client.info(info).catch(() => undefined);
  }
  const seconds = (performance.now() - started) / 1000;
  return { ps: ps.report(seconds), info: info.report(seconds) };
}

async function main(): Promise<void> {
  let sim: SimProcess | undefined;
  let shoal: RunningShoal | undefined;
  let closeDb: (() => Promise<void>) | undefined;
  const clients: TenantClient[] = [];
  const tenantIds = new Map<TenantClient, string>();
  let cleaned: Promise<void> | undefined;
  // Once only, from the end of main or from a signal: the emulator runs in its own
  // process group and the database lives on the server, so neither dies with us.
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await shoal?.close();
      await closeDb?.();
      sim?.stop();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: tearing down`);
      void cleanUp().finally(() => process.exit(130));
    });

  try {
    sim = await startSim([
      '--agents',
      String(params.agents),
      '--allocation-interval',
      String(params.allocationIntervalMs),
    ]);
    log(`emulator with ${params.agents} agents at ${sim.masters.join(',')}`);
    const total = params.tenants * params.runsPerTenant;
    const ceiling = await measureCeiling({
      masters: sim.masters,
      roles: Array.from({ length: params.tenants }, (_, i) => `ceiling-${i}`),
      tasks: total,
      concurrency: params.tenants * params.concurrencyPerTenant,
      cpus: params.cpus,
      memMb: params.memoryMb,
      image: spec.image,
    });
    log(`emulator ceiling: ${ceiling.launchesPerSecond} launches/s`);

    const db = await createTestDatabase({
      serverUrl: values['database-url'],
      poolSize: params.dbPool,
    });
    closeDb = () => db.close();
    log(`database ${new URL(db.url).pathname.slice(1)}`);
    shoal = await startShoal(
      loadEnv({
        SHOAL_PORT: '0',
        SHOAL_DOCKER_PORT: '0',
        SHOAL_SEED_DEMO: 'false',
        MESOS_MASTER: sim.masters.join(','),
      }),
      { db, logger: createLogger(logLevel) },
    );
    const { services } = shoal;
    const baseUrl = shoal.dockerApi.url.replace(/^tcp:/, 'http:');

    // Twice what the runs need, so admission never refuses and Mesos offers have room.
    const runs = Math.max(params.runsPerTenant, params.sequentialRuns);
    const quota = {
      quotaCpusLimit: Math.ceil(runs * params.cpus * 2),
      quotaMemLimit: Math.ceil(runs * params.memoryMb * 2),
    };
    const roles: string[] = [];
    for (let i = 0; i <= params.tenants; i++) {
      const tenant = await services.tenants.create(
        { slug: `load-${i}`, name: `Load ${i}` },
        'bench',
      );
      await services.tenants.setQuota(tenant.id, quota, 'bench');
      const { secret } = await services.tokens.issue(
        { tenantId: tenant.id, name: 'docker-load' },
        'bench',
      );
      roles.push(tenant.mesosRole);
      const client = new TenantClient(tenant.slug, baseUrl, secret);
      clients.push(client);
      tenantIds.set(client, tenant.id);
    }
    // The last tenant sits the load out: it runs alone afterwards.
    const lone = clients.pop()!;
    // Measure steady state, not the framework catching up with new roles.
    await waitFor('the framework to subscribe with every tenant role', () => {
      const framework = services.cluster.framework();
      return framework.subscribed && roles.every((r) => framework.roles.includes(r));
    });
    log(`${params.tenants} tenants ready; load starts`);

    const meter = await cpuMeter(sim.masters[0]!);
    const load = await loadPhase(clients);
    const {
      cpuMicrosPerTask: cpuMicrosPerRun,
      callsPerTask: callsPerRun,
      offersPerTask: offersPerRun,
    } = await meter(load.ops.run.latencies.length);
    log(`load done in ${round(load.seconds)} s; a lone tenant runs one at a time`);
    const sequential = await sequentialPhase(lone);
    const tasksNow = async () =>
      ((await (await request(`${sim!.masters[0]!}/sim/v1/state`)).body.json()) as { tasks: number })
        .tasks;
    let seeded: SeedResult | undefined;
    const present = await tasksNow();
    if (params.clusterContainers > present) {
      log(`filling the cluster to ${params.clusterContainers} containers`);
      seeded = await seedCluster(
        shoal,
        clients.map((client) => ({ client, tenantId: tenantIds.get(client)! })),
        spec,
        {
          clusterContainers: params.clusterContainers,
          tenantContainers: params.tenantContainers,
          present,
          concurrency: params.seedConcurrency,
        },
        log,
      );
      log(`seeded ${seeded.containers} in ${seeded.seconds} s (${seeded.errors} failed)`);
    }
    log('reads with every container in the cluster');
    const reads = await readPhase(clients[0]!);

    // The end state, through the same front door the tenants use.
    let running = 0;
    let missing = 0;
    let unexpected = 0;
    const notRunning: Record<string, number> = {};
    const finalPs = new Operation();
    for (const client of clients) {
      const list = await client.ps(finalPs);
      const byId = new Map(list.map((c) => [c.Id, c]));
      for (const id of client.created) {
        const state = byId.get(id)?.State;
        if (state === undefined) missing++;
        else if (state === 'running') running++;
        else notRunning[state] = (notRunning[state] ?? 0) + 1;
      }
      unexpected += list.filter((c) => !client.created.has(c.Id)).length;
    }
    const mesos = { tasks: await tasksNow() };
    const runsPerSecond = round(load.ops.run.latencies.length / load.seconds);
    const usage = process.resourceUsage();

    console.log(
      JSON.stringify(
        {
          benchmark: 'docker-load',
          params: { ...params, image: spec.image, cmd: spec.cmd.join(' '), quotaPerTenant: quota },
          runsPerSecond,
          ceiling,
          ratioToCeiling: Math.round((runsPerSecond / ceiling.launchesPerSecond) * 100) / 100,
          wallSeconds: round(load.seconds),
          cpuMicrosPerRun,
          callsPerRun,
          offersPerRun,
          operations: reportAll(load.ops, load.seconds),
          ps: load.ps.report(load.seconds),
          psChecks: {
            foreignContainers: clients.reduce((n, c) => n + c.foreignSeen, 0),
            missedContainers: clients.reduce((n, c) => n + c.missedSeen, 0),
          },
          loneSequentialRuns: sequential,
          ...(seeded ? { seeded } : {}),
          readsAfterLoad: {
            containersInCluster: mesos.tasks,
            containersInTenant: clients[0]!.created.size,
            ...reads,
          },
          containers: {
            expected: total + (seeded?.containers ?? 0),
            created: clients.reduce((n, c) => n + c.created.size, 0),
            running,
            notRunning,
            missing,
            unexpected,
            mesosTasks: mesos.tasks,
          },
          process: {
            rssMb: round(process.memoryUsage().rss / 1_048_576),
            maxRssMb: round(usage.maxRSS / 1024),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
