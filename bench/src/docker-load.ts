// Docker API load benchmark: many tenants doing `docker run -d` and `docker ps`
// at once through Shoal's Docker Engine API over HTTP, each with its own API
// token, against an emulated cluster in a separate process. Checks on the way
// that every `docker ps` shows its tenant's containers and nobody else's, and
// at the end that every container runs. Then, on the cluster the load left
// behind: a lone tenant's `docker run -d`, one at a time. Then the cluster is
// filled to --cluster-containers, --tenant-containers of them the reading
// tenant's (through Shoal's services, not HTTP: see seed.ts), and `docker ps -a`
// and `docker info` are timed as that tenant sees them. The tenants' clients run in a
// process of their own (tenant-phases.ts), so this process's CPU and memory are Shoal's.
//
//   npm run -s docker-load -w @shoal/bench -- [--agents 1000] [--tenants 100] [--runs-per-tenant 10]
//     [--concurrency-per-tenant 2] [--ps-every 2] [--sequential-runs 100] [--reads 1000]
//     [--cluster-containers 30000] [--tenant-containers 300] [--seed-concurrency 300]
//     [--database-url postgresql://postgres@127.0.0.1:5432/]
//
// Before Shoal starts, the emulator's own ceiling is measured on the same cluster:
// a framework with no database and no front door, as many callers, as many runs.
// Besides the load's rate, the rates of its first and last 1,000 runs (a tenth, if
// fewer): the first include the cold start (connections opened, statements prepared,
// code compiled). Prints one JSON object on stdout; progress goes to stderr. A fresh database is
// made on the PostgreSQL server and dropped at the end.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { SERVER_POOL_SIZE } from '@shoal/db';
import { createLogger, startShoal, tuneProcess, type RunningShoal } from '@shoal/server';
import { measureCeiling } from './ceiling';
import type { RunSpec } from './docker-client';
import { seedCluster, type SeedResult } from './seed';
import { TenantProcess } from './tenant-process';
import {
  cpuMeter,
  eventLoopDelay,
  log,
  round,
  runBenchmark,
  type SimProcess,
  startSim,
  tearDown,
} from './support';
import { benchDatabase } from './database';
import { benchShoalEnv } from './shoal-env';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    tenants: { type: 'string', default: '100' },
    'runs-per-tenant': { type: 'string', default: '10' },
    'concurrency-per-tenant': { type: 'string', default: '2' },
    'ps-every': { type: 'string', default: '2' },
    'sequential-runs': { type: 'string', default: '100' },
    // Each a `ps -a` and an `info`. A p99 of 200 reads is the second slowest of them, and
    // swung from 22 to 39 ms between six runs of one commit; over 1,000 it is the tenth.
    reads: { type: 'string', default: '1000' },
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
    // As many connections as `shoal serve` opens; tests use fewer.
    'db-pool': { type: 'string', default: String(SERVER_POOL_SIZE) },
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

