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

/** A piece of a line and the reader (one file of one run) it came from. */
interface Piece {
  piece: LogLine;
  reader: DatedLogReader;
}

/**
 * One line of one file. A line longer than a read comes in several pieces, perhaps with
 * the other file's lines between them: whether it is given is decided once, for all of it.
 */
interface Line {
  given: boolean;
}

/** A read of the database that failed: no answer, to be asked again. */
const UNREAD = Symbol('unread');

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
  // Each reader's line whose last piece so far had no newline: its next piece goes with it.
  const open = new Map<DatedLogReader, Line>();
  // A line is dated, for --since and --until, by its first piece, the only one known when
  // it must be decided without holding the rest.
  const lineOf = ({ piece, reader }: Piece): { line: Line; first: boolean } => {
    const going = open.get(reader);
    const line = going ?? { given: wanted(piece) };
    if (piece.text.endsWith('\n')) open.delete(reader);
    else open.set(reader, line);
    return { line, first: !going };
  };

  // Earlier runs have ended: all they wrote, once, each run after the one before. A sandbox
  // the agent has since removed (or an agent gone) leaves that run out, not the rest.
  async function* earlierLines(): AsyncIterable<Piece> {
    const runs = options.allRuns ? await earlierRuns(from, container.id, task!.id) : [];
    for (const run of runs) {
      let runReaders: DatedLogReader[] = [];
      const lines: AsyncIterable<Piece> = (async function* () {
        runReaders = await readersOf(run);
        yield* inTimeOrder(runReaders, run.updatedAt, true);
      })();
      try {
        for await (const line of lines) yield line;
      } catch {
        continue;
      } finally {
        // A run's last line is over when the run is: a follower need not keep its reader.
        for (const reader of runReaders) open.delete(reader);
      }
    }
  }

  const readers = await readersOf(task);
  let endedAt = isTerminal(task.state) ? task.updatedAt : undefined;
  const firstPass = async function* (): AsyncIterable<Piece> {
    yield* earlierLines();
    // An ended task writes no more: its last line is whole even without its newline.
    yield* inTimeOrder(readers, endedAt, endedAt !== undefined);
  };
  // Streamed, a piece at a time, as the client takes them; only --tail N holds N lines (and
  // all their pieces), counting a line once however many pieces it came in.
  if (options.tail !== undefined) {
    const tail = options.tail;
    // Lines by their first piece, oldest first: only the last `tail` are still given.
    const lines: Line[] = [];
    // Their pieces so far, each with its place among all pieces read.
    const held = new Map<Line, [number, LogLine][]>();
    let read = 0;
    for await (const p of firstPass()) {
      const { line, first } = lineOf(p);
      if (first && line.given) {
        lines.push(line);
        held.set(line, []);
        const older = lines[lines.length - 1 - tail];
        // Let go at once; the rest of it, should it still be written, is left out too.
        if (older) {
          older.given = false;
          held.delete(older);
        }
        if (lines.length > 2 * tail + 1024) lines.splice(0, lines.length - tail);
      }
      if (line.given) held.get(line)!.push([read++, p.piece]);
    }
    // Newest first, so each is let go as it is given: a follower then holds none of them.
    const last = [...held.values()].flat().sort(([a], [b]) => b - a);
    held.clear();
    lines.length = 0;
    while (last.length > 0) yield last.pop()![1];
  } else {
    for await (const p of firstPass()) if (lineOf(p).line.given) yield p.piece;
  }
  for (;;) {
    if (!options.follow || endedAt || signal?.aborted || from.closing.aborted) return;
    if (options.until && Date.now() > options.until.getTime()) return;
    const now = await from.prisma.task
      .findUnique({ where: { id: task.id }, select: { state: true, updatedAt: true } })
      // The database did not answer (restarting, say): the files are still read, and
      // whether the task has ended is asked again next time round.
      .catch((): typeof UNREAD => UNREAD);
    if (now !== UNREAD && (!now || isTerminal(now.state))) {
      endedAt = now?.updatedAt ?? new Date();
      for await (const p of inTimeOrder(readers, endedAt, true))
        if (lineOf(p).line.given) yield p.piece;
      return;
    }
    await sleep(from.pollMs, signal);
    if (signal?.aborted) return;
    for await (const p of inTimeOrder(readers, endedAt, false))
      if (lineOf(p).line.given) yield p.piece;
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
): AsyncIterable<Piece> {
  // Each reader's lines read and not yet given, from `next` on.
  const pending = readers.map((reader) => ({
    reader,
    lines: [] as LogLine[],
    next: 0,
    done: false,
  }));
  for (;;) {
    for (const own of pending) {
      while (own.next === own.lines.length && !own.done) {
        const { lines, more } = await own.reader.readSome(endedAt, flush);
        Object.assign(own, { lines, next: 0, done: !more });
      }
    }
    let earliest: (typeof pending)[number] | undefined;
    for (const own of pending) {
      const head = own.lines[own.next];
      if (head && (!earliest || head.at < earliest.lines[earliest.next]!.at)) earliest = own;
    }
    if (!earliest) return;
    yield { piece: earliest.lines[earliest.next++]!, reader: earliest.reader };
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
