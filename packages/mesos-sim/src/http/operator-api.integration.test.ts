import { type master, MesosHttpStatusError } from '@shoal/mesos';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../testing/event-queue';
import { frameworkInfo, taskOn } from '../testing/framework';
import { decodeResponse, postCall, rawRequest } from '../testing/raw-http';
import { FAST, useSim } from '../testing/sim-fixture';

async function rejection(promise: Promise<unknown>): Promise<MesosHttpStatusError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MesosHttpStatusError);
  return error as MesosHttpStatusError;
}

describe('operator API, roles holding revocable resources', () => {
  const t = useSim({ agents: [{ cpus: 2, mem: 1024, revocable: { cpus: 3, mem: 512 } }] });

  it('gives each role what its subtree holds, revocable amounts added in as Mesos does', async () => {
    const fw = await t.framework(
      frameworkInfo('oversubscribed', ['eng/web'], ['REVOCABLE_RESOURCES']),
    );
    const [offer] = await fw.offers((o) => (o.resources ?? []).some((r) => r.revocable));
    if (!offer) throw new Error('no offer');

    const roles = (await t.operator().getRoles()).roles ?? [];
    const cpus = (name: string) =>
      roles.find((r) => r.name === name)?.resources?.find((r) => r.name === 'cpus')?.scalar?.value;
    // The offer's 2 firm and 3 revocable cpus, held by eng/web and so also by eng.
    expect(cpus('eng/web')).toBe(5);
    expect(cpus('eng')).toBe(5);
    expect(roles.find((r) => r.name === 'eng/web')?.resources?.some((r) => r.revocable)).toBe(
      false,
    );
  });
});

