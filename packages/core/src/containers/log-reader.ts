import { timeOf, type LogClock, type LogMark, type LogStream } from './log-clock';
import type { SandboxReader, SandboxTask } from './ports';
import type { LogLine } from './types';

const CHUNK_BYTES = 256 * 1024;
/** What one reader holds at a time: a client that reads slowly holds no more. */
const READ_BYTES = 1024 * 1024;
const LONGEST_LINE_BYTES = 16 * 1024;

/** Reads one sandbox file from its start, split into lines dated by the LogClock. */
export class DatedLogReader {
  /** Bytes read so far. */
  private offset = 0;
  /** An unfinished last line, held back until its newline comes. */
  private partial = '';

  constructor(
    private readonly sandbox: Pick<SandboxReader, 'read'>,
    private readonly clock: Pick<LogClock, 'record'>,
    private readonly task: SandboxTask & { id: string },
    private readonly stream: LogStream,
    /** Known marks of this file, by size; grows as this reader finds more. */
    private readonly marks: LogMark[],
  ) {}

  /**
   * Lines written since the last call, at most about `maxBytes` of them, and whether there
   * may be more to read now. `endedAt` is when the task ended, if it has: nothing was
   * written after it. `flush` also returns an unfinished last line once all is read.
   */
  async readSome(
    endedAt: Date | undefined,
    flush = false,
    maxBytes = READ_BYTES,
  ): Promise<{ lines: LogLine[]; more: boolean }> {
    const from = this.offset - Buffer.byteLength(this.partial);
    let text = '';
    let bytes = 0;
    let more = false;
    for (;;) {
      if (bytes >= maxBytes) {
        more = true;
        break;
      }
      const chunk = await this.sandbox.read(this.task, this.stream, this.offset, CHUNK_BYTES);
      if (!chunk.data) break;
      text += chunk.data;
      const read = Buffer.byteLength(chunk.data);
      bytes += read;
      this.offset = chunk.offset + read;
    }
    const readAt = endedAt ?? new Date();
    if (this.offset > (this.marks.at(-1)?.size ?? 0)) {
      // What was just read existed by now: a mark for every later reader.
      this.marks.push({ size: this.offset, at: readAt });
      await this.clock
        .record([{ taskRowId: this.task.id, stream: this.stream, size: this.offset, at: readAt }])
        .catch(() => undefined);
    }
    const pieces = (this.partial + text).split(/(?<=\n)/).filter(Boolean);
    const last = pieces.at(-1);
    // A line still being written is held back, unless it is longer than any line is kept
    // whole (Docker splits its log lines at 16 KiB too): then it goes as it is.
    this.partial =
      last !== undefined &&
      !last.endsWith('\n') &&
      !(flush && !more) &&
      Buffer.byteLength(last) <= LONGEST_LINE_BYTES
        ? pieces.pop()!
        : '';
    let end = from;
    const lines = pieces.map((piece) => {
      end += Buffer.byteLength(piece);
      return { stream: this.stream, text: piece, at: timeOf(this.marks, end) ?? readAt };
    });
    return { lines, more };
  }
}
