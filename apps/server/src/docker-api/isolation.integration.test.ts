import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningShoal } from '../app';
import { containerIn, eventually, startShoalForTest } from '../testing/shoal-under-test';
import { ROUTES } from '@shoal/docker-api';
import { rawRequest } from '@shoal/docker-api/testing';

// Cross-tenant isolation over every route of the Docker Engine API, on the whole
// of Shoal (database, Mesos emulator, framework). Tenant B calls each route with
// tenant A's container (by id, name and id prefix), image and names: A's things
// must answer exactly as things that do not exist, lists and streams must hold
// nothing of A's, and A's containers must come out untouched. The table has one
// entry per route in ROUTES, so a route added without one fails here.

/** What a request aims at: tenant A's things, or stand-ins that exist nowhere. */
interface Refs {
  containerId: string;
  containerName: string;
  /** 12 characters, as `docker ps` shows an id. */
  containerPrefix: string;
  image: string;
  /** An exec instance made in the container (A's runs under the ucr runtime). */
  execId: string;
  /** A network of the tenant's own, with a container on it. */
  networkId: string;
  networkName: string;
  networkPrefix: string;
}

/** A generous bound on any one answer: reached only by a stream that should have ended. */
const STREAM_DEADLINE_MS = 60_000;

type RefKind =
  | 'containerId'
  | 'containerName'
  | 'containerPrefix'
  | 'networkId'
  | 'networkName'
  | 'networkPrefix';

interface Sent {
  status: number;
  body: string;
  /** Still streaming when the test stopped reading. */
  cut: boolean;
}

interface Variant {
  query?: string;
  body?: unknown;
  /** Ask for the raw connection (`Upgrade: tcp`), as the docker CLI does for attach. */
  upgrade?: true;
  /** Runs once the request's answer has begun, for streams that should not carry it. */
  during?: () => Promise<void>;
  /** A stream is read until this holds of what it carried so far (or until it ends). */
  enough?(body: string): boolean;
  /** For 'answers': the answer must equal the one for a ghost's refs. */
  sameAsGhost?: true;
  /** The part of the answer that is not B's own, when B's own may carry A's words (a name). */
  foreign?(sent: Sent): string;
  check?(sent: Sent): void | Promise<void>;
}

interface Spec {
  /**
   * no-such-container: 404 "No such container: <ref>" for A's id, name and prefix.
   * no-such-exec: 404 "No such exec instance: <id>" for A's exec instance.
   * no-such-network: 404 "network <ref> not found" for A's network's id, name and prefix.
   * refused: 501 with the reason, the same for A's things as for a ghost's.
   * answers: takes no foreign id, or filters by one; the answer is B's own.
   */
  expect: 'no-such-container' | 'no-such-exec' | 'no-such-network' | 'refused' | 'answers';
  variants?(refs: Refs): Variant[];
  /**
   * Safe to call as A on A's own container, and then not a 404: shows the
   * 404 B gets comes from isolation, not from a wrong request.
   */
  control?: true;
  /** What fills `{rest*}`; A's container id unless said otherwise. */
  rest?: string;
}

const succeeded = (sent: Sent) => expect(sent.status).toBeLessThan(300);
const json = <T>(sent: Sent) => JSON.parse(sent.body) as T;
const filters = (f: Record<string, string[]>) => `filters=${encodeURIComponent(JSON.stringify(f))}`;
const seconds = (d: Date) => (d.getTime() / 1000).toFixed(3);

/** `mutates`: A's own container would change, so A does not call it as a control. */
const notFound = (
  variants?: (refs: Refs) => Variant[],
  options: { mutates?: true } = {},
): Spec => ({
  expect: 'no-such-container',
  ...(variants ? { variants } : {}),
  ...(options.mutates ? {} : { control: true }),
});
const query = (q: string) => () => [{ query: q }];
/** A's network must answer as one that does not exist; with `body`, what B sends along. */
const noSuchVolume: Spec = {
  expect: 'answers',
  variants: (r) => [
    {
      sameAsGhost: true,
      check: (sent) =>
        expect([sent.status, json(sent)]).toEqual([
          404,
          { message: `get ${r.containerName}: no such volume` },
        ]),
    },
  ],
};

