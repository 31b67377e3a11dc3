import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FrameworkInfo, TaskInfo } from '@shoal/mesos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from './index';
import { FrameworkDriver, frameworkInfo, taskOn } from './testing/framework';
import { FAST } from './testing/sim-fixture';

// A cluster restarted on its state file comes back as after a master failover: the same
// agents, the framework known by its id, and its tasks still running.

let dir: string;
const open: { close(): Promise<void> }[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mesos-sim-kept-'));
});
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

async function cluster(stateFile: string): Promise<SimCluster> {
  const sim = await startSimCluster({ ...FAST, agents: 2, stateFile });
  open.push(sim);
  return sim;
}

async function subscribe(
  sim: SimCluster,
  info: FrameworkInfo,
  autoAck = true,
): Promise<FrameworkDriver> {
  const driver = await FrameworkDriver.subscribe(sim.masterUrls, info, { autoAck });
  open.push(driver);
  return driver;
}

/** Waits for `check` to hold; the bound is for a loaded machine, not the expected time. */
async function waitFor(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const info = frameworkInfo('keeper', ['dev'], [], { failover_timeout: 3600 });

/** A framework with one long-running task that writes, sleeps, writes again and sleeps on. */
async function runningTask(sim: SimCluster) {
  const fw = await subscribe(sim, info);
  const [offer] = await fw.offers();
  if (!offer) throw new Error('no offer');
  const command = 'echo before; sleep 0.5; echo after; sleep 3600';
  await fw.launch(offer, [taskOn(offer, 'long', { command })]);
  await fw.update('long', 'TASK_RUNNING');
  // The first line is written as it starts; the second half a second later, which on a
  // busy machine can come before the restart as well as after it.
  expect(['before\n', 'before\nafter\n']).toContain(sim.state.output('long')?.stdout);
  return { fw, agentId: offer.agent_id.value };
}

async function expectStillRunning(sim: SimCluster, frameworkId: string, agentId: string) {
  expect(sim.state.agents().map((a) => a.id)).toContain(agentId);
  expect(sim.state.tasks()).toMatchObject([
    { id: 'long', frameworkId, agentId, state: 'TASK_RUNNING' },
  ]);
  const fw = await subscribe(sim, { ...info, id: { value: frameworkId } });
  expect(fw.id.value).toBe(frameworkId);
  await fw.client.reconcile([{ task_id: { value: 'long' } }]);
  // An update the old subscription had not acknowledged yet may come again first.
  const answer = await fw.next(
    (e) => e.type === 'UPDATE' && e.update?.status.reason === 'REASON_RECONCILIATION',
  );
  expect(answer.update?.status).toMatchObject({
    task_id: { value: 'long' },
    state: 'TASK_RUNNING',
    agent_id: { value: agentId },
  });
  // Its behaviour goes on from where its output stopped: nothing written twice.
  await waitFor('the second line', () => sim.state.output('long')?.stdout === 'before\nafter\n');
  // And it is still the framework's to kill.
  await fw.client.kill({ value: 'long' });
  expect((await fw.update('long', 'TASK_KILLED')).agent_id?.value).toBe(agentId);
}

describe('a cluster kept in its state file', () => {
  it('keeps agents, frameworks and running tasks across a clean restart', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await cluster(stateFile);
    const { fw, agentId } = await runningTask(first);
    const frameworkId = fw.id.value;
    await fw.close();
    await first.close();

    const second = await cluster(stateFile);
    await expectStillRunning(second, frameworkId, agentId);
  });

  it('writes changes as they happen, so a killed process loses at most the last moments', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await cluster(stateFile);
    const { fw, agentId } = await runningTask(first);
    const frameworkId = fw.id.value;
    const written = () =>
      existsSync(stateFile) && readFileSync(stateFile, 'utf8').includes('"TASK_RUNNING"');
    await waitFor('the running task in the state file', written);
    expect(statSync(stateFile).mode & 0o077).toBe(0);
    // What a SIGKILL would leave: the file as it is now, with no final write on close.
    const crashed = path.join(dir, 'crashed.json');
    copyFileSync(stateFile, crashed);
    await fw.close();
    await first.close();

    const second = await cluster(crashed);
    await expectStillRunning(second, frameworkId, agentId);
  });

  it('sends again, after the restart, the updates the framework had not acknowledged', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await cluster(stateFile);
    const fw = await subscribe(first, info, false);
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'unacked', { image: 'nginx' })]);
    const starting = await fw.update('unacked', 'TASK_STARTING');
    const frameworkId = fw.id.value;
    await fw.close();
    await first.close();

    const second = await cluster(stateFile);
    const again = await subscribe(second, { ...info, id: { value: frameworkId } }, false);
    const resent = await again.update('unacked');
    expect(resent.state).toBe('TASK_STARTING');
    expect(resent.uuid).toEqual(starting.uuid);
  });

  it('ends on restart a task whose command had ended, and fails a task it cannot bring back', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await cluster(stateFile);
    const fw = await subscribe(first, info);
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    const ucr = (taskId: string): TaskInfo => ({
      ...taskOn(offer, taskId, { command: 'sleep 3600' }),
      container: {
        type: 'MESOS',
        mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } },
      },
    });
    await fw.launch(offer, [ucr('quick'), ucr('broken')]);
    await fw.update('quick', 'TASK_RUNNING');
    await fw.update('broken', 'TASK_RUNNING');
    const frameworkId = fw.id.value;
    await fw.close();
    await first.close();

    // What a process that died as `echo x` ended leaves behind: the task running, its
    // output written. And a task whose kept description no longer makes sense.
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      sandboxes: { executorId: string; stdout: string }[];
      cluster: { tasks: { info: TaskInfo }[] };
    };
    const kept = (taskId: string) =>
      state.cluster.tasks.find((task) => task.info.task_id.value === taskId)!.info;
    kept('quick').command = { value: 'echo x' };
    kept('broken').command = { value: 'true', environment: { variables: 5 as never } };
    state.sandboxes.find((sandbox) => sandbox.executorId === 'quick')!.stdout = 'x\n';
    writeFileSync(stateFile, JSON.stringify(state));

    const second = await cluster(stateFile);
    const again = await subscribe(second, { ...info, id: { value: frameworkId } });
    expect((await again.update('quick', 'TASK_FINISHED')).message).toBe(
      'Command exited with status 0',
    );
    expect(second.state.output('quick')).toEqual({ stdout: 'x\n', stderr: '' });
    const failed = await again.update('broken', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_EXECUTOR_TERMINATED');
    expect(failed.message).toMatch(/^Abnormal executor termination: /);

    // The cluster serves on, and starts again on what it wrote.
    const [next] = await again.offers();
    if (!next) throw new Error('no offer');
    await again.launch(next, [taskOn(next, 'after', { command: 'echo after' })]);
    await again.update('after', 'TASK_FINISHED');
    await again.close();
    await second.close();
    const third = await cluster(stateFile);
    // Some acknowledgements may not have made it before the close; nothing runs again.
    expect(third.state.tasks().filter((task) => task.state === 'TASK_RUNNING')).toEqual([]);
  });
});

