import type { Step } from './behaviour';
import type { Sandbox } from './sandbox';
import type { TimerScope } from './timers';

export interface TaskRun {
  /** Stops the behaviour (the task was killed or its agent went away). */
  stop(): void;
}

/**
 * Plays a task's planned steps into its sandbox. Writes before the first sleep happen at
 * once, so a task such as `echo hi` has finished by the time `start` returns.
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
          stopped = true;
          onExit(step.code);
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