const noSuchNetwork = (options: { mutates?: true; body?: () => unknown } = {}): Spec => ({
  expect: 'no-such-network',
  ...(options.body ? { variants: () => [{ body: options.body!() }] } : {}),
  ...(options.mutates ? {} : { control: true }),
});
const refused: Spec = { expect: 'refused' };
/** A prune of what Shoal does not have: it succeeds, and says it deleted nothing. */
const nothingPruned = (field: string): Spec => ({
  expect: 'answers',
  variants: () => [
    {
      check(sent) {
        succeeded(sent);
        expect(json<Record<string, unknown>>(sent)[field]).toEqual([]);
      },
    },
  ],
});

let shoal: RunningShoal;
let base: string;
let port: number;
let tokenA: string;
let tokenB: string;
let tokenIdB: string;
let tenantA: { id: string };
let tenantB: { id: string };
let a: Refs;
let ghost: Refs;
/** Every string that would give A away if B saw it. */
let markers: string[];
/** Every container B ever had: what B's events may be about. */
const ownOfB = new Set<string>();
let prunableOfB: string;
let startedAt: Date;
let before: Awaited<ReturnType<typeof snapshotOfA>>;

const IMAGE_A = 'registry.alpha.example/alpha/secret-web:7';
const PULLED_BY_A = 'registry.alpha.example/alpha/secret-tools:3';
const BATCH_IMAGE_A = 'registry.alpha.example/alpha/batch-job:3';

