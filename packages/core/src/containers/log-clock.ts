import type { PrismaClient } from '@shoal/db';

export type LogStream = 'stdout' | 'stderr';

/** A file had reached `size` bytes by `at`. */
export interface LogMark {
  size: number;
  at: Date;
}

export interface NewLogMark extends LogMark {
  taskRowId: string;
  stream: LogStream;
}

/**
 * Dates log lines. Mesos sandbox files hold no times, so Shoal notes when it
 * saw each file grow: the leader samples running tasks' file sizes, every
 * reader notes what it finds, and a finished task's final size is dated at
 * its end. A line's time is the first mark covering its last byte: the latest
 * it can have been written, off by at most the sampling interval.
 */
export class LogClock {
  constructor(private readonly prisma: PrismaClient) {}

  /** Marks of one file, by size. */
  async marks(taskRowId: string, stream: LogStream): Promise<LogMark[]> {
    const rows = await this.prisma.logMark.findMany({
      where: { taskId: taskRowId, stream },
      orderBy: { size: 'asc' },
      select: { size: true, at: true },
    });
    return rows.map((r) => ({ size: Number(r.size), at: r.at }));
  }

  /**
   * Stores new marks in one statement; an empty file (or one never found) makes no mark.
   * Raw and by arrays: the sampler stores hundreds at a pass, and building them as a
   * Prisma createMany cost several times what PostgreSQL spends on them.
   */
  async record(marks: NewLogMark[]): Promise<void> {
    const kept = marks.filter((m) => m.size > 0);
    if (kept.length === 0) return;
    await this.prisma.$executeRaw`
      INSERT INTO "LogMark" ("taskId", stream, size, at)
      SELECT * FROM unnest(${kept.map((m) => m.taskRowId)}::text[],
        ${kept.map((m) => m.stream)}::text[], ${kept.map((m) => String(m.size))}::bigint[],
        ${kept.map((m) => m.at.toISOString())}::timestamp[])
      ON CONFLICT DO NOTHING`;
  }
}

/** The time of the bytes before `end`: the first mark at or past it. */
export function timeOf(marks: LogMark[], end: number): Date | undefined {
  let lo = 0;
  let hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid]!.size >= end) hi = mid;
    else lo = mid + 1;
  }
  return marks[lo]?.at;
}
