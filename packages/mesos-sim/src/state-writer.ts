/** How long changes gather before the state file is written: a crash loses at most this... */
const DEBOUNCE_MS = 200;
/**
 * ...or this many times as long as the last write took, if that is longer. A write holds the
 * event loop while it lasts, and that grows with the cluster (about a tenth of a second for
 * 10,000 tasks, a 10 MB file): so writing takes at most a tenth of the loop's time.
 */
const PAUSE_PER_WRITE_TIME = 9;

/**
 * Keeps the state file current as the cluster changes, not only on a clean stop, so a
 * killed process leaves what it had a moment before.
 */
export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** When the last write ended and how long it took, on `now`'s clock. */
  private last = { endedAt: -Infinity, took: 0 };

  constructor(
    private readonly file: string,
    private readonly save: (file: string) => void,
    private readonly log: (line: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something the file keeps has changed: it is written soon. */
  changed(): void {
    if (this.timer || this.stopped) return;
    const paused = this.last.endedAt + this.last.took * PAUSE_PER_WRITE_TIME - this.now();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.write();
      },
      Math.max(DEBOUNCE_MS, paused),
    );
    // A pending write must not hold a process that is otherwise done.
    this.timer.unref();
  }

  private write(): void {
    const startedAt = this.now();
    try {
      this.save(this.file);
    } catch (error) {
      this.log(`could not write ${this.file}: ${String(error)}`);
    }
    const endedAt = this.now();
    this.last = { endedAt, took: endedAt - startedAt };
  }

  /** The last write, on a clean stop; changes after it are not written. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
    this.save(this.file);
  }
}
