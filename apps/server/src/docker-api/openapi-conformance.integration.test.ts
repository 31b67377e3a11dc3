import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningShoal } from '../app';
import { containerIn, eventually, startShoalForTest } from '../testing/shoal-under-test';
import { MAX_API_VERSION, ROUTES } from '@shoal/docker-api';
import { ENGINE_API, mismatches } from '@shoal/docker-api/testing';

// Every route Shoal serves, called once on the whole of Shoal, and every JSON answer
// checked against the Docker Engine API's schema for the version Shoal announces:
// success answers against the route's own schema, failures against the error schema.

interface Call {
  /** Fills `{id}`, `{name*}`, `{name}` or `{rest*}`. */
  ref?: string;
  query?: string | (() => string);
  body?: unknown;
}

const SINCE = Math.floor(Date.now() / 1000) - 1;

/** Requests that reach the route's success answer; any other route is called as it stands. */
const CALLS: Record<string, Call> = {
  'GET /containers/json': { query: 'all=1' },
  'POST /containers/create': {
    query: 'name=conf-new',
    body: { Image: 'busybox', Cmd: ['true'], Labels: { team: 'conformance' } },
  },
  'POST /containers/prune': { query: `filters=${encodeURIComponent('{"label":["prune=yes"]}')}` },
  'POST /containers/{id}/start': { ref: 'conf-created' },
  'POST /containers/{id}/stop': { ref: 'conf-stop', query: 't=1' },
  'POST /containers/{id}/kill': { ref: 'conf-kill' },
  'POST /containers/{id}/restart': { ref: 'conf-restart', query: 't=1' },
  'POST /containers/{id}/wait': { ref: 'conf-job', query: 'condition=not-running' },
  'POST /containers/{id}/rename': { ref: 'conf-job', query: 'name=conf-job-renamed' },
  'DELETE /containers/{id}': { ref: 'conf-gone' },
  'GET /containers/{id}/logs': { query: 'stdout=1&stderr=1' },
  'POST /containers/{id}/attach': { query: 'logs=1&stream=0&stdout=1' },
  'GET /containers/{id}/stats': { query: 'stream=false' },
  'GET /networks/{id}': { ref: 'conf-net' },
  'POST /networks/create': { body: { Name: 'conf-net-new', Labels: { team: 'conformance' } } },
  'GET /images/{name*}/json': { ref: 'alpine' },
  'POST /images/create': { query: 'fromImage=alpine' },
  'GET /events': { query: () => `since=${SINCE}&until=${Math.ceil(Date.now() / 1000)}` },
  'GET /system/df': { query: 'type=container&type=image&type=volume&type=build-cache' },
};

/** Answers that are not JSON (output streams), or JSON the reference gives no schema for. */
const NOT_CHECKED: Record<string, string> = {
  'GET /containers/{id}/logs': 'a raw or multiplexed output stream',
  'POST /containers/{id}/attach': 'a raw or multiplexed output stream',
  'POST /images/create': 'a progress stream the reference describes in prose only',
};

/** Fields Docker 28 sends at API 1.50 that its reference leaves out, which clients read. */
const UNDOCUMENTED: Record<string, string[]> = {
  // In Docker's own Go types; `docker info` prints its lines.
  'GET /info': ['SystemStatus'],
  // The pre-1.22 names, still sent below API 1.52.
  'GET /events': ['status', 'id', 'from'],
};

let shoal: RunningShoal;
let token: string;
let base: string;

