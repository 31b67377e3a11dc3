import type { TaskInfo, TaskState, TaskStatus } from '@shoal/mesos';
import { planTask } from './behaviour/plan';
import type { LaunchSpec, Step } from './behaviour/steps';
import { dockerRun } from './docker-run';
import { releaseTask, trackTask } from './ledger';
import type { Master } from './master';
import { type AgentRecord, type FrameworkRecord, isTerminal, type TaskRecord } from './model';
import type { Resources } from './resources';
import { startRun, stepsAfter, type TaskRun } from './runner';
import { Sandbox } from './sandbox';
import { type StatusExtra, StatusUpdates } from './status-updates';
import { timeInfo } from './wire';
import { imageOf, isMesosContainer, ucrLaunchFailure } from './ucr/launch';
import { describeWaitStatus, startUcrRun } from './ucr/task-run';

const MAX_COMPLETED_TASKS = 1000;

/**
 * Tasks from LAUNCH to removal: the agent's run of each (the behaviour model, the Docker
 * or Mesos containerizer's command, kills and injected faults), and what becomes of tasks
 * when their framework or agent goes or comes back. Their updates go through StatusUpdates.
 */
export class TaskManager {
  readonly updates: StatusUpdates;

  constructor(private readonly master: Master) {
    this.updates = new StatusUpdates(master, (task) => this.complete(task));
  }

