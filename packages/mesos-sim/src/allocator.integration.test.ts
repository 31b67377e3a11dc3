import type { Offer, Resource } from '@shoal/mesos';
import { describe, expect, it } from 'vitest';
import { frameworkInfo, taskOn } from './testing/framework';
import { useSim } from './testing/sim-fixture';

const cpus = (resources: Resource[] | undefined) =>
  (resources ?? [])
    .filter((r) => r.name === 'cpus' && !r.revocable)
    .reduce((n, r) => n + (r.scalar?.value ?? 0), 0);

describe('offers', () => {
  const t = useSim({ agents: 3 });

  it('batches offers per framework and marks the allocation role on the offer and each resource', async () => {
    const fw = await t.framework(frameworkInfo('multi', ['dev']));
    const offers = await fw.offers();
    expect(offers).toHaveLength(3);
    for (const offer of offers) {
      expect(offer.allocation_info?.role).toBe('dev');
      expect(offer.resources?.every((r) => r.allocation_info?.role === 'dev')).toBe(true);
      expect(offer.url?.address).toMatchObject({
        ip: '127.0.0.1',
        port: Number(new URL(t.sim.agentGatewayUrl).port),
      });
      expect(offer.hostname).toMatch(/^agent-\d{4}\.sim\.local$/);
    }
  });

  it('offers a single-role framework its role without allocation_info', async () => {
    const fw = await t.framework({ user: 'root', name: 'legacy', role: 'legacy' });
    const [offer] = await fw.offers();
    expect(offer?.allocation_info).toBeUndefined();
    expect(offer?.resources?.every((r) => r.allocation_info === undefined && r.role === '*')).toBe(
      true,
    );
    expect(t.sim.state.offers().every((o) => o.role === 'legacy')).toBe(true);
  });

  it('keeps a declined agent away for refuse_seconds, and REVIVE clears the filter', async () => {
    const fw = await t.framework(frameworkInfo('decliner', ['dev']));
    const [first, ...rest] = await fw.offers();
    if (!first) throw new Error('no offer');
    await fw.client.decline([first.id], { refuse_seconds: 3600 });
    await fw.client.decline(
      rest.map((o) => o.id),
      { refuse_seconds: 0 },
    );
    // Later rounds keep offering the other agents but never the filtered one.
    for (let round = 0; round < 3; round++) {
      const offers = await fw.offers();
      expect(offers.some((o) => o.agent_id.value === first.agent_id.value)).toBe(false);
      await fw.client.decline(
        offers.map((o) => o.id),
        { refuse_seconds: 0 },
      );
    }
    await fw.client.revive();
    await fw.offers((o) => o.agent_id.value === first.agent_id.value);
  });

  it('re-offers once a short filter expires', async () => {
    const fw = await t.framework(frameworkInfo('short', ['dev']));
    const offers = await fw.offers();
    await fw.client.decline(
      offers.map((o) => o.id),
      { refuse_seconds: 0.05 },
    );
    const again = await fw.offers();
    expect(again.length).toBeGreaterThan(0);
  });

  it('starts with suppressed roles and stops offers for a role on SUPPRESS until REVIVE', async () => {
    const fw = await t.framework(frameworkInfo('suppressor', ['a', 'b', 'c']), {
      suppressedRoles: ['c'],
    });
    await fw.offers();
    await fw.client.suppress(['a']);
    expect(t.sim.state.frameworks()[0]?.suppressedRoles.sort()).toEqual(['a', 'c']);
    // Offers made before the SUPPRESS may still be on their way; only later ones count.
    const stale = new Set(t.sim.state.offers().map((o) => o.id));
    await fw.client.decline(
      [...stale].map((value) => ({ value })),
      { refuse_seconds: 0 },
    );
    for (let fresh = 0; fresh < 3;) {
      const event = await fw.next((e) => e.type === 'OFFERS');
      const offers = (event.offers?.offers ?? []).filter((o) => !stale.has(o.id.value));
      expect(offers.every((o) => o.allocation_info?.role === 'b')).toBe(true);
      fresh += offers.length;
      await fw.client.decline(
        offers.map((o) => o.id),
        { refuse_seconds: 0 },
      );
    }
    // The next allocation may already have offered every agent to b again: b stops asking
    // and gives them back, so the REVIVE finds them free for a.
    await fw.client.suppress(['b']);
    await fw.client.decline(
      t.sim.state.offers().map((o) => ({ value: o.id })),
      { refuse_seconds: 0 },
    );
    await fw.client.revive(['a']);
    await fw.offers((o) => o.allocation_info?.role === 'a');
  });

  it('returns what an ACCEPT leaves unused and refuses a used offer id', async () => {
    const fw = await t.framework(frameworkInfo('acceptor', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [taskOn(offer, 'sleeper', { cpus: 1, command: 'sleep 60' })], 0);
    await fw.update('sleeper', 'TASK_RUNNING');
    const [rest] = await fw.offers((o) => o.agent_id.value === offer.agent_id.value);
    expect(cpus(rest?.resources)).toBe(3);
    await fw.launch(offer, [taskOn(offer, 'second')]);
    const lost = await fw.update('second');
    expect(lost).toMatchObject({
      state: 'TASK_LOST',
      reason: 'REASON_INVALID_OFFERS',
      source: 'SOURCE_MASTER',
    });
    expect(lost.uuid).toBeUndefined();
  });

  it('drops tasks of invalid offers for partition-aware frameworks', async () => {
    const fw = await t.framework(frameworkInfo('aware', ['dev'], ['PARTITION_AWARE']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.client.decline([offer.id]);
    await fw.launch(offer, [taskOn(offer, 'late')]);
    expect(await fw.update('late')).toMatchObject({
      state: 'TASK_DROPPED',
      reason: 'REASON_INVALID_OFFERS',
    });
  });

  it('rescinds offers of roles an UPDATE_FRAMEWORK removes', async () => {
    const info = frameworkInfo('roles', ['a', 'b']);
    const fw = await t.framework(info);
    const offers = await fw.offers();
    const roleA = offers.filter((o) => o.allocation_info?.role === 'a');
    expect(roleA.length).toBeGreaterThan(0);
    await fw.client.updateFramework({ ...frameworkInfo('roles', ['b']), id: fw.id });
    const rescinded = new Set<string>();
    while (rescinded.size < roleA.length) {
      const event = await fw.next((e) => e.type === 'RESCIND');
      rescinded.add(event.rescind?.offer_id.value ?? '');
    }
    expect([...rescinded].sort()).toEqual(roleA.map((o) => o.id.value).sort());
  });
});

describe('offer timeout', () => {
  const t = useSim({ agents: 1, offerTimeoutSeconds: 0.05 });

  it('rescinds offers held longer than the offer timeout', async () => {
    const fw = await t.framework(frameworkInfo('holder', ['dev']));
    const [offer] = await fw.offers();
    const rescind = await fw.next((e) => e.type === 'RESCIND');
    expect(rescind.rescind?.offer_id.value).toBe(offer?.id.value);
  });
});

describe('capabilities', () => {
  const t = useSim({
    agents: [
      { cpus: 2, revocable: { cpus: 4 } },
      { cpus: 8, gpus: 2 },
    ],
  });

  const agentOf = (offers: Offer[], gpu: boolean) =>
    offers.find((o) => (o.resources ?? []).some((r) => r.name === 'gpus') === gpu);

  it('offers revocable resources only to REVOCABLE_RESOURCES frameworks and GPU agents only with GPU_RESOURCES', async () => {
    const plain = await t.framework(frameworkInfo('plain', ['dev']));
    const plainOffers = await plain.offers();
    expect(plainOffers).toHaveLength(1);
    expect(agentOf(plainOffers, true)).toBeUndefined();
    expect(plainOffers[0]?.resources?.some((r) => r.revocable)).toBe(false);
    const fancy = await t.framework(
      frameworkInfo('fancy', ['ml'], ['REVOCABLE_RESOURCES', 'GPU_RESOURCES']),
    );
    const fancyOffers = await fancy.offers();
    const gpuOffer = agentOf(fancyOffers, true);
    expect(gpuOffer?.resources?.find((r) => r.name === 'gpus')?.scalar?.value).toBe(2);
    // The revocable slice of the first agent is left over for the capable framework.
    const revocable = fancyOffers.flatMap((o) => o.resources ?? []).filter((r) => r.revocable);
    expect(revocable).toEqual([
      expect.objectContaining({ name: 'cpus', scalar: { value: 4 }, revocable: {} }),
    ]);
  });
});

describe('quota and weights', () => {
  const t = useSim({ agents: 2 });

  it('never offers a role more than its quota limit', async () => {
    const operator = t.operator();
    await operator.updateQuota([{ role: 'capped', limits: { cpus: { value: 3 } } }]);
    const fw = await t.framework(frameworkInfo('capped', ['capped']));
    const offers = await fw.offers();
    expect(offers.reduce((n, o) => n + cpus(o.resources), 0)).toBe(3);
    await fw.client.decline(
      offers.map((o) => o.id),
      { refuse_seconds: 0 },
    );
    const again = await fw.offers();
    expect(again.reduce((n, o) => n + cpus(o.resources), 0)).toBe(3);
    expect(t.sim.state.roleUsage('capped').scalars.cpus).toBe(3);
  });
});

describe('fair sharing', () => {
  // No agents at first, so that both frameworks are subscribed before anything is offered.
  const t = useSim({ agents: 0 });
  const agents = Array.from({ length: 4 }, () => ({ cpus: 1, mem: 1024 }));

  it('shares agents by weighted dominant share', async () => {
    await t.operator().updateWeights([{ role: 'heavy', weight: 3 }]);
    const heavy = await t.framework(frameworkInfo('heavy', ['heavy']));
    const light = await t.framework(frameworkInfo('light', ['light']));
    t.sim.faults.addAgents(agents);
    expect(await heavy.offers()).toHaveLength(3);
    expect(await light.offers()).toHaveLength(1);
  });

  it('serves roles below their quota guarantee first', async () => {
    await t.operator().updateQuota(
      [
        {
          role: 'guaranteed',
          guarantees: { cpus: { value: 4 } },
          limits: { cpus: { value: 4 } },
        },
      ],
      { force: true },
    );
    const greedy = await t.framework(frameworkInfo('greedy', ['greedy']));
    const guaranteed = await t.framework(frameworkInfo('guaranteed', ['guaranteed']));
    t.sim.faults.addAgents(agents);
    expect(await guaranteed.offers()).toHaveLength(4);
    // Nothing is left for the other role until the guaranteed one declines.
    await guaranteed.client.decline(
      t.sim.state.offers().map((o) => ({ value: o.id })),
      { refuse_seconds: 3600 },
    );
    expect((await greedy.offers()).length).toBeGreaterThan(0);
  });
});

describe('offer filters', () => {
  const t = useSim({ agents: 2 });
  const shape = (offers: Offer[]) =>
    offers
      .map((o) => {
        const mem = (o.resources ?? []).filter((r) => r.name === 'mem');
        return `${cpus(o.resources)} cpus${mem.length > 0 ? ' and memory' : ''}`;
      })
      .sort();

  it('offers a role only what holds all of one of the quantities its FrameworkInfo names', async () => {
    await t.operator().updateQuota([{ role: 'shaped', limits: { cpus: { value: 3 } } }]);
    const info = frameworkInfo('shaper', ['shaped']);
    const fw = await t.framework(info);
    // With the master's own minimum, the agent visited second has its memory offered alone:
    // the first took the whole limit on cpus.
    expect(shape(await fw.offers())).toEqual(['0 cpus and memory', '3 cpus and memory']);
    await fw.client.updateFramework({
      ...info,
      id: fw.id,
      offer_filters: {
        shaped: {
          min_allocatable_resources: {
            quantities: [{ quantities: { cpus: { value: 0.001 }, mem: { value: 1 } } }],
          },
        },
      },
    });
    const stale = new Set(t.sim.state.offers().map((o) => o.id));
    await fw.client.decline(
      [...stale].map((value) => ({ value })),
      { refuse_seconds: 0 },
    );
    const event = await fw.next(
      (e) => e.type === 'OFFERS' && !(e.offers?.offers ?? []).some((o) => stale.has(o.id.value)),
    );
    expect(shape(event.offers?.offers ?? [])).toEqual(['3 cpus and memory']);
  });
});
