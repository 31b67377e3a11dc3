// The emulator's own ceiling: how fast a framework with no database, no HTTP
// front door and no placement logic gets tasks to RUNNING on the same emulated
// cluster. Benchmarks print it beside Shoal's figure, so a run on a busy
// machine still says how close Shoal comes to what the cluster allows.
import { SchedulerClient, type Offer, type TaskInfo } from '@shoal/mesos';
import { cpuMeter, percentile, round } from './support';

export interface CeilingOptions {
  masters: string[];
  roles: string[];
  /** Tasks to bring to RUNNING in all. */
  tasks: number;
  /** Callers, each submitting one task and waiting for it to run before the next. */
  concurrency: number;
  cpus: number;
  memMb: number;
  image: string;
}

export interface CeilingResult {
  launchesPerSecond: number;
  runToRunningMs: { p50: number; p99: number; max: number };
  wallSeconds: number;
  /** CPU time per launched task, in microseconds: where the machine's two cores went. */
  cpuMicrosPerTask: { framework: number; emulator: number };
  /** Scheduler calls the master answered per launched task, by type. */
  callsPerTask: Record<string, number>;
  /** Offers the master made per launched task. */
  offersPerTask: number;
}

interface Waiting {
  taskId: string;
  role: string;
  submittedAt: number;
  running: () => void;
}

/**
 * Subscribes as a framework of its own (a fresh framework id, the given roles),
 * puts every waiting task of an offer's role into that offer, acknowledges
 * every update at once, and counts each task from its submission to TASK_RUNNING.
 */
export async function measureCeiling(options: CeilingOptions): Promise<CeilingResult> {
  const client = new SchedulerClient({ masters: options.masters });
  const queues = new Map<string, Waiting[]>(options.roles.map((r) => [r, []]));
  const launched = new Map<string, Waiting>();
  const subscription = await client.subscribe({
    user: 'root',
    name: 'shoal-ceiling',
    roles: options.roles,
    failover_timeout: 0,
    capabilities: (['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'] as const).map(
      (type) => ({ type }),
    ),
  });

  // Offers are held while their role may get work, and each waiting task goes
  // into the first held offer of its role that fits.
  const held = new Map<string, Offer[]>(options.roles.map((r) => [r, []]));
  const free = (offer: Offer, name: string) =>
    (offer.resources ?? [])
      .filter((r) => r.name === name && !r.revocable)
      .reduce((sum, r) => sum + (r.scalar?.value ?? 0), 0);
  const place = (role: string) => {
    const queue = queues.get(role)!;
    const offers = held.get(role)!;
    while (queue.length > 0 && offers.length > 0) {
      const offer = offers.shift()!;
      let cpus = free(offer, 'cpus');
      let mem = free(offer, 'mem');
      const tasks: TaskInfo[] = [];
      while (queue.length > 0 && cpus >= options.cpus - 1e-9 && mem >= options.memMb) {
        const waiting = queue.shift()!;
        cpus -= options.cpus;
        mem -= options.memMb;
        launched.set(waiting.taskId, waiting);
        tasks.push(taskInfo(waiting.taskId, offer, role, options));
      }
      const call =
        tasks.length === 0
          ? client.decline([offer.id], { refuse_seconds: 0 })
          : client.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: tasks } }], {
              refuse_seconds: 0,
            });
      void call.catch(() => undefined);
    }
  };

  const pump = (async () => {
    for await (const item of subscription) {
      if (item.type === 'OFFERS') {
        const roles = new Set<string>();
        for (const offer of item.offers?.offers ?? []) {
          const role = offer.allocation_info?.role ?? '';
          held.get(role)?.push(offer);
          roles.add(role);
        }
        for (const role of roles) place(role);
      }
      if (item.type === 'RESCIND' && item.rescind)
        for (const offers of held.values()) {
          const i = offers.findIndex((o) => o.id.value === item.rescind!.offer_id.value);
          if (i >= 0) offers.splice(i, 1);
        }
      if (item.type === 'UPDATE' && item.update) {
        const { status } = item.update;
        if (status.uuid && status.agent_id)
          void client
            .acknowledge(status.agent_id, status.task_id, status.uuid)
            .catch(() => undefined);
        if (status.state === 'TASK_RUNNING') {
          launched.get(status.task_id.value)?.running();
          launched.delete(status.task_id.value);
        }
      }
    }
  })();

  const latencies: number[] = [];
  let next = 0;
  const meter = await cpuMeter(options.masters[0]!);
  const started = performance.now();
  const caller = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.tasks) return;
      const role = options.roles[i % options.roles.length]!;
      const submittedAt = performance.now();
      await new Promise<void>((running) => {
        queues.get(role)!.push({ taskId: `ceiling-${i}`, role, submittedAt, running });
        if (held.get(role)!.length > 0) place(role);
        // A role with no offers in hand asks for more at once.
        else void client.revive([role]).catch(() => undefined);
      });
      latencies.push(performance.now() - submittedAt);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  const { cpuMicrosPerTask, callsPerTask, offersPerTask } = await meter(options.tasks);

  // Leaves the cluster as it found it: a framework with failover_timeout 0 is
  // torn down (its tasks killed) once its connection closes.
  await client.teardown().catch(() => undefined);
  await subscription.close();
  await pump.catch(() => undefined);
  await client.close();

  latencies.sort((a, b) => a - b);
  return {
    launchesPerSecond: round(options.tasks / seconds),
    runToRunningMs: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
    wallSeconds: round(seconds),
    cpuMicrosPerTask: { framework: cpuMicrosPerTask.shoal, emulator: cpuMicrosPerTask.emulator },
    callsPerTask,
    offersPerTask,
  };
}

function taskInfo(taskId: string, offer: Offer, role: string, options: CeilingOptions): TaskInfo {
  const scalar = (name: string, value: number) => ({
    name,
    type: 'SCALAR' as const,
    scalar: { value },
    allocation_info: { role },
  });
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: [scalar('cpus', options.cpus), scalar('mem', options.memMb)],
    command: { shell: false },
    container: { type: 'DOCKER', docker: { image: options.image, network: 'BRIDGE' } },
  };
}
