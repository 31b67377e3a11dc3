import { isTerminalState, TERMINAL_STATES } from '@shoal/scheduler';
import type { RestartPolicy } from './types';

/** Shoal's own state for a task that waits in the queue and has not been launched. */
export const PENDING = 'PENDING';

export { TERMINAL_STATES };
export const isTerminal = isTerminalState;
/** Launched and not yet ended: Mesos knows it, so stopping means a KILL. */
export const isLaunched = (state: string) => state !== PENDING && !isTerminalState(state);

/** Running, restarting, or started and still waiting for an agent: it must not run later once stopped. */
export const meantToRun = (c: { state: string; desiredState: string }) =>
  c.desiredState === 'RUNNING' || c.state === 'RUNNING' || c.state === 'RESTARTING';

/**
 * The task that speaks for its container (views, exec, logs, stats): the newest one not
 * ended, else the newest. A queued replacement speaks with why it waits; a replacement
 * whose launch was lost does not hide the older task that still runs.
 * container-reads.ts reads by the same rule in SQL (SPEAKING_TASK).
 */
export function speakingTask<T extends { state: string; launchedAt: Date }>(
  tasks: Iterable<T>,
): T | undefined {
  let best: T | undefined;
  for (const task of tasks) {
    if (!best) best = task;
    else if (isTerminalState(task.state) !== isTerminalState(best.state)) {
      if (!isTerminalState(task.state)) best = task;
    } else if (task.launchedAt > best.launchedAt) best = task;
  }
  return best;
}

/** The command executor names a terminating signal by its description (strsignal). */
const SIGNALS: Record<string, number> = {
  Hangup: 1,
  Interrupt: 2,
  Quit: 3,
  Aborted: 6,
  Killed: 9,
  Terminated: 15,
};

/**
 * How a task Shoal ends because the command run beside it ended (piped.ts) is marked:
 * `exit:<code>`, the command's exit code being the container's.
 */
export const COMMAND_EXIT = 'exit:';

/**
 * Why Shoal ended a task: a stop (SIGTERM, then SIGKILL after a grace period), a kill
 * with SIGKILL, or a kill with a signal a process ends of as it does of SIGTERM.
 */
export type KilledBy = 'stop' | 'kill' | 'signal';

/** The exit code a task's `killedBy` carries, if Shoal ended it after its command's end. */
export function commandExitOf(killedBy: string | null | undefined): number | undefined {
  if (!killedBy?.startsWith(COMMAND_EXIT)) return undefined;
  const code = Number(killedBy.slice(COMMAND_EXIT.length));
  return Number.isInteger(code) ? code : undefined;
}

/**
 * The exit code Docker would report. Mesos carries it only in the message of
 * a failed task ("… exited with status N"); a kill is reported as Docker does
 * for SIGKILL/SIGTERM, and a task lost with its agent as 255.
 */
export function exitCodeOf(
  state: string,
  message: string | null | undefined,
  killedBy?: KilledBy,
): number {
  if (state === 'TASK_FINISHED') return 0;
  if (state === 'TASK_KILLED') return killedBy === 'kill' || !killedBy ? 137 : 143;
  const match = /exited with status (\d+)/i.exec(message ?? '');
  if (match) return Number(match[1]);
  // A process ended by a signal (^C on a terminal, say): 128 + its number, as shells say.
  const signal = /terminated with signal (\w+)/i.exec(message ?? '')?.[1];
  if (signal !== undefined && SIGNALS[signal] !== undefined) return 128 + SIGNALS[signal];
  if (state === 'TASK_FAILED') return 1;
  return 255;
}

/** Whether a container whose task ended on its own runs again (Docker's rules). */
export function shouldRestart(
  policy: RestartPolicy,
  exitCode: number,
  restartCount: number,
): boolean {
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return (
        exitCode !== 0 && (!policy.maximumRetryCount || restartCount < policy.maximumRetryCount)
      );
    case 'no':
      return false;
  }
}

/**
 * Delay before the next start, doubling from 100 ms up to one minute like
 * Docker's; a container that ran for ten seconds or more starts over at 100 ms.
 */
export function restartDelayMs(restartCount: number, ranForMs: number): number {
  if (ranForMs >= 10_000) return 100;
  return Math.min(100 * 2 ** Math.min(restartCount, 16), 60_000);
}

/** As the Docker CLI words a duration: whole seconds and minutes, hours rounded, then coarser. */
function ago(from: Date, now: Date): string {
  const ms = Math.max(0, now.getTime() - from.getTime());
  const s = Math.floor(ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.floor(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(ms / 3_600_000);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 14) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 60) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

export interface StatusInput {
  state: string;
  exitCode: number | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The task that speaks for the container: its state and, while queued, why it waits. */
export interface StatusTask {
  state: string;
  message: string | null;
}

/** The STATUS column of `docker ps`, with Mesos detail where Docker has no word for it. */
export function statusLine(c: StatusInput, task: StatusTask | null, now = new Date()): string {
  const taskState = task?.state;
  switch (c.state) {
    case 'RUNNING': {
      const base = `Up ${ago(c.startedAt ?? now, now)}`;
      if (taskState === 'TASK_UNREACHABLE') return `${base} (agent unreachable)`;
      if (taskState === 'TASK_KILLING') return `${base} (stopping)`;
      return base;
    }
    case 'RESTARTING':
      return `Restarting (${c.exitCode ?? 0}) ${ago(c.finishedAt ?? now, now)} ago`;
    case 'EXITED':
      return `Exited (${c.exitCode ?? 0}) ${ago(c.finishedAt ?? now, now)} ago`;
    case 'REMOVING':
      return 'Removal In Progress';
    case 'DEAD':
      return 'Dead';
    default:
      if (taskState === PENDING)
        return task?.message
          ? `Created (waiting for resources: ${task.message})`
          : 'Created (waiting for resources)';
      if (taskState === 'TASK_STAGING' || taskState === 'TASK_STARTING')
        return 'Created (starting)';
      return 'Created';
  }
}
