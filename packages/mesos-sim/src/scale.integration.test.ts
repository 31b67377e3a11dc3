import { OperatorClient } from '@shoal/mesos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameworkDriver, frameworkInfo, taskOn } from './testing/framework';
import { type SimThread, startSimThread } from './testing/sim-thread';

// 1,000 agents and a few thousand tasks through the real HTTP APIs. The emulator runs in
// its own thread so that it and the clients each get a core. Behaviour is asserted, never
// timing; the figures are printed for comparison with bench/ runs.

const AGENTS = 1000;
const TASKS_PER_AGENT = 2;
const TASKS = AGENTS * TASKS_PER_AGENT;

describe('scale', () => {
  let sim: SimThread;
  let fw: FrameworkDriver;
  let operator: OperatorClient;

  beforeAll(async () => {
    sim = await startSimThread({
      agents: AGENTS,
      heartbeatIntervalSeconds: 5,
      allocationIntervalMs: 200,
    });
    operator = new OperatorClient({ masters: sim.masterUrls });
  });

  afterAll(async () => {
    await fw?.close();
    await operator?.close();
    await sim?.close();
  });

  it(`offers ${AGENTS} agents in one event and runs ${TASKS} tasks`, async () => {
    const started = performance.now();
    fw = await FrameworkDriver.subscribe(sim.masterUrls, frameworkInfo('scale', ['bulk']));
    const offers = await fw.offers(undefined, 30_000);
    expect(offers).toHaveLength(AGENTS);
    const offered = performance.now();

    await Promise.all(
      offers.map((offer, a) =>
        fw.launch(
          offer,
          Array.from({ length: TASKS_PER_AGENT }, (_, i) =>
            taskOn(offer, `task-${a}-${i}`, { image: 'nginx', cpus: 0.5, mem: 256 }),
          ),
        ),
      ),
    );
    // Distinct tasks: an agent re-sends an update until it is acknowledged.
    await fw.queue.distinctReach(
      (e) =>
        e.update?.status.state === 'TASK_RUNNING' ? e.update.status.task_id.value : undefined,
      TASKS,
      120_000,
    );
    const running = performance.now();

    const tasks = (await operator.getTasks()).tasks ?? [];
    expect(tasks).toHaveLength(TASKS);
    expect(tasks.every((t) => t.state === 'TASK_RUNNING')).toBe(true);
    expect(new Set(tasks.map((t) => t.agent_id.value)).size).toBe(AGENTS);

    const seconds = (running - offered) / 1000;
    console.info(
      `scale: ${AGENTS} agents offered in ${Math.round(offered - started)} ms; ` +
        `${TASKS} tasks RUNNING ${seconds.toFixed(2)} s after the offers (${Math.round(TASKS / seconds)} tasks/s, every update acknowledged)`,
    );
  });
});
