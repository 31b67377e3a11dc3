// The tenants' side of docker-load, in a process of its own: every tenant's docker
// client and the phases they run (the load, a lone tenant's runs one at a time, the
// reads, the end check). Its own process so that the clients' CPU and event loop are
// not Shoal's: the benchmark's process then holds Shoal alone, as a server would.
// Driven over IPC by TenantProcess (tenant-process.ts); nothing goes to stdout.
import { Operation, TenantClient, type RunOperations, type RunSpec } from './docker-client';
import { edgeRates, log, ownCpuSeconds, percentile, round } from './support';

export interface TenantLogin {
  slug: string;
  token: string;
}

const newRunOperations = (): RunOperations => ({
  create: new Operation(),
  wait: new Operation(),
  start: new Operation(),
  inspect: new Operation(),
  run: new Operation(),
});

const reportAll = (ops: RunOperations, seconds: number) =>
  Object.fromEntries(Object.entries(ops).map(([name, op]) => [name, op.report(seconds)]));

let spec: RunSpec | undefined;
const clients = new Map<string, TenantClient>();

function client(slug: string): TenantClient {
  const found = clients.get(slug);
  if (!found) throw new Error(`no tenant ${slug} in the client process`);
  return found;
}

function runSpec(): RunSpec {
  if (!spec) throw new Error('the client process was not given its tenants');
  return spec;
}

export const phases = {
  /** One client per tenant, each with its own token and its own connections. */
  async init(options: { baseUrl: string; spec: RunSpec; tenants: TenantLogin[] }) {
    spec = options.spec;
    for (const { slug, token } of options.tenants)
      clients.set(slug, new TenantClient(slug, options.baseUrl, token));
  },

  /** Every given tenant runs its containers at once, as `docker run -d` does, listing them as it goes. */
  async load(options: {
    slugs: string[];
    runsPerTenant: number;
    concurrencyPerTenant: number;
    psEvery: number;
  }) {
    const ops = newRunOperations();
    const ps = new Operation();
    const total = options.slugs.length * options.runsPerTenant;
    const cpuBefore = ownCpuSeconds();
    const started = performance.now();
    const doneAt: number[] = [];
    const progress = setInterval(
      () => log(`runs ${ops.run.latencies.length}/${total} (${ops.run.errors} failed)`),
      5_000,
    );
    await Promise.all(
      options.slugs.map(client).flatMap((tenant) => {
        let next = 0;
        let done = 0;
        const worker = async () => {
          for (;;) {
            const n = next++;
            if (n >= options.runsPerTenant) return;
            try {
              await tenant.run(`${tenant.slug}-${n}`, runSpec(), ops);
              doneAt.push(performance.now());
            } catch (error) {
              // create, wait, start and inspect count their own failures; run counts every one.
              ops.run.fail(error);
            }
            if (++done % options.psEvery === 0) await tenant.ps(ps).catch(() => undefined);
          }
        };
        return Array.from({ length: options.concurrencyPerTenant }, worker);
      }),
    );
    clearInterval(progress);
    const seconds = (performance.now() - started) / 1000;
    const runs = ops.run.latencies.length;
    return {
      runs,
      seconds,
      firstAndLastThousand: edgeRates(doneAt, started, 'runs'),
      clientCpuMicrosPerRun: round(((ownCpuSeconds() - cpuBefore) * 1e6) / Math.max(1, runs)),
      operations: reportAll(ops, seconds),
      ps: ps.report(seconds),
    };
  },

  /**
   * A lone tenant's `docker run -d`, one after another, on a cluster otherwise idle:
   * each should be running within one allocation interval (plus a little).
   */
  async sequential(options: { slug: string; runs: number; allocationIntervalMs: number }) {
    const tenant = client(options.slug);
    const ops = newRunOperations();
    const startedToRunning: number[] = [];
    const began = performance.now();
    for (let n = 0; n < options.runs; n++) {
      try {
        startedToRunning.push(await tenant.run(`${tenant.slug}-seq-${n}`, runSpec(), ops));
      } catch (error) {
        ops.run.fail(error);
      }
    }
    startedToRunning.sort((a, b) => a - b);
    const p99 = round(percentile(startedToRunning, 99));
    const bound = options.allocationIntervalMs + 50;
    return {
      runs: options.runs,
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
  },

  /**
   * One request, `count` times, `concurrency` at once, through the tenant's client and
   * its kept-alive connections; any failure fails the phase. For request-cost.ts.
   */
  async repeat(options: {
    slug: string;
    method: 'GET' | 'POST';
    path: string;
    count: number;
    concurrency: number;
  }) {
    const tenant = client(options.slug);
    let left = options.count;
    const worker = async () => {
      while (left-- > 0) await (await tenant.call(options.method, options.path)).body.dump();
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  },

  /** How many containers each tenant has created so far, by slug. */
  async createdCounts() {
    return Object.fromEntries([...clients].map(([slug, c]) => [slug, c.created.size]));
  },

  /** Containers made for a tenant outside its client (the seeding): its `docker ps` must list them too. */
  async adopt(created: Record<string, string[]>) {
    for (const [slug, ids] of Object.entries(created))
      for (const id of ids) client(slug).created.add(id);
  },

  /** `docker ps -a` and `docker info`, one after another, as one tenant sees them. */
  async reads(options: { slug: string; reads: number }) {
    const tenant = client(options.slug);
    const ps = new Operation();
    const info = new Operation();
    const started = performance.now();
    for (let i = 0; i < options.reads; i++) {
      await tenant.ps(ps).catch(() => undefined);
      await tenant.info(info).catch(() => undefined);
    }
    const seconds = (performance.now() - started) / 1000;
    return { ps: ps.report(seconds), info: info.report(seconds) };
  },

  /**
   * The end state, through the same front door the tenants use: every container a
   * tenant created is listed and running, and nothing else is listed.
   */
  async endCheck(options: { slugs: string[] }) {
    let running = 0;
    let missing = 0;
    let unexpected = 0;
    const notRunning: Record<string, number> = {};
    const finalPs = new Operation();
    for (const tenant of options.slugs.map(client)) {
      const list = await tenant.ps(finalPs);
      const byId = new Map(list.map((c) => [c.Id, c]));
      for (const id of tenant.created) {
        const state = byId.get(id)?.State;
        if (state === undefined) missing++;
        else if (state === 'running') running++;
        else notRunning[state] = (notRunning[state] ?? 0) + 1;
      }
      unexpected += list.filter((c) => !tenant.created.has(c.Id)).length;
    }
    const all = [...clients.values()];
    return {
      created: options.slugs.reduce((n, slug) => n + client(slug).created.size, 0),
      running,
      notRunning,
      missing,
      unexpected,
      psChecks: {
        foreignContainers: all.reduce((n, c) => n + c.foreignSeen, 0),
        missedContainers: all.reduce((n, c) => n + c.missedSeen, 0),
      },
    };
  },

  async close() {
    await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
  },
};

export type TenantPhases = typeof phases;

export interface PhaseCall {
  id: number;
  phase: keyof TenantPhases;
  options: unknown;
}

export type PhaseAnswer = { id: number; result: unknown } | { id: number; error: string };

process.on('message', (message: PhaseCall) => {
  const run = phases[message.phase] as (options: unknown) => Promise<unknown>;
  run(message.options).then(
    (result) => process.send!({ id: message.id, result } satisfies PhaseAnswer),
    (error: unknown) =>
      process.send!({
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies PhaseAnswer),
  );
});
// Ends with its parent: an IPC channel closed means nobody is left to drive it.
process.on('disconnect', () => process.exit(0));
