import type { PrismaClient } from '@shoal/db';
import { isTerminal } from './lifecycle';
import type { LogClock, NewLogMark } from './log-clock';
import type { SandboxReader } from './ports';

export interface LogSamplerOptions {
  intervalMs: number;
  /** Tasks looked at per pass: with many running tasks, each is sampled less often. */
  batchSize: number;
  concurrency: number;
}

export const DEFAULT_LOG_SAMPLER_OPTIONS: LogSamplerOptions = {
  intervalMs: 2_000,
  batchSize: 200,
  concurrency: 16,
};

interface DueTask {
  id: string;
  mesosTaskId: string;
  agentId: string;
  agentEndpoint: string;
  state: string;
  updatedAt: Date;
  /** The row's version when read (xmin): the next due time is only set on that version. */
  version: string;
}

/**
 * Runs on the leader and feeds the LogClock: notes the sizes of running
 * tasks' stdout and stderr, and a finished task's final sizes dated at its
 * end. A young task is sampled every pass; an old one as often as 1/200 of
 * its age, so a month-long task keeps about a thousand marks, not half a
 * million, and its old lines are dated to within 0.5% of their age.
 *
 * Each task carries when it is next due (`logsDueAt`): the status writer sets
 * it when the task runs and when it ends, and a pass reads the earliest due
 * through a partial index, so a pass costs its batch, not the cluster's tasks.
 */
export class LogSampler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: LogClock,
    private readonly sandbox: Pick<SandboxReader, 'sizes'>,
    private readonly options: LogSamplerOptions = DEFAULT_LOG_SAMPLER_OPTIONS,
    private readonly onError: (message: string, error: unknown) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sampleOnce()
        .then(
          () => undefined,
          (error: unknown) => this.onError('sampling log sizes failed', error),
        )
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many tasks it looked at. */
  async sampleOnce(): Promise<number> {
    // Times are stored as UTC without a zone, so "now" is compared the same way.
    const due = await this.prisma.$queryRaw<DueTask[]>`
      SELECT id, "mesosTaskId", "agentId", "agentEndpoint", state, "updatedAt",
             xmin::text AS version
      FROM "Task" WHERE "logsDueAt" <= (now() AT TIME ZONE 'UTC')
      ORDER BY "logsDueAt" LIMIT ${this.options.batchSize}`;
    if (due.length === 0) return 0;
    const marks: NewLogMark[] = [];
    const queue = due.filter((t) => t.state === 'TASK_RUNNING' || isTerminal(t.state));
    const worker = async () => {
      for (let task = queue.shift(); task; task = queue.shift())
        marks.push(...(await this.sample(task)));
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    // One write for the marks and one for the next due times, however many tasks the pass covered.
    await this.clock.record(marks);
    const minSpacing = `${this.options.intervalMs / 1000} seconds`;
    // A running task is due again after 1/200 of its age; an ended one (its final sizes
    // noted) or one in between (unreachable, say) is not, until the status writer sets it
    // again. A row written since it was read (it ended meanwhile, say) is left as it is:
    // still due, it is looked at again. Raw, so the rows' updatedAt (the end time of a
    // finished task) stays as it is. The rows are locked in id order, as the status
    // writers lock them: in any other order, the two could deadlock on a busy cluster.
    await this.prisma.$executeRaw`
      UPDATE "Task" t SET "logsDueAt" = CASE WHEN t.state = 'TASK_RUNNING'
          THEN (now() AT TIME ZONE 'UTC') + GREATEST(${minSpacing}::interval,
            ((now() AT TIME ZONE 'UTC') - t."launchedAt") / 200)
          END
      FROM (SELECT k.id FROM "Task" k
            JOIN unnest(${due.map((t) => t.id)}::text[], ${due.map((t) => t.version)}::text[])
              AS seen(id, version) ON k.id = seen.id
            WHERE k.xmin::text = seen.version
            ORDER BY k.id FOR UPDATE OF k) locked
      WHERE t.id = locked.id`;
    return due.length;
  }

  /** The task's file sizes now; none when its agent cannot tell (it may be gone with the task). */
  private async sample(task: DueTask): Promise<NewLogMark[]> {
    // Nothing is written after a task ends, so its final size is dated at its end.
    const at = task.state === 'TASK_RUNNING' ? new Date() : task.updatedAt;
    const sizes = await this.sandbox.sizes(task).catch(() => undefined);
    if (!sizes) return [];
    return (['stdout', 'stderr'] as const).map((stream) => ({
      taskRowId: task.id,
      stream,
      size: sizes[stream],
      at,
    }));
  }
}
