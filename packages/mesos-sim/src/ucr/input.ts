/** Thrown out of a blocked read or sleep when the process is killed or interrupted. */
export class ProcessStopped extends Error {
  constructor(readonly signal: number) {
    super(`stopped by signal ${signal}`);
  }
}

const END = Symbol('end of input');

/**
 * A process's standard input as it reads it: chunks in order, and ends of input. A pipe
 * ends once for good; a terminal in canonical mode ends a read each time ^D is typed on
 * an empty line, and reading may go on afterwards, as on a real terminal.
 */
export class InputQueue {
  private readonly items: (Buffer | typeof END)[] = [];
  private waiter: ((item: Buffer | typeof END) => void) | undefined;
  private closed = false;

  push(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    this.deliver(chunk);
  }

  /** One end of input (^D on a terminal). */
  endOnce(): void {
    if (!this.closed) this.deliver(END);
  }

  /** The writing side closed: every read from now on sees the end. */
  close(): void {
    if (this.closed) return;
    this.deliver(END);
    this.closed = true;
  }

  /** The next chunk, or null at an end of input. Rejects with ProcessStopped when `stop` fires. */
  read(stop: AbortSignal): Promise<Buffer | null> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(this.consume(item));
    if (this.closed) return Promise.resolve(null);
    if (stop.aborted) return Promise.reject(stop.reason as Error);
    return new Promise((resolve, reject) => {
      const onStop = () => {
        this.waiter = undefined;
        reject(stop.reason as Error);
      };
      stop.addEventListener('abort', onStop, { once: true });
      this.waiter = (next) => {
        stop.removeEventListener('abort', onStop);
        this.waiter = undefined;
        resolve(this.consume(next));
      };
    });
  }

  private consume(item: Buffer | typeof END): Buffer | null {
    return item === END ? null : item;
  }

  private deliver(item: Buffer | typeof END): void {
    if (this.waiter) this.waiter(item);
    else this.items.push(item);
  }
}
