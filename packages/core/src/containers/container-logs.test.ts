import { describe, expect, it } from 'vitest';
import type { PrismaClient } from '@shoal/db';
import { readLogs, type LogSources } from './container-logs';
import type { LogClock, LogMark, LogStream } from './log-clock';
import type { SandboxReader } from './ports';
import type { ContainerRow } from './rows';
import type { LogLine, LogOptions } from './types';

// `docker logs` over sandbox files read a mebibyte at a time: a line longer than what is
// kept whole (16 KiB) that crosses from one read into the next comes out in pieces.

const MiB = 1024 * 1024;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const ENDED = at(50);

interface Run {
  id: string;
  state: string;
  updatedAt: Date;
  files: Partial<Record<LogStream, string>>;
  marks?: Partial<Record<LogStream, LogMark[]>>;
}

const run = (id: string, files: Run['files'], marks?: Run['marks']): Run => ({
  id,
  state: 'TASK_FINISHED',
  updatedAt: ENDED,
  files,
  ...(marks ? { marks } : {}),
});

/**
 * Sources for one container whose latest run is `latest` (earlier runs before it, oldest
 * first); `polled` runs when a followed log first asks whether the latest run has ended.
 */
function sourcesOf(latest: Run, earlier: Run[] = [], polled?: () => void): LogSources {
  const runs = new Map([...earlier, latest].map((r) => [r.id, r]));
  const row = (r: Run) => ({
    id: r.id,
    mesosTaskId: r.id,
    agentId: 'a1',
    agentEndpoint: 'http://a1:5051',
    state: r.state,
    updatedAt: r.updatedAt,
  });
  // Encoded again only once a file has grown, not at every read of megabytes.
  const encoded = new Map<string, Buffer>();
  const sandbox: SandboxReader = {
    read: async (task, file, offset, length) => {
      const text = runs.get(task.mesosTaskId)!.files[file] ?? '';
      const key = `${task.mesosTaskId}/${file}`;
      if (encoded.get(key)?.length !== Buffer.byteLength(text)) encoded.set(key, Buffer.from(text));
      const bytes = encoded.get(key)!;
      return { data: bytes.subarray(offset, offset + length).toString(), offset };
    },
    sizes: async () => undefined,
  };
  const clock = {
    marks: async (id: string, stream: LogStream) => [...(runs.get(id)!.marks?.[stream] ?? [])],
    record: async () => undefined,
  };
  let asked = false;
  const prisma = {
    task: {
      findMany: async () => [...earlier].reverse().map(row),
      findUnique: async () => {
        if (!asked) polled?.();
        asked = true;
        return { state: latest.state, updatedAt: latest.updatedAt };
      },
    },
  };
  return {
    resolve: async () => ({ id: 'c1', tasks: [row(latest)] }) as unknown as ContainerRow,
    sandbox,
    clock: clock as unknown as LogClock,
    prisma: prisma as unknown as PrismaClient,
    pollMs: 5,
    closing: new AbortController().signal,
  };
}

async function logs(sources: LogSources, options: Partial<LogOptions> = {}): Promise<LogLine[]> {
  const all = { stdout: true, stderr: true, follow: false, allRuns: true, ...options };
  const lines: LogLine[] = [];
  for await (const line of readLogs(sources, 't1', 'c1', all)) lines.push(line);
  return lines;
}

const textOf = (lines: LogLine[]) => lines.map((l) => l.text).join('');
/** What each piece begins with, enough to tell lines and their pieces apart. */
const headsOf = (lines: LogLine[]) =>
  lines.map((l) => `${l.stream}:${l.text.slice(0, 3)}${l.text.endsWith('\n') ? '' : '…'}`);