describe('a state file written as tasks write a lot', () => {
  it("keeps the start of each task's output in it, so it stays small", async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await cluster(stateFile);
    const fw = await subscribe(first, info);
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    // 3 MB of output each, from a command of 53 characters.
    const loud = (taskId: string): TaskInfo => ({
      ...taskOn(offer, taskId, { command: `echo ${'$X'.repeat(24)}` }),
      command: {
        value: `echo ${'$X'.repeat(24)}`,
        environment: { variables: [{ name: 'X', value: 'x'.repeat(131_072) }] },
      },
    });
    await fw.launch(offer, [loud('loud-1'), loud('loud-2'), loud('loud-3')]);
    for (const id of ['loud-1', 'loud-2', 'loud-3']) await fw.update(id, 'TASK_FINISHED');
    await fw.close();
    await first.close();
    expect(statSync(stateFile).size).toBeLessThan(1024 * 1024);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      sandboxes: { executorId: string; stdout: string }[];
    };
    const kept = state.sandboxes.find((sandbox) => sandbox.executorId === 'loud-1')?.stdout ?? '';
    expect(kept.startsWith('x'.repeat(65_536))).toBe(true);
    expect(kept).toMatch(/kept only the start of this output across its restart\]\n$/);
  });
});

describe('a state file of tasks with ports', () => {
  it('is written, and brings the task back with its ports', async () => {
    const stateFile = path.join(dir, 'state.json');
    const first = await cluster(stateFile);
    const fw = await subscribe(first, info);
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    const task = taskOn(offer, 'served', { command: 'sleep 3600' });
    // A host port from the offer's ranges: protobuf's 64-bit integers, BigInt in JavaScript.
    (task.resources ??= []).push({
      name: 'ports',
      type: 'RANGES',
      ranges: { range: [{ begin: 31005n, end: 31005n }] },
      ...(offer.resources?.[0]?.allocation_info
        ? { allocation_info: offer.resources[0].allocation_info }
        : {}),
    });
    await fw.launch(offer, [task]);
    await fw.update('served', 'TASK_RUNNING');
    const frameworkId = fw.id.value;
    await fw.close();
    // The clean stop writes the state: it threw on the BigInt and kept the old one.
    await first.close();
    const second = await cluster(stateFile);
    expect(second.state.tasks()).toMatchObject([
      { id: 'served', frameworkId, state: 'TASK_RUNNING' },
    ]);
  });
});
