// Request-cost benchmark: the CPU Shoal's process spends on one Docker API request, by
// route, and on one `docker run -d` (create, wait, start, inspect), one at a time and
// many at once. docker-load says how many runs a second the machine holds; this says
// what each request costs Shoal, which is what that rate is made of.
//
//   npm run -s request-cost -w @shoal/bench -- [--requests 3000] [--concurrency 16]
//     [--runs 300] [--agents 20] [--database-url postgresql://postgres@127.0.0.1:5432/]
//
// The ceiling, measured in the same run from the same client: a bare node:http server
// in this process answering "OK", which is what any Node HTTP server costs per request
// on this machine. The client runs in a process of its own (tenant-phases.ts), so this
// process's CPU is Shoal's. Figures are less Shoal's own pace at rest (its periodic
// passes), measured first and printed. Prints one JSON object on stdout.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createLogger, startShoal, tuneProcess } from '@shoal/server';
import type { RunSpec } from './docker-client';
import { ownCpuSeconds, round, runBenchmark, startSim, tearDown } from './support';
import { benchDatabase } from './database';
import { benchShoalEnv } from './shoal-env';
import { TenantProcess } from './tenant-process';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16' },
    runs: { type: 'string', default: '300' },
    agents: { type: 'string', default: '20' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/' },
  },
});

function positive(flag: keyof typeof values): number {
  const n = Number(values[flag]);
  if (!(n > 0)) throw new Error(`--${flag} takes a positive number, not "${values[flag]}"`);
  return n;
}

const requests = positive('requests');
const concurrency = positive('concurrency');
const runs = positive('runs');
const agents = positive('agents');

const spec: RunSpec = {
  image: 'busybox',
  cmd: ['sleep', 'infinity'],
  cpus: 0.01,
  memoryMb: 4,
  timeoutSeconds: 120,
};

/** Containers already running in the tenant, for inspect and ps to read. */
const HELD = 10;
const REST_SECONDS = 3;

const ROUTES = [
  { route: 'GET /_ping', method: 'GET', path: '/_ping' },
  { route: 'GET /version', method: 'GET', path: '/version' },
  { route: 'GET /containers/{id}/json', method: 'GET', path: '/containers/held-1/json' },
  {
    route: `GET /containers/json?all=1 (${HELD} containers)`,
    method: 'GET',
    path: '/containers/json?all=1',
  },
  { route: 'GET /info', method: 'GET', path: '/info' },
] as const;

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
  const db = await benchDatabase(values['database-url']);
  const shoal = await startShoal(benchShoalEnv(sim.masters), { db, logger: createLogger('warn') });
  const bare = createServer((req, res) => {
    req.resume();
    res.end('OK');
  }).listen(0, '127.0.0.1');
  const clients = new TenantProcess();
  try {
    if (!bare.listening) await once(bare, 'listening');
    const { services } = shoal;
    const logins = [];
    for (const slug of ['cost', 'cost-alone', 'cost-together']) {
      const tenant = await services.tenants.create({ slug, name: slug }, 'bench');
      await services.tenants.setQuota(
        tenant.id,
        {
          quotaCpusLimit: (runs + HELD) * spec.cpus * 2,
          quotaMemLimit: (runs + HELD) * spec.memoryMb * 2,
        },
        'bench',
      );
      const { secret } = await services.tokens.issue(
        { tenantId: tenant.id, name: 'cost' },
        'bench',
      );
      logins.push({ slug, token: secret, tenantId: tenant.id });
    }
    while (!services.cluster.framework().subscribed) await sleep(100);
    const reader = logins[0]!;
    for (let i = 0; i < HELD; i++) {
      await services.containers.create(
        reader.tenantId,
        {
          name: `held-${i}`,
          image: spec.image,
          cmd: spec.cmd,
          cpus: spec.cpus,
          memoryMb: spec.memoryMb,
        },
        'bench',
      );
      await services.containers.start(reader.tenantId, `held-${i}`, 'bench');
    }
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
    await clients.call('init', {
      baseUrl: shoal.dockerApi.url.replace(/^tcp:/, 'http:'),
      spec,
      tenants: logins.map(({ slug, token }) => ({ slug, token })),
    });
    await clients.call('init', {
      baseUrl: bareUrl,
      spec,
      tenants: [{ slug: 'bare', token: 'none' }],
    });

    const restBefore = ownCpuSeconds();
    await sleep(REST_SECONDS * 1000);
    const restPerSecond = (ownCpuSeconds() - restBefore) / REST_SECONDS;

    /** Microseconds of this process's CPU per item of `work`, less its pace at rest. */
    const measure = async (items: number, work: () => Promise<unknown>) => {
      const cpu = ownCpuSeconds();
      const started = performance.now();
      await work();
      const seconds = (performance.now() - started) / 1000;
      const used = ownCpuSeconds() - cpu - restPerSecond * seconds;
      return { cpuMicros: round((used * 1e6) / items), perSecond: round(items / seconds) };
    };
    const repeat = (slug: string, method: 'GET' | 'POST', path: string) =>
      measure(requests, () =>
        clients.call('repeat', { slug, method, path, count: requests, concurrency }),
      );

    const ceiling = await repeat('bare', 'GET', '/');
    const routes = [];
    for (const { route, method, path } of ROUTES) {
      const cost = await repeat(reader.slug, method, path);
      routes.push({
        route,
        cpuMicrosPerRequest: cost.cpuMicros,
        requestsPerSecond: cost.perSecond,
        ratioToCeiling: round(ceiling.cpuMicros / cost.cpuMicros),
      });
    }
    const runCost = async (slug: string, together: number) => {
      const cost = await measure(runs, () =>
        clients.call('load', {
          slugs: [slug],
          runsPerTenant: runs,
          concurrencyPerTenant: together,
          psEvery: runs + 1,
        }),
      );
      return {
        concurrency: together,
        cpuMicrosPerRun: cost.cpuMicros,
        runsPerSecond: cost.perSecond,
      };
    };
    const dockerRun = [await runCost('cost-alone', 1), await runCost('cost-together', concurrency)];

    console.log(
      JSON.stringify(
        {
          benchmark: 'request-cost',
          database: db.kind,
          agents,
          requests,
          concurrency,
          restCpuMicrosPerSecond: round(restPerSecond * 1e6),
          ceiling: { server: 'bare node:http', cpuMicrosPerRequest: ceiling.cpuMicros },
          routes,
          dockerRunDetached: dockerRun,
        },
        null,
        2,
      ),
    );
  } finally {
    await tearDown(
      () => clients.close(),
      () => bare.close(),
      () => shoal.close(),
      () => db.close(),
      () => sim.stop(),
    );
  }
}

runBenchmark(main);