describe('docker logs --tail, with lines longer than a read', () => {
  // Thirty lines of 100,000 characters: every tenth or so crosses a read's end.
  const lines = Array.from(
    { length: 30 },
    (_, i) => `L${String(i).padStart(2, '0')}${'z'.repeat(99_997)}\n`,
  );
  const sources = sourcesOf(run('long', { stdout: lines.join('') }));

  it('gives the line across a read in pieces, and all of them without --tail', async () => {
    const all = await logs(sources);
    expect(all.length).toBeGreaterThan(30);
    expect(textOf(all)).toBe(lines.join(''));
  });

  it.each([1, 5, 9, 10, 11, 19, 20, 21, 25, 29, 30, 31, 100])(
    'gives the last %i whole lines',
    async (tail) => {
      const last = await logs(sources, { tail });
      expect(textOf(last)).toBe(lines.slice(-tail).join(''));
    },
  );

  it('gives nothing for --tail 0', async () => {
    expect(await logs(sources, { tail: 0 })).toEqual([]);
  });

  it("gives a line whose newline begins a read whole: a file cut at the agent's cap", async () => {
    // Five lines of 2 MB cut at 8 MiB, where the emulated agent appends its notice: the
    // cut line ends exactly where a read does, and its newline is the next read's start.
    const big = Array.from({ length: 5 }, (_, i) => `B${i}${'z'.repeat(1_999_998)}\n`).join('');
    const cut = big.slice(0, 8 * MiB);
    const notice = '[the rest is not kept]\n';
    const capped = sourcesOf(run('capped', { stdout: `${cut}\n${notice}` }));
    expect(await logs(capped, { tail: 1 })).toMatchObject([{ text: notice }]);
    const two = await logs(capped, { tail: 2 });
    expect(textOf(two)).toBe(`${cut.slice(4 * 2_000_001)}\n${notice}`);
    expect(textOf(await logs(capped, { tail: 3 }))).toBe(`${cut.slice(3 * 2_000_001)}\n${notice}`);
  });

  it("counts an ended run's last line with no newline as one line, however long", async () => {
    const rest = `${'y'.repeat(3 * MiB)}`;
    const ended = sourcesOf(run('nonl', { stdout: `one\ntwo\n${rest}` }));
    const last = await logs(ended, { tail: 1 });
    expect(last.length).toBeGreaterThan(1);
    expect(textOf(last)).toBe(rest);
    expect(textOf(await logs(ended, { tail: 2 }))).toBe(`two\n${rest}`);
  });

  it('counts each run apart: one ending without a newline does not run into the next', async () => {
    const first = 'x'.repeat(MiB + MiB / 2);
    const second = 'y'.repeat(MiB + MiB / 2);
    const sources = sourcesOf(run('r2', { stdout: second }), [run('r1', { stdout: first })]);
    expect(textOf(await logs(sources, { tail: 1 }))).toBe(second);
    expect(textOf(await logs(sources, { tail: 2 }))).toBe(first + second);
  });
});

