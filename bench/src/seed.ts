// Fills the cluster for the read measurements: containers created and started through
// Shoal's services directly (as framework-launch drives them), not over HTTP, because
// tens of thousands of `docker run` over HTTP would take longer than the benchmark
// itself. They are real containers all the same: rows in Shoal's database, tasks
// running on the emulated cluster, listed by `docker ps` like any other.
import type { RunningShoal } from '@shoal/server';
import { TENANT_LABEL, type RunSpec } from './docker-client';
import { round } from './support';

export interface SeedPlan {
  /** Containers the cluster should hold in all once seeded. */
  clusterContainers: number;
  /** Containers the reading tenant (the first client) should hold. */
  tenantContainers: number;
  /** Containers in the cluster already. */
  present: number;
  concurrency: number;
}

export interface SeedResult {
  via: string;
  containers: number;
  running: number;
  errors: number;
  errorMessages?: Record<string, number>;
  seconds: number;
  perSecond: number;
}

/**
 * Brings the reading tenant to `tenantContainers` and the cluster to `clusterContainers`,
 * the rest spread over the other tenants. Quotas are raised first to fit, so admission
 * refuses none. `created` is what each tenant holds already; the seeded ids come back by
 * tenant, for `docker ps` to be checked for them too.
 */
export async function seedCluster(
  shoal: RunningShoal,
  clients: { slug: string; tenantId: string; created: number }[],
  spec: RunSpec,
  plan: SeedPlan,
  log: (line: string) => void,
): Promise<{ report: SeedResult; created: Record<string, string[]> }> {
  const [reader, ...others] = clients;
  if (!reader) throw new Error('no tenant to seed');
  const want = new Map<(typeof clients)[number], number>();
  want.set(reader, Math.max(0, plan.tenantContainers - reader.created));
  let rest = Math.max(0, plan.clusterContainers - plan.present - want.get(reader)!);
  others.forEach((c, i) => {
    const share = Math.ceil(rest / (others.length - i));
    want.set(c, share);
    rest -= share;
  });

  const { services } = shoal;
  for (const [c, n] of want) {
    const room = (c.created + n) * 2;
    await services.tenants.setQuota(
      c.tenantId,
      {
        quotaCpusLimit: Math.ceil(room * spec.cpus),
        quotaMemLimit: Math.ceil(room * spec.memoryMb),
      },
      'bench',
    );
  }

  const jobs = [...want].flatMap(([c, n]) =>
    Array.from({ length: n }, (_, i) => ({ c, name: `${c.slug}-seed-${i}` })),
  );
  // Tenants interleaved, as many callers of many tenants would arrive.
  jobs.sort((a, b) => Number(a.name.split('-').at(-1)) - Number(b.name.split('-').at(-1)));
  const messages = new Map<string, number>();
  const created: Record<string, string[]> = {};
  let running = 0;
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const progress = setInterval(
    () => log(`seeded ${running + errors}/${jobs.length} (${errors} failed)`),
    5_000,
  );
  const worker = async () => {
    for (let job = jobs[next++]; job; job = jobs[next++]) {
      const { c, name } = job;
      try {
        const view = await services.containers.create(
          c.tenantId,
          {
            name,
            image: spec.image,
            cmd: spec.cmd,
            cpus: spec.cpus,
            memoryMb: spec.memoryMb,
            labels: { [TENANT_LABEL]: c.slug },
          },
          'bench',
        );
        (created[c.slug] ??= []).push(view.id);
        const after = await services.containers.start(c.tenantId, view.id, 'bench');
        if (after.state !== 'running') throw new Error(`seeded container ${after.state}`);
        running++;
      } catch (error) {
        errors++;
        const message = String((error as Error).message).slice(0, 160);
        messages.set(message, (messages.get(message) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  clearInterval(progress);
  const seconds = (performance.now() - started) / 1000;
  const report: SeedResult = {
    via: 'Shoal services called directly (create, then start until running), not HTTP',
    containers: jobs.length,
    running,
    errors,
    ...(errors > 0 ? { errorMessages: Object.fromEntries([...messages].slice(0, 5)) } : {}),
    seconds: round(seconds),
    perSecond: round(jobs.length / seconds),
  };
  return { report, created };
}
