import { MesosHttpStatusError, type Offer } from '@shoal/mesos';
import { describe, expect, it } from 'vitest';
import { type FrameworkDriver, frameworkInfo, taskOn } from './testing/framework';
import { useSim } from './testing/sim-fixture';
import { timeInfo } from './wire';

async function status400(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MesosHttpStatusError);
  expect((error as MesosHttpStatusError).status).toBe(400);
  return (error as MesosHttpStatusError).body;
}

describe('maintenance primitives', () => {
  const t = useSim({ agents: 2 });

  /** One nginx task on the first offered agent; returns that offer. */
  async function taskOnFirstAgent(
    fw: FrameworkDriver,
    taskId: string,
    agentId?: string,
  ): Promise<Offer> {
    const offers = await fw.offers((o) => agentId === undefined || o.agent_id.value === agentId);
    const offer = offers.find(
      (o) => agentId === undefined || o.agent_id.value === agentId,
    ) as Offer;
    // The default 5 s filter leaves the rest of the agent to the other framework.
    await fw.launch(offer, [taskOn(offer, taskId, { image: 'nginx' })]);
    await fw.update(taskId, 'TASK_RUNNING');
    return offer;
  }

  it('drains scheduled machines: unavailability on offers, inverse offers, answers in the status', async () => {
    const operator = t.operator();
    const aware = await t.framework(frameworkInfo('aware', ['a'], ['PARTITION_AWARE']));
    const offer = await taskOnFirstAgent(aware, 'web');
    const other = await t.framework(frameworkInfo('other', ['b']));
    await taskOnFirstAgent(other, 'db', offer.agent_id.value);

    const machine = { hostname: offer.hostname, ip: '127.0.0.1' };
    const unavailability = {
      start: timeInfo(Date.now() + 3_600_000),
      duration: { nanoseconds: 600_000_000_000n },
    };
    await operator.updateMaintenanceSchedule({
      windows: [{ machine_ids: [machine], unavailability }],
    });
    expect(await operator.getMaintenanceSchedule()).toEqual({
      windows: [{ machine_ids: [machine], unavailability }],
    });

    await aware.client.revive();
    const drained = await aware.offers((o) => o.agent_id.value === offer.agent_id.value);
    expect(drained.find((o) => o.agent_id.value === offer.agent_id.value)?.unavailability).toEqual(
      unavailability,
    );
    const inverse =
      (await aware.next((e) => e.type === 'INVERSE_OFFERS')).inverse_offers?.inverse_offers ?? [];
    expect(inverse).toEqual([
      expect.objectContaining({ agent_id: offer.agent_id, unavailability, framework_id: aware.id }),
    ]);
    const otherInverse =
      (await other.next((e) => e.type === 'INVERSE_OFFERS')).inverse_offers?.inverse_offers ?? [];

    expect(
      (await operator.getMaintenanceStatus()).draining_machines?.[0]?.statuses?.map(
        (s) => s.status,
      ),
    ).toEqual(['UNKNOWN', 'UNKNOWN']);
    await aware.client.acceptInverseOffers(inverse.map((o) => o.id));
    await other.client.declineInverseOffers(otherInverse.map((o) => o.id));
    const status = await operator.getMaintenanceStatus();
    const byFramework = Object.fromEntries(
      (status.draining_machines?.[0]?.statuses ?? []).map((s) => [s.framework_id.value, s.status]),
    );
    expect(byFramework).toEqual({ [aware.id.value]: 'ACCEPT', [other.id.value]: 'DECLINE' });
    expect(status.draining_machines?.[0]?.id).toEqual(machine);
  });

  it('matches machines on hostname and IP together, as Mesos does', async () => {
    const operator = t.operator();
    const fw = await t.framework(frameworkInfo('aware', ['a'], ['PARTITION_AWARE']));
    const offer = await taskOnFirstAgent(fw, 'web');
    const [agent] = (await operator.getAgents()).agents ?? [];
    // The agent's machine is its hostname and the IP of its pid.
    expect(agent?.pid).toMatch(/@127\.0\.0\.1:\d+$/);
    const start = () => ({ start: timeInfo(Date.now()) });
    const hostnameOnly = { hostname: offer.hostname };
    const otherIp = { hostname: offer.hostname, ip: '10.1.2.3' };
    await operator.updateMaintenanceSchedule({
      windows: [{ machine_ids: [hostnameOnly, otherIp], unavailability: start() }],
    });
    // Neither is the agent's machine: taking them down leaves the agent and its task alone.
    await operator.startMaintenance([hostnameOnly, otherIp]);
    expect(t.sim.state.agents().map((a) => a.hostname)).toContain(offer.hostname);
    expect(t.sim.state.tasks()).toEqual([
      expect.objectContaining({ id: 'web', state: 'TASK_RUNNING' }),
    ]);
    await operator.stopMaintenance([hostnameOnly, otherIp]);
    expect(
      await status400(
        operator.updateMaintenanceSchedule({
          windows: [{ machine_ids: [{ ip: '10.1.2' }], unavailability: start() }],
        }),
      ),
    ).toContain("Failed to parse IP address '10.1.2'");

    await operator.updateMaintenanceSchedule({
      windows: [
        {
          machine_ids: [{ hostname: offer.hostname.toUpperCase(), ip: '127.0.0.1' }],
          unavailability: start(),
        },
      ],
    });
    await fw.next((e) => e.type === 'INVERSE_OFFERS');
  });

  it('takes machines down and up again', async () => {
    const operator = t.operator();
    const aware = await t.framework(frameworkInfo('aware', ['a'], ['PARTITION_AWARE']));
    const offer = await taskOnFirstAgent(aware, 'web');
    const legacy = await t.framework(frameworkInfo('legacy', ['b']));
    await taskOnFirstAgent(legacy, 'db', offer.agent_id.value);
    const machine = { hostname: offer.hostname, ip: '127.0.0.1' };

    expect(await status400(operator.startMaintenance([machine]))).toContain(
      'not part of a maintenance schedule',
    );
    expect(
      await status400(
        operator.updateMaintenanceSchedule({
          windows: [
            { machine_ids: [machine], unavailability: { start: timeInfo(Date.now()) } },
            { machine_ids: [machine], unavailability: { start: timeInfo(Date.now()) } },
          ],
        }),
      ),
    ).toContain('more than once');

    await operator.updateMaintenanceSchedule({
      windows: [{ machine_ids: [machine], unavailability: { start: timeInfo(Date.now()) } }],
    });
    await operator.startMaintenance([machine]);
    expect((await aware.update('web', 'TASK_GONE_BY_OPERATOR')).reason).toBe(
      'REASON_AGENT_REMOVED_BY_OPERATOR',
    );
    await legacy.update('db', 'TASK_LOST');
    expect((await operator.getMaintenanceStatus()).down_machines).toEqual([machine]);
    expect((await operator.getAgents()).agents?.map((a) => a.agent_info.hostname)).not.toContain(
      offer.hostname,
    );
    expect(await status400(operator.updateMaintenanceSchedule({ windows: [] }))).toContain(
      'cannot be removed from the schedule',
    );

    await operator.stopMaintenance([machine]);
    expect(await operator.getMaintenanceStatus()).toEqual({});
    expect((await operator.getAgents()).agents?.map((a) => a.agent_info.hostname)).toContain(
      offer.hostname,
    );
    await expect
      .poll(() =>
        t.sim.state
          .offers()
          .some(
            (o) =>
              o.agentId !== offer.agent_id.value &&
              t.sim.state.agents().find((a) => a.id === o.agentId)?.hostname === offer.hostname,
          ),
      )
      .toBe(true);
  });
});

