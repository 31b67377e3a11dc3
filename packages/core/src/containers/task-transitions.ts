import type { Container, Task } from '@shoal/db';
import type { TaskStatus } from '@shoal/mesos';
import {
  commandExitOf,
  exitCodeOf,
  isTerminal,
  type KilledBy,
  PENDING,
  restartDelayMs,
  shouldRestart,
} from './lifecycle';
import type { ContainerAction, ContainerSpec } from './types';

// The one place where a Mesos task state becomes a container state. Pure: it
// changes the in-memory rows it is given and says what else should happen;
// TaskStore reads the rows, applies a batch of updates here and writes the
// result back in one transaction.

/** Terminal states Mesos reports when an agent or a launch was lost, not when a container exited. */
const LOST_WITH_INFRASTRUCTURE = new Set([
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

const ALIVE = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);

/** A container with the tasks that matter to it: every one not ended, and those updated now. */
export interface ContainerWork {
  row: Container;
  tasks: Map<string, Task>;
  /** Whether `row` changed and must be written. */
  changed: boolean;
}

export interface StatusEffects {
  /** The update changed the task: its row is written and a history row added. */
  recorded: boolean;
  events: { action: ContainerAction; attributes?: Record<string, string> }[];
  /** The task is alive and should not be (replaced, or its container stopped): kill it. */
  unwanted: boolean;
  /** Older tasks this one replaces, now that it runs: kill them. */
  retired: Task[];
  /** Queued tasks no longer needed (their rows are deleted). */
  cancelled: Task[];
}

export function applyStatus(
  work: ContainerWork,
  task: Task,
  status: TaskStatus,
  now: Date,
): StatusEffects {
  const effects: StatusEffects = {
    recorded: false,
    events: [],
    unwanted: false,
    retired: [],
    cancelled: [],
  };
  const c = work.row;
  const state = status.state;
  const reason = status.reason ?? null;
  const message = status.message ?? null;
  const others = [...work.tasks.values()].filter((t) => t.id !== task.id && !isTerminal(t.state));
  const launchedOthers = others.filter((t) => t.state !== PENDING);
  const queued = others.filter((t) => t.state === PENDING);
  // A task speaks for its container unless a newer one has been launched: an older
  // task is being replaced. A task that ends speaks only if no other task still lives.
  const replacedBy = launchedOthers.filter((t) => t.launchedAt > task.launchedAt);
  const alive = ALIVE.has(state);
  const speaks = isTerminal(state) ? launchedOthers.length === 0 : replacedBy.length === 0;
  // Kept alive until its replacement runs, so the container is never left without one.
  // A task a stop or kill was sent to stays unwanted even if a start has come since.
  effects.unwanted =
    alive &&
    (c.desiredState === 'STOPPED' ||
      task.killedBy !== null ||
      replacedBy.some((t) => t.state === 'TASK_RUNNING'));

  // An end is final. Mesos forgets an ended task, and then answers a kill or a
  // reconciliation of it with another end (TASK_GONE, "unknown to the agent"): a kill
  // repeated while the first was under way would otherwise turn a stopped container's
  // exit 143 into 255 with an error, and tell `docker events` of a second death.
  if (isTerminal(task.state) && isTerminal(state)) return effects;
  // Nor does an ended task live again: one an agent restored from stale state (its
  // checkpoint behind its reports, after a crash) is killed, and its container keeps the
  // exit, the times and the history it had.
  if (isTerminal(task.state)) {
    effects.unwanted = alive;
    return effects;
  }

  // Mesos re-sends an update until it is acknowledged; history keeps one row per change.
  // A reconciliation answer restating the stored state is no change either: its generic
  // message would replace the agent's ("exited with status N"), and so the exit code.
  const restated = task.state === state && reason === 'REASON_RECONCILIATION';
  const changed =
    !restated && (task.state !== state || task.message !== message || task.reason !== reason);
  if (!changed) return effects;
  const previous = task.state;
  Object.assign(task, {
    state,
    reason,
    message,
    updatedAt: now,
    ...(status.agent_id ? { agentId: status.agent_id.value } : {}),
  });
  effects.recorded = true;
  if (!speaks) return effects;

  const cancel = () => {
    for (const t of queued) work.tasks.delete(t.id);
    effects.cancelled.push(...queued);
  };
  const update = (fields: Partial<Container>) => {
    Object.assign(c, fields, { updatedAt: now });
    work.changed = true;
  };

  // The agent of an unreachable task came back before its replacement could be placed:
  // the original serves on, and the queued replacement is dropped.
  if (alive && previous === 'TASK_UNREACHABLE') cancel();
  if (state === 'TASK_RUNNING') {
    effects.retired = launchedOthers.filter((t) => t.launchedAt < task.launchedAt);
    if (c.state !== 'RUNNING' && c.state !== 'REMOVING') {
      update({ state: 'RUNNING', startedAt: now, error: null, exitCode: null });
      effects.events.push({ action: 'start' });
    }
    return effects;
  }
  if (!isTerminal(state)) return effects;

  const spec = c.config as unknown as ContainerSpec;
  // A task ended after the command run beside it: its exit is the command's own.
  const commandExit = commandExitOf(task.killedBy);
  const killedBy =
    commandExit === undefined ? ((task.killedBy as KilledBy | null) ?? undefined) : undefined;
  const exitCode = commandExit ?? exitCodeOf(state, message, killedBy);
  const diedOfItself = !killedBy && c.desiredState === 'RUNNING';
  // Killed with the framework Mesos removed: not the container's doing, and it says so.
  const withFramework = reason === 'REASON_FRAMEWORK_REMOVED';
  // A command that ended with a status of its own is no error, as Docker keeps State.Error
  // for a container that could not run.
  const ownExit =
    state === 'TASK_FAILED' &&
    (!reason || reason === 'REASON_COMMAND_EXECUTOR_FAILED') &&
    /exited with status \d+/i.test(message ?? '');
  const error =
    state === 'TASK_FINISHED' || (state === 'TASK_KILLED' && !withFramework) || ownExit
      ? null
      : describeFailure(state, reason, message);
  effects.events.push({
    action: 'die',
    attributes: {
      exitCode: String(exitCode),
      // As Docker: how long this run lasted, in whole seconds.
      execDuration: String(
        Math.max(0, Math.floor((now.getTime() - (c.startedAt ?? now).getTime()) / 1000)),
      ),
      ...(withFramework && message ? { reason: message } : {}),
    },
  });
  if (killedBy === 'stop') effects.events.push({ action: 'stop' });

  if (c.state === 'REMOVING') {
    cancel();
    update(retired(c, exitCode, error, now));
    effects.events.push({ action: 'destroy' });
    return effects;
  }
  if (killedBy && c.desiredState === 'RUNNING') {
    // Started again before Mesos confirmed the stop: this run ends as the stop asked,
    // and the supervisor launches the next one the start asked for.
    update({ state: 'EXITED', exitCode, error, finishedAt: now, restartAt: null });
    return effects;
  }
  if (diedOfItself && LOST_WITH_INFRASTRUCTURE.has(state)) {
    // Not the container's doing (agent or launch lost): it runs again, as
    // Marathon would, whatever its restart policy says about exits.
    update({ state: c.state === 'RUNNING' ? 'RESTARTING' : c.state, error, restartAt: null });
    return effects;
  }
  const ranForMs = c.startedAt ? now.getTime() - c.startedAt.getTime() : 0;
  if (diedOfItself && shouldRestart(spec.restartPolicy, exitCode, c.restartCount)) {
    update({
      state: 'RESTARTING',
      exitCode,
      error,
      finishedAt: now,
      restartCount: c.restartCount + 1,
      restartAt: new Date(now.getTime() + restartDelayMs(c.restartCount, ranForMs)),
    });
    return effects;
  }
  // The container ends here: a replacement still queued for it has nothing to replace.
  cancel();
  if (spec.autoRemove) {
    update(retired(c, exitCode, error, now));
    effects.events.push({ action: 'destroy' });
    return effects;
  }
  update({
    state: 'EXITED',
    desiredState: 'STOPPED',
    exitCode,
    error,
    finishedAt: now,
    restartAt: null,
  });
  return effects;
}

/**
 * A removed container is not deleted at once: its name is freed and it leaves
 * every listing, but for a short while its id still resolves, so a client
 * attached to it (`docker run --rm`) can read the last of its output. The
 * supervisor deletes it shortly after.
 */
function retired(
  c: { id: string; name: string },
  exitCode: number,
  error: string | null,
  now: Date,
): Partial<Container> {
  const suffix = `.removed.${c.id.slice(0, 12)}`;
  return {
    state: 'REMOVING',
    desiredState: 'STOPPED',
    name: c.name.endsWith(suffix) || c.name.includes('.removing.') ? c.name : `${c.name}${suffix}`,
    exitCode,
    error,
    finishedAt: now,
    restartAt: null,
  };
}

function describeFailure(state: string, reason: string | null, message: string | null): string {
  const why = [
    reason
      ?.replace(/^REASON_/, '')
      .toLowerCase()
      .replaceAll('_', ' '),
    message,
  ]
    .filter(Boolean)
    .join(': ');
  return `${state.replace(/^TASK_/, '').toLowerCase()}${why ? ` (${why})` : ''}`;
}
