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

/** Runs before the latest whose output `docker logs` shows (a crash-looping container has many). */
const EARLIER_RUNS = 50;

type LoggedTask = Pick<
  ContainerRow['tasks'][number],
  'id' | 'mesosTaskId' | 'agentId' | 'agentEndpoint' | 'state' | 'updatedAt'
>;

/**
 * `docker logs`: what the container's latest run wrote, or with `allRuns` every run, as
 * Docker keeps its log across restarts: the stdout and stderr of each task in its sandbox
 * on its agent, each line dated by the LogClock, in the order written; with `follow`, the
 * latest task's until it ends, `until` passes or `signal` aborts.
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
  const files = [
    options.stdout ? 'stdout' : undefined,
    options.stderr ? 'stderr' : undefined,
  ].filter((f): f is 'stdout' | 'stderr' => f !== undefined);
  const readersOf = (t: LoggedTask) =>
    Promise.all(
      files.map(
        async (file) =>
          new DatedLogReader(
            sandbox,
            from.clock,
            {
              id: t.id,
              mesosTaskId: t.mesosTaskId,
              agentId: t.agentId!,
              agentEndpoint: t.agentEndpoint,
            },
            file,
            await from.clock.marks(t.id, file),
          ),
      ),
    );
  const wanted = (l: LogLine) =>
    (!options.since || l.at >= options.since) && (!options.until || l.at <= options.until);

  // Earlier runs have ended: all they wrote, once, each run after the one before. A sandbox
  // the agent has since removed (or an agent gone) leaves that run out, not the rest.
  async function* earlierLines(): AsyncIterable<LogLine> {
    const runs = options.allRuns ? await earlierRuns(from, container.id, task!.id) : [];
    for (const run of runs) {
      const lines: AsyncIterable<LogLine> = (async function* () {
        yield* inTimeOrder(await readersOf(run), run.updatedAt, true);
      })();
      try {
        for await (const line of lines) yield line;
      } catch {
        continue;
      }
    }
  }

  const readers = await readersOf(task);
  let endedAt = isTerminal(task.state) ? task.updatedAt : undefined;
  const firstPass = async function* (): AsyncIterable<LogLine> {
    yield* earlierLines();
    // An ended task writes no more: its last line is whole even without its newline.
    yield* inTimeOrder(readers, endedAt, endedAt !== undefined);
  };
  // Streamed, a piece at a time, as the client takes them; only --tail N holds N lines.
  if (options.tail !== undefined) {
    const tail = options.tail;
    let last: LogLine[] = [];
    for await (const line of firstPass()) {
      if (!wanted(line)) continue;
      last.push(line);
      if (last.length > 2 * tail + 1024) last = last.slice(-tail);
    }
    yield* tail === 0 ? [] : last.slice(-tail);
  } else {
    for await (const line of firstPass()) if (wanted(line)) yield line;
  }
  for (;;) {
    if (!options.follow || endedAt || signal?.aborted || from.closing.aborted) return;
    if (options.until && Date.now() > options.until.getTime()) return;
    const now = await from.prisma.task.findUnique({
      where: { id: task.id },
      select: { state: true, updatedAt: true },
    });
    if (!now || isTerminal(now.state)) {
      endedAt = now?.updatedAt ?? new Date();
      for await (const line of inTimeOrder(readers, endedAt, true)) if (wanted(line)) yield line;
      return;
    }
    await sleep(from.pollMs, signal);
    if (signal?.aborted) return;
    for await (const line of inTimeOrder(readers, endedAt, false)) if (wanted(line)) yield line;
  }
}

/**
 * What the readers (a task's stdout and stderr) have to read now, as one sequence in the
 * order written, holding at most one read's worth of each file at a time.
 */
async function* inTimeOrder(
  readers: DatedLogReader[],
  endedAt: Date | undefined,
  flush: boolean,
): AsyncIterable<LogLine> {
  // Each reader's lines read and not yet given, from `next` on.
  const pending = readers.map(() => ({ lines: [] as LogLine[], next: 0, done: false }));
  for (;;) {
    for (const [i, reader] of readers.entries()) {
      const own = pending[i]!;
      while (own.next === own.lines.length && !own.done) {
        const { lines, more } = await reader.readSome(endedAt, flush);
        Object.assign(own, { lines, next: 0, done: !more });
      }
    }
    let earliest: (typeof pending)[number] | undefined;
    for (const own of pending) {
      const head = own.lines[own.next];
      if (head && (!earliest || head.at < earliest.lines[earliest.next]!.at)) earliest = own;
    }
    if (!earliest) return;
    yield earliest.lines[earliest.next++]!;
  }
}

/** The container's runs before `latest` that reached an agent, oldest first. */
async function earlierRuns(
  from: LogSources,
  containerId: string,
  latest: string,
): Promise<LoggedTask[]> {
  const runs = await from.prisma.task.findMany({
    where: { containerId, id: { not: latest }, agentId: { not: null }, state: { not: PENDING } },
    orderBy: { launchedAt: 'desc' },
    take: EARLIER_RUNS,
    select: {
      id: true,
      mesosTaskId: true,
      agentId: true,
      agentEndpoint: true,
      state: true,
      updatedAt: true,
    },
  });
  return runs.reverse();
}
