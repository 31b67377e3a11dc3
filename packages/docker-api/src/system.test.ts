import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentSummary, ClusterView, QuotaLine } from '@shoal/core';
import type { DockerApiServices } from './services';
import { messageOf, startTestApi, type TestApi } from './test-support/harness';
import { memoryServices } from './test-support/memory-services';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
  await t.request('POST', '/containers/create?name=a', {
    body: { Image: 'nginx', HostConfig: { NanoCpus: 5e8 } },
  });
  await t.request('POST', '/containers/a/start');
  await t.request('POST', '/containers/create?name=b', { body: { Image: 'nginx' } });
  await t.request('POST', '/containers/create?name=c', {
    body: { Image: 'registry.example:5000/team/api:2' },
  });
  await t.request('POST', '/containers/create?name=z', {
    token: 'globex-rw',
    body: { Image: 'redis' },
  });
});
afterAll(() => t.api.close());

describe('GET /info', () => {
  it("describes the tenant's slice: its containers, its quota as machine size, its Mesos role", async () => {
    const info = (await (await t.request('GET', '/v1.50/info')).json()) as Record<string, unknown>;
    expect(info).toMatchObject({
      Containers: 3,
      ContainersRunning: 1,
      ContainersPaused: 0,
      ContainersStopped: 2,
      Images: 2,
      // Quota limits of the in-memory tenant: 2.5 cpus (rounded up), 4096 MB.
      NCPU: 3,
      MemTotal: 4096 * 1024 * 1024,
      ServerVersion: expect.stringMatching(/^shoal\/\d/),
      Name: expect.stringMatching(/^shoal\//),
      OSType: 'linux',
      // On a Mesos cluster, tasks outlive a restart of Shoal.
      LiveRestoreEnabled: true,
      Shoal: {
        tenant: { slug: 'acme', mesosRole: 'shoal-acme' },
        quota: { cpus: { guarantee: 1, limit: 2.5, used: 0.5 } },
        agents: { count: 1, total: { cpus: 8 } },
        heldOffers: { count: 1, total: { cpus: 2 } },
        framework: { subscribed: true },
      },
    });
    const status = Object.fromEntries(info.SystemStatus as [string, string][]);
    expect(status).toMatchObject({
      Tenant: 'acme (ACME)',
      'Mesos role': 'shoal-acme',
      'Quota cpus': 'used 0.5, guarantee 1, limit 2.5',
      'Agents for this role': '1 (0 draining), 8 cpus, 16384 MB',
      'Offers held for this role': '1, 2 cpus, 1024 MB',
    });
  });
});

describe('GET /info on agents that offer revocable resources', () => {
  const amounts = (cpus: number, memoryMb: number) => ({
    cpus,
    memoryMb,
    diskMb: 0,
    gpus: 0,
    ports: [],
  });
  // Five agents of 4 cpus and 8192 MB, each with 2 cpus and 2048 MB oversubscribed.
  const agents: AgentSummary[] = [1, 2, 3, 4, 5].map((n) => ({
    id: `agent-${n}`,
    hostname: `agent-${n}.example`,
    attributes: {},
    total: amounts(4, 8192),
    revocable: amounts(2, 2048),
    draining: false,
    active: true,
  }));

  it('sizes a tenant without quota by the firm resources, and shows the revocable ones apart', async () => {
    const memory = memoryServices();
    const cluster: ClusterView = {
      ...memory.services.cluster,
      agents: async () => agents,
      heldOffers: (role) => [
        {
          offerId: 'offer-1',
          agentId: 'agent-1',
          hostname: 'agent-1.example',
          role,
          resources: amounts(4, 8192),
          revocableResources: amounts(2, 2048),
          revocable: true,
          heldSince: new Date(),
        },
      ],
    };
    // A tenant without quota: its machine is what its role can be offered.
    const containers: DockerApiServices['containers'] = memory.containers;
    const usage = containers.usage.bind(containers);
    vi.spyOn(containers, 'usage').mockImplementation(async (tenantId) => {
      const u = await usage(tenantId);
      const unlimited = (line: QuotaLine): QuotaLine => ({ ...line, limit: null });
      return {
        ...u,
        quota: {
          cpus: unlimited(u.quota.cpus),
          memoryMb: unlimited(u.quota.memoryMb),
          diskMb: unlimited(u.quota.diskMb),
          gpus: unlimited(u.quota.gpus),
        },
      };
    });
    const api = await startTestApi({ services: { ...memory.services, cluster } });
    try {
      const info = (await (await api.request('GET', '/v1.50/info')).json()) as Record<
        string,
        unknown
      >;
      expect(info).toMatchObject({
        NCPU: 20,
        MemTotal: 40_960 * 1024 * 1024,
        Shoal: {
          agents: {
            count: 5,
            total: { cpus: 20, memoryMb: 40_960 },
            revocable: { cpus: 10, memoryMb: 10_240 },
          },
          heldOffers: {
            count: 1,
            revocable: 1,
            total: { cpus: 4, memoryMb: 8192 },
            revocableTotal: { cpus: 2, memoryMb: 2048 },
          },
        },
      });
      const status = Object.fromEntries(info.SystemStatus as [string, string][]);
      expect(status).toMatchObject({
        'Agents for this role':
          '5 (0 draining), 20 cpus, 40960 MB + 10 revocable cpus, 10240 revocable MB',
        'Offers held for this role': '1, 4 cpus, 8192 MB + 2 revocable cpus, 2048 revocable MB',
      });
    } finally {
      await api.api.close();
    }
  });
});

describe('images', () => {
  it("lists the images the tenant's containers use", async () => {
    const images = (await (await t.request('GET', '/images/json')).json()) as {
      RepoTags: string[];
      Containers: number;
      Id: string;
    }[];
    expect(images.map((i) => [i.RepoTags, i.Containers])).toEqual([
      [['nginx:latest'], 2],
      [['registry.example:5000/team/api:2'], 1],
    ]);
    expect(images[0]!.Id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('answers a pull with a progress stream saying the agents pull at launch', async () => {
    const res = await t.request('POST', '/images/create?fromImage=nginx&tag=1.27');
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string });
    expect(lines.at(-1)!.status).toBe('Status: nginx:1.27 will be pulled by the agent at launch');
    expect(lines.map((l) => l.status).join(' ')).toMatch(/Shoal does not pull images itself/);
  });

  it('inspects an image pulled or run, by name, full name or id, and no other', async () => {
    await t.request('POST', '/images/create?fromImage=docker.io%2Flibrary%2Fredis&tag=7');
    const listed = (await (await t.request('GET', '/images/json')).json()) as {
      Id: string;
      RepoTags: string[];
    }[];
    const redis = listed.find((i) => i.RepoTags.includes('redis:7'));
    expect(redis).toBeDefined();
    for (const name of [
      'redis:7',
      'docker.io/library/redis:7',
      redis!.Id,
      redis!.Id.slice(7, 19),
    ]) {
      const res = await t.request('GET', `/images/${encodeURIComponent(name)}/json`);
      expect(res.status, name).toBe(200);
      expect(await res.json()).toMatchObject({ Id: redis!.Id, RepoTags: ['redis:7'], Os: 'linux' });
    }
    const other = await t.request('GET', '/images/redis/json');
    expect(other.status).toBe(404);
    expect(await messageOf(other)).toBe('No such image: redis');
    const foreign = await t.request('GET', '/images/redis:7/json', { token: 'globex-rw' });
    expect(foreign.status).toBe(404);
  });

  it('refuses a pull, create or image inspect for a platform other than the one Shoal reports', async () => {
    const arm = await t.request(
      'POST',
      '/images/create?fromImage=memcached&tag=1&platform=linux%2Farm64',
    );
    expect(arm.status).toBe(400);
    expect(await messageOf(arm)).toMatch(
      /^platform "linux\/arm64" is not supported: each Mesos agent runs the image for its own architecture/,
    );
    const created = await t.request('POST', '/containers/create?name=arm&platform=linux%2Farm64', {
      body: { Image: 'memcached:1' },
    });
    expect(created.status).toBe(400);
    expect(await messageOf(created)).toMatch(/^platform "linux\/arm64" is not supported/);
    // Nothing recorded: the image is not known until a pull Shoal can carry out.
    expect((await t.request('GET', '/images/memcached:1/json')).status).toBe(404);
    const amd = await t.request(
      'POST',
      '/images/create?fromImage=memcached&tag=1&platform=linux%2Famd64',
    );
    expect(amd.status).toBe(200);
    const inspect = (platform: object) =>
      t.request(
        'GET',
        `/images/memcached:1/json?platform=${encodeURIComponent(JSON.stringify(platform))}`,
      );
    expect((await inspect({ os: 'linux', architecture: 'amd64' })).status).toBe(200);
    const other = await inspect({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(other.status).toBe(400);
    expect(await messageOf(other)).toMatch(/^platform "linux\/arm\/v7" is not supported/);
  });

  it('forgets a pull on docker rmi and image prune -a, and keeps the images containers use', async () => {
    await t.request('POST', '/images/create?fromImage=alpine&tag=3');
    await t.request('POST', '/images/create?fromImage=busybox&tag=1');
    const tags = async () =>
      ((await (await t.request('GET', '/images/json')).json()) as { RepoTags: string[] }[]).flatMap(
        (i) => i.RepoTags,
      );
    expect(await tags()).toEqual(expect.arrayContaining(['alpine:3', 'busybox:1']));
    const rmi = await t.request('DELETE', '/images/alpine:3');
    expect(rmi.status).toBe(200);
    expect(await rmi.json()).toEqual([{ Untagged: 'alpine:3' }]);
    expect(await tags()).not.toContain('alpine:3');
    expect((await t.request('DELETE', '/images/alpine:3')).status).toBe(404);
    // In use by a container: kept, as Docker keeps an image a container uses.
    const used = await t.request('DELETE', '/images/nginx');
    expect(used.status).toBe(409);
    expect(await messageOf(used)).toMatch(/containers use it; remove them first/);
    // Plain prune: nothing dangles. With -a: every pull no container uses, and with `until`
    // only those seen before it; no image carries a label Shoal could match.
    const prune = async (filters: Record<string, string[]>) =>
      t.request('POST', `/images/prune?filters=${encodeURIComponent(JSON.stringify(filters))}`);
    for (const filters of <Record<string, string[]>[]>[
      { dangling: ['false'], until: ['1h'] },
      { dangling: ['false'], label: ['tier'] },
      { dangling: ['true'], until: ['0s'] },
    ]) {
      const kept = await prune(filters);
      expect(kept.status, JSON.stringify(filters)).toBe(200);
      expect(await kept.json()).toEqual({ ImagesDeleted: null, SpaceReclaimed: 0 });
    }
    expect(await tags()).toContain('busybox:1');
    const unknown = await prune({ reference: ['busybox'] });
    expect(unknown.status).toBe(400);
    // Docker's dangling is true or false: anything else is refused, never read as -a.
    const maybe = await prune({ dangling: ['maybe'] });
    expect(maybe.status).toBe(400);
    expect(await messageOf(maybe)).toBe("invalid filter 'dangling=maybe': use true or false");
    expect(
      (
        await t.request(
          'GET',
          `/images/json?filters=${encodeURIComponent('{"dangling":["maybe"]}')}`,
        )
      ).status,
    ).toBe(400);
    expect(await tags()).toContain('busybox:1');
    const plain = await t.request(
      'POST',
      `/images/prune?filters=${encodeURIComponent('{"dangling":["true"]}')}`,
    );
    expect(await plain.json()).toEqual({ ImagesDeleted: null, SpaceReclaimed: 0 });
    const all = await prune({ dangling: ['false'], until: ['0s'], 'label!': ['tier'] });
    expect(((await all.json()) as { ImagesDeleted: unknown[] }).ImagesDeleted).toContainEqual({
      Untagged: 'busybox:1',
    });
    expect(await tags()).not.toContain('busybox:1');
    expect(await tags()).toContain('nginx:latest');
  });

  it('answers other image endpoints with 501 and the reason', async () => {
    for (const [method, path] of [
      ['GET', '/images/nginx/history'],
      ['POST', '/build'],
    ] as const) {
      const res = await t.request(method, path);
      expect(res.status, path).toBe(501);
      expect(await messageOf(res)).toMatch(/Shoal keeps no images/);
    }
  });
});
