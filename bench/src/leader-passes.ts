// Leader-passes benchmark: how long the leader's periodic passes take as the cluster
// grows, each finding the same work to do. The supervisor's pass (containers to launch,
// tasks to kill or replace) finds none, as on a settled cluster; the log sampler's finds
// --due tasks to look at. The ceiling is the same pass on the smallest cluster: a pass
// that costs its work keeps a ratio near 1 at every size; one that reads every container
// or task grows with them.
//
//   npm run -s leader-passes -w @shoal/bench -- [--sizes 1000,30000,300000] [--due 200] [--rounds 30]
//     [--database-url postgresql://postgres@127.0.0.1:5432/]
//
// A cluster of N tasks has N/10 running containers, each with its running task; the
// other tasks have ended, as a cluster's history piles up, their final log sizes noted.
// The agents' answers come from memory, so the figures are Shoal's and PostgreSQL's.
// Prints one JSON object.
import { parseArgs } from 'node:util';
import {
  ContainerSupervisor,
  createServices,
  DEFAULT_SUPERVISOR_OPTIONS,
  LogSampler,
} from '@shoal/core';
import type { Db } from '@shoal/db';
import { percentile, round } from './support';
import { benchDatabase } from './database';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,30000,300000' },
    due: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '30' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const dueCount = Number(values.due);
const rounds = Number(values.rounds);
/** Passes left out of the figures while the code and the caches warm up. */
const WARM_UP = 5;
/** Every this many supervisor passes, the first included, is a safety pass. */
const SAFETY_EVERY = 10;

const sandbox = {
  sizes: () => Promise.resolve({ stdout: 4096, stderr: 512 }),
};

/** A settled cluster has nothing to launch or kill: a launcher asked to is a failed run. */
const launcher = {
  submit: () => {
    throw new Error('the supervisor launched a task on a settled cluster');
  },
  submitAll: (requests: readonly unknown[]) => {
    if (requests.length > 0) throw new Error('the supervisor launched tasks on a settled cluster');
  },
  cancel: () => false,
  isPending: () => false,
  kill: () => Promise.reject(new Error('the supervisor killed a task on a settled cluster')),
};

/** Each pass's time in ms, by round; `before` readies a round untimed. */
async function timed(
  times: number,
  pass: () => Promise<unknown>,
  before: (round: number) => Promise<unknown> = () => Promise.resolve(),
) {
  const ms: { round: number; ms: number }[] = [];
  for (let round = 0; round < times + WARM_UP; round++) {
    await before(round);
    const began = performance.now();
    await pass();
    if (round >= WARM_UP) ms.push({ round, ms: performance.now() - began });
  }
  return ms;
}

function figures(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), max: round(sorted.at(-1) ?? 0) };
}

/** N tasks: N/10 running containers, one running task each, and the rest ended. */
async function fill(db: Db, tenantId: string, size: number, running: number) {
  await db.sql.query(
    `INSERT INTO "Container" (id, "tenantId", name, image, config, cpus, "memMb",
                             "desiredState", state, "startedAt", "updatedAt")
     SELECT md5('c' || g) || md5('r' || g), $1, 'c' || g, 'busybox', '{"image":"busybox"}',
            0.01, 4, 'RUNNING', 'RUNNING', now() - interval '1 day', now() - interval '1 day'
     FROM generate_series(1, $2::int) g`,
    [tenantId, running],
  );
  await db.sql.query(
    `INSERT INTO "Task" (id, "containerId", "mesosTaskId", "agentId", hostname, "agentEndpoint",
                         state, "launchedAt", "updatedAt", "logsDueAt")
     SELECT 't' || g, md5('c' || c) || md5('r' || c), 'task.' || g, 'a' || (g % 1000),
            'a.example', 'http://a.example:5051',
            CASE WHEN g <= $1 THEN 'TASK_RUNNING' ELSE 'TASK_FINISHED' END,
            now() - interval '1 day', now() - interval '1 hour',
            CASE WHEN g <= $1 THEN now() + interval '1 hour' END
     FROM generate_series(1, $2::int) g, LATERAL (SELECT 1 + (g - 1) % $1 AS c) k`,
    [running, size],
  );
  await db.sql.query('ANALYZE');
}

async function passesAt(size: number) {
  const db = await benchDatabase(values['database-url']);
  try {
    const services = createServices(db);
    const tenant = await services.tenants.create({ slug: 'bench', name: 'Bench' }, 'bench');
    const running = Math.max(dueCount, Math.round(size / 10));
    await fill(db, tenant.id, size, running);

    const failures: unknown[] = [];
    // Passes here come back to back, where the supervisor reads a slice of its sweep for
    // replaced tasks once an interval: with no interval, every pass timed reads one.
    const supervisor = new ContainerSupervisor(
      db.sql,
      launcher,
      { ...DEFAULT_SUPERVISOR_OPTIONS, intervalMs: 0 },
      (_, e) => failures.push(e),
    );
    const supervisorPasses = await timed(rounds, async () => {
      await supervisor.pass();
      if (failures.length > 0) throw failures[0];
    });
    // The first pass and every tenth also run the safety scans (see ContainerSupervisor).
    const supervisorMs = figures(
      supervisorPasses.filter((p) => p.round % SAFETY_EVERY !== 0).map((p) => p.ms),
    );
    const safetyPassMs = figures(
      supervisorPasses.filter((p) => p.round % SAFETY_EVERY === 0).map((p) => p.ms),
    );

    const sampler = new LogSampler(db.prisma, services.containers.logClock, sandbox, {
      intervalMs: 2_000,
      batchSize: dueCount,
      concurrency: 16,
    });
    const samplerPasses = await timed(
      rounds,
      async () => {
        const looked = await sampler.sampleOnce();
        if (looked !== dueCount)
          throw new Error(`a pass looked at ${looked} tasks, not ${dueCount}`);
      },
      // A fresh batch each pass: the last one's marks are in, and it is not due again.
      (round) =>
        db.sql.query(
          `UPDATE "Task" SET "logsDueAt" = now() AT TIME ZONE 'UTC' - interval '1 second'
           WHERE id IN (SELECT 't' || (1 + (($1::int * $2::int + i) % $3::int))
                        FROM generate_series(0, $2::int - 1) i)`,
          [round, dueCount, running],
        ),
    );
    const samplerMs = figures(samplerPasses.map((p) => p.ms));
    return { tasks: size, runningContainers: running, supervisorMs, safetyPassMs, samplerMs };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const results = [];
  for (const size of sizes) results.push(await passesAt(size));
  const ceiling = results[0]!;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  console.log(
    JSON.stringify(
      {
        benchmark: 'leader-passes',
        dueEachSamplerPass: dueCount,
        rounds,
        clusters: results.map((r) => ({
          ...r,
          ratioToCeiling: {
            supervisor: ratio(r.supervisorMs.p50, ceiling.supervisorMs.p50),
            safetyPass: ratio(r.safetyPassMs.p50, ceiling.safetyPassMs.p50),
            sampler: ratio(r.samplerMs.p50, ceiling.samplerMs.p50),
          },
        })),
        ceiling: {
          what: `the same passes on a cluster of ${ceiling.tasks} tasks`,
          supervisorMs: ceiling.supervisorMs,
          safetyPassMs: ceiling.safetyPassMs,
          samplerMs: ceiling.samplerMs,
        },
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
