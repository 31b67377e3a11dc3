/**
 * Events as they arrive, taken by tests that wait for the oldest one matching a predicate;
 * events that do not match stay queued for later waits. Waiting is on arrival, never on a
 * fixed sleep; the timeout only bounds a broken test.
 */
export class EventQueue<E> {
  /** Every event received, taken or not. */
  readonly events: E[] = [];
  private unread: E[] = [];
  private waiters: (() => void)[] = [];
  private endedWith: Error | undefined;

  push(event: E): void {
    this.events.push(event);
    this.unread.push(event);
    this.wake();
  }

  end(reason: Error): void {
    this.endedWith ??= reason;
    this.wake();
  }

  get ended(): boolean {
    return this.endedWith !== undefined;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private wait(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Drops every unread event matching `predicate` (events a test has no more use for). */
  skip(predicate: (event: E) => boolean): void {
    this.unread = this.unread.filter((event) => !predicate(event));
  }

  /** Takes the oldest unread event matching `predicate`. */
  async next(predicate: (event: E) => boolean = () => true, timeoutMs = 30_000): Promise<E> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.unread.findIndex(predicate);
      if (index >= 0) return this.unread.splice(index, 1)[0] as E;
      if (this.endedWith)
        throw new Error(`event stream ended while waiting: ${this.endedWith.message}`);
      if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms`);
      await this.wait(deadline);
    }
  }

  /**
   * Resolves once events (taken or not) have given `count` distinct keys, `keyOf` giving
   * undefined for events that do not count. Scans each event once, so waiting for
   * thousands of updates stays linear.
   */
  async distinctReach(
    keyOf: (event: E) => string | undefined,
    count: number,
    timeoutMs = 30_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const seen = new Set<string>();
    let scanned = 0;
    for (;;) {
      for (; scanned < this.events.length; scanned++) {
        const key = keyOf(this.events[scanned] as E);
        if (key !== undefined) seen.add(key);
      }
      if (seen.size >= count) return;
      if (this.endedWith)
        throw new Error(
          `event stream ended after ${seen.size} of ${count} events: ${this.endedWith.message}`,
        );
      if (Date.now() > deadline)
        throw new Error(`only ${seen.size} of ${count} events within ${timeoutMs} ms`);
      await this.wait(deadline);
    }
  }

  /** Resolves once the stream has ended, with the reason. */
  async whenEnded(timeoutMs = 30_000): Promise<Error> {
    const deadline = Date.now() + timeoutMs;
    while (!this.endedWith) {
      if (Date.now() > deadline) throw new Error(`stream still open after ${timeoutMs} ms`);
      await this.wait(deadline);
    }
    return this.endedWith;
  }
}
