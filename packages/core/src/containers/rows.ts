import type { Container, Task } from '@shoal/db';
import { PENDING, statusLine } from './lifecycle';
import { shownName } from './names';
import type { ContainerSpec, ContainerStateName, ContainerView, TaskView } from './types';

/** A container with the task that speaks for it (or none), as every view of it is built. */
export type ContainerRow = Container & { tasks: Task[] };
type TaskRow = ContainerRow['tasks'][number];

function taskView(task: TaskRow): TaskView {
  return {
    mesosTaskId: task.mesosTaskId,
    ...(task.agentId ? { agentId: task.agentId } : {}),
    ...(task.hostname ? { hostname: task.hostname } : {}),
    state: task.state,
    ...(task.reason ? { reason: task.reason } : {}),
    ...(task.message ? { message: task.message } : {}),
    ports: (task.ports as TaskView['ports'] | null) ?? [],
    launchedAt: task.launchedAt,
    updatedAt: task.updatedAt,
  };
}

/** The view of a container row; `version` is the row's, when the read asked for it. */
export function toView(row: ContainerRow, now = new Date(), version?: string): ContainerView {
  const task = row.tasks[0] ?? null;
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: shownName(row),
    image: row.image,
    spec: row.config as unknown as ContainerSpec,
    state: row.state.toLowerCase() as ContainerStateName,
    desiredState: row.desiredState === 'RUNNING' ? 'running' : 'stopped',
    status: statusLine(row, task, now),
    exitCode: row.exitCode,
    error: row.error,
    restartCount: row.restartCount,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    task: task ? taskView(task) : null,
    waiting: task?.state === PENDING ? task.message : null,
    ...(version === undefined ? {} : { version }),
  };
}