async function send(method: string, path: string, call: Call): Promise<Response> {
  const query = typeof call.query === 'function' ? call.query() : call.query;
  return fetch(`${base}/v${MAX_API_VERSION}${path}${query ? `?${query}` : ''}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(call.body ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(call.body ? { body: JSON.stringify(call.body) } : {}),
  });
}

beforeAll(async () => {
  shoal = await startShoalForTest();
  const { services } = shoal;
  const tenant = await services.tenants.create(
    { slug: 'conformance', name: 'Conformance' },
    'test',
  );
  await services.tenants.setQuota(tenant.id, { quotaCpusLimit: 8, quotaMemLimit: 8192 }, 'test');
  ({ secret: token } = await services.tokens.issue({ tenantId: tenant.id, name: 'api' }, 'test'));
  base = shoal.dockerApi.url.replace('tcp://', 'http://');
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
  const create = async (name: string, body: Record<string, unknown>, start: boolean) => {
    const created = await send('POST', '/containers/create', { query: `name=${name}`, body });
    expect(created.status, await created.clone().text()).toBe(201);
    if (start) expect((await send('POST', `/containers/${name}/start`, {})).status).toBe(204);
  };
  const web = {
    Image: 'nginx',
    Labels: { team: 'conformance' },
    ExposedPorts: { '80/tcp': {} },
    HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '' }] } },
  };
  await create('conf-web', web, true);
  await create('conf-job', { Image: 'busybox', Cmd: ['sh', '-c', 'echo done'] }, true);
  for (const name of ['conf-stop', 'conf-kill', 'conf-restart']) await create(name, web, true);
  await create('conf-created', { Image: 'busybox', Cmd: ['sleep', '600'] }, false);
  await create('conf-gone', { Image: 'busybox' }, false);
  await create('conf-prunable', { Image: 'busybox', Labels: { prune: 'yes' } }, false);
  // A network with a container on it, so its inspect shows Docker's endpoint fields.
  expect((await send('POST', '/networks/create', { body: { Name: 'conf-net' } })).status).toBe(201);
  await create(
    'conf-netted',
    {
      Image: 'busybox',
      HostConfig: { Runtime: 'ucr', NetworkMode: 'conf-net' },
      NetworkingConfig: { EndpointsConfig: { 'conf-net': { Aliases: ['conf-alias'] } } },
    },
    false,
  );
  await send('POST', '/images/create', { query: 'fromImage=alpine' });
  await containerIn(services, tenant.id, 'conf-job', ['exited']);
  await containerIn(services, tenant.id, 'conf-web', ['running']);
});
afterAll(async () => {
  await shoal?.close();
});

const routeKeys = [...new Set(ROUTES.map((r) => `${r.method} ${r.path}`))];
/** The reference names path parameters `{name}`; Shoal's `{name*}` takes slashes too. */
const specKey = (key: string) => key.replace('{name*}', '{name}');

function fill(path: string, call: Call): string {
  const ref = encodeURIComponent(call.ref ?? 'conf-web');
  return path.replace(
    /\{(id|name\*?|rest\*)\}/,
    call.ref ? ref : path.includes('{rest*}') ? 'x' : ref,
  );
}

describe(`every answer against the Docker Engine API v${ENGINE_API.apiVersion} schema`, () => {
  it('is the version Shoal announces', () => {
    expect(ENGINE_API.apiVersion).toBe(MAX_API_VERSION);
  });

  it('has a schema for every route asked to succeed with JSON', () => {
    const missing = Object.keys(CALLS).filter(
      (key) =>
        !NOT_CHECKED[key] &&
        !key.endsWith('}') &&
        !ENGINE_API.routes[specKey(key)] &&
        !['start', 'stop', 'kill', 'restart', 'rename'].some((a) => key.endsWith(`/${a}`)),
    );
    expect(missing.filter((key) => key !== 'DELETE /containers/{id}')).toEqual([]);
  });

  it.each(routeKeys)('%s', async (key) => {
    const [method, path] = key.split(' ') as [string, string];
    const call = CALLS[key] ?? {};
    const res = await send(method, fill(path, call), call);
    const text = await res.text();
    const what = `${key} → ${res.status} ${text.slice(0, 300)}`;
    if (CALLS[key]) expect(res.status, `${what}: the call meant to succeed`).toBeLessThan(300);
    if (method === 'HEAD' || res.status === 204 || res.status === 304) {
      expect(text, what).toBe('');
      return;
    }
    if (NOT_CHECKED[key] && res.status < 300) return;
    expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
    const bodies = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
    expect(bodies.length, what).toBeGreaterThan(0);
    const answer =
      res.status >= 400
        ? { status: res.status, schema: ENGINE_API.error }
        : ENGINE_API.routes[specKey(key)];
    expect(answer, `${what}: no schema of this answer`).toBeDefined();
    expect(res.status, what).toBe(res.status >= 400 ? res.status : answer!.status);
    expect(
      bodies.flatMap((body) => mismatches(body, answer!.schema, UNDOCUMENTED[key] ?? [])),
      what,
    ).toEqual([]);
  });
});
