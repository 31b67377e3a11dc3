import type { agent, ProcessOutput } from '@shoal/mesos';
import { EventQueue } from './event-queue';

/** A process's output as it arrives: text so far per stream, waited on by content. */
export class OutputTranscript {
  stdout = '';
  stderr = '';
  readonly records: agent.ProcessIO[] = [];
  private readonly changes = new EventQueue<number>();
  readonly done: Promise<void>;

  constructor(output: ProcessOutput) {
    this.done = (async () => {
      for await (const record of output) {
        this.records.push(record);
        const data = Buffer.from(record.data?.data ?? new Uint8Array()).toString('utf8');
        if (record.data?.type === 'STDOUT') this.stdout += data;
        if (record.data?.type === 'STDERR') this.stderr += data;
        this.changes.push(this.records.length);
      }
      this.changes.end(new Error('output ended'));
    })();
  }

  /** Resolves once stdout contains `text` (waits on arrivals, bounded by the timeout). */
  async until(text: string, timeoutMs = 10_000): Promise<void> {
    while (!this.stdout.includes(text)) {
      await this.changes
        .next(() => true, timeoutMs)
        .catch((error: Error) => {
          throw new Error(`${error.message}; stdout so far: ${JSON.stringify(this.stdout)}`);
        });
    }
  }
}

/** Input records to send on an ATTACH_CONTAINER_INPUT stream, pushed as a test goes. */
export class InputFeed implements AsyncIterable<agent.ProcessIO> {
  private readonly queue = new EventQueue<agent.ProcessIO | null>();

  type(text: string): void {
    this.queue.push({
      type: 'DATA',
      data: { type: 'STDIN', data: new TextEncoder().encode(text) },
    });
  }

  resize(rows: number, columns: number): void {
    this.queue.push({
      type: 'CONTROL',
      control: { type: 'TTY_INFO', tty_info: { window_size: { rows, columns } } },
    });
  }

  /** The end of input: an empty STDIN record, then the stream closes. */
  end(): void {
    this.type('');
    this.queue.push(null);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<agent.ProcessIO> {
    for (;;) {
      const next = await this.queue.next(() => true, 60_000);
      if (next === null) return;
      yield next;
    }
  }
}