describe('operator API', () => {
  const t = useSim({
    masters: 2,
    agents: [
      { cpus: 4, mem: 4096, attributes: { rack: 'r1', weight: 2 } },
      { cpus: 4, mem: 4096 },
    ],
  });

  it('lists agents, frameworks, tasks and roles', async () => {
    const operator = t.operator();
    const fw = await t.framework(frameworkInfo('lister', ['eng/web', 'ops']));
    const [offer] = await fw.offers((o) => o.allocation_info?.role === 'eng/web');
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'web-1', { image: 'nginx', cpus: 1, mem: 256 })]);
    await fw.update('web-1', 'TASK_RUNNING');

    const agents = await operator.getAgents();
    expect(agents.agents).toHaveLength(2);
    const first = agents.agents?.find((a) => a.agent_info.hostname === 'agent-0001.sim.local');
    expect(first?.agent_info.attributes).toEqual([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'weight', type: 'SCALAR', scalar: { value: 2 } },
    ]);
    expect(first?.agent_info.port).toBe(Number(new URL(t.sim.agentGatewayUrl).port));

    const frameworks = await operator.getFrameworks();
    expect(frameworks.frameworks?.[0]).toMatchObject({
      active: true,
      connected: true,
      framework_info: { name: 'lister', id: fw.id },
    });

    const tasks = await operator.getTasks();
    expect(tasks.tasks).toEqual([
      expect.objectContaining({
        task_id: { value: 'web-1' },
        state: 'TASK_RUNNING',
        framework_id: fw.id,
      }),
    ]);

    const roles = (await operator.getRoles()).roles ?? [];
    expect(roles.map((r) => r.name)).toEqual(['eng', 'eng/web', 'ops']);
    const web = roles.find((r) => r.name === 'eng/web');
    expect(web?.frameworks).toEqual([fw.id]);
    expect(web?.resources?.find((r) => r.name === 'cpus')?.scalar?.value).toBeGreaterThanOrEqual(1);

    const state = await operator.getState();
    expect(state.get_tasks?.tasks).toHaveLength(1);
    expect(state.get_agents?.agents).toHaveLength(2);
  });

  it('validates UPDATE_QUOTA all or nothing and reports it in GET_QUOTA', async () => {
    const operator = t.operator();
    const limitOnly = { role: 'dev', limits: { cpus: { value: 2 }, mem: { value: 1024 } } };
    await operator.updateQuota([limitOnly]);
    // Empty repeated fields and maps do not exist on the protobuf wire.
    expect(await operator.getQuota()).toEqual({ infos: [{ role: 'dev' }], configs: [limitOnly] });

    const cases: [Parameters<typeof operator.updateQuota>[0], string][] = [
      [
        [{ role: 'a', guarantees: { cpus: { value: 2 } }, limits: { cpus: { value: 1 } } }],
        'is not contained within limits',
      ],
      [
        [{ role: 'eng/web', limits: { cpus: { value: 1 } } }],
        "Updating quota on nested role 'eng/web' is not supported yet",
      ],
      [[{ role: 'big', guarantees: { cpus: { value: 100 } } }], 'exceed cluster capacity'],
      [
        [
          { role: 'ok', limits: { cpus: { value: 1 } } },
          { role: '-bad', limits: { cpus: { value: 1 } } },
        ],
        'starts with a dash',
      ],
    ];
    for (const [configs, message] of cases) {
      const error = await rejection(operator.updateQuota(configs));
      expect(error.status).toBe(400);
      expect(error.body).toContain(message);
    }
    expect((await operator.getQuota()).configs?.map((c) => c.role)).toEqual(['dev']);
    await operator.updateQuota([{ role: 'big', guarantees: { cpus: { value: 100 } } }], {
      force: true,
    });
    await operator.updateQuota([{ role: 'big' }]);
    expect((await operator.getQuota()).configs?.map((c) => c.role)).toEqual(['dev']);
  });

  it('refuses a limit below what the role already consumes unless forced', async () => {
    const operator = t.operator();
    const fw = await t.framework(frameworkInfo('consumer', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'big', { image: 'nginx', cpus: 3 })]);
    await fw.update('big', 'TASK_RUNNING');
    const error = await rejection(
      operator.updateQuota([{ role: 'dev', limits: { cpus: { value: 2 } } }]),
    );
    expect([error.status, error.body]).toEqual([400, expect.stringContaining('already consuming')]);
    await operator.updateQuota([{ role: 'dev', limits: { cpus: { value: 2 } } }], { force: true });
  });

  it('keeps weights and rejects non-positive ones', async () => {
    const operator = t.operator();
    await operator.updateWeights([{ role: 'eng', weight: 2.5 }]);
    expect((await operator.getRoles()).roles).toEqual([
      expect.objectContaining({ name: 'eng', weight: 2.5 }),
    ]);
    expect((await rejection(operator.updateWeights([{ role: 'eng', weight: 0 }]))).status).toBe(
      400,
    );
    expect((await operator.getWeights()).weight_infos).toEqual([{ role: 'eng', weight: 2.5 }]);
  });

  it('streams SUBSCRIBED with the state, heartbeats and cluster events', async () => {
    const operator = t.operator();
    const events = new EventQueue<master.Event>();
    const subscription = await operator.subscribe();
    void (async () => {
      for await (const item of subscription) if (item.type !== 'DISCONNECTED') events.push(item);
    })();
    const subscribed = await events.next();
    expect(subscribed.type).toBe('SUBSCRIBED');
    expect(subscribed.subscribed?.get_state?.get_agents?.agents).toHaveLength(2);
    expect(subscribed.subscribed?.heartbeat_interval_seconds).toBe(FAST.heartbeatIntervalSeconds);
    expect((await events.next()).type).toBe('HEARTBEAT');

    const fw = await t.framework(frameworkInfo('watched', ['dev'], ['PARTITION_AWARE']));
    expect(
      (await events.next((e) => e.type === 'FRAMEWORK_ADDED')).framework_added?.framework
        .framework_info.name,
    ).toBe('watched');
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'w', { image: 'nginx' })]);
    expect((await events.next((e) => e.type === 'TASK_ADDED')).task_added?.task.task_id.value).toBe(
      'w',
    );
    await events.next((e) => e.type === 'TASK_UPDATED' && e.task_updated?.state === 'TASK_RUNNING');
    t.sim.faults.partitionAgent(offer.agent_id.value);
    expect((await events.next((e) => e.type === 'AGENT_REMOVED')).agent_removed?.agent_id).toEqual(
      offer.agent_id,
    );
    t.sim.faults.restoreAgent(offer.agent_id.value);
    await events.next(
      (e) =>
        e.type === 'AGENT_ADDED' &&
        e.agent_added?.agent.agent_info.id?.value === offer.agent_id.value,
    );
    t.sim.faults.addAgents([{ hostname: 'late.sim.local' }]);
    await events.next(
      (e) =>
        e.type === 'AGENT_ADDED' && e.agent_added?.agent.agent_info.hostname === 'late.sim.local',
    );
    await fw.client.updateFramework({
      ...frameworkInfo('watched', ['dev', 'ops'], ['PARTITION_AWARE']),
      id: fw.id,
    });
    await events.next((e) => e.type === 'FRAMEWORK_UPDATED');
    await fw.client.teardown();
    await events.next((e) => e.type === 'FRAMEWORK_REMOVED');
    await subscription.close();
  });

  it('answers GET_VERSION, GET_FLAGS and GET_METRICS as a master does', async () => {
    const operator = t.operator();
    const fw = await t.framework(frameworkInfo('metered', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'm-1', { image: 'nginx', cpus: 1, mem: 256 })]);
    await fw.update('m-1', 'TASK_RUNNING');

    expect(await operator.getVersion()).toBe('1.11.0');
    const flags = await operator.getFlags();
    expect(flags.get('allocation_interval')).toBe('20ms');
    expect(flags.get('port')).toBe(new URL(t.sim.masterUrls[0] ?? '').port);
    expect(flags.get('quorum')).toBe('2');
    const metrics = await operator.getMetrics();
    expect(metrics.get('master/elected')).toBe(1);
    expect(metrics.get('master/slaves_active')).toBe(2);
    expect(metrics.get('master/frameworks_active')).toBe(1);
    expect(metrics.get('master/tasks_running')).toBe(1);
    expect(metrics.get('master/cpus_total')).toBe(8);
    expect(metrics.get('master/cpus_used')).toBe(1);
    expect(metrics.get('master/mem_used')).toBe(256);
  });

  it('writes unset fields that have a default into JSON answers, as a master does', async () => {
    const fw = await t.framework(frameworkInfo('plain', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'd-1', { image: 'nginx' })]);
    await fw.update('d-1', 'TASK_RUNNING');
    const json = async (type: 'GET_FRAMEWORKS' | 'GET_TASKS') => {
      const leader = `${t.sim.leaderUrl ?? ''}/api/v1`;
      const answer = await postCall(leader, 'mesos.v1.master.Call', { type }, { format: 'json' });
      return JSON.parse(answer.text) as Record<string, Record<string, unknown[]>>;
    };
    const framework = (await json('GET_FRAMEWORKS')).get_frameworks?.frameworks?.[0] as {
      framework_info: Record<string, unknown>;
    };
    // Never sent by the framework; written with their defaults. `role` is deprecated: left out.
    expect(framework.framework_info).toMatchObject({ failover_timeout: 0, checkpoint: false });
    expect(framework.framework_info).not.toHaveProperty('role');
    const task = (await json('GET_TASKS')).get_tasks?.tasks?.[0] as {
      container: { docker: Record<string, unknown> };
    };
    expect(task.container.docker).toMatchObject({ network: 'HOST', privileged: false });
  });

  it('follows the transport rules of the scheduler API', async () => {
    const [leader, other] = t.sim.masterUrls.map((u) => `${u}/api/v1`);
    const redirect = await rawRequest(other ?? '', {
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"GET_HEALTH"}',
    });
    expect([redirect.status, redirect.headers.location]).toEqual([
      307,
      `//${new URL(leader ?? '').host}/api/v1`,
    ]);
    expect((await rawRequest(leader ?? '', { body: '{}' })).status).toBe(400);
    expect(
      (await rawRequest(leader ?? '', { headers: { 'Content-Type': 'text/xml' }, body: '<x/>' }))
        .status,
    ).toBe(415);
    expect(
      (
        await rawRequest(leader ?? '', {
          headers: { 'Content-Type': 'application/x-protobuf; charset=binary' },
          body: '',
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await rawRequest(leader ?? '', {
          headers: { 'Content-Type': 'application/json' },
          body: '{"type": 7}',
        })
      ).status,
    ).toBe(400);
    const refused = await postCall(
      leader ?? '',
      'mesos.v1.master.Call',
      { type: 'GET_HEALTH' },
      { headers: { Accept: 'application/json;q=0, application/x-protobuf;q=0' } },
    );
    expect(refused.status).toBe(406);
    const health = await postCall(
      leader ?? '',
      'mesos.v1.master.Call',
      { type: 'GET_HEALTH' },
      { format: 'json' },
    );
    expect(decodeResponse('mesos.v1.master.Response', health)).toEqual({
      type: 'GET_HEALTH',
      get_health: { healthy: true },
    });
    expect((await postCall(leader ?? '', 'mesos.v1.master.Call', { type: 'UNKNOWN' })).status).toBe(
      501,
    );
    expect(
      (await postCall(leader ?? '', 'mesos.v1.master.Call', { type: 'UPDATE_QUOTA' })).status,
    ).toBe(400);
    t.sim.faults.setLeader(null);
    expect(
      (await postCall(other ?? '', 'mesos.v1.master.Call', { type: 'GET_HEALTH' })).status,
    ).toBe(503);
  });
});