  find(taskId: string, frameworkId?: string): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const framework of this.master.frameworks.values()) {
      if (frameworkId !== undefined && framework.id !== frameworkId) continue;
      const task = framework.tasks.get(taskId) ?? framework.unreachableTasks.get(taskId);
      if (task) out.push(task);
    }
    return out;
  }

  launch(
    framework: FrameworkRecord,
    agent: AgentRecord,
    role: string,
    info: TaskInfo,
    resources: Resources,
    containerId = this.master.containerIds.uuid(),
  ): TaskRecord {
    const task: TaskRecord = {
      id: info.task_id.value,
      framework,
      agent,
      executorId: info.executor?.executor_id.value ?? info.task_id.value,
      role,
      info,
      resources,
      state: 'TASK_STAGING',
      statuses: [],
      agentState: 'TASK_STAGING',
      pending: [],
      retryDelayMs: this.master.options.statusUpdateRetryMs,
      released: true,
      containerId,
      nested: new Map(),
      sandbox: new Sandbox(() => this.master.onChange()),
      launchedAt: Date.now(),
    };
    framework.tasks.set(task.id, task);
    agent.tasks.add(task);
    trackTask(task);
    this.master.operatorEvents.taskAdded(task);
    return task;
  }

  /** The agent starts the container and the behaviour model takes over. */
  start(task: TaskRecord): void {
    this.guard(task, () => this.startContainer(task));
  }

  private startContainer(task: TaskRecord): void {
    if (
      task.agentState !== 'TASK_STAGING' ||
      task.agent.status !== 'REGISTERED' ||
      task.framework.removed
    )
      return;
    if (this.master.options.stagingUpdates) this.updates.emit(task, 'TASK_STAGING', 'SOURCE_AGENT');
    if (isMesosContainer(task.info)) return this.startUcr(task);
    const run = dockerRun(task.info, task.resources);
    if ('failure' in run) {
      if (run.failure.stderr) task.sandbox.append('stderr', `${run.failure.stderr}\n`);
      this.updates.emit(task, 'TASK_FAILED', 'SOURCE_AGENT', {
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
        message: `Failed to launch container: ${run.failure.message}${run.failure.stderr ? `: ${run.failure.stderr}` : ''}`,
      });
      return;
    }
    this.updates.emit(task, 'TASK_STARTING', 'SOURCE_EXECUTOR');
    this.updates.emit(task, 'TASK_RUNNING', 'SOURCE_EXECUTOR');
    const steps = planTask({
      ...this.launchSpecOf(task),
      ...(run.entrypoint ? { entrypoint: run.entrypoint } : {}),
    });
    this.play(task, steps);
  }

  /** The behaviour model plays the task's steps as its run. */
  private play(task: TaskRecord, steps: Step[]): void {
    this.begin(task, (ended) =>
      startRun(steps, task.sandbox, this.master.timers, (code) =>
        ended(() => this.exited(task, code)),
      ),
    );
  }

  /** A task under the Mesos containerizer: checked as its agent checks it, then run. */
  private startUcr(task: TaskRecord): void {
    const failure = ucrLaunchFailure(task.info, this.master.options.cniNetworks);
    if (failure) {
      this.updates.emit(task, 'TASK_FAILED', 'SOURCE_AGENT', {
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
        message: `Failed to launch container: ${failure}`,
      });
      return;
    }
    this.updates.emit(task, 'TASK_STARTING', 'SOURCE_EXECUTOR');
    this.updates.emit(task, 'TASK_RUNNING', 'SOURCE_EXECUTOR');
    this.runUcr(task, false);
  }

  private runUcr(task: TaskRecord, resumed: boolean): void {
    const spec = this.launchSpecOf(task);
    this.begin(task, (ended) =>
      startUcrRun(
        this.master,
        task,
        spec,
        (status) => ended(() => this.exitedWith(task, status)),
        resumed,
      ),
    );
  }

  /**
   * Makes what `start` starts the task's run. A run reports its end only after `start` has
   * returned it, and the end counts only while the run is still the task's: one stopped or
   * replaced meanwhile says nothing.
   */
  private begin(task: TaskRecord, start: (ended: (report: () => void) => void) => TaskRun): void {
    const run = start((report) => {
      if (task.run === run) this.guard(task, report);
    });
    task.run = run;
  }

  /**
   * Runs a step of a task's life that no request waits on (its start, its run's end, its
   * restore): if it throws, that task fails and the cluster carries on.
   */
  private guard(task: TaskRecord, step: () => void): void {
    try {
      step();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.master.log(
        `task ${task.id} failed in the emulator: ${error instanceof Error ? error.stack : message}`,
      );
      // As the agent reports a command executor that died under its task.
      this.fail(task, `Abnormal executor termination: ${message}`, 'REASON_EXECUTOR_TERMINATED');
    }
  }

  /** A task kept across a restart goes on from where its output stopped. */
  resume(task: TaskRecord): void {
    this.guard(task, () => {
      if (isMesosContainer(task.info)) return this.runUcr(task, true);
      const written = {
        stdout: task.sandbox.file('stdout')?.size ?? 0,
        stderr: task.sandbox.file('stderr')?.size ?? 0,
      };
      const steps = stepsAfter(planTask(this.launchSpecOf(task)), written);
      this.play(task, steps);
    });
  }

  /** What a task (or a session nested in it) runs with: command, image, hostname, environment. */
  launchSpecOf(task: TaskRecord): LaunchSpec {
    const container = task.info.container;
    const docker = container?.type === 'DOCKER' ? container.docker : undefined;
    const command = task.info.command ?? task.info.executor?.command;
    // A container on a CNI network has a hostname of its own, as a bridged Docker one has.
    const bridged =
      (docker !== undefined && docker.network !== undefined && docker.network !== 'HOST') ||
      (container?.type === 'MESOS' && (container.network_infos?.length ?? 0) > 0);
    const hostname =
      container?.hostname ??
      (bridged ? task.executorId.replace(/[^a-z0-9]/gi, '').slice(0, 12) : task.agent.hostname);
    const env: Record<string, string> = {
      HOST: task.agent.hostname,
      HOSTNAME: hostname,
      MESOS_TASK_ID: task.id,
      MESOS_EXECUTOR_ID: task.executorId,
      MESOS_FRAMEWORK_ID: task.framework.id,
      MESOS_AGENT_ID: task.agent.id,
      MESOS_SANDBOX: '/mnt/mesos/sandbox',
    };
    for (const variable of command?.environment?.variables ?? [])
      env[variable.name] = variable.value ?? '';
    const image = docker?.image ?? imageOf(task.info);
    return {
      ...(command ? { command } : {}),
      ...(image !== undefined ? { image } : {}),
      hostname,
      env,
    };
  }

  /** The task's first process ended with this wait(2) status. */
  private exitedWith(task: TaskRecord, status: number): void {
    const { code, message } = describeWaitStatus(status);
    task.run = undefined;
    this.endNested(task);
    this.updates.emit(task, code === 0 ? 'TASK_FINISHED' : 'TASK_FAILED', 'SOURCE_EXECUTOR', {
      message,
    });
  }

  /** Destroying a container destroys the containers nested in it. */
  private endNested(task: TaskRecord): void {
    for (const nested of task.nested.values()) nested.kill();
  }

  private exited(task: TaskRecord, code: number): void {
    task.run = undefined;
    if (code === 0)
      this.updates.emit(task, 'TASK_FINISHED', 'SOURCE_EXECUTOR', {
        message: 'Command exited with status 0',
      });
    else
      this.updates.emit(task, 'TASK_FAILED', 'SOURCE_EXECUTOR', {
        message: `Command exited with status ${code}`,
      });
  }

  /** Fault injection: the task's process exits now with `code`. */
  exit(task: TaskRecord, code: number): boolean {
    if (isTerminal(task.agentState) || task.agentState === 'TASK_STAGING') return false;
    task.run?.stop();
    this.endNested(task);
    this.exited(task, code);
    return true;
  }

  /** Fault injection: the task fails with `message`, as a crashed executor would report. */
  fail(task: TaskRecord, message: string, reason?: TaskStatus['reason']): boolean {
    if (isTerminal(task.agentState)) return false;
    task.run?.stop();
    this.endNested(task);
    task.run = undefined;
    this.updates.emit(task, 'TASK_FAILED', 'SOURCE_EXECUTOR', {
      message,
      ...(reason ? { reason } : {}),
    });
    return true;
  }

  kill(task: TaskRecord, reason?: TaskStatus['reason']): void {
    if (isTerminal(task.agentState)) return;
    task.run?.stop();
    this.endNested(task);
    task.run = undefined;
    const extra: StatusExtra = reason ? { reason } : {};
    if (
      task.agentState !== 'TASK_STAGING' &&
      task.framework.capabilities.has('TASK_KILLING_STATE')
    ) {
      if (task.agentState !== 'TASK_KILLING')
        this.updates.emit(task, 'TASK_KILLING', 'SOURCE_EXECUTOR', extra);
    }
    this.updates.emit(task, 'TASK_KILLED', 'SOURCE_EXECUTOR', {
      message: 'Command terminated with signal Terminated',
      ...extra,
    });
  }

  private complete(task: TaskRecord): void {
    this.stop(task);
    releaseTask(task);
    const framework = task.framework;
    framework.tasks.delete(task.id);
    framework.unreachableTasks.delete(task.id);
    framework.completedTasks.push(task);
    if (framework.completedTasks.length > MAX_COMPLETED_TASKS) framework.completedTasks.shift();
    task.agent.tasks.delete(task);
    this.master.agentManager.checkDrained(task.agent);
  }

  private stop(task: TaskRecord): void {
    task.run?.stop();
    this.endNested(task);
    task.run = undefined;
    this.master.timers.cancel(task.retryTimer);
    task.retryTimer = undefined;
  }

  frameworkRemoved(framework: FrameworkRecord): void {
    for (const task of [...framework.tasks.values()]) {
      this.stop(task);
      task.pending = [];
      if (!isTerminal(task.state)) {
        this.updates.noteFromMaster(task, 'TASK_KILLED', { reason: 'REASON_FRAMEWORK_REMOVED' });
      }
      task.agentState = task.state;
      this.complete(task);
    }
  }

  /** The agent is gone for good; its tasks are lost (GONE for partition-aware frameworks). */
  agentRemoved(agent: AgentRecord, byOperator: boolean): void {
    for (const task of [...agent.tasks]) {
      this.stop(task);
      task.pending = [];
      const framework = task.framework;
      if (!framework.removed && !isTerminal(task.state)) {
        const aware = framework.capabilities.has('PARTITION_AWARE');
        const state: TaskState = aware
          ? byOperator
            ? 'TASK_GONE_BY_OPERATOR'
            : 'TASK_GONE'
          : 'TASK_LOST';
        this.updates.sendFromMaster(task, state, state, {
          reason: byOperator ? 'REASON_AGENT_REMOVED_BY_OPERATOR' : 'REASON_AGENT_REMOVED',
          message: `Agent ${agent.hostname} removed`,
        });
      }
      task.agentState = task.state;
      this.complete(task);
    }
  }

  /**
   * The master lost contact: tasks keep running on the agent but count as unreachable, and
   * their resources leave the allocation (Mesos removes the agent from the allocator) until
   * the agent reregisters.
   */
  agentUnreachable(agent: AgentRecord): void {
    const since = agent.unreachableAt ?? Date.now();
    for (const task of agent.tasks) {
      this.master.timers.cancel(task.retryTimer);
      task.retryTimer = undefined;
      releaseTask(task);
      const framework = task.framework;
      if (framework.removed || !framework.tasks.delete(task.id)) continue;
      framework.unreachableTasks.set(task.id, task);
      if (isTerminal(task.state)) continue;
      const sent = framework.capabilities.has('PARTITION_AWARE') ? 'TASK_UNREACHABLE' : 'TASK_LOST';
      this.updates.sendFromMaster(task, 'TASK_UNREACHABLE', sent, {
        reason: 'REASON_AGENT_REMOVED',
        message: `Agent ${agent.hostname} is unreachable`,
        unreachable_time: timeInfo(since),
      });
    }
  }

  /**
   * The agent is back. Partition-aware frameworks get their tasks back in their current
   * state; others see them killed, and tasks of frameworks torn down meanwhile are killed.
   */
  agentReregistered(agent: AgentRecord): void {
    for (const task of [...agent.tasks]) {
      const framework = task.framework;
      if (framework.removed) {
        this.stop(task);
        agent.tasks.delete(task);
        framework.unreachableTasks.delete(task.id);
        continue;
      }
      const inFlight = task.pending.length > 0;
      framework.unreachableTasks.delete(task.id);
      framework.tasks.set(task.id, task);
      if (!isTerminal(task.agentState)) trackTask(task);
      if (framework.capabilities.has('PARTITION_AWARE')) {
        this.updates.sendFromMaster(task, task.agentState, task.agentState, {
          reason: 'REASON_AGENT_REREGISTERED',
        });
      } else {
        task.state = task.agentState;
        this.kill(task);
      }
      if (inFlight) this.updates.forward(task);
    }
  }
}
