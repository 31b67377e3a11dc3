// Log-sampling benchmark: how long one pass of the leader's log sampler takes as the
// cluster's tasks grow, each pass finding the same number of tasks due. The ceiling is
// the same pass on the smallest cluster: a pass that costs its batch keeps a ratio
// near 1 at every size; one that reads every task grows with them.
//
//   npx tsx bench/src/log-sampling.ts [--sizes 1000,30000,300000] [--due 200] [--rounds 30]
//     [--database-url postgresql://postgres@127.0.0.1:5432/]
//
// A tenth of each cluster's tasks run (looked at recently, so not due); the rest have
// ended with their final sizes noted, as a cluster's history piles up. Before each
// pass, --due running tasks are made due. The agents' answers come from memory, so
// the figures are Shoal's and PostgreSQL's. Prints one JSON object.
import { parseArgs } from 'node:util';
import { createServices, LogSampler } from '@shoal/core';
import { createTestDatabase } from '@shoal/db/testing';
import { percentile, round } from './support';

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

const sandbox = {
  sizes: () => Promise.resolve({ stdout: 4096, stderr: 512 }),
};

async function passesAt(size: number) {
  const db = await createTestDatabase({ serverUrl: values['database-url'] });
  try {
    const services = createServices(db);
    const tenant = await services.tenants.create({ slug: 'bench', name: 'Bench' }, 'bench');
    const container = await services.containers.create(
      tenant.id,
      { name: 'history', image: 'busybox' },
      'bench',
    );
    const running = Math.max(dueCount, Math.round(size / 10));
    await db.sql.query(
      `INSERT INTO "Task" (id, "containerId", "mesosTaskId", "agentId", hostname, "agentEndpoint",
                           state, "launchedAt", "updatedAt", "logsDueAt")
       SELECT 't' || g, $1, 'task.' || g, 'a' || (g % 1000), 'a.example', 'http://a.example:5051',
              CASE WHEN g <= $2 THEN 'TASK_RUNNING' ELSE 'TASK_FINISHED' END,
              now() - interval '1 day', now() - interval '1 hour',
              CASE WHEN g <= $2 THEN now() + interval '1 hour' END
       FROM generate_series(1, $3) g`,
      [container.id, running, size],
    );
    await db.sql.query('ANALYZE "Task"');
    const sampler = new LogSampler(db.prisma, services.containers.logClock, sandbox, {
      intervalMs: 2_000,
      batchSize: dueCount,
      concurrency: 16,
    });
    const passMs: number[] = [];
    for (let round = 0; round < rounds + WARM_UP; round++) {
      // A fresh batch each pass: the last one's marks are in, and it is not due again.
      await db.sql.query(
        `UPDATE "Task" SET "logsDueAt" = now() AT TIME ZONE 'UTC' - interval '1 second'
         WHERE id IN (SELECT 't' || (1 + (($1::int * $2::int + i) % $3::int))
                      FROM generate_series(0, $2::int - 1) i)`,
        [round, dueCount, running],
      );
      const began = performance.now();
      const looked = await sampler.sampleOnce();
      const ms = performance.now() - began;
      if (looked !== dueCount) throw new Error(`a pass looked at ${looked} tasks, not ${dueCount}`);
      if (round >= WARM_UP) passMs.push(ms);
    }
    passMs.sort((a, b) => a - b);
    return {
      tasks: size,
      running,
      passMs: { p50: round(percentile(passMs, 50)), p90: round(percentile(passMs, 90)) },
    };
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const results = [];
  for (const size of sizes) results.push(await passesAt(size));
  const ceiling = results[0]!;
  console.log(
    JSON.stringify(
      {
        benchmark: 'log-sampling',
        dueEachPass: dueCount,
        rounds,
        clusters: results.map((r) => ({
          ...r,
          ratioToCeiling: Math.round((r.passMs.p50 / ceiling.passMs.p50) * 100) / 100,
        })),
        ceiling: { what: `the same pass with ${ceiling.tasks} tasks`, passMs: ceiling.passMs },
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