describe('agent draining and deactivation', () => {
  const t = useSim({ agents: 2 });

  it('kills tasks on DRAIN_AGENT, goes DRAINED once they are acknowledged, and makes no offers until reactivated', async () => {
    const operator = t.operator();
    const fw = await t.framework(frameworkInfo('drained', ['dev'], ['TASK_KILLING_STATE']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(
      offer,
      [taskOn(offer, 'a', { image: 'redis' }), taskOn(offer, 'b', { image: 'redis' })],
      0,
    );
    await fw.update('b', 'TASK_RUNNING');
    await operator.drainAgent(offer.agent_id, { maxGracePeriod: { seconds: 5n } });
    for (const id of ['a', 'b'])
      expect((await fw.update(id, 'TASK_KILLED')).reason).toBe('REASON_AGENT_DRAINING');
    await expect
      .poll(
        async () =>
          (await operator.getAgents()).agents?.find(
            (a) => a.agent_info.id?.value === offer.agent_id.value,
          )?.drain_info,
      )
      .toEqual({
        state: 'DRAINED',
        config: { max_grace_period: { nanoseconds: 5_000_000_000n }, mark_gone: false },
      });
    expect(t.sim.state.offers().some((o) => o.agentId === offer.agent_id.value)).toBe(false);
    await operator.reactivateAgent(offer.agent_id);
    await fw.offers((o) => o.agent_id.value === offer.agent_id.value);
  });

  it('rescinds and stops offers for a deactivated agent', async () => {
    const operator = t.operator();
    const fw = await t.framework(frameworkInfo('deactivated', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await operator.deactivateAgent(offer.agent_id);
    expect((await fw.next((e) => e.type === 'RESCIND')).rescind?.offer_id).toEqual(offer.id);
    const agents = await operator.getAgents();
    expect(
      agents.agents?.find((a) => a.agent_info.id?.value === offer.agent_id.value),
    ).toMatchObject({ active: false, deactivated: true });
    await operator.reactivateAgent(offer.agent_id);
    await fw.offers((o) => o.agent_id.value === offer.agent_id.value);
    expect(await status400(operator.reactivateAgent({ value: 'no-such-agent' }))).toContain(
      'Unknown agent',
    );
  });
});
