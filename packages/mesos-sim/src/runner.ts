import type { Step } from './behaviour/steps';
import type { Sandbox } from './sandbox';
import type { TimerScope } from './timers';

export interface TaskRun {
  /** Stops the behaviour (the task was killed or its agent went away). */
  stop(): void;
}

/**
 * Plays a task's planned steps into its sandbox. Writes before the first sleep happen at
 * once, so a task such as `echo hi` has written its output by the time `startRun` returns.
 * Its exit is reported a turn later, never from within `startRun`: callers keep the run
 * they get back and check it when the exit comes, so it must be theirs by then.
 */
export function startRun(
  steps: Step[],
  sandbox: Sandbox,
  timers: TimerScope,
  onExit: (code: number) => void,
): TaskRun {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let next = 0;
  const play = (): void => {
    timer = undefined;
    while (!stopped && next < steps.length) {
      const step = steps[next++] as Step;
      switch (step.kind) {
        case 'write':
          sandbox.append(step.stream, step.text);
          break;
        case 'sleep':
          timer = timers.after(step.ms, play);
          return;
        case 'exit':
          timer = timers.after(0, () => {
            stopped = true;
            onExit(step.code);
          });
          return;
        case 'serve':
          return;
      }
    }
  };
  play();
  return {
    stop() {
      stopped = true;
      timers.cancel(timer);
    },
  };
}

/**
 * The steps still to play for a task that already wrote `written` bytes (a run resumed
 * after a restart): everything up to its last write already kept is skipped, sleeps
 * included, and a write kept in part plays only its rest.
 */
export function stepsAfter(steps: Step[], written: { stdout: number; stderr: number }): Step[] {
  const left = { ...written };
  let resumeAt = 0;
  let partial: Step | undefined;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    if (step.kind !== 'write' || left[step.stream] === 0) continue;
    const bytes = Buffer.from(step.text, 'utf8');
    const kept = Math.min(bytes.length, left[step.stream]);
    left[step.stream] -= kept;
    resumeAt = i + 1;
    partial =
      kept < bytes.length ? { ...step, text: bytes.subarray(kept).toString('utf8') } : undefined;
  }
  return [...(partial ? [partial] : []), ...steps.slice(resumeAt)];
}
