import { invalid, ShoalError } from '../errors';

// The signals and grace periods `docker stop`, `docker kill` and a container's own
// --stop-signal and --stop-timeout may name, as Mesos can deliver them.

const TERMINATING_SIGNALS = new Map([
  ['KILL', 'kill'],
  ['9', 'kill'],
  ['TERM', 'stop'],
  ['15', 'stop'],
  ['INT', 'stop'],
  ['2', 'stop'],
  ['QUIT', 'stop'],
  ['3', 'stop'],
] as const);

/** The number of each signal a stop or kill may name, as `docker events` shows it. */
const SIGNAL_NUMBERS: Record<string, number> = { KILL: 9, TERM: 15, INT: 2, QUIT: 3 };

const KNOWN_SIGNALS = new Set(
  'HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS'.split(
    ' ',
  ),
);

export const DEFAULT_STOP_TIMEOUT_SECONDS = 10;
/** Twenty days: a longer wait than a Node timer holds (a larger one fired at once). */
const MAX_STOP_TIMEOUT_SECONDS = 20 * 86_400;

/** A stop's grace period in seconds, as asked, within what Shoal can wait. */
export function stopTimeout(asked: number): number {
  // Docker reads a negative timeout as "wait for ever"; a Mesos kill always has a grace period.
  if (asked < 0) throw invalid('a negative stop timeout (wait for ever) is not supported by Shoal');
  if (!Number.isFinite(asked)) throw invalid(`invalid stop timeout ${asked}`);
  if (asked > MAX_STOP_TIMEOUT_SECONDS)
    throw invalid(
      `stop timeout ${asked} is longer than Shoal waits for a stop (${MAX_STOP_TIMEOUT_SECONDS} seconds)`,
    );
  return asked;
}

/**
 * How Mesos can end a task for the signal asked (as docker kill or stop names it, with or
 * without SIG, or by number), and the signal's number for `docker events`, as Docker
 * reports it. Mesos's scheduler API kills a task with SIGTERM and a grace period, or
 * SIGKILL: INT and QUIT, which ask a process to end as TERM does, take the first; any
 * other signal is refused.
 */
export function terminatingSignal(asked: string): { mode: 'stop' | 'kill'; number: number } {
  const signal = asked.toUpperCase().replace(/^SIG/, '');
  const mode = TERMINATING_SIGNALS.get(signal as never);
  if (!mode && !KNOWN_SIGNALS.has(signal) && !/^([1-9]|[1-5][0-9]|6[0-4])$/.test(signal)) {
    throw invalid(`Invalid signal: ${asked}`);
  }
  if (!mode) {
    throw new ShoalError(
      'NOT_SUPPORTED',
      `Signal ${asked} cannot be delivered: Mesos can only terminate a task (SIGTERM with a grace period, or SIGKILL)`,
    );
  }
  return { mode, number: SIGNAL_NUMBERS[signal] ?? Number(signal) };
}
