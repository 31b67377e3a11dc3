import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startSimCluster } from '@shoal/mesos-sim';
import { eventually, FAST_SIM, startShoalForTest } from './testing/shoal-under-test';

// A container no agent of the cluster could ever run is refused at start, with the
// reason, in Docker's error form; one that only waits for room is not.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function clusterOfTwo() {
  const sim = await startSimCluster({
    agents: [
      { hostname: 'a1', cpus: 4, mem: 8192, ports: [[31000, 31999]], attributes: { rack: 'r1' } },
      { hostname: 'a2', cpus: 8, mem: 4096, ports: [[31000, 31999]], attributes: { rack: 'r2' } },
    ],
    ...FAST_SIM,
  });
  cleanups.push(() => sim.close());
  const shoal = await startShoalForTest({ masters: sim.masterUrls });
  cleanups.push(() => shoal.close());
  await eventually(
    'the framework to subscribe',
    async () => shoal.services.cluster.framework().subscribed,
  );
  const tenant = await shoal.services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test');
  const { secret } = await shoal.services.tokens.issue({ tenantId: tenant.id, name: 't' }, 'test');
  const docker = async (path: string, body?: unknown) => {
    const response = await request(`${shoal.dockerApi.url.replace(/^tcp:/, 'http:')}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  return { shoal, tenantId: tenant.id, docker, secret };
}

describe('a container no agent could ever run', () => {
  it('is refused at start with the reason, and not meant to run', async () => {
    const { shoal, tenantId } = await clusterOfTwo();
    const { containers } = shoal.services;
    const refusals: [string, Parameters<typeof containers.create>[1], RegExp][] = [
      ['huge', { image: 'nginx', cpus: 16 }, /it asks for 16 cpus, and the largest agent has 8$/],
      [
        'greedy',
        { image: 'nginx', cpus: 6, memoryMb: 6000 },
        // Each agent has one of them, none has both.
        /no single agent has all it needs \(a1: it asks for 6 cpus; a2: it asks for 6000 MB memory\)/,
      ],
      [
        'web',
        { image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }] },
        /host port 8080 is outside the agents' port ranges \(31000-31999\)$/,
      ],
      [
        'pinned',
        { image: 'nginx', labels: { 'shoal.constraints': 'rack:CLUSTER:r9' } },
        /no agent meets its placement constraint rack:CLUSTER:r9$/,
      ],
      [
        'cheap',
        { image: 'nginx', labels: { 'shoal.best-effort': 'true' } },
        /best-effort .* revocable cpus, and no agent offers revocable resources$/,
      ],
    ];
    for (const [name, input, reason] of refusals) {
      await containers.create(tenantId, { ...input, name }, 'test');
      const error = await containers.start(tenantId, name, 'test').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONFLICT' });
      expect((error as Error).message).toMatch(
        new RegExp(
          `^cannot start container ${name}: no Mesos agent in the cluster could ever run it: `,
        ),
      );
      expect((error as Error).message).toMatch(reason);
      expect(await containers.get(tenantId, name)).toMatchObject({
        state: 'created',
        desiredState: 'stopped',
        task: null,
      });
    }
  });

  it('answers docker start with 409 and the reason; one that only waits for room is started', async () => {
    const { shoal, tenantId, docker, secret } = await clusterOfTwo();
    expect(
      await docker('/v1.50/containers/create?name=web', {
        Image: 'nginx',
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } },
      }),
    ).toMatchObject({ status: 201 });
    expect(await docker('/v1.50/containers/web/start')).toEqual({
      status: 409,
      body: {
        message:
          "cannot start container web: no Mesos agent in the cluster could ever run it: host port 8080 is outside the agents' port ranges (31000-31999)",
      },
    });
    // Fits the larger agent once it is free: it is started and waits, not refused, and
    // says why it waits.
    const { containers } = shoal.services;
    await containers.create(
      tenantId,
      {
        name: 'filler',
        image: 'nginx',
        cpus: 7,
        labels: { 'shoal.constraints': 'hostname:CLUSTER:a2' },
      },
      'test',
    );
    expect((await containers.start(tenantId, 'filler', 'test')).state).toBe('running');
    await containers.create(tenantId, { name: 'later', image: 'nginx', cpus: 6 }, 'test');
    expect(await docker('/v1.50/containers/later/start')).toMatchObject({ status: 204 });
    const waiting = await eventually('the waiting container to say why', async () => {
      const view = await containers.get(tenantId, 'later');
      return view.waiting ? view : undefined;
    });
    expect(waiting).toMatchObject({ state: 'created', desiredState: 'running' });
    expect(waiting.waiting).toBe('it asks for 6 cpus, and the largest offer has 4');
    expect(waiting.status).toBe(
      'Created (waiting for resources: it asks for 6 cpus, and the largest offer has 4)',
    );
    const inspect = await request(
      `${shoal.dockerApi.url.replace(/^tcp:/, 'http:')}/v1.50/containers/later/json`,
      { headers: { authorization: `Bearer ${secret}` } },
    );
    expect(((await inspect.body.json()) as { State: { Error: string } }).State.Error).toBe(
      'it asks for 6 cpus, and the largest offer has 4',
    );
    // Stopped while it waits: it is no longer meant to run, and gives up its place.
    expect(await docker('/v1.50/containers/later/stop')).toMatchObject({ status: 204 });
    expect(await containers.get(tenantId, 'later')).toMatchObject({
      desiredState: 'stopped',
      task: null,
      waiting: null,
    });
  });
});

describe('offers under a quota limit', () => {
  it('never hold cpus without memory, or memory without cpus: no container could use them', async () => {
    const { shoal, tenantId } = await clusterOfTwo();
    const { containers, tenants, cluster } = shoal.services;
    // Memory is unlimited: the master offers the cpus of the limit on one agent and, by
    // its own minimum, the other agent's memory alone.
    await tenants.setQuota(tenantId, { quotaCpusLimit: 2 }, 'test');
    await containers.create(tenantId, { name: 'web', image: 'nginx', cpus: 0.5 }, 'test');
    expect((await containers.start(tenantId, 'web', 'test')).state).toBe('running');
    const seen = new Map<string, { cpus: number; memoryMb: number }>();
    // What is left of the limit comes back on an offer of its own, kept between bursts.
    await eventually('the rest of the limit to be offered', async () => {
      for (const o of cluster.heldOffers('shoal-acme')) seen.set(o.offerId, o.resources);
      return [...seen.values()].some((r) => r.cpus > 0);
    });
    const pieces = [...seen.values()].filter((r) => r.cpus === 0 || r.memoryMb === 0);
    expect(pieces).toEqual([]);
  });
});
