import type { Offer, TaskStatus } from '@shoal/mesos';
import { describe, expect, it } from 'vitest';
import { type FrameworkDriver, frameworkInfo, taskOn } from './testing/framework';
import { useSim } from './testing/sim-fixture';

describe('reconciliation and partitions', () => {
  const t = useSim({ agents: 2 });

  /** Subscribes and starts one long-running task per agent: `<prefix>-0`, `<prefix>-1`. */
  async function running(
    name: string,
    capabilities: string[],
  ): Promise<{ fw: FrameworkDriver; offers: Offer[] }> {
    const fw = await t.framework(
      frameworkInfo(name, [name], capabilities, { failover_timeout: 3600 }),
    );
    const offers = await fw.offers();
    expect(offers).toHaveLength(2);
    for (const [i, offer] of offers.entries())
      await fw.launch(offer, [taskOn(offer, `${name}-${i}`, { image: 'nginx' })]);
    for (let i = 0; i < offers.length; i++) await fw.update(`${name}-${i}`, 'TASK_RUNNING');
    fw.queue.skip((e) => e.type === 'UPDATE');
    return { fw, offers };
  }

  const fromMaster = (status: TaskStatus) => {
    expect(status.source).toBe('SOURCE_MASTER');
    expect(status.uuid).toBeUndefined();
    return status;
  };

  it('answers implicit and explicit reconciliation in the documented order', async () => {
    const { fw, offers } = await running('aware', ['PARTITION_AWARE']);
    const [agentA, agentB] = offers.map((o) => o.agent_id);
    await fw.client.reconcile();
    for (const id of ['aware-0', 'aware-1']) {
      expect(fromMaster(await fw.masterUpdate(id))).toMatchObject({
        state: 'TASK_RUNNING',
        reason: 'REASON_RECONCILIATION',
      });
    }
    t.sim.faults.partitionAgent(agentB?.value ?? '');
    const unreachable = fromMaster(await fw.masterUpdate('aware-1', 'TASK_UNREACHABLE'));
    expect(unreachable.unreachable_time?.nanoseconds).toBeGreaterThan(0n);
    await fw.client.reconcile([
      { task_id: { value: 'aware-0' }, agent_id: agentA },
      { task_id: { value: 'ghost' }, agent_id: agentA },
      { task_id: { value: 'aware-1' }, agent_id: agentB },
      { task_id: { value: 'lost-agent' }, agent_id: { value: 'no-such-agent' } },
    ]);
    expect((await fw.masterUpdate('aware-0')).state).toBe('TASK_RUNNING');
    expect((await fw.masterUpdate('ghost')).state).toBe('TASK_GONE');
    const stillUnreachable = await fw.masterUpdate('aware-1');
    expect(stillUnreachable).toMatchObject({
      state: 'TASK_UNREACHABLE',
      reason: 'REASON_RECONCILIATION',
    });
    expect(stillUnreachable.unreachable_time).toEqual(unreachable.unreachable_time);
    expect((await fw.masterUpdate('lost-agent')).state).toBe('TASK_UNKNOWN');
  });

  it('tells frameworks that are not partition-aware TASK_LOST instead', async () => {
    const { fw, offers } = await running('legacy', []);
    const agentB = offers[1]?.agent_id;
    t.sim.faults.partitionAgent(agentB?.value ?? '');
    expect(fromMaster(await fw.masterUpdate('legacy-1')).state).toBe('TASK_LOST');
    await fw.client.reconcile([
      { task_id: { value: 'ghost' }, agent_id: offers[0]?.agent_id },
      { task_id: { value: 'legacy-1' }, agent_id: agentB },
      { task_id: { value: 'nowhere' }, agent_id: { value: 'no-such-agent' } },
    ]);
    for (const id of ['ghost', 'legacy-1', 'nowhere'])
      expect((await fw.masterUpdate(id)).state).toBe('TASK_LOST');
  });

  it('brings tasks back RUNNING when a partitioned agent returns, or kills them for other frameworks', async () => {
    const aware = await running('aware', ['PARTITION_AWARE']);
    const legacy = await running('legacy', []);
    const agent = aware.offers[0]?.agent_id.value ?? '';
    const legacyTask = legacy.offers[0]?.agent_id.value === agent ? 'legacy-0' : 'legacy-1';
    t.sim.faults.partitionAgent(agent);
    await aware.fw.update('aware-0', 'TASK_UNREACHABLE');
    await legacy.fw.update(legacyTask, 'TASK_LOST');
    expect(t.sim.state.offers().some((o) => o.agentId === agent)).toBe(false);
    t.sim.faults.restoreAgent(agent);
    const back = fromMaster(await aware.fw.masterUpdate('aware-0', 'TASK_RUNNING'));
    expect(back.reason).toBe('REASON_AGENT_REREGISTERED');
    await legacy.fw.update(legacyTask, 'TASK_KILLED');
    expect(t.sim.state.tasks().find((task) => task.id === 'aware-0')?.state).toBe('TASK_RUNNING');
  });

  it('kills tasks of frameworks torn down while their agent was away', async () => {
    const { fw, offers } = await running('doomed', ['PARTITION_AWARE']);
    const agent = offers[0]?.agent_id.value ?? '';
    t.sim.faults.partitionAgent(agent);
    await fw.update('doomed-0', 'TASK_UNREACHABLE');
    await fw.client.teardown();
    t.sim.faults.restoreAgent(agent);
    expect(t.sim.state.agents().find((a) => a.id === agent)).toMatchObject({
      status: 'REGISTERED',
      tasks: 0,
    });
  });

  it('reports tasks of a killed agent LOST or GONE, and the agent as unknown afterwards', async () => {
    const aware = await running('aware', ['PARTITION_AWARE']);
    const legacy = await running('legacy', []);
    const agent = aware.offers[0]?.agent_id;
    t.sim.faults.killAgent(agent?.value ?? '');
    expect(fromMaster(await aware.fw.masterUpdate('aware-0', 'TASK_GONE')).reason).toBe(
      'REASON_AGENT_REMOVED',
    );
    const legacyTask = legacy.offers[0]?.agent_id.value === agent?.value ? 'legacy-0' : 'legacy-1';
    await legacy.fw.update(legacyTask, 'TASK_LOST');
    await aware.fw.client.reconcile([{ task_id: { value: 'aware-0' }, agent_id: agent }]);
    expect((await aware.fw.masterUpdate('aware-0', 'TASK_UNKNOWN')).reason).toBe(
      'REASON_RECONCILIATION',
    );
  });

  it('answers TASK_GONE_BY_OPERATOR for agents marked gone', async () => {
    const { fw, offers } = await running('aware', ['PARTITION_AWARE']);
    const agent = offers[0]?.agent_id;
    await t
      .operator()
      .call({ type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: agent ?? { value: '' } } });
    await fw.update('aware-0', 'TASK_GONE_BY_OPERATOR');
    await fw.client.reconcile([{ task_id: { value: 'aware-0' }, agent_id: agent }]);
    expect((await fw.masterUpdate('aware-0')).state).toBe('TASK_GONE_BY_OPERATOR');
  });
});

