import { saveState } from './kept-sandboxes';
import type { Master } from './master';

/** How long changes gather before the state file is written: a crash loses at most this. */
const DEBOUNCE_MS = 200;

/**
 * Keeps the state file current as the cluster changes, not only on a clean stop, so a
 * killed process leaves what it had a moment before.
 */
export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly master: Master,
  ) {
    master.onChange = () => this.soon();
  }

  private soon(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, DEBOUNCE_MS);
    // A pending write must not hold a process that is otherwise done.
    this.timer.unref();
  }

  private write(): void {
    try {
      saveState(this.file, this.master, this.master.keptSandboxes);
    } catch (error) {
      this.master.log(`could not write ${this.file}: ${String(error)}`);
    }
  }

  /** The last write, on a clean stop; changes after it are not written. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
    saveState(this.file, this.master, this.master.keptSandboxes);
  }
}
