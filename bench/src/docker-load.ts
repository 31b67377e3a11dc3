// Docker API load benchmark: many tenants doing `docker run -d` and `docker ps`
// at once through Shoal's Docker Engine API over HTTP, each with its own API
// token, against an emulated cluster in a separate process. Checks on the way
// that every `docker ps` shows its tenant's containers and nobody else's, and
// at the end that every container runs.
//
//   npm run -s docker-load -w @shoal/bench -- [--agents 1000] [--tenants 100] [--runs-per-tenant 10]
//     [--concurrency-per-tenant 2] [--ps-every 2] [--database-url postgresql://postgres@127.0.0.1:5432/]
//
// A tenant's workers share its runs; after every --ps-every runs of a tenant, one
// of them lists the tenant's containers. Prints one JSON object on stdout; progress
// goes to stderr. A fresh database is made on the PostgreSQL server and dropped at
// the end. The tenants' clients run in Shoal's process, so its RSS and CPU include them.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { loadEnv } from '@shoal/config';
import { createTestDatabase } from '@shoal/db/testing';
import { startShoal, type RunningShoal } from '../../apps/server/src/app';
import { createLogger } from '../../apps/server/src/logger';
import { percentile, round, startSim, type SimProcess } from './support';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    tenants: { type: 'string', default: '100' },
    'runs-per-tenant': { type: 'string', default: '10' },
    'concurrency-per-tenant': { type: 'string', default: '2' },
    'ps-every': { type: 'string', default: '2' },
    image: { type: 'string', default: 'busybox' },
    cmd: { type: 'string', default: 'sleep infinity' },
    cpus: { type: 'string', default: '0.1' },
    'memory-mb': { type: 'string', default: '32' },
    'run-timeout-seconds': { type: 'string', default: '120' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/' },
    // createDb's default for a server; tests use fewer.
    'db-pool': { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'warn' },
  },
});

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
  image: values.image!,
  cmd: values.cmd!.split(/\s+/).filter(Boolean),
  cpus: positive('cpus'),
  memoryMb: positive('memory-mb'),
  runTimeoutSeconds: positive('run-timeout-seconds'),
  dbPool: positive('db-pool'),
};
// What `docker run` asks for with --cpus and -m, and what the Docker CLI speaks.
const API = '/v1.50';
const NANO_CPUS = Math.round(params.cpus * 1e9);
const LABEL = 'bench.tenant';

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

/** Latencies and failures of one kind of request. */
class Operation {
  readonly latencies: number[] = [];
  count = 0;
  errors = 0;
  private readonly messages = new Map<string, number>();

  async time<T>(run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const result = await run();
      this.record(performance.now() - t0);
      return result;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  record(ms: number): void {
    this.count++;
    this.latencies.push(ms);
  }

  /** A failed attempt; `counted` when its attempt was already recorded (a wrong answer). */
  fail(error: unknown, counted = false): void {
    if (!counted) this.count++;
    this.errors++;
    // Ids make every message distinct; without them the same failure counts as one.
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/\b[0-9a-f]{12,64}\b/g, '<id>')
      .slice(0, 200);
    this.messages.set(message, (this.messages.get(message) ?? 0) + 1);
  }

  report(seconds: number) {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      count: this.count,
      errors: this.errors,
      ...(this.errors > 0
        ? { errorMessages: Object.fromEntries([...this.messages].slice(0, 5)) }
        : {}),
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p90: round(percentile(sorted, 90)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? 0),
      },
      perSecond: round(sorted.length / seconds),
    };
  }
}

const ops = {
  create: new Operation(),
  wait: new Operation(),
  start: new Operation(),
  inspect: new Operation(),
  run: new Operation(),
  ps: new Operation(),
};

interface ContainerSummary {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string> | null;
}

/** One tenant's docker client: its own token and its own connections. */
class TenantClient {
  /** Ids of the containers whose create was answered. */
  readonly created = new Set<string>();
  readonly dispatcher = new Agent({ keepAliveTimeout: 60_000 });
  nextRun = 0;
  runsDone = 0;
  foreignSeen = 0;
  missedSeen = 0;

  constructor(
    readonly slug: string,
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call(method: 'GET' | 'POST', path: string, body?: unknown) {
    const response = await request(`${this.baseUrl}${API}${path}`, {
      method,
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.statusCode >= 400) {
      const text = await response.body.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // Not Docker's JSON error: keep the raw text.
      }
      throw new Error(`${response.statusCode} ${method} ${path.split('?')[0]}: ${message}`);
    }
    return response;
  }

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return (await (await this.call(method, path, body)).body.json()) as T;
  }

  /** What `docker run -d` sends, then inspect until the container runs. */
  async run(n: number): Promise<void> {
    const t0 = performance.now();
    const name = `${this.slug}-${n}`;
    const { Id: id } = await ops.create.time(() =>
      this.json<{ Id: string }>('POST', `/containers/create?name=${name}`, {
        Image: params.image,
        Cmd: params.cmd,
        Labels: { [LABEL]: this.slug },
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
        OpenStdin: false,
        HostConfig: {
          NanoCpus: NANO_CPUS,
          Memory: params.memoryMb * 1024 * 1024,
          NetworkMode: 'default',
          RestartPolicy: { Name: 'no' },
        },
      }),
    );
    this.created.add(id);
    // The CLI opens the wait before it starts, and drops it once start is answered.
    const wait = await ops.wait.time(() =>
      this.call('POST', `/containers/${id}/wait?condition=next-exit`),
    );
    try {
      await ops.start.time(async () =>
        (await this.call('POST', `/containers/${id}/start`)).body.dump(),
      );
    } finally {
      wait.body.destroy();
    }
    const deadline = t0 + params.runTimeoutSeconds * 1000;
    for (;;) {
      const view = await ops.inspect.time(() =>
        this.json<{ State: { Status: string; Error?: string } }>('GET', `/containers/${id}/json`),
      );
      if (view.State.Status === 'running') break;
      if (view.State.Status === 'exited' || view.State.Status === 'dead')
        throw new Error(`container ${view.State.Status}: ${view.State.Error ?? ''}`);
      if (performance.now() > deadline)
        throw new Error(`still ${view.State.Status} after ${params.runTimeoutSeconds} s`);
      await sleep(250);
    }
    ops.run.record(performance.now() - t0);
  }

