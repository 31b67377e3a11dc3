import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOf, startTestApi, type TestApi } from '../test-support/harness';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.api.close());

async function create(
  name: string,
  body: Record<string, unknown>,
  token = 'acme-rw',
): Promise<string> {
  const res = await t.request('POST', `/v1.50/containers/create?name=${name}`, { body, token });
  expect(res.status).toBe(201);
  const created = (await res.json()) as { Id: string; Warnings: string[] };
  expect(created.Warnings).toEqual([]);
  return created.Id;
}

describe('create, inspect and list', () => {
  it('creates from Docker JSON and resolves the container by name, full id and 12-character prefix', async () => {
    const id = await create('web', {
      Image: 'nginx',
      Labels: { team: 'blue' },
      Env: ['A=1'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] }, Memory: 64 * 1024 * 1024 },
    });
    for (const ref of ['web', id, id.slice(0, 12)]) {
      const res = await t.request('GET', `/v1.50/containers/${ref}/json`);
      expect(res.status, ref).toBe(200);
      const body = (await res.json()) as { NetworkSettings: { Ports: unknown } };
      expect(body).toMatchObject({
        Id: id,
        Name: '/web',
        State: { Status: 'created', Running: false, ExitCode: 0 },
        Config: {
          Image: 'nginx',
          Tty: false,
          Env: ['A=1'],
          Labels: { team: 'blue' },
          ExposedPorts: { '80/tcp': {} },
        },
        HostConfig: {
          Memory: 64 * 1024 * 1024,
          PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
          NetworkMode: 'bridge',
        },
        Mounts: [],
      });
      // As Docker: a container shows its ports only while it runs.
      expect(body.NetworkSettings.Ports).toEqual({});
    }
  });

  it('keeps names per tenant: 409 on a duplicate, 404 across tenants', async () => {
    const dup = await t.request('POST', '/containers/create?name=web', {
      body: { Image: 'nginx' },
    });
    expect(dup.status).toBe(409);
    expect(await messageOf(dup)).toMatch(/The container name "\/web" is already in use/);
    const other = await t.request('GET', '/containers/web/json', { token: 'globex-rw' });
    expect(other.status).toBe(404);
    expect(await messageOf(other)).toBe('No such container: web');
    await create('web', { Image: 'redis' }, 'globex-rw');
  });

  it('starts (204, then 304), lists with filters, and shows the published port on its agent', async () => {
    expect((await t.request('POST', '/containers/web/start')).status).toBe(204);
    expect((await t.request('POST', '/containers/web/start')).status).toBe(304);
    const list = async (query: string) =>
      (
        (await (await t.request('GET', `/containers/json${query}`)).json()) as { Names: string[] }[]
      ).map((c) => c.Names[0]);
    expect(await list('')).toEqual(['/web']);
    // The CLI sends filters as {"name": {"value": true}}, dockerode as {"name": ["value"]}.
    expect(await list(`?filters=${encodeURIComponent('{"label":{"team=blue":true}}')}`)).toEqual([
      '/web',
    ]);
    expect(await list(`?filters=${encodeURIComponent('{"label":["team=red"]}')}`)).toEqual([]);
    expect(await list(`?filters=${encodeURIComponent('{"status":["running"]}')}`)).toEqual([
      '/web',
    ]);
    const [summary] = (await (await t.request('GET', '/containers/json')).json()) as Record<
      string,
      unknown
    >[];
    expect(summary).toMatchObject({
      Image: 'nginx',
      State: 'running',
      Ports: [{ IP: 'agent-1.example', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
      Labels: { team: 'blue' },
    });
    const inspected = async () =>
      (
        (await (await t.request('GET', '/containers/web/json')).json()) as {
          NetworkSettings: { Ports: unknown };
        }
      ).NetworkSettings.Ports;
    expect(await inspected()).toEqual({
      '80/tcp': [{ HostIp: 'agent-1.example', HostPort: '8080' }],
    });
    // Stopped, it holds no port of the agent's, and shows none.
    expect((await t.request('POST', '/containers/web/stop')).status).toBe(204);
    const [stopped] = (await (await t.request('GET', '/containers/json?all=1')).json()) as Record<
      string,
      unknown
    >[];
    expect(stopped).toMatchObject({ State: 'exited', Ports: [] });
    expect(await inspected()).toEqual({});
    expect((await t.request('POST', '/containers/web/start')).status).toBe(204);
    // Patterns too costly for the thread every tenant shares are refused before they run.
    for (const [name, message] of [
      [['(.?){999}\\b\\B'], /repeats its parts more than 100 times/],
      [Array.from({ length: 17 }, (_, i) => `w${i}`), /at most 16 name filters/],
    ] as const) {
      const costly = await t.request(
        'GET',
        `/containers/json?filters=${encodeURIComponent(JSON.stringify({ name }))}`,
      );
      expect(costly.status).toBe(400);
      expect(await messageOf(costly)).toMatch(message);
    }
    const bad = await t.request(
      'GET',
      `/containers/json?filters=${encodeURIComponent('{"isolation":["hyperv"]}')}`,
    );
    expect(bad.status).toBe(400);
    expect(await messageOf(bad)).toMatch(/^invalid filter 'isolation'/);
    // No container has a health check: none is healthy.
    const healthy = await t.request(
      'GET',
      `/containers/json?all=1&filters=${encodeURIComponent('{"health":["healthy"]}')}`,
    );
    expect(await healthy.json()).toEqual([]);
  });

  it('refuses unsupported create options with 400 naming them', async () => {
    const res = await t.request('POST', '/containers/create', {
      body: { Image: 'nginx', HostConfig: { Privileged: true } },
    });
    expect(res.status).toBe(400);
    expect(await messageOf(res)).toMatch(
      /^HostConfig\.Privileged \(--privileged\) is not supported by Shoal/,
    );
  });
});