async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  // As `shoal serve` runs: the ceiling shares the process, and so the settings.
  tuneProcess();
  let sim: SimProcess | undefined;
  let shoal: RunningShoal | undefined;
  let closeDb: (() => Promise<void>) | undefined;
  let tenantProcess: TenantProcess | undefined;
  let cleaned: Promise<void> | undefined;
  // Once only, from the end of main or from a signal: the emulator runs in its own
  // process group and the database lives on the server, so neither dies with us.
  const cleanUp = () =>
    (cleaned ??= tearDown(
      () => tenantProcess?.close(),
      () => shoal?.close(),
      () => closeDb?.(),
      () => sim?.stop(),
    ));
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

    const db = await benchDatabase(values['database-url'], params.dbPool);
    closeDb = () => db.close();
    log(`database ${new URL(db.url).pathname.slice(1)}`);
    shoal = await startShoal(benchShoalEnv(sim.masters), { db, logger: createLogger(logLevel) });
    const { services } = shoal;
    const baseUrl = shoal.dockerApi.url.replace(/^tcp:/, 'http:');

    // Twice what the runs need, so admission never refuses and Mesos offers have room.
    const runs = Math.max(params.runsPerTenant, params.sequentialRuns);
    const quota = {
      quotaCpusLimit: Math.ceil(runs * params.cpus * 2),
      quotaMemLimit: Math.ceil(runs * params.memoryMb * 2),
    };
    const tenants: { slug: string; tenantId: string; token: string; role: string }[] = [];
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
      tenants.push({
        slug: tenant.slug,
        tenantId: tenant.id,
        token: secret,
        role: tenant.mesosRole,
      });
    }
    tenantProcess = new TenantProcess();
    await tenantProcess.call('init', {
      baseUrl,
      spec,
      tenants: tenants.map(({ slug, token }) => ({ slug, token })),
    });
    // The last tenant sits the load out: it runs alone afterwards.
    const lone = tenants.pop()!;
    const slugs = tenants.map((t) => t.slug);
    const roles = [...tenants, lone].map((t) => t.role);
    // Measure steady state, not the framework catching up with new roles.
    await waitFor('the framework to subscribe with every tenant role', () => {
      const framework = services.cluster.framework();
      return framework.subscribed && roles.every((r) => framework.roles.includes(r));
    });
    log(`${params.tenants} tenants ready; load starts`);

    const meter = await cpuMeter(sim.masters[0]!);
    const loopDelay = eventLoopDelay();
    const load = await tenantProcess.call('load', {
      slugs,
      runsPerTenant: params.runsPerTenant,
      concurrencyPerTenant: params.concurrencyPerTenant,
      psEvery: params.psEvery,
    });
    const {
      cpuMicrosPerTask: cpuMicrosPerRun,
      callsPerTask: callsPerRun,
      offersPerTask: offersPerRun,
    } = await meter(load.runs);
    const eventLoopDelayMs = loopDelay();
    log(`load done in ${round(load.seconds)} s; a lone tenant runs one at a time`);
    const sequential = await tenantProcess.call('sequential', {
      slug: lone.slug,
      runs: params.sequentialRuns,
      allocationIntervalMs: params.allocationIntervalMs,
    });
    const tasksNow = async () =>
      ((await (await request(`${sim!.masters[0]!}/sim/v1/state`)).body.json()) as { tasks: number })
        .tasks;
    let seeded: SeedResult | undefined;
    const present = await tasksNow();
    if (params.clusterContainers > present) {
      log(`filling the cluster to ${params.clusterContainers} containers`);
      const counts = await tenantProcess.call('createdCounts', undefined);
      const seeding = await seedCluster(
        shoal,
        tenants.map(({ slug, tenantId }) => ({ slug, tenantId, created: counts[slug] ?? 0 })),
        spec,
        {
          clusterContainers: params.clusterContainers,
          tenantContainers: params.tenantContainers,
          present,
          concurrency: params.seedConcurrency,
        },
        log,
      );
      seeded = seeding.report;
      await tenantProcess.call('adopt', seeding.created);
      log(`seeded ${seeded.containers} in ${seeded.seconds} s (${seeded.errors} failed)`);
    }
    log('reads with every container in the cluster');
    const reader = slugs[0]!;
    const reads = await tenantProcess.call('reads', { slug: reader, reads: params.reads });
    const containersInTenant = (await tenantProcess.call('createdCounts', undefined))[reader];

    const { psChecks, ...end } = await tenantProcess.call('endCheck', { slugs });
    const mesos = { tasks: await tasksNow() };
    const runsPerSecond = round(load.runs / load.seconds);
    const usage = process.resourceUsage();

    console.log(
      JSON.stringify(
        {
          benchmark: 'docker-load',
          params: { ...params, image: spec.image, cmd: spec.cmd.join(' '), quotaPerTenant: quota },
          runsPerSecond,
          firstAndLastThousand: load.firstAndLastThousand,
          ceiling,
          ratioToCeiling: Math.round((runsPerSecond / ceiling.launchesPerSecond) * 100) / 100,
          wallSeconds: round(load.seconds),
          cpuMicrosPerRun: { ...cpuMicrosPerRun, tenantClients: load.clientCpuMicrosPerRun },
          eventLoopDelayMs,
          callsPerRun,
          offersPerRun,
          operations: load.operations,
          ps: load.ps,
          psChecks,
          loneSequentialRuns: sequential,
          ...(seeded ? { seeded } : {}),
          readsAfterLoad: {
            containersInCluster: mesos.tasks,
            containersInTenant,
            ...reads,
          },
          containers: {
            expected: total + (seeded?.containers ?? 0),
            ...end,
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

runBenchmark(main);
