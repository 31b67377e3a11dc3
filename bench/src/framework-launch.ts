// Launch benchmark: `docker run`-to-RUNNING latency, launch throughput and
// control-plane memory per 10k containers, against an emulated cluster in a
// separate process (so its memory is not counted as Shoal's).
//
//   npm run -s framework-launch -w @shoal/bench -- [--agents 1000] [--containers 30000] [--concurrency 300] [--tenants 10]
//
// Prints one JSON object. Uses DATABASE_URL when set (a fresh database is made
// on that server), else embedded PGlite in a temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnv } from '@shoal/config';
import { createDb, type Db } from '@shoal/db';
import { createLogger, startShoal, tuneProcess } from '@shoal/server';
import { measureCeiling } from './ceiling';
import {
  cpuMeter,
  edgeRates,
  eventLoopDelay,
  percentile,
  round,
  runBenchmark,
  startSim,
  tearDown,
} from './support';
import { benchDatabase } from './database';
import { benchShoalEnv } from './shoal-env';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    containers: { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '300' },
    tenants: { type: 'string', default: '10' },
  },
});
const agents = Number(values.agents);
const total = Number(values.containers);
const concurrency = Number(values.concurrency);
const tenantCount = Number(values.tenants);

const heapMb = () => {
  global.gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
};

async function main(): Promise<void> {
  // As `shoal serve` runs: the ceiling shares the process, and so the settings.
  tuneProcess();
  const sim = await startSim([
    '--agents',
    String(agents),
    '--agent-cpus',
    '64',
    '--agent-mem',
    '262144',
  ]);
  const ceiling = await measureCeiling({
    masters: sim.masters,
    roles: Array.from({ length: tenantCount }, (_, i) => `ceiling-${i}`),
    tasks: total,
    concurrency,
    cpus: 0.1,
    memMb: 32,
    image: 'nginx',
  });
  console.error(`ceiling: ${JSON.stringify(ceiling)}`);
  const serverUrl = loadEnv().DATABASE_URL;
  const dataDir = serverUrl ? undefined : mkdtempSync(path.join(tmpdir(), 'shoal-bench-'));
  const db: Db = serverUrl ? await benchDatabase() : await createDb({ dataDir: dataDir! });
  const env = benchShoalEnv(sim.masters, { SHOAL_START_WAIT_SECONDS: '600' });
  const shoal = await startShoal(env, { db, logger: createLogger('warn') });
  try {
    const { services } = shoal;
    const tenants: { id: string }[] = [];
    for (let i = 0; i < tenantCount; i++)
      tenants.push(
        await services.tenants.create({ slug: `bench-${i}`, name: `Bench ${i}` }, 'bench'),
      );
    while (!services.cluster.framework().subscribed) await new Promise((r) => setTimeout(r, 100));
    const heapBefore = heapMb();

    const latencies: number[] = [];
    /** When each launch was seen running, in order: the first and last thousand give rates. */
    const runningAt: number[] = [];
    const meter = await cpuMeter(sim.masters[0]!);
    const loopDelay = eventLoopDelay();
    let errors = 0;
    const errorSamples = new Map<string, number>();
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const tenantId = tenants[i % tenants.length]!.id;
        const t0 = performance.now();
        try {
          await services.containers.create(
            tenantId,
            { name: `c${i}`, image: 'nginx', cpus: 0.1, memoryMb: 32 },
            'bench',
          );
          const c = await services.containers.start(tenantId, `c${i}`, 'bench');
          if (c.state !== 'running')
            throw new Error(
              `${c.state}: ${c.error ?? ''} ${c.task?.state ?? ''} ${c.task?.reason ?? ''} ${c.task?.message ?? ''}`,
            );
          latencies.push(performance.now() - t0);
          runningAt.push(performance.now());
        } catch (error) {
          errors++;
          const key = String((error as Error).message)
            .split('\n')[0]!
            .slice(0, 160);
          errorSamples.set(key, (errorSamples.get(key) ?? 0) + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const controlPlaneEventLoopDelayMs = loopDelay();
    const { cpuMicrosPerTask, callsPerTask, offersPerTask } = await meter(latencies.length);
    const heapAfter = heapMb();
    latencies.sort((a, b) => a - b);
    const running = await db.prisma.container.count({ where: { state: 'RUNNING' } });
    console.log(
      JSON.stringify(
        {
          benchmark: 'framework-launch',
          database: db.kind,
          agents,
          tenants: tenantCount,
          containers: total,
          concurrency,
          running,
          errors,
          errorSamples: Object.fromEntries(errorSamples),
          runToRunningMs: {
            p50: round(percentile(latencies, 50)),
            p99: round(percentile(latencies, 99)),
            max: round(latencies.at(-1) ?? 0),
          },
          launchesPerSecond: round(latencies.length / seconds),
          firstAndLastThousand: edgeRates(runningAt, started, 'launches'),
          ceiling,
          ratioToCeiling:
            Math.round((latencies.length / seconds / ceiling.launchesPerSecond) * 100) / 100,
          wallSeconds: round(seconds),
          cpuMicrosPerTask,
          callsPerTask,
          offersPerTask,
          controlPlaneHeapMbPer10kContainers: round(
            ((heapAfter - heapBefore) / Math.max(1, running)) * 10_000,
          ),
          controlPlaneRssMb: round(process.memoryUsage().rss / 1_048_576),
          controlPlaneEventLoopDelayMs,
        },
        null,
        2,
      ),
    );
  } finally {
    await tearDown(
      () => shoal.close(),
      () => db.close(),
      () => sim.stop(),
      () => dataDir && rmSync(dataDir, { recursive: true, force: true }),
    );
  }
}

runBenchmark(main);
