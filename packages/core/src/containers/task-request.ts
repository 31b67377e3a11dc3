import { randomBytes } from 'node:crypto';
import type { TaskRequest } from '@shoal/scheduler';
import { groupKeyOf } from './spec';
import type { ContainerSpec } from './types';

/** A Mesos task id, never reused: `shoal.<first 12 of the container id>.<random>`. */
export function newTaskId(containerId: string): string {
  return `shoal.${containerId.slice(0, 12)}.${randomBytes(4).toString('hex')}`;
}

/** What the scheduler needs to launch one task of a container in its tenant's role. */
export function taskRequest(
  c: { id: string; tenantId: string; name: string; config: unknown },
  role: string,
  taskId: string,
): TaskRequest {
  const spec = c.config as ContainerSpec;
  return {
    taskId,
    name: c.name,
    role,
    cpus: spec.cpus,
    memMb: spec.memoryMb,
    diskMb: spec.diskMb,
    gpus: spec.gpus,
    bestEffort: spec.bestEffort,
    ports: spec.ports,
    constraints: spec.constraints,
    groupKey: groupKeyOf(c),
    container: {
      image: spec.image,
      networkMode: spec.networkMode,
      ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
      ...(spec.cmd ? { cmd: spec.cmd } : {}),
      env: spec.env,
      labels: spec.labels,
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
      ...(spec.user ? { user: spec.user } : {}),
      ...(spec.hostname ? { hostname: spec.hostname } : {}),
    },
  };
}
