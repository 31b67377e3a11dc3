import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@shoal/db';
import type { TaskStatus } from '@shoal/mesos';
import { createTestDatabase } from '@shoal/db/testing';
import { createServices, type Services } from '../services';
import { LogClock } from './log-clock';
import { LogSampler } from './log-sampler';
import type { SandboxReader } from './ports';

// The leader notes the sizes of tasks' stdout and stderr so that log lines can be
// dated. These tests drive tasks through the status writer, as the framework does,
// and check which tasks a pass looks at and how the sizes it notes are dated.

let db: Db;
let services: Services;
let containerId: string;

/** An agent's sandboxes: each file's size, and which tasks were asked about. */
class Sandbox implements Pick<SandboxReader, 'sizes'> {
  readonly files = new Map<string, number>();
  readonly asked: string[] = [];

  sizes(task: { mesosTaskId: string }) {
    this.asked.push(task.mesosTaskId);
    const size = (file: string) => this.files.get(`${task.mesosTaskId}/${file}`) ?? 0;
    return Promise.resolve({ stdout: size('stdout'), stderr: size('stderr') });
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(db);
  const tenant = await services.tenants.create({ slug: 'logs', name: 'Logs' }, 'test');
  containerId = (
    await services.containers.create(tenant.id, { name: 'talker', image: 'busybox' }, 'test')
  ).id;
});
afterAll(async () => {
  await db?.close();
});

/** A task launched `ageSeconds` ago and staged on its agent. */
async function staged(mesosTaskId: string, ageSeconds = 0) {
  await db.prisma.task.create({
    data: {
      containerId,
      mesosTaskId,
      state: 'TASK_STAGING',
      launchedAt: new Date(Date.now() - ageSeconds * 1000),
      agentId: 'a1',
      hostname: 'a1.example',
      agentEndpoint: 'http://a1.example:5051',
    },
  });
}

const report = (state: TaskStatus['state'], ...taskIds: string[]) =>
  services.taskStore.recordStatuses(
    taskIds.map((id) => ({ task_id: { value: id }, agent_id: { value: 'a1' }, state })),
  );

const marksOf = (mesosTaskId: string) =>
  db.prisma.logMark.findMany({
    where: { task: { mesosTaskId }, stream: 'stdout' },
    orderBy: { size: 'asc' },
  });

function samplerFor(sandbox: Sandbox, intervalMs = 60_000, batchSize = 200) {
  return new LogSampler(db.prisma, new LogClock(db.prisma), sandbox, {
    intervalMs,
    batchSize,
    concurrency: 4,
  });
}

describe('the log sampler', () => {
  it('notes a task once it runs, again only when due, and its final sizes dated at its end', async () => {
    const sandbox = new Sandbox();
    const sampler = samplerFor(sandbox);
    await staged('talk.1');
    sandbox.files.set('talk.1/stdout', 10);
    // Staged: nothing is written yet.
    expect(await sampler.sampleOnce()).toBe(0);

    await report('TASK_RUNNING', 'talk.1');
    const before = Date.now();
    expect(await sampler.sampleOnce()).toBe(1);
    const [first] = await marksOf('talk.1');
    expect(Number(first!.size)).toBe(10);
    expect(first!.at.getTime()).toBeGreaterThanOrEqual(before);
    // Seen a moment ago: not due again for the sampling interval.
    sandbox.files.set('talk.1/stdout', 25);
    expect(await sampler.sampleOnce()).toBe(0);

    await report('TASK_FINISHED', 'talk.1');
    const ended = await db.prisma.task.findUniqueOrThrow({ where: { mesosTaskId: 'talk.1' } });
    expect(await sampler.sampleOnce()).toBe(1);
    const marks = await marksOf('talk.1');
    expect(marks.map((m) => Number(m.size))).toEqual([10, 25]);
    expect(marks[1]!.at).toEqual(ended.updatedAt);
    // Its final sizes are noted: it is never looked at again.
    expect(await sampler.sampleOnce()).toBe(0);
    expect(sandbox.asked).toEqual(['talk.1', 'talk.1']);
  });

  it('looks at a batch a pass, and at an old task after a 200th of its age', async () => {
    const sandbox = new Sandbox();
    const sampler = samplerFor(sandbox, 1_000, 40);
    const young = Array.from({ length: 50 }, (_, i) => `young.${i}`);
    for (const id of young) await staged(id);
    // Ten days old: due again 72 minutes after it was last looked at.
    await staged('old.1', 10 * 24 * 3600);
    await report('TASK_RUNNING', ...young, 'old.1');

    const passes: number[] = [];
    const untilAsked = async (ids: string[]) => {
      const deadline = Date.now() + 60_000;
      while (!ids.every((id) => sandbox.asked.includes(id)) && Date.now() < deadline) {
        const looked = await sampler.sampleOnce();
        passes.push(looked);
        if (looked === 0) await sleep(50);
      }
    };
    await untilAsked([...young, 'old.1']);
    expect(passes[0]).toBe(40);
    expect(Math.max(...passes)).toBe(40);

    // A second later the young ones are due again; the old one is not.
    sandbox.asked.length = 0;
    await untilAsked(young);
    expect(young.filter((id) => !sandbox.asked.includes(id))).toEqual([]);
    expect(sandbox.asked).not.toContain('old.1');
  });

  it('leaves a task that ended while it was looked at due for its final sizes', async () => {
    const sandbox = new Sandbox();
    const sampler = samplerFor(sandbox);
    await staged('racer.1');
    await report('TASK_RUNNING', 'racer.1');
    // The task ends while the pass reads its sizes (before the pass stores when it is next due).
    const sizes = sandbox.sizes.bind(sandbox);
    sandbox.sizes = (task) => report('TASK_KILLED', 'racer.1').then(() => sizes(task));
    expect(await sampler.sampleOnce()).toBe(1);
    sandbox.sizes = sizes;
    sandbox.files.set('racer.1/stdout', 7);
    const ended = await db.prisma.task.findUniqueOrThrow({ where: { mesosTaskId: 'racer.1' } });
    expect(ended.state).toBe('TASK_KILLED');
    expect(await sampler.sampleOnce()).toBe(1);
    const marks = await marksOf('racer.1');
    expect(marks.map((m) => [Number(m.size), m.at])).toEqual([[7, ended.updatedAt]]);
  });
});
