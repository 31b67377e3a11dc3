interface Entry<I, O> {
  item: I;
  /** Taken into a batch that holds its connection: it will be written, whatever happens. */
  claimed: boolean;
  settled: boolean;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: requests that arrive while a batch is being written wait for
 * the next one, and each batch is written by one call (one transaction, a few
 * multi-row statements) however many requests it holds. An idle system writes
 * a lone request at once; a busy one writes bigger batches, not more of them,
 * so load makes requests wait a little longer instead of exhausting the
 * connection pool and failing.
 *
 * A request may give up (its signal aborts) until its batch claims it: `write`
 * calls `claim` once it holds its connection, and gets the requests still
 * wanted. One that gave up before is answered at once with its own error and
 * never written; one claimed is written and answered as usual.
 *
 * `write` answers each claimed item, in order: a value, or an Error for that
 * item alone. If it throws, the batch's requests fail with that error.
 */
export class GroupCommit<I, O> {
  private queue: Entry<I, O>[] = [];
  private writing = false;

  constructor(
    private readonly write: (claim: () => I[]) => Promise<(O | Error)[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: I, giveUp?: { signal: AbortSignal; error: () => Error }): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const entry: Entry<I, O> = { item, claimed: false, settled: false, resolve, reject };
      if (giveUp) {
        const abandon = () => {
          if (entry.claimed || entry.settled) return;
          entry.settled = true;
          reject(giveUp.error());
        };
        if (giveUp.signal.aborted) return abandon();
        giveUp.signal.addEventListener('abort', abandon, { once: true });
        const done = () => giveUp.signal.removeEventListener('abort', abandon);
        entry.resolve = (value) => (done(), resolve(value));
        entry.reject = (error) => (done(), reject(error));
      }
      this.queue.push(entry);
      // Requests of this turn of the event loop still join the first batch.
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch).filter((e) => !e.settled);
      let claimed: Entry<I, O>[] = [];
      const claim = () => {
        claimed = batch.filter((e) => !e.settled);
        for (const e of claimed) e.claimed = true;
        return claimed.map((e) => e.item);
      };
      try {
        const answers = await this.write(claim);
        claimed.forEach((e, i) => {
          const answer = answers[i];
          if (answer instanceof Error) e.reject(answer);
          else e.resolve(answer as O);
          e.settled = true;
        });
      } catch (error) {
        // Claimed or not (the connection itself failed), the batch's requests fail with it.
        for (const e of batch)
          if (!e.settled) {
            e.reject(error);
            e.settled = true;
          }
      }
    }
    this.writing = false;
  }
}
