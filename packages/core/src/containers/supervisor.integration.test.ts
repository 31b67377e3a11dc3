import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { createServices, type Services } from '../services';
import type { TaskLauncher } from './ports';
import { ContainerSupervisor, DEFAULT_SUPERVISOR_OPTIONS } from './supervisor';

// The supervisor's safety pass kills tasks a running replacement left alive, so a
// container ends on one live task after any fault.

let db: Db;
let services: Services;

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(db);
});
afterAll(async () => {
  await db?.close();
});

/** A launcher that only records the kills it is asked for. */
function killRecorder(): TaskLauncher & { killed: string[] } {
  const killed: string[] = [];
  return {
    killed,
    submit: () => undefined,
    submitAll: () => undefined,
    cancel: () => false,
    isPending: () => false,
    kill: (taskId) => {
      killed.push(taskId);
      return Promise.resolve();
    },
  };
}

it('kills an older live task once a newer one runs, even when a newest launch ended', async () => {
  const tenant = await services.tenants.create({ slug: 'twice', name: 'Twice' }, 'a');
  const container = await services.containers.create(
    tenant.id,
    { image: 'nginx', cpus: 0.1, memoryMb: 32, name: 'twice' },
    'a',
  );
  await db.prisma.container.update({
    where: { id: container.id },
    data: { state: 'RUNNING', desiredState: 'RUNNING' },
  });
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
  // The first task came back after its replacement ran; a third launch was dropped.
  for (const [n, state, at] of [
    [1, 'TASK_RUNNING', 3],
    [2, 'TASK_RUNNING', 2],
    [3, 'TASK_DROPPED', 1],
  ] as const)
    await db.prisma.task.create({
      data: {
        containerId: container.id,
        mesosTaskId: `twice.${n}`,
        agentId: `a${n}`,
        state,
        launchedAt: minutesAgo(at),
      },
    });

  const launcher = killRecorder();
  const supervisor = new ContainerSupervisor(db.sql, launcher, DEFAULT_SUPERVISOR_OPTIONS);
  supervisor.start();
  try {
    const deadline = Date.now() + 30_000;
    while (launcher.killed.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  } finally {
    await supervisor.stop();
  }
  expect(launcher.killed).toEqual(['twice.1']);
});
