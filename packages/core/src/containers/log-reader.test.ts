import { describe, expect, it } from 'vitest';
import { timeOf, type LogMark, type NewLogMark } from './log-clock';
import { DatedLogReader } from './log-reader';
import type { SandboxReader } from './ports';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const TASK = { id: 'row-1', mesosTaskId: 't', agentId: 'a', agentEndpoint: 'agent:5051' };

/** A sandbox file that grows as the test writes to it, read the way an agent serves it. */
function growingFile() {
  let content = '';
  const sandbox: Pick<SandboxReader, 'read'> = {
    read: async (_task, _file, offset, length) => {
      const bytes = Buffer.from(content);
      if (offset < 0) return { data: '', offset: bytes.length };
      return { data: bytes.subarray(offset, offset + length).toString(), offset };
    },
  };
  return { sandbox, write: (text: string) => void (content += text) };
}

describe('timeOf', () => {
  const marks: LogMark[] = [
    { size: 10, at: at(1) },
    { size: 25, at: at(5) },
  ];
  it('dates bytes by the first mark at or past their end', () => {
    expect(timeOf(marks, 4)).toEqual(at(1));
    expect(timeOf(marks, 10)).toEqual(at(1));
    expect(timeOf(marks, 11)).toEqual(at(5));
    expect(timeOf(marks, 26)).toBeUndefined();
  });
});

describe('DatedLogReader', () => {
  it('dates each line by the marks, records what it reads, and holds back a partial line', async () => {
    const file = growingFile();
    const recorded: [number, Date][] = [];
    const clock = {
      record: async (marks: NewLogMark[]) =>
        void recorded.push(...marks.map((m): [number, Date] => [m.size, m.at])),
    };
    file.write('é one\ntwo\nthr');
    // "é one\n" is 7 bytes: the sampler saw 7 bytes at second 1.
    const reader = new DatedLogReader(file.sandbox, clock, TASK, 'stdout', [
      { size: 7, at: at(1) },
    ]);

    const { lines: first } = await reader.readSome(undefined);
    expect(first.map((l) => l.text)).toEqual(['é one\n', 'two\n']);
    expect(first[0]!.at).toEqual(at(1));
    // Beyond every mark: dated when read, and noted for later readers.
    expect(first[1]!.at.getTime()).toBeGreaterThan(at(1).getTime());
    expect(recorded).toEqual([[14, first[1]!.at]]);

    file.write('ee\n');
    const ended = at(9);
    const { lines: rest } = await reader.readSome(ended, true);
    expect(rest).toEqual([{ stream: 'stdout', text: 'three\n', at: ended }]);
    expect(recorded.at(-1)).toEqual([17, ended]);
  });
});

describe('DatedLogReader, reading a large log', () => {
  const clock = { record: async () => undefined };

  it('holds about a mebibyte at a time, however much the file holds', async () => {
    const file = growingFile();
    const line = `${'x'.repeat(99)}\n`;
    file.write(line.repeat(100_000)); // 10 MB
    const reader = new DatedLogReader(file.sandbox, clock, TASK, 'stdout', []);
    const first = await reader.readSome(undefined);
    const held = first.lines.reduce((n, l) => n + l.text.length, 0);
    expect(first.more).toBe(true);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(2 * 1024 * 1024);
    let total = held;
    for (let some = first; some.more;) {
      some = await reader.readSome(undefined);
      total += some.lines.reduce((n, l) => n + l.text.length, 0);
    }
    expect(total).toBe(line.length * 100_000);
  });

  it('gives a line with no end in pieces, as Docker splits long lines, not all at once', async () => {
    const file = growingFile();
    file.write('y'.repeat(3 * 1024 * 1024));
    const reader = new DatedLogReader(file.sandbox, clock, TASK, 'stdout', []);
    const first = await reader.readSome(undefined);
    expect(first.lines.length).toBeGreaterThan(0);
    expect(first.lines[0]!.text.length).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});