  /**
   * `docker ps -a`, checked: nothing of another tenant, nothing of this one left
   * out (every container whose create was answered before the request went).
   */
  async ps(op = ops.ps): Promise<ContainerSummary[]> {
    const known = [...this.created];
    const list = await op.time(() =>
      this.json<ContainerSummary[]>('GET', '/containers/json?all=1'),
    );
    const foreign = list.filter(
      (c) => c.Labels?.[LABEL] !== this.slug || !c.Names[0]?.startsWith(`/${this.slug}-`),
    );
    const listed = new Set(list.map((c) => c.Id));
    const missed = known.filter((id) => !listed.has(id));
    this.foreignSeen += foreign.length;
    this.missedSeen += missed.length;
    if (foreign.length > 0)
      op.fail(new Error(`ps showed another tenant's container: ${foreign[0]!.Names[0]}`), true);
    if (missed.length > 0)
      op.fail(new Error(`ps left out ${missed.length} of the tenant's containers`), true);
    return list;
  }

  async worker(): Promise<void> {
    for (;;) {
      const n = this.nextRun++;
      if (n >= params.runsPerTenant) return;
      try {
        await this.run(n);
      } catch (error) {
        // create, wait, start and inspect count their own failures; run counts every one.
        ops.run.fail(error);
      }
      if (++this.runsDone % params.psEvery === 0) await this.ps().catch(() => undefined);
    }
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  let sim: SimProcess | undefined;
  let shoal: RunningShoal | undefined;
  let closeDb: (() => Promise<void>) | undefined;
  const clients: TenantClient[] = [];
  let cleaned: Promise<void> | undefined;
  // Once only, from the end of main or from a signal: the emulator runs in its own
  // process group and the database lives on the server, so neither dies with us.
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await Promise.all(clients.map((c) => c.dispatcher.close().catch(() => undefined)));
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
    sim = await startSim(['--agents', String(params.agents)]);
    log(`emulator with ${params.agents} agents at ${sim.masters.join(',')}`);
    const db = await createTestDatabase({
      serverUrl: values['database-url']!,
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
    const quota = {
      quotaCpusLimit: Math.ceil(params.runsPerTenant * params.cpus * 2),
      quotaMemLimit: Math.ceil(params.runsPerTenant * params.memoryMb * 2),
    };
    const roles: string[] = [];
    for (let i = 0; i < params.tenants; i++) {
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
      clients.push(new TenantClient(tenant.slug, baseUrl, secret));
    }
    // Measure steady state, not the framework catching up with new roles.
    await waitFor('the framework to subscribe with every tenant role', () => {
      const framework = services.cluster.framework();
      return framework.subscribed && roles.every((r) => framework.roles.includes(r));
    });
    log(
      `${params.tenants} tenants ready; load starts (control plane ${shoal.controlPlane.url}, Docker API ${baseUrl})`,
    );

    const total = params.tenants * params.runsPerTenant;
    const started = performance.now();
    const progress = setInterval(() => {
      log(
        `runs ${ops.run.latencies.length}/${total} (${ops.run.errors} failed), ps ${ops.ps.latencies.length}`,
      );
    }, 5_000);
    await Promise.all(
      clients.flatMap((c) => Array.from({ length: params.concurrencyPerTenant }, () => c.worker())),
    );
    clearInterval(progress);
    const seconds = (performance.now() - started) / 1000;
    log(`load done in ${round(seconds)} s; accounting`);

    // The end state, through the same front door the tenants use.
    let running = 0;
    let missing = 0;
    let unexpected = 0;
    const notRunning: Record<string, number> = {};
    const finalPs = new Operation();
    const accountingStarted = performance.now();
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
    const accountingSeconds = (performance.now() - accountingStarted) / 1000;
    const mesos = (await (await request(`${sim.masters[0]!}/sim/v1/state`)).body.json()) as {
      tasks: number;
    };
    const usage = process.resourceUsage();

    console.log(
      JSON.stringify(
        {
          benchmark: 'docker-load',
          params: { ...params, cmd: params.cmd.join(' '), quotaPerTenant: quota },
          wallSeconds: round(seconds),
          operations: Object.fromEntries(
            Object.entries(ops).map(([name, op]) => [name, op.report(seconds)]),
          ),
          finalPs: finalPs.report(accountingSeconds),
          psChecks: {
            foreignContainers: clients.reduce((n, c) => n + c.foreignSeen, 0),
            missedContainers: clients.reduce((n, c) => n + c.missedSeen, 0),
          },
          containers: {
            expected: total,
            created: clients.reduce((n, c) => n + c.created.size, 0),
            running,
            notRunning,
            missing,
            unexpected,
            runningInDatabase: await db.prisma.container.count({ where: { state: 'RUNNING' } }),
            mesosTasks: mesos.tasks,
          },
          process: {
            rssMb: round(process.memoryUsage().rss / 1_048_576),
            maxRssMb: round(usage.maxRSS / 1024),
            cpuSeconds: round((usage.userCPUTime + usage.systemCPUTime) / 1e6),
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
