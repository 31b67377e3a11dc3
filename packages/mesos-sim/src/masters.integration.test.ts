import type { scheduler } from '@shoal/mesos';
import { describe, expect, it } from 'vitest';
import { frameworkInfo, taskOn } from './testing/framework';
import { RawStream, rawRequest } from './testing/raw-http';
import { useSim } from './testing/sim-fixture';

const subscribeCall = (name: string, id?: string): scheduler.Call => ({
  type: 'SUBSCRIBE',
  ...(id ? { framework_id: { value: id } } : {}),
  subscribe: {
    framework_info: {
      ...frameworkInfo(name, ['dev'], [], { failover_timeout: 3600 }),
      ...(id ? { id: { value: id } } : {}),
    },
  },
});

function openRaw(url: string, call: scheduler.Call) {
  return RawStream.open(
    `${url}/api/v1/scheduler`,
    'mesos.v1.scheduler.Call',
    call,
    'mesos.v1.scheduler.Event',
  );
}

describe('several masters', () => {
  const t = useSim({ masters: 3, agents: 2 });

  it('ends the old leader streams on a leader change; frameworks get nothing until they resubscribe', async () => {
    const [m0, m1] = t.sim.masterUrls as [string, string];
    const old = await openRaw(m0, subscribeCall('switcher'));
    const id =
      (await old.next((e) => e.type === 'SUBSCRIBED')).subscribed?.framework_id.value ?? '';
    await old.next((e) => e.type === 'OFFERS');

    t.sim.faults.setLeader(1);
    expect(t.sim.leaderUrl).toBe(m1);
    await old.whenEnded();
    expect(t.sim.state.frameworks().find((f) => f.id === id)).toMatchObject({
      connected: false,
      offers: 0,
    });

    // Another framework on the new leader is offered everything, the disconnected one nothing.
    const bystander = await openRaw(m1, subscribeCall('bystander'));
    const offers = await bystander.next((e) => e.type === 'OFFERS');
    expect(offers.offers?.offers).toHaveLength(2);
    expect(t.sim.state.offers().every((o) => o.frameworkId !== id)).toBe(true);

    const back = await openRaw(m1, subscribeCall('switcher', id));
    const subscribed = await back.next((e) => e.type === 'SUBSCRIBED');
    expect(subscribed.subscribed?.framework_id.value).toBe(id);
    expect(subscribed.subscribed?.master_info?.port).toBe(Number(new URL(m1).port));
    back.close();
    bystander.close();
  });

  it('lets the client follow the leader: resubscribe with its id, tasks still running', async () => {
    const fw = await t.framework(
      frameworkInfo('follower', ['dev'], [], { failover_timeout: 3600 }),
    );
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'kept', { image: 'nginx' })]);
    await fw.update('kept', 'TASK_RUNNING');
    const id = fw.id.value;
    fw.queue.skip((e) => e.type !== 'HEARTBEAT');

    t.sim.faults.setLeader(2);
    const again = await fw.next((e) => e.type === 'SUBSCRIBED');
    expect(again.subscribed?.framework_id.value).toBe(id);
    expect(fw.client.leader).toBe(t.sim.masterUrls[2]);
    await fw.client.reconcile([{ task_id: { value: 'kept' } }]);
    expect((await fw.update('kept')).state).toBe('TASK_RUNNING');
    await fw.offers();
  });

  it('answers 503 everywhere while no leader is elected', async () => {
    t.sim.faults.setLeader(null);
    for (const url of t.sim.masterUrls) {
      const response = await rawRequest(`${url}/api/v1`, {
        headers: { 'Content-Type': 'application/json' },
        body: '{"type":"GET_HEALTH"}',
      });
      expect(response.status).toBe(503);
    }
    expect(t.sim.leaderUrl).toBeUndefined();
  });
});

describe('fault API over HTTP', () => {
  const t = useSim({ masters: 2, agents: 1 });
  const post = (path: string, body: unknown = {}, master = 1) =>
    rawRequest(`${t.sim.masterUrls[master]}/sim/v1${path}`, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => ({ status: r.status, body: r.text ? JSON.parse(r.text) : undefined }));

  it('adds, partitions, restores and kills agents on any master', async () => {
    const added = await post('/agents', { count: 2, spec: { cpus: 2, attributes: { zone: 'b' } } });
    expect(added.status).toBe(200);
    expect(added.body.agents).toHaveLength(2);
    const [a, b] = added.body.agents as { id: string; hostname: string }[];
    expect((await post(`/agents/${a?.id}/partition`)).status).toBe(200);
    expect((await post(`/agents/${a?.id}/partition`)).status).toBe(409);
    expect((await post(`/agents/${a?.id}/restore`)).status).toBe(200);
    expect((await post(`/agents/${b?.id}/kill`)).status).toBe(200);
    expect((await post('/agents/nope/kill')).status).toBe(404);
    const state = await rawRequest(`${t.sim.masterUrls[0]}/sim/v1/state`, { method: 'GET' });
    const agents = JSON.parse(state.text).agents as { id: string; status: string }[];
    expect(agents.map((x) => x.status)).toEqual(['REGISTERED', 'REGISTERED', 'REMOVED']);
  });

  it('switches the leader, makes no leader, and marks the leader as recovering', async () => {
    expect((await post('/leader', { leader: 1 })).status).toBe(200);
    expect(t.sim.leaderUrl).toBe(t.sim.masterUrls[1]);
    expect((await post('/leader', { leader: 7 })).status).toBe(400);
    expect((await post('/leader', { leader: null })).status).toBe(200);
    expect(t.sim.leaderUrl).toBeUndefined();
    expect((await post('/leader', { leader: 0 })).status).toBe(200);
    expect((await post('/recovering', { recovering: true })).status).toBe(200);
    const recovering = await rawRequest(`${t.sim.masterUrls[0]}/api/v1`, {
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"GET_HEALTH"}',
    });
    expect([recovering.status, recovering.text]).toEqual([503, 'Master has not finished recovery']);
    expect((await post('/recovering', { recovering: false })).status).toBe(200);
  });

  it('drops a framework stream; the client resubscribes with its id', async () => {
    const fw = await t.framework(frameworkInfo('dropped', ['dev'], [], { failover_timeout: 60 }));
    await fw.next((e) => e.type === 'SUBSCRIBED');
    expect((await post(`/frameworks/${fw.id.value}/drop-stream`)).status).toBe(200);
    const again = await fw.next((e) => e.type === 'SUBSCRIBED');
    expect(again.subscribed?.framework_id).toEqual(fw.id);
    expect((await post('/frameworks/nope/drop-stream')).status).toBe(404);
  });
});
