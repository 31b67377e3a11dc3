import { planTask } from '../behaviour/plan';
import type { LaunchSpec } from '../behaviour/steps';
import type { Master } from '../master';
import type { TaskRecord } from '../model';
import { startRun, stepsAfter, type TaskRun } from '../runner';
import { imageOf, processArgv, resolvedCommand } from './launch';
import type { ContainerContext } from './shell';
import { IoContainer } from './switchboard';

/** Where a container under the Mesos containerizer finds its sandbox (the agent's default). */
export const SANDBOX_DIRECTORY = '/mnt/mesos/sandbox';

/** What a process in the task's container (or one nested in it) sees. */
export function containerContext(task: TaskRecord, spec: LaunchSpec): ContainerContext {
  return {
    env: spec.env,
    hostname: spec.hostname,
    cwd: SANDBOX_DIRECTORY,
    sandbox: {
      names: () => ['stderr', 'stdout'],
      read: (name) =>
        name === 'stdout' || name === 'stderr' ? task.sandbox.text(name) : undefined,
    },
  };
}

/**
 * Runs a task under the Mesos containerizer. Without a terminal its command plays as
 * planned steps, as other tasks do (nothing can reach its input); with one, its first
 * process runs behind an I/O switchboard, its output also kept in the sandbox.
 * `onExit` hears the wait(2) status unless the run was stopped first.
 */
export function startUcrRun(
  master: Master,
  task: TaskRecord,
  spec: LaunchSpec,
  onExit: (waitStatus: number) => void,
  resumed = false,
): TaskRun {
  const image = imageOf(task.info);
  const tty = task.info.container?.tty_info;
  if (!tty) {
    const command = resolvedCommand(spec.command, image);
    const planned = planTask({
      ...spec,
      ...(command ? { command } : {}),
      ...(image ? { image } : {}),
      runtime: 'mesos',
    });
    const written = {
      stdout: task.sandbox.file('stdout')?.size ?? 0,
      stderr: task.sandbox.file('stderr')?.size ?? 0,
    };
    const steps = resumed ? stepsAfter(planned, written) : planned;
    return startRun(steps, task.sandbox, master.timers, (code) => onExit((code & 0xff) << 8));
  }
  // A restarted agent cannot give a process its terminal back: it starts again.
  const io = new IoContainer({
    id: { value: task.containerId },
    argv: processArgv(spec.command, image),
    context: containerContext(task, spec),
    tty,
    waitForConnection: false,
    timers: master.timers,
    heartbeatMs: master.options.ioHeartbeatSeconds * 1000,
    log: (stream, data) => task.sandbox.append(stream, data.toString('utf8')),
  });
  task.io = io;
  let stopped = false;
  void io.ended.then((status) => {
    if (!stopped) onExit(status);
  });
  return {
    stop() {
      stopped = true;
      io.kill();
    },
  };
}

const SIGNAL_NAMES: Record<number, string> = {
  1: 'Hangup',
  2: 'Interrupt',
  3: 'Quit',
  6: 'Aborted',
  9: 'Killed',
  15: 'Terminated',
};

/** How the command executor words a process's end in TASK_FINISHED / TASK_FAILED. */
export function describeWaitStatus(status: number): { code: number; message: string } {
  const signal = status & 0x7f;
  if (signal === 0) {
    const code = (status >> 8) & 0xff;
    return { code, message: `Command exited with status ${code}` };
  }
  return {
    code: 128 + signal,
    message: `Command terminated with signal ${SIGNAL_NAMES[signal] ?? `Signal ${signal}`}`,
  };
}
