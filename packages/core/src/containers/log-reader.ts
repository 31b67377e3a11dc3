import { timeOf, type LogClock, type LogMark, type LogStream } from './log-clock';
import type { SandboxReader, SandboxTask } from './ports';
import type { LogLine } from './types';

const CHUNK_BYTES = 256 * 1024;

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
   * Lines written since the last call. `endedAt` is when the task ended, if
   * it has: nothing was written after it. `flush` also returns an unfinished
   * last line.
   */
  async readAvailable(endedAt: Date | undefined, flush = false): Promise<LogLine[]> {
    const from = this.offset - Buffer.byteLength(this.partial);
    let text = '';
    for (;;) {
      const chunk = await this.sandbox.read(this.task, this.stream, this.offset, CHUNK_BYTES);
      if (!chunk.data) break;
      text += chunk.data;
      this.offset = chunk.offset + Buffer.byteLength(chunk.data);
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
    this.partial =
      !flush && pieces.length > 0 && !pieces.at(-1)!.endsWith('\n') ? pieces.pop()! : '';
    let end = from;
    return pieces.map((piece) => {
      end += Buffer.byteLength(piece);
      return { stream: this.stream, text: piece, at: timeOf(this.marks, end) ?? readAt };
    });
  }
}