const SPECS: Record<string, Spec> = {
  'GET /info': {
    expect: 'answers',
    variants: () => [
      {
        async check(sent) {
          succeeded(sent);
          const info = json<{ ID: string; Containers: number; Images: number }>(sent);
          const mine = await shoal.services.containers.list(tenantB.id, { all: true });
          expect(info).toMatchObject({ ID: tenantB.id, Containers: mine.length, Images: 1 });
        },
      },
    ],
  },
  'GET /version': { expect: 'answers', variants: () => [{ check: succeeded }] },
  'GET /containers/json': {
    expect: 'answers',
    variants: (r) => {
      const names = (expected: string[]) => (sent: Sent) => {
        succeeded(sent);
        expect(json<{ Names: string[] }[]>(sent).flatMap((c) => c.Names)).toEqual(expected);
      };
      return [
        {
          query: 'all=1',
          async check(sent) {
            const mine = await shoal.services.containers.list(tenantB.id, { all: true });
            names(mine.map((c) => `/${c.name}`))(sent);
          },
        },
        { query: `all=1&${filters({ name: [r.containerName] })}`, check: names([]) },
        { query: `all=1&${filters({ id: [r.containerPrefix] })}`, check: names([]) },
        { query: `all=1&${filters({ label: ['alpha.secret'] })}`, check: names([]) },
        { query: filters({ status: ['exited'] }), check: names([]) },
      ];
    },
  },
  'GET /containers/{id}/json': notFound(),
  'POST /containers/create': {
    expect: 'answers',
    // Names are per tenant: B may take the name A uses, and learns nothing by it.
    variants: (r) => [
      {
        query: `name=${r.containerName}`,
        body: { Image: 'nginx' },
        async check(sent) {
          expect(sent.status).toBe(201);
          const { Id } = json<{ Id: string }>(sent);
          ownOfB.add(Id);
          expect(Id).not.toBe(a.containerId);
          await shoal.services.containers.remove(tenantB.id, Id, { force: true }, 'test');
        },
      },
    ],
  },
  'POST /containers/prune': {
    expect: 'answers',
    variants: () => [
      {
        check(sent) {
          succeeded(sent);
          expect(json(sent)).toMatchObject({ ContainersDeleted: [prunableOfB] });
        },
      },
    ],
  },
  'POST /containers/{id}/start': notFound(),
  'POST /containers/{id}/stop': notFound(query('t=1'), { mutates: true }),
  'POST /containers/{id}/kill': notFound(query('signal=KILL'), { mutates: true }),
  'POST /containers/{id}/restart': notFound(query('t=1'), { mutates: true }),
  'POST /containers/{id}/wait': notFound(query('condition=not-running')),
  'DELETE /containers/{id}': notFound(query('force=1&v=1'), { mutates: true }),
  'GET /containers/{id}/logs': notFound(query('stdout=1&stderr=1&follow=1&timestamps=1&tail=all')),
  'POST /containers/{id}/attach': notFound(() => [
    { query: 'stream=1&logs=1&stdout=1&stderr=1' },
    { query: 'stream=1&logs=1&stdout=1&stderr=1', upgrade: true },
  ]),
  'GET /containers/{id}/stats': notFound(query('stream=1')),
  'POST /containers/{id}/exec': notFound(() => [
    { body: { Cmd: ['cat', '/etc/passwd'], AttachStdout: true } },
  ]),
  'GET /containers/{id}/top': notFound(query('ps_args=aux')),
  'POST /containers/{id}/pause': notFound(),
  'POST /containers/{id}/unpause': notFound(),
  'POST /containers/{id}/rename': notFound(query('name=taken-over'), { mutates: true }),
  'POST /containers/{id}/update': notFound(
    () => [
      { body: { Memory: 4 * 1024 * 1024 } },
      { body: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } } },
    ],
    { mutates: true },
  ),
  'POST /containers/{id}/resize': notFound(query('h=24&w=80')),
  'GET /containers/{id}/changes': notFound(),
  'GET /containers/{id}/export': notFound(),
  'GET /containers/{id}/archive': notFound(query('path=/etc')),
  'PUT /containers/{id}/archive': notFound(() => [{ query: 'path=/tmp', body: '' }]),
  'HEAD /containers/{id}/archive': notFound(query('path=/etc')),
  'POST /exec/{id}/start': {
    expect: 'no-such-exec',
    variants: () => [{ body: { Detach: false } }],
  },
  'POST /exec/{id}/resize': { expect: 'no-such-exec', variants: query('h=24&w=80') },
  'GET /exec/{id}/json': { expect: 'no-such-exec', control: true },
  'POST /commit': {
    expect: 'refused',
    variants: (r) => [{ query: `container=${r.containerId}&repo=taken-over` }],
  },
  'POST /images/create': {
    expect: 'answers',
    variants: (r) => [
      {
        query: `fromImage=${encodeURIComponent(r.image)}`,
        async check(sent) {
          succeeded(sent);
          // B's pull of any name is B's own record; dropped so B's lists stay B's containers'.
          await shoal.db.prisma.pulledImage.deleteMany({ where: { tenantId: tenantB.id } });
        },
      },
    ],
  },
  'GET /images/json': {
    expect: 'answers',
    variants: (r) => {
      const tags = (expected: string[]) => (sent: Sent) => {
        succeeded(sent);
        expect(json<{ RepoTags: string[] }[]>(sent).flatMap((i) => i.RepoTags)).toEqual(expected);
      };
      return [
        { check: tags(['nginx:latest']) },
        { query: filters({ reference: [r.image] }), check: tags([]) },
        { query: filters({ reference: ['registry.alpha.example/*/*'] }), check: tags([]) },
      ];
    },
  },
  'GET /images/{name*}/json': {
    expect: 'answers',
    variants: (r) => [
      {
        sameAsGhost: true,
        check: (sent) => {
          expect(sent.status).toBe(404);
          expect(json(sent)).toEqual({ message: `No such image: ${r.image}` });
        },
      },
    ],
  },
  'GET /images/{name*}/history': refused,
  'POST /images/{name*}/tag': { expect: 'refused', variants: query('repo=taken-over&tag=1') },
  'POST /images/{name*}/push': refused,
  'DELETE /images/{name*}': {
    expect: 'answers',
    variants: (r) =>
      ['', 'force=1'].map((q) => ({
        query: q,
        sameAsGhost: true,
        check: (sent: Sent) => {
          expect(sent.status).toBe(404);
          expect(json(sent)).toEqual({ message: `No such image: ${r.image}` });
        },
      })),
  },

  'GET /images/search': { expect: 'refused', variants: query('term=alpha') },
  // B's own images are all in use: nothing of B's goes, and A's are not B's to prune.
  'POST /images/prune': {
    expect: 'answers',
    variants: () =>
      [filters({ dangling: ['true'] }), filters({ dangling: ['false'] })].map((q) => ({
        query: q,
        check: (sent: Sent) => {
          succeeded(sent);
          expect(json<{ ImagesDeleted: unknown }>(sent).ImagesDeleted).toBeNull();
        },
      })),
  },
  'POST /build/prune': nothingPruned('CachesDeleted'),
  'GET /networks': {
    expect: 'answers',
    variants: () => [
      {
        check(sent) {
          succeeded(sent);
          const names = json<{ Name: string }[]>(sent).map((n) => n.Name);
          expect(names.slice(0, 3)).toEqual(['bridge', 'host', 'none']);
          expect(names).not.toContain(a.networkName);
        },
      },
      // A's label finds nothing of B's, and nothing of A's.
      {
        query: filters({ label: ['alpha.secret=sapphire'] }),
        check: (sent) => expect(json(sent)).toEqual([]),
      },
    ],
  },
  'POST /networks/create': {
    expect: 'answers',
    variants: () => [
      {
        body: { Name: 'beta-net' },
        check(sent) {
          expect(sent.status, sent.body).toBe(201);
          expect(json<{ Id: string }>(sent).Id).not.toBe(a.networkId);
        },
      },
    ],
  },
  'GET /networks/{id}': noSuchNetwork(),
  'DELETE /networks/{id}': noSuchNetwork({ mutates: true }),
  'POST /networks/{id}/connect': noSuchNetwork({
    mutates: true,
    body: () => ({ Container: 'beta-old', EndpointConfig: { Aliases: ['taken'] } }),
  }),
  'POST /networks/{id}/disconnect': noSuchNetwork({
    mutates: true,
    body: () => ({ Container: 'beta-old' }),
  }),
  'POST /networks/prune': {
    expect: 'answers',
    variants: () => [
      {
        check(sent) {
          succeeded(sent);
          expect(json<{ NetworksDeleted: string[] }>(sent).NetworksDeleted).not.toContain(
            a.networkName,
          );
        },
      },
    ],
  },
  'GET /volumes': {
    expect: 'answers',
    variants: () => [
      {
        check: (sent) =>
          expect([sent.status, json(sent)]).toEqual([200, { Volumes: [], Warnings: [] }]),
      },
    ],
  },
  // No volume exists for either tenant: B's answer for a name is the one anyone gets.
  'GET /volumes/{name}': noSuchVolume,
  'DELETE /volumes/{name}': noSuchVolume,
  'POST /volumes/prune': nothingPruned('VolumesDeleted'),
  'GET /system/df': {
    expect: 'answers',
    variants: () => [
      {
        query: 'type=container&type=image&verbose=1',
        async check(sent) {
          succeeded(sent);
          const df = json<{ Containers: { Names: string[] }[]; Images: { RepoTags: string[] }[] }>(
            sent,
          );
          const mine = await shoal.services.containers.list(tenantB.id, { all: true });
          expect(df.Containers.flatMap((c) => c.Names).sort()).toEqual(
            mine.map((c) => `/${c.name}`).sort(),
          );
          expect(df.Images.flatMap((i) => i.RepoTags)).toEqual(['nginx:latest']);
        },
      },
    ],
  },
  'POST /images/load': refused,
  'GET /images/get': {
    expect: 'refused',
    variants: (r) => [{ query: `names=${encodeURIComponent(r.image)}` }],
  },
  'GET /images/{name*}/get': refused,
  'POST /build': { expect: 'refused', variants: query('t=taken-over') },
  'GET /events': {
    expect: 'answers',
    variants: (r) => {
      const lines = (sent: Sent) =>
        sent.body
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => ({ line, id: (JSON.parse(line) as { id: string }).id }));
      // B may name its own container as A does (see POST /containers/create).
      const foreign = (sent: Sent) =>
        lines(sent)
          .filter((event) => !ownOfB.has(event.id))
          .map((event) => event.line)
          .join('\n');
      const onlyOwn = (sent: Sent) => {
        succeeded(sent);
        expect(foreign(sent)).toBe('');
        return lines(sent).map((event) => event.id);
      };
      const until = (ms: number) => seconds(new Date(Date.now() + ms));
      let liveOfB = '';
      return [
        {
          // The past replayed; B's own events show the answer is not simply empty.
          query: `since=${seconds(startedAt)}&until=${until(0)}`,
          foreign,
          check: (sent) => expect(onlyOwn(sent).length).toBeGreaterThan(0),
        },
        {
          query: `since=${seconds(startedAt)}&until=${until(0)}&${filters({ container: [r.containerId, r.containerPrefix] })}`,
          sameAsGhost: true,
          foreign,
          check: (sent) => expect(onlyOwn(sent)).toEqual([]),
        },
        {
          // Ends once B hears its own container go; `until` only bounds a stream that never does.
          query: `until=${until(120_000)}`,
          enough: (body) =>
            liveOfB !== '' &&
            body
              .split('\n')
              .slice(0, -1)
              .some((line) => {
                const event = JSON.parse(line) as { id: string; Action: string };
                return event.id === liveOfB && event.Action === 'destroy';
              }),
          foreign,
          // Live: A and B both work while B listens; B hears only itself.
          during: async () => {
            const created = await sendAs(tokenA, 'POST', '/containers/create?name=alpha-live', {
              body: { Image: IMAGE_A, Labels: { 'alpha.secret': 'sapphire' } },
            });
            const { Id } = json<{ Id: string }>(created);
            await sendAs(tokenA, 'POST', `/containers/${Id}/start`, {});
            await sendAs(tokenA, 'DELETE', `/containers/${Id}?force=1`, {});
            const own = await sendAs(tokenB, 'POST', '/containers/create?name=beta-live', {
              body: { Image: 'nginx' },
            });
            liveOfB = json<{ Id: string }>(own).Id;
            ownOfB.add(liveOfB);
            await sendAs(tokenB, 'DELETE', `/containers/${liveOfB}`, {});
          },
          check: (sent) => expect(onlyOwn(sent)).toContain(liveOfB),
        },
      ];
    },
  },
};

