import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '@shoal/api';
import type { RunningShoal } from '../app';
import { createLogger } from '../logger';
import { MAX_BATCH_CALLS } from './control-plane';
import { eventually, startShoalForTest } from '../testing/shoal-under-test';

interface LogLine {
  level: string;
  msg: string;
  component?: string;
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
  tenantId?: string;
  actor?: string;
  durationMs?: number;
  procedure?: string;
  error?: { type: string; message: string; stack: string };
}

const lines: LogLine[] = [];
let shoal: RunningShoal;
let tenantId: string;
let token: string;

beforeAll(async () => {
  shoal = await startShoalForTest({
    logger: createLogger('debug', {}, (line) => void lines.push(JSON.parse(line) as LogLine)),
  });
  tenantId = (await shoal.services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test')).id;
  token = (await shoal.services.tokens.issue({ tenantId, name: 'ci' }, 'test')).secret;
});
afterAll(() => shoal?.close());

const requestLine = (id: string | null) =>
  eventually(`the log line of request ${id}`, async () =>
    lines.find((l) => l.msg === 'request' && l.requestId === id),
  );

describe('request ids in the JSON log', () => {
  it('logs each Docker API request with its id, tenant, status and duration', async () => {
    const res = await fetch(
      `${shoal.dockerApi.url.replace('tcp:', 'http:')}/v1.50/containers/json`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    await res.arrayBuffer();
    const line = await requestLine(res.headers.get('x-request-id'));
    expect(line).toMatchObject({
      level: 'info',
      component: 'docker-api',
      method: 'GET',
      path: '/v1.50/containers/json',
      status: 200,
      tenantId,
      actor: expect.stringMatching(/^token:/) as unknown,
    });
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('names the signed-in user on a dashboard call, never their session cookie', async () => {
    const email = 'ada@example.com';
    await shoal.services.users.create({ email, password: 'correct horse battery' });
    const { token: session } = await shoal.services.sessions.signIn(email, 'correct horse battery');
    const res = await fetch(`${shoal.controlPlane.url}/trpc/auth.me`, {
      headers: { cookie: `shoal_session=${session}` },
    });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(await requestLine(res.headers.get('x-request-id'))).toMatchObject({ actor: email });
    expect(JSON.stringify(lines)).not.toContain(session);
  });

  it('logs dashboard API calls under the id the answer carries; probes only at debug level', async () => {
    const res = await fetch(`${shoal.controlPlane.url}/trpc/auth.me`);
    await res.arrayBuffer();
    expect(await requestLine(res.headers.get('x-request-id'))).toMatchObject({
      level: 'info',
      component: 'control-plane',
      path: '/trpc/auth.me',
      status: res.status,
    });

    const probe = await fetch(`${shoal.controlPlane.url}/healthz`);
    await probe.arrayBuffer();
    expect(await requestLine(probe.headers.get('x-request-id'))).toMatchObject({
      level: 'debug',
      path: '/healthz',
      status: 200,
    });
  });

  it('answers a fault inside a procedure with its request id only, and logs the cause under it', async () => {
    const sessions = shoal.services.sessions;
    const signIn = sessions.signIn.bind(sessions);
    sessions.signIn = () => Promise.reject(new TypeError('secret internals at /srv/session.js:9'));
    try {
      const res = await fetch(`${shoal.controlPlane.url}/trpc/auth.signIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
        body: JSON.stringify({ json: { email: 'a@example.com', password: 'x' } }),
      });
      const id = res.headers.get('x-request-id');
      const body = await res.text();
      expect(res.status).toBe(500);
      expect(body).toContain(
        `The control plane failed to answer; see its log under request id ${id}`,
      );
      expect(body).not.toMatch(/internals|session\.js/);
      const fault = await eventually('the fault in the log', async () =>
        lines.find((l) => l.msg === 'procedure failed' && l.requestId === id),
      );
      expect(fault).toMatchObject({ level: 'error', procedure: 'auth.signIn' });
      expect(fault.error).toMatchObject({
        type: 'TypeError',
        message: expect.stringContaining('secret internals') as unknown,
      });
      expect(fault.error?.stack).toContain('TypeError');
    } finally {
      sessions.signIn = signIn;
    }
  });
});

describe('metrics', () => {
  it('are served on their own listener, on loopback by default, and not on the control-plane port', async () => {
    const onControlPlane = await fetch(`${shoal.controlPlane.url}/metrics`);
    expect(onControlPlane.status).toBe(404);
    expect(await onControlPlane.text()).not.toContain('shoal_');
    expect(new URL(shoal.metrics.url).hostname).toBe('127.0.0.1');
    const scraped = await fetch(`${shoal.metrics.url}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^shoal_docker_api_requests_total/m);
    expect((await fetch(`${shoal.metrics.url}/trpc/auth.me`)).status).toBe(404);
  });

  it("pass Prometheus's own check and show the event loop's lag in seconds", async () => {
    const text = await (await fetch(`${shoal.metrics.url}/metrics`)).text();
    // npm test installs promtool (Debian's prometheus package); a missing one fails here.
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });
});

describe('Docker API metrics', () => {
  it('counts requests per status class and times how long answers took to begin', async () => {
    const docker = shoal.dockerApi.url.replace('tcp:', 'http:');
    const scrape = async () => {
      const text = await (await fetch(`${shoal.metrics.url}/metrics`)).text();
      const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
      return {
        ok: value(/^shoal_docker_api_requests_total\{status="2xx"\} (\d+)$/m),
        refused: value(/^shoal_docker_api_requests_total\{status="4xx"\} (\d+)$/m),
        timed: value(/^shoal_docker_api_answer_seconds_count (\d+)$/m),
      };
    };
    const before = await scrape();
    const ok = await fetch(`${docker}/containers/json`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    await ok.arrayBuffer();
    const refused = await fetch(`${docker}/containers/json`);
    await refused.arrayBuffer();
    const after = await eventually('the requests to be counted', async () => {
      const now = await scrape();
      return now.timed >= before.timed + 2 ? now : undefined;
    });
    expect(after.ok - before.ok).toBe(1);
    expect(after.refused - before.refused).toBe(1);
  });
});

describe('dashboard API limits', () => {
  it('refuses an oversize dashboard call with 413 before running it', async () => {
    const signIns = () => shoal.db.prisma.auditEvent.count({ where: { action: 'user.sign-in' } });
    const before = await signIns();
    const res = await fetch(`${shoal.controlPlane.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify({
        json: { email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await signIns()).toBe(before);
  });
});

/** Sends `request` as it is on a connection of its own; the answer, once the server ends it. */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url.replace('tcp:', 'http:'));
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parsed(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, head, body: body ? (JSON.parse(body) as unknown) : undefined };
}

describe('dashboard API batches', () => {
  it('refuses a batch of more calls than the dashboard ever sends', async () => {
    const statuses = (n: number) =>
      fetch(
        `${shoal.controlPlane.url}/trpc/${Array(n).fill('system.status').join(',')}?batch=1&input={}`,
      );
    expect((await statuses(MAX_BATCH_CALLS)).status).toBe(200);
    const refused = await statuses(MAX_BATCH_CALLS + 1);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Batch call exceeds maximum size');
  });
});

describe('requests the HTTP layer cannot take', () => {
  it("answer in Docker's JSON form, and Shoal serves on", async () => {
    const docker = shoal.dockerApi.url;
    // A path that reads as a host and port that are none: it once ended the process.
    for (const target of ['//x:abc/', '//[', '//%zz/containers/json']) {
      const answer = parsed(await raw(docker, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`));
      expect(answer.status, target).toBe(404);
      expect(answer.body).toEqual({ message: 'page not found' });
    }
    const absolute = parsed(await raw(docker, 'GET http://[::1/ HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(absolute.status).toBe(400);
    expect(absolute.body).toEqual({ message: expect.stringMatching(/^invalid request target/) });

    const method = parsed(await raw(docker, 'FOO /containers/json HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(method.status).toBe(400);
    expect(method.head).toMatch(/^Content-Type: application\/json$/im);
    expect(method.body).toEqual({ message: 'unknown HTTP method' });
    const huge = parsed(
      await raw(
        docker,
        `GET /_ping HTTP/1.1\r\nAuthorization: Bearer ${'x'.repeat(100_000)}\r\n\r\n`,
      ),
    );
    expect(huge.status).toBe(431);
    expect(huge.body).toEqual({ message: 'the request headers are too large' });

    const metrics = await raw(shoal.metrics.url, 'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(metrics).toMatch(/^HTTP\/1\.1 404 /);

    expect((await fetch(`${docker.replace('tcp:', 'http:')}/_ping`)).status).toBe(200);
    expect((await fetch(`${shoal.metrics.url}/metrics`)).status).toBe(200);
  });

  it('answer a CONNECT on every listener, and a Host with credentials on the dashboard API', async () => {
    for (const url of [shoal.dockerApi.url, shoal.controlPlane.url, shoal.metrics.url]) {
      // Node closed such a connection without a word.
      const connect = parsed(await raw(url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n'));
      expect(connect.status, url).toBe(405);
      expect(connect.body, url).toEqual({
        message: expect.stringMatching(/^CONNECT is not served/),
      });
    }
    // tRPC builds a URL on the Host header, and one with credentials was a server fault.
    for (const host of ['a@b', 'a/b']) {
      const answer = parsed(
        await raw(
          shoal.controlPlane.url,
          `GET /trpc/system.status HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        ),
      );
      expect(answer.status, host).toBe(400);
      expect(answer.body).toEqual({ message: 'invalid Host header' });
    }
    expect((await fetch(`${shoal.controlPlane.url}/trpc/system.status`)).status).toBe(200);
  });
});

describe('a stop of Shoal with waits open', () => {
  it('answers or closes them, logging no fault', async () => {
    const own: LogLine[] = [];
    const stopping = await startShoalForTest({
      logger: createLogger('debug', {}, (line) => void own.push(JSON.parse(line) as LogLine)),
    });
    const tenant = await stopping.services.tenants.create({ slug: 'stopping', name: 'S' }, 'test');
    const { secret } = await stopping.services.tokens.issue(
      { tenantId: tenant.id, name: 'w' },
      'test',
    );
    const docker = stopping.dockerApi.url.replace('tcp:', 'http:');
    const call = (method: string, path: string, body?: string) =>
      fetch(`${docker}${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        ...(body ? { body } : {}),
      });
    expect(
      (
        await call(
          'POST',
          '/containers/create?name=waited',
          '{"Image":"busybox","Cmd":["sleep","600"]}',
        )
      ).status,
    ).toBe(201);
    await eventually(
      'the framework to subscribe',
      async () => stopping.services.cluster.framework().subscribed,
    );
    expect((await call('POST', '/containers/waited/start')).status).toBe(204);
    // Its status comes as soon as the wait is under way; its answer when the container stops.
    const waiting = await call('POST', '/containers/waited/wait');
    expect(waiting.status).toBe(200);
    await stopping.close();
    await waiting.text().catch(() => undefined);
    expect(own.filter((l) => l.level === 'error')).toEqual([]);
  });
});