describe('an agent that comes back', () => {
  const t = useSim({ agents: 1 });

  it('holds only its live tasks after partitions, and offers the rest again', async () => {
    const fw = await t.framework(
      frameworkInfo('aware', ['aware'], ['PARTITION_AWARE'], { failover_timeout: 3600 }),
    );
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    const agent = offer.agent_id.value;
    await fw.launch(offer, [taskOn(offer, 'small', { cpus: 0.2, image: 'nginx' })], 0);
    await fw.update('small', 'TASK_RUNNING');
    for (let round = 0; round < 3; round++) {
      t.sim.faults.partitionAgent(agent);
      await fw.update('small', 'TASK_UNREACHABLE');
      t.sim.faults.restoreAgent(agent);
      await fw.update('small', 'TASK_RUNNING');
    }
    expect(t.sim.state.agents()[0]?.used.scalars.cpus).toBeCloseTo(0.2);
    const cpusOf = (o: Offer) => o.resources?.find((r) => r.name === 'cpus')?.scalar?.value ?? 0;
    const [again] = await fw.offers((o) => o.agent_id.value === agent);
    if (!again) throw new Error('no offer');
    expect(cpusOf(again)).toBeCloseTo(3.8);
    await fw.client.kill({ value: 'small' }, { agentId: offer.agent_id });
    await fw.update('small', 'TASK_KILLED');
    expect(t.sim.state.agents()[0]?.used.scalars.cpus ?? 0).toBeCloseTo(0);
  });
});

describe('framework ids', () => {
  const t = useSim({ agents: 1 });

  it('never hands a new framework the id of one the master already knows', async () => {
    const first = await t.framework(frameworkInfo('first', ['first']));
    // A framework coming back after a master failover keeps the id it had: here the one
    // the master would mint next.
    const next = first.id.value.replace(/\d{4}$/, (n) => String(Number(n) + 1).padStart(4, '0'));
    const back = await t.framework(
      frameworkInfo('back', ['back'], [], { id: { value: next }, failover_timeout: 3600 }),
    );
    expect(back.id.value).toBe(next);
    const fresh = await t.framework(frameworkInfo('fresh', ['fresh']));
    expect(fresh.id.value).not.toBe(next);
    expect(fresh.id.value).not.toBe(first.id.value);
    const names = t.sim.state
      .frameworks()
      .map((f) => f.name)
      .sort();
    expect(names).toEqual(['back', 'first', 'fresh']);
  });
});

describe('without STAGING updates', () => {
  const t = useSim({ agents: 1, stagingUpdates: false });

  it('starts the update stream at TASK_STARTING, as a real master does', async () => {
    const fw = await t.framework(frameworkInfo('real', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'x', { command: 'true' })]);
    await fw.update('x', 'TASK_FINISHED');
    // An update sent again before its acknowledgement arrived (this fixture retries after
    // 50 ms, which a busy machine can outlast) carries the same uuid: it is one update.
    const seen = new Set<string>();
    const states = fw.queue.events
      .filter((e) => e.type === 'UPDATE')
      .filter((e) => {
        const uuid = e.update?.status.uuid;
        if (!uuid) return true;
        const key = Buffer.from(uuid).toString('hex');
        return !seen.has(key) && seen.add(key);
      })
      .map((e) => e.update?.status.state);
    expect(states).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });
});