// Whole areas that answer 501 under /<area> and /<area>/...; listed here, not
// read from the code, so a new area needs a line.
const UNSUPPORTED_AREAS = [
  'networks',
  'volumes',
  'swarm',
  'services',
  'tasks',
  'nodes',
  'secrets',
  'configs',
  'plugins',
  'distribution',
  'session',
  'grpc',
  'auth',
  'system',
];
for (const area of UNSUPPORTED_AREAS) {
  for (const path of [`/${area}`, `/${area}/{rest*}`]) {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']) {
      // GET /system/df, /networks/{id} and /volumes/{name}, and DELETE /networks/{id} and
      // /volumes/{name}, answer (see above): deeper paths are refused.
      const answered =
        (method === 'GET' && ['system', 'networks', 'volumes'].includes(area)) ||
        (method === 'DELETE' && ['networks', 'volumes'].includes(area));
      SPECS[`${method} ${path}`] ??= answered ? { expect: 'refused', rest: 'df/all' } : refused;
    }
  }
}

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

beforeAll(async () => {
  startedAt = new Date(Date.now() - 1000);
  shoal = await startShoalForTest();
  const { services } = shoal;
  base = shoal.dockerApi.url.replace('tcp://', 'http://');
  port = Number(new URL(base).port);
  const alpha = await services.tenants.create(
    { slug: 'tenant-alpha', name: 'Alpha Secret Team' },
    'test',
  );
  const beta = await services.tenants.create({ slug: 'tenant-beta', name: 'Beta' }, 'test');
  tenantA = alpha;
  tenantB = beta;
  const issuedA = await services.tokens.issue({ tenantId: alpha.id, name: 'alpha-ci' }, 'test');
  tokenA = issuedA.secret;
  const issuedB = await services.tokens.issue({ tenantId: beta.id, name: 'beta-ci' }, 'test');
  tokenB = issuedB.secret;
  tokenIdB = issuedB.token.id;
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );

  const run = async (token: string, name: string, body: unknown) => {
    const created = await sendAs(token, 'POST', `/containers/create?name=${name}`, { body });
    expect(created.status, created.body).toBe(201);
    const { Id } = json<{ Id: string }>(created);
    const started = await sendAs(token, 'POST', `/containers/${Id}/start`, {});
    expect(started.status, started.body).toBe(204);
    return Id;
  };
  const webA = await run(tokenA, 'alpha-web', {
    Image: IMAGE_A,
    Labels: { 'alpha.secret': 'sapphire' },
    Env: ['ALPHA_PASSWORD=hunter2'],
    HostConfig: { Runtime: 'ucr' },
  });
  await run(tokenA, 'alpha-batch', {
    Image: BATCH_IMAGE_A,
    Cmd: ['sh', '-c', 'echo alpha-batch-output; exit 0'],
  });
  const network = await sendAs(tokenA, 'POST', '/networks/create', {
    body: { Name: 'alpha-net', Labels: { 'alpha.secret': 'sapphire' } },
  });
  expect(network.status, network.body).toBe(201);
  const networkId = json<{ Id: string }>(network).Id;
  const netted = await sendAs(tokenA, 'POST', '/containers/create?name=alpha-netted', {
    body: {
      Image: IMAGE_A,
      HostConfig: { Runtime: 'ucr', NetworkMode: 'alpha-net' },
      NetworkingConfig: { EndpointsConfig: { 'alpha-net': { Aliases: ['alpha-alias'] } } },
    },
  });
  expect(netted.status, netted.body).toBe(201);
  const web = await containerIn(services, alpha.id, 'alpha-web', ['running']);
  const batch = await containerIn(services, alpha.id, 'alpha-batch', ['exited']);
  ownOfB.add(await run(tokenB, 'beta-web', { Image: 'nginx' }));
  const old = await sendAs(tokenB, 'POST', '/containers/create?name=beta-old', {
    body: { Image: 'nginx' },
  });
  prunableOfB = json<{ Id: string }>(old).Id;
  ownOfB.add(prunableOfB);
  await containerIn(services, beta.id, 'beta-web', ['running']);

  const exec = await sendAs(tokenA, 'POST', `/containers/${webA}/exec`, {
    body: { Cmd: ['echo', 'alpha-exec-output'], AttachStdout: true },
  });
  expect(exec.status, exec.body).toBe(201);
  // A pull of A's no container uses: B's rmi and prune -a must leave it.
  const pulled = await sendAs(
    tokenA,
    'POST',
    `/images/create?fromImage=${encodeURIComponent(PULLED_BY_A)}`,
    {},
  );
  expect(pulled.status, pulled.body).toBe(200);
  a = {
    containerId: webA,
    containerName: 'alpha-web',
    containerPrefix: webA.slice(0, 12),
    image: IMAGE_A,
    execId: json<{ Id: string }>(exec).Id,
    networkId,
    networkName: 'alpha-net',
    networkPrefix: networkId.slice(0, 12),
  };
  const ghostId = randomBytes(32).toString('hex');
  const ghostNetworkId = randomBytes(32).toString('hex');
  ghost = {
    containerId: ghostId,
    containerName: 'ghost-web',
    containerPrefix: ghostId.slice(0, 12),
    image: 'registry.ghost.example/ghost/none-web:7',
    execId: randomBytes(32).toString('hex'),
    networkId: ghostNetworkId,
    networkName: 'ghost-net',
    networkPrefix: ghostNetworkId.slice(0, 12),
  };
  markers = [
    alpha.id,
    alpha.slug,
    alpha.name,
    alpha.mesosRole,
    webA,
    webA.slice(0, 12),
    batch.id,
    batch.id.slice(0, 12),
    'alpha-web',
    'alpha-batch',
    'alpha-live',
    IMAGE_A,
    BATCH_IMAGE_A,
    'secret-web',
    'alpha.secret',
    'sapphire',
    'hunter2',
    'alpha-batch-output',
    'alpha-exec-output',
    networkId,
    networkId.slice(0, 12),
    'alpha-net',
    'alpha-netted',
    'alpha-alias',
    json<{ Id: string }>(netted).Id,
    a.execId,
    issuedA.token.prefix,
    'alpha-ci',
    ...[web, batch].flatMap((c) => (c.task ? [c.task.mesosTaskId] : [])),
  ];
  before = await snapshotOfA();
});
afterAll(async () => {
  await shoal?.close();
});

