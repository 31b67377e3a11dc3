/** Task states after which Mesos forgets the task (TASK_LOST counted, as Shoal replaces it). */
export const TERMINAL_STATES: readonly string[] = [
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_LOST',
  'TASK_UNKNOWN',
];
const TERMINAL = new Set(TERMINAL_STATES);

export const isTerminalState = (state: string) => TERMINAL.has(state);
