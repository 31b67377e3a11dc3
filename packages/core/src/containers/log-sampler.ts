import { Prisma, type PrismaClient } from '@shoal/db';
import { TERMINAL_STATES } from './lifecycle';
import { sizeOf, type LogClock, type NewLogMark } from './log-clock';
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
}

/**
 * Runs on the leader and feeds the LogClock: notes the sizes of running
 * tasks' stdout and stderr, and a finished task's final sizes dated at its
 * end. A young task is sampled every pass; an old one as often as 1/200 of
 * its age, so a month-long task keeps about a thousand marks, not half a
 * million, and its old lines are dated to within 0.5% of their age.
 */
export class LogSampler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: LogClock,
    private readonly sandbox: SandboxReader,
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
    const minSpacing = `${this.options.intervalMs / 1000} seconds`;
    // Times are stored as UTC without a zone, so "now" is compared the same way.
    const due = await this.prisma.$queryRaw<DueTask[]>`
      SELECT id, "mesosTaskId", "agentId", "agentEndpoint", state, "updatedAt"
      FROM "Task"
      WHERE "agentId" IS NOT NULL AND "agentEndpoint" IS NOT NULL AND (
        (state = 'TASK_RUNNING' AND ("logsCheckedAt" IS NULL OR "logsCheckedAt" <
          (now() AT TIME ZONE 'UTC') - GREATEST(${minSpacing}::interval,
            ((now() AT TIME ZONE 'UTC') - "launchedAt") / 200)))
        OR (state IN (${Prisma.join(TERMINAL_STATES)})
          AND ("logsCheckedAt" IS NULL OR "logsCheckedAt" < "updatedAt")))
      ORDER BY "logsCheckedAt" ASC NULLS FIRST
      LIMIT ${this.options.batchSize}`;
    if (due.length === 0) return 0;
    const marks: NewLogMark[] = [];
    const queue = [...due];
    const worker = async () => {
      for (let task = queue.shift(); task; task = queue.shift())
        marks.push(...(await this.sample(task)));
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    // One write for the marks and one for the checks, however many tasks the pass covered.
    await this.clock.record(marks);
    const checkedAt = new Date();
    // Raw, so the rows' updatedAt (the end time of a finished task) stays as it is. The rows
    // are locked in id order, as the status writers lock them: in any other order, the two
    // could deadlock on a busy cluster.
    await this.prisma.$executeRaw`
      UPDATE "Task" t SET "logsCheckedAt" = ${checkedAt}
      FROM (SELECT id FROM "Task" WHERE id IN (${Prisma.join(due.map((t) => t.id))})
            ORDER BY id FOR UPDATE) locked
      WHERE t.id = locked.id`;
    return due.length;
  }

  /** The task's file sizes now; none when its agent cannot tell (it may be gone with the task). */
  private async sample(task: DueTask): Promise<NewLogMark[]> {
    // Nothing is written after a task ends, so its final size is dated at its end.
    const at = task.state === 'TASK_RUNNING' ? new Date() : task.updatedAt;
    try {
      const marks: NewLogMark[] = [];
      for (const stream of ['stdout', 'stderr'] as const)
        marks.push({
          taskRowId: task.id,
          stream,
          size: await sizeOf(this.sandbox, task, stream),
          at,
        });
      return marks;
    } catch {
      return [];
    }
  }
}