/** A's containers and tokens, as stored. */
async function snapshotOfA() {
  const { prisma } = shoal.db;
  return {
    tenant: await prisma.tenant.findUniqueOrThrow({ where: { id: tenantA.id } }),
    containers: await prisma.container.findMany({
      // A's own short-lived container of the live events check is A's business.
      where: { tenantId: tenantA.id, NOT: { name: { startsWith: 'alpha-live' } } },
      select: {
        id: true,
        name: true,
        image: true,
        config: true,
        state: true,
        desiredState: true,
        restartCount: true,
        exitCode: true,
        startedAt: true,
        finishedAt: true,
        tasks: { select: { mesosTaskId: true, state: true, killedBy: true } },
      },
      orderBy: { id: 'asc' },
    }),
    networks: await prisma.network.findMany({ where: { tenantId: tenantA.id } }),
    pulls: await prisma.pulledImage.findMany({ where: { tenantId: tenantA.id } }),
    tokens: await prisma.apiToken.findMany({
      where: { tenantId: tenantA.id },
      select: { id: true, name: true, scope: true, revokedAt: true, expiresAt: true },
    }),
  };
}

/**
 * One request, read until it ends (or the variant has seen enough of a stream).
 * Every answer B gets must end by itself: one still open after the generous
 * deadline is reported as cut. `headersOnly` stops at the status.
 */