describe('wait, stop, kill and remove', () => {
  it('sends wait headers at once and the exit code when the container stops', async () => {
    await create('waiter', { Image: 'nginx' });
    await t.request('POST', '/containers/waiter/start');
    // fetch resolves on the headers: the container is still running then.
    const waiting = await t.request('POST', '/v1.50/containers/waiter/wait?condition=next-exit');
    expect(waiting.status).toBe(200);
    expect((await t.containers.get('tenant-acme', 'waiter')).state).toBe('running');
    expect((await t.request('POST', '/containers/waiter/stop?t=1')).status).toBe(204);
    expect(await waiting.json()).toEqual({ StatusCode: 143 });
    expect((await t.request('POST', '/containers/waiter/stop')).status).toBe(304);
    const bad = await t.request('POST', '/containers/waiter/wait?condition=soon');
    expect(bad.status).toBe(400);
  });

  it('answers wait for a container that is not running at once', async () => {
    await create('failing', { Image: 'busybox', Cmd: ['sh', '-c', 'exit 3'] });
    await t.request('POST', '/containers/failing/start');
    const res = await t.request('POST', '/containers/failing/wait');
    expect(await res.json()).toEqual({ StatusCode: 3 });
  });

  it('kills only running containers and says which signals Mesos cannot deliver', async () => {
    const notRunning = await t.request('POST', '/containers/failing/kill');
    expect(notRunning.status).toBe(409);
    await create('victim', { Image: 'nginx' });
    await t.request('POST', '/containers/victim/start');
    const hup = await t.request('POST', '/containers/victim/kill?signal=HUP');
    expect(hup.status).toBe(501);
    expect(await messageOf(hup)).toMatch(/cannot be delivered/);
    expect((await t.request('POST', '/containers/victim/kill')).status).toBe(204);
  });

  it('refuses to remove a running container without force', async () => {
    await t.request('POST', '/containers/victim/start');
    const res = await t.request('DELETE', '/containers/victim');
    expect(res.status).toBe(409);
    expect(await messageOf(res)).toMatch(/^You cannot remove a running container/);
    expect((await t.request('DELETE', '/containers/victim?force=1&v=1')).status).toBe(204);
    expect((await t.request('GET', '/containers/victim/json')).status).toBe(404);
  });

  it('prunes stopped containers only', async () => {
    const res = await t.request('POST', '/containers/prune');
    const body = (await res.json()) as { ContainersDeleted: string[] };
    const left = (await (await t.request('GET', '/containers/json?all=true')).json()) as {
      Names: string[];
    }[];
    expect(body.ContainersDeleted.length).toBeGreaterThan(0);
    expect(left.map((c) => c.Names[0])).toEqual(['/web']);
  });
});

describe('what a Mesos task cannot do', () => {
  it('answers exec in a container of the docker runtime with 501 naming it, after resolving the container', async () => {
    const res = await t.request('POST', '/v1.50/containers/web/exec', { body: { Cmd: ['ls'] } });
    expect(res.status).toBe(501);
    expect(await messageOf(res)).toMatch(
      /^exec is not supported under the docker runtime \(the Mesos Docker containerizer\): Mesos cannot start a process inside a task of the Docker containerizer/,
    );
    expect(
      (await t.request('POST', '/containers/nope/exec', { body: { Cmd: ['ls'] } })).status,
    ).toBe(404);
    const start = await t.request('POST', '/exec/abc/start', { body: {} });
    expect(start.status).toBe(404);
    expect(await messageOf(start)).toBe('No such exec instance: abc');
  });

  it('answers stats in Docker shape with the allocation, and says usage is not measured', async () => {
    const res = await t.request('GET', '/containers/web/stats?stream=false');
    expect(await res.json()).toMatchObject({
      name: '/web',
      memory_stats: { usage: 0, limit: 64 * 1024 * 1024 },
      cpu_stats: { online_cpus: 1, cpu_usage: { total_usage: 0 } },
      pids_stats: { current: 1 },
      Shoal: { estimated: { measured: false } },
    });
  });

  it('reports the agent’s cpu and memory figures so the CLI can compute a percentage', async () => {
    const view = (await (await t.request('GET', '/containers/web/json')).json()) as { Id: string };
    const at = new Date('2026-01-01T00:00:10Z');
    t.containers.measured.set(view.Id, {
      at,
      cpuUserSeconds: 4,
      cpuSystemSeconds: 1,
      cpusLimit: 0.5,
      memRssBytes: 20 * 1024 * 1024,
      memLimitBytes: 64 * 1024 * 1024,
    });
    const body = (await (
      await t.request('GET', '/containers/web/stats?stream=false&one-shot=true')
    ).json()) as {
      cpu_stats: {
        cpu_usage: { total_usage: number };
        system_cpu_usage: number;
        online_cpus: number;
      };
      memory_stats: { usage: number; limit: number };
      Shoal: { estimated: { measured: boolean } };
    };
    expect(body.cpu_stats.cpu_usage.total_usage).toBe(5e9);
    expect(body.cpu_stats.system_cpu_usage).toBe(Math.round((at.getTime() / 1000) * 1e9));
    expect(body.memory_stats).toMatchObject({ usage: 20 * 1024 * 1024, limit: 64 * 1024 * 1024 });
    expect(body.Shoal.estimated.measured).toBe(true);
  });
});
