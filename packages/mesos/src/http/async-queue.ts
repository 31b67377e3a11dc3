/**
 * A single-consumer queue exposed as an async iterator: the producer pushes
 * items, then either ends it or fails it; the consumer sees the failure
 * after every item queued before it.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: {
    resolve: (result: IteratorResult<T>) => void;
    reject: (error: unknown) => void;
  } | null = null;
  private finished = false;
  private failure: { error: unknown } | null = null;

  constructor(private readonly onReturn: () => Promise<void>) {}

  push(item: T): void {
    if (this.finished) return;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      waiting.resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  end(): void {
    this.settle(null);
  }

  fail(error: unknown): void {
    this.settle({ error });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Called when the consumer leaves a for-await loop early. */
  async return(): Promise<IteratorResult<T>> {
    await this.onReturn();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private settle(failure: { error: unknown } | null): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    if (!this.waiting) return;
    const waiting = this.waiting;
    this.waiting = null;
    if (failure) {
      this.failure = null;
      waiting.reject(failure.error);
    } else {
      waiting.resolve({ value: undefined, done: true });
    }
  }
}