async function sendAs(
  token: string,
  method: string,
  path: string,
  variant: Variant,
  options: { headersOnly?: boolean } = {},
): Promise<Sent> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  const body =
    variant.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : typeof variant.body === 'string'
        ? variant.body
        : JSON.stringify(variant.body);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const deadline = AbortSignal.timeout(STREAM_DEADLINE_MS);

  if (variant.upgrade) {
    const raw = await rawRequest(port, method, path, {
      ...headers,
      Connection: 'Upgrade',
      Upgrade: 'tcp',
      'Content-Length': '0',
    });
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw.head)?.[1] ?? 0);
    const cutoff = new Promise<'cut'>((resolve) =>
      deadline.addEventListener('abort', () => resolve('cut'), { once: true }),
    );
    const rest = options.headersOnly ? 'cut' : await Promise.race([raw.body, cutoff]);
    raw.socket.destroy();
    return rest === 'cut'
      ? { status, body: '', cut: true }
      : { status, body: rest.toString('utf8'), cut: false };
  }

  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: deadline,
    });
  } catch {
    return { status: 0, body: '', cut: true };
  }
  if (options.headersOnly) {
    await response.body?.cancel();
    return { status: response.status, body: '', cut: true };
  }
  await variant.during?.();
  let text = '';
  let cut = false;
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (variant.enough?.(text)) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    cut = true;
  }
  return { status: response.status, body: text, cut };
}

