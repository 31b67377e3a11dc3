/**
 * Group commit: requests that arrive while a batch is being written wait for
 * the next one, and each batch is written by one call (one transaction, a few
 * multi-row statements) however many requests it holds. An idle system writes
 * a lone request at once; a busy one writes bigger batches, not more of them,
 * so load makes requests wait a little longer instead of exhausting the
 * connection pool and failing.
 *
 * `write` answers each item of the batch, in order: a value, or an Error for
 * that item alone. If `write` throws, every item of the batch fails with it.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: I[]) => Promise<(O | Error)[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      // Requests of this turn of the event loop still join the first batch.
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Requests waiting for a batch, the one being written excluded. */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const answers = await this.write(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const answer = answers[i];
          if (answer instanceof Error) b.reject(answer);
          else b.resolve(answer as O);
        });
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.writing = false;
  }
}
