import type { PrismaClient } from '@shoal/db';
import { ShoalError } from '../errors';
import type { LogClock } from './log-clock';
import { DatedLogReader } from './log-reader';
import { isTerminal, PENDING } from './lifecycle';
import type { SandboxReader } from './ports';
import type { ContainerRow } from './rows';
import { sleep } from './sleep';
import type { LogLine, LogOptions } from './types';

/** What reading a container's logs needs. */
export interface LogSources {
  resolve(tenantId: string, ref: string): Promise<ContainerRow>;
  sandbox: SandboxReader | undefined;
  clock: LogClock;
  prisma: PrismaClient;
  /** How often a followed log polls the agent. */
  pollMs: number;
  /** Aborted on shutdown, so followed logs end at once. */
  closing: AbortSignal;
}

/**
 * `docker logs`: the latest task's stdout and stderr from its sandbox on its agent,
 * each line dated by the LogClock; with `follow`, until the task ends or `signal` aborts.
 */
export async function* readLogs(
  from: LogSources,
  tenantId: string,
  ref: string,
  options: LogOptions,
  signal?: AbortSignal,
): AsyncIterable<LogLine> {
  const container = await from.resolve(tenantId, ref);
  const task = container.tasks[0];
  if (!task || !task.agentId || task.state === PENDING) return;
  const sandbox = from.sandbox;
  if (!sandbox)
    throw new ShoalError(
      'UNAVAILABLE',
      'Logs are not available: this server has no connection to the Mesos agents',
    );
  const location = {
    mesosTaskId: task.mesosTaskId,
    agentId: task.agentId,
    agentEndpoint: task.agentEndpoint,
  };
  const files = [
    options.stdout ? 'stdout' : undefined,
    options.stderr ? 'stderr' : undefined,
  ].filter((f): f is 'stdout' | 'stderr' => f !== undefined);
  const readers = await Promise.all(
    files.map(
      async (file) =>
        new DatedLogReader(
          sandbox,
          from.clock,
          { ...location, id: task.id },
          file,
          await from.clock.marks(task.id, file),
        ),
    ),
  );
  let endedAt = isTerminal(task.state) ? task.updatedAt : undefined;
  let first = true;
  for (;;) {
    const batch: LogLine[] = [];
    for (const reader of readers) batch.push(...(await reader.readAvailable(endedAt)));
    batch.sort((a, b) => a.at.getTime() - b.at.getTime());
    let lines = options.since ? batch.filter((l) => l.at >= options.since!) : batch;
    if (first && options.tail !== undefined)
      lines = lines.slice(Math.max(0, lines.length - options.tail));
    first = false;
    for (const line of lines) yield line;
    if (!options.follow || endedAt || signal?.aborted || from.closing.aborted) return;
    const latest = await from.prisma.task.findUnique({
      where: { id: task.id },
      select: { state: true, updatedAt: true },
    });
    if (!latest || isTerminal(latest.state)) {
      endedAt = latest?.updatedAt ?? new Date();
      for (const reader of readers)
        for (const line of await reader.readAvailable(endedAt, true)) yield line;
      return;
    }
    await sleep(from.pollMs, signal);
    if (signal?.aborted) return;
  }
}