function replaceAll(text: string, pairs: [string, string][]): string {
  return pairs.reduce((out, [from, to]) => out.split(from).join(to), text);
}

/** A ghost's values swapped back for A's, longest first, so answers can be compared. */
const ghostToA = (): [string, string][] =>
  (Object.keys(a) as (keyof Refs)[])
    .map((key): [string, string] => [ghost[key], a[key]])
    .sort(([x], [y]) => y.length - x.length);

function fill(path: string, refs: Refs, ref: RefKind, rest: string | undefined): string {
  return path
    .replace('{id}', path.startsWith('/exec/') ? refs.execId : refs[ref])
    .replace('{name*}', refs.image)
    .replace('{name}', refs.containerName)
    .replace('{rest*}', rest ?? refs.containerId);
}

/** A's identifiers in `answer` that the request did not carry itself. */
function leaks(answer: string, request: string): string[] {
  return markers.filter((m) => !request.includes(m) && answer.includes(m));
}

describe('tenant isolation of the Docker API', () => {
  it('has an expectation for every route, and none for a route that is gone', () => {
    expect(ROUTES.length).toBeGreaterThan(0);
    expect(Object.keys(SPECS).sort()).toEqual([...new Set(ROUTES.map(routeKey))].sort());
  });

  it.each(ROUTES.map(routeKey))('%s shows tenant B nothing of tenant A', async (key) => {
    const spec = SPECS[key];
    if (!spec) throw new Error(`no isolation expectation for ${key}: add one to SPECS`);
    const [method, pattern] = key.split(' ') as [string, string];
    const refKinds: RefKind[] =
      spec.expect === 'no-such-container'
        ? ['containerId', 'containerName', 'containerPrefix']
        : spec.expect === 'no-such-network'
          ? ['networkId', 'networkName', 'networkPrefix']
          : ['containerId'];
    for (const ref of refKinds) {
      const variants = spec.variants?.(a) ?? [{}];
      const ghostVariants = spec.variants?.(ghost) ?? [{}];
      for (const [i, variant] of variants.entries()) {
        const path = `${fill(pattern, a, ref, spec.rest)}${variant.query ? `?${variant.query}` : ''}`;
        const request = `${method} ${path}${variant.upgrade ? ' (Upgrade: tcp)' : ''}`;
        const sent = await sendAs(tokenB, method, path, variant);
        const what = `${request} → ${sent.status} ${sent.body.slice(0, 300)}`;
        const carried = `${decodeURIComponent(path)} ${JSON.stringify(variant.body) ?? ''}`;
        const answer = variant.foreign ? variant.foreign(sent) : sent.body;
        expect(leaks(answer, carried), `${what} gives A away`).toEqual([]);
        expect(sent.cut, `${what}: still streaming`).toBe(false);

        if (spec.expect === 'no-such-network') {
          expect(sent.status, what).toBe(404);
          expect(json(sent), what).toEqual({ message: `network ${a[ref]} not found` });
        } else if (spec.expect === 'no-such-container' || spec.expect === 'no-such-exec') {
          expect(sent.status, what).toBe(404);
          if (method !== 'HEAD') {
            const [noun, id] =
              spec.expect === 'no-such-container'
                ? ['container', a[ref]]
                : ['exec instance', a.execId];
            expect(json(sent), what).toEqual({ message: `No such ${noun}: ${id}` });
          }
        } else if (spec.expect === 'refused') {
          expect(sent.status, what).toBe(501);
        } else {
          await variant.check?.(sent);
        }

        if (spec.expect !== 'answers' || variant.sameAsGhost) {
          const ghostVariant = ghostVariants[i]!;
          const ghostPath = `${fill(pattern, ghost, ref, spec.rest)}${ghostVariant.query ? `?${ghostVariant.query}` : ''}`;
          const other = await sendAs(tokenB, method, ghostPath, ghostVariant);
          expect(
            { status: sent.status, body: sent.body },
            `${what} differs from the answer for a container that does not exist`,
          ).toEqual({ status: other.status, body: replaceAll(other.body, ghostToA()) });
        }

        if (spec.control) {
          const own = await sendAs(tokenA, method, path, variant, { headersOnly: true });
          expect(own.status, `${request} as tenant A`).not.toBe(404);
        }
      }
    }
  });

  it("gives B no way to forget A's pulls: A's image is no such image to B's rmi", async () => {
    const rmi = await sendAs(tokenB, 'DELETE', `/images/${encodeURIComponent(PULLED_BY_A)}`, {});
    expect(rmi.status).toBe(404);
    expect(json(rmi)).toEqual({ message: `No such image: ${PULLED_BY_A}` });
  });

  it("left A's containers running, named and launched as they were", async () => {
    expect(await snapshotOfA()).toEqual(before);
    const web = await shoal.services.containers.get(tenantA.id, a.containerId);
    expect(web).toMatchObject({ name: 'alpha-web', state: 'running', restartCount: 0 });
    // Nothing B did was done anywhere but in B.
    const elsewhere = await shoal.db.prisma.auditEvent.count({
      where: { actor: `token:${tokenIdB}`, tenantId: { not: tenantB.id } },
    });
    expect(elsewhere).toBe(0);
  });
});