describe('docker logs --tail, stdout and stderr merged', () => {
  // A long stdout line whose pieces were written either side of a stderr line, dated by
  // the marks: A's head (1 s), e1 (2 s), A's tail (3 s), B (4 s), e2 (5 s).
  const a = `Aa${'a'.repeat(MiB + MiB / 2)}\n`;
  const sources = sourcesOf(
    run(
      'merged',
      { stdout: `${a}Bb\n`, stderr: 'e1\ne2\n' },
      {
        stdout: [
          { size: MiB, at: at(1) },
          { size: a.length, at: at(3) },
          { size: a.length + 3, at: at(4) },
        ],
        stderr: [
          { size: 3, at: at(2) },
          { size: 6, at: at(5) },
        ],
      },
    ),
  );

  it('gives the pieces in the order written', async () => {
    expect(headsOf(await logs(sources))).toEqual([
      'stdout:Aaa…',
      'stderr:e1\n',
      'stdout:aaa',
      'stdout:Bb\n',
      'stderr:e2\n',
    ]);
  });

  it('counts the line in pieces once, by its first, with all of its pieces', async () => {
    expect(headsOf(await logs(sources, { tail: 1 }))).toEqual(['stderr:e2\n']);
    expect(headsOf(await logs(sources, { tail: 2 }))).toEqual(['stdout:Bb\n', 'stderr:e2\n']);
    expect(headsOf(await logs(sources, { tail: 3 }))).toEqual([
      'stderr:e1\n',
      'stdout:Bb\n',
      'stderr:e2\n',
    ]);
    const four = await logs(sources, { tail: 4 });
    expect(headsOf(four)).toEqual(headsOf(await logs(sources)));
    expect(
      four
        .filter((l) => l.stream === 'stdout')
        .map((l) => l.text)
        .join(''),
    ).toBe(`${a}Bb\n`);
  });

  it('takes or leaves a line in pieces whole for --since and --until, by its first piece', async () => {
    const since = await logs(sources, { since: at(2) });
    expect(headsOf(since)).toEqual(['stderr:e1\n', 'stdout:Bb\n', 'stderr:e2\n']);
    expect(headsOf(await logs(sources, { since: at(2), tail: 3 }))).toEqual(headsOf(since));
    expect(headsOf(await logs(sources, { since: at(2), tail: 1 }))).toEqual(['stderr:e2\n']);
    const until = await logs(sources, { until: at(2), tail: 1 });
    expect(headsOf(until)).toEqual(['stderr:e1\n']);
    const both = await logs(sources, { until: at(2), tail: 2 });
    expect(textOf(both.filter((l) => l.stream === 'stdout'))).toBe(a);
  });
});

describe('docker logs -f --tail, with a line longer than a read still being written', () => {
  // A running task has written "a", then a line that has no end yet; once followed, it
  // ends the line, writes "c" and ends.
  const following = () => {
    const latest: Run = {
      id: 'live',
      state: 'TASK_RUNNING',
      updatedAt: at(1),
      files: { stdout: `a\n${'b'.repeat(MiB + MiB / 2)}` },
    };
    return sourcesOf(latest, [], () => {
      latest.files.stdout += '\nc\n';
      Object.assign(latest, { state: 'TASK_FINISHED', updatedAt: ENDED });
    });
  };

  it('gives the last lines whole, then the rest of the one being written', async () => {
    const followed = await logs(following(), { tail: 1, follow: true });
    expect(textOf(followed)).toBe(`${'b'.repeat(MiB + MiB / 2)}\nc\n`);
    const two = await logs(following(), { tail: 2, follow: true });
    expect(textOf(two)).toBe(`a\n${'b'.repeat(MiB + MiB / 2)}\nc\n`);
  });

  it('leaves out the rest of a line --tail left out', async () => {
    expect(await logs(following(), { tail: 0, follow: true })).toMatchObject([{ text: 'c\n' }]);
  });
});

describe('docker logs -f', () => {
  it('goes on following when the database does not answer for a while', async () => {
    const latest: Run = {
      id: 'live',
      state: 'TASK_RUNNING',
      updatedAt: ENDED,
      files: { stdout: 'one\n' },
    };
    const sources = sourcesOf(latest);
    // Each question whether the task has ended: twice no answer (written meanwhile: "two"),
    // then running ("three"), then ended.
    let asked = 0;
    const prisma = {
      task: {
        findUnique: async () => {
          asked++;
          if (asked <= 2) {
            if (asked === 2) latest.files.stdout += 'two\n';
            throw new Error("Can't reach database server at 127.0.0.1:5432");
          }
          if (asked === 3) {
            latest.files.stdout += 'three\n';
            return { state: 'TASK_RUNNING', updatedAt: ENDED };
          }
          latest.state = 'TASK_FINISHED';
          return { state: 'TASK_FINISHED', updatedAt: ENDED };
        },
      },
    };
    const followed = await logs(
      { ...sources, prisma: prisma as unknown as PrismaClient },
      { follow: true, allRuns: false },
    );
    expect(textOf(followed)).toBe('one\ntwo\nthree\n');
    expect(asked).toBe(4);
  });
});
