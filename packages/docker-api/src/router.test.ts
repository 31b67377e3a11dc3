import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/core';
import type { RequestRecord } from './request-record';
import { messageOf, startTestApi, type TestApi } from './test-support/harness';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.api.close());

describe('versions', () => {
  it('sends the headers the CLI negotiates from on /_ping', async () => {
    const res = await t.request('HEAD', '/_ping');
    expect(
      Object.fromEntries(
        ['api-version', 'docker-experimental', 'ostype', 'builder-version'].map((h) => [
          h,
          res.headers.get(h),
        ]),
      ),
    ).toEqual({
      'api-version': '1.50',
      'docker-experimental': 'false',
      ostype: 'linux',
      'builder-version': '1',
    });
  });

  it('serves every route with or without a /v1.NN prefix in the supported range', async () => {
    for (const path of ['/version', '/v1.24/version', '/v1.50/version']) {
      const res = await t.request('GET', path);
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({
        ApiVersion: '1.50',
        MinAPIVersion: '1.24',
        Version: expect.stringMatching(/^shoal\//),
      });
    }
    expect((await t.request('GET', '/v1.41/containers/json')).status).toBe(200);
    const tooNew = await t.request('GET', '/v1.51/version');
    expect(tooNew.status).toBe(400);
    expect(await messageOf(tooNew)).toBe(
      'client version 1.51 is too new. Maximum supported API version is 1.50',
    );
    const tooOld = await t.request('GET', '/v1.12/_ping');
    expect(tooOld.status).toBe(400);
    expect(await messageOf(tooOld)).toMatch(/^client version 1.12 is too old/);
  });
});

describe('error answers', () => {
  it('answers unknown paths with 404 "page not found" and wrong methods with 405, as JSON', async () => {
    const res = await t.request('GET', '/v1.50/nothing/here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ message: 'page not found' });
    expect((await t.request('PUT', '/containers/json')).status).toBe(405);
  });

  it('answers a malformed path escape with 400', async () => {
    const res = await t.request('GET', '/containers/%E0%A4%A/json');
    expect(res.status).toBe(400);
    expect(await messageOf(res)).toMatch(/^invalid escape sequence in the path/);
  });

  it('answers whole unsupported areas with 501 and the reason', async () => {
    const res = await t.request('GET', '/secrets');
    expect(res.status).toBe(501);
    expect(await messageOf(res)).toMatch(/^secrets are not supported by Shoal/);
  });

  it('answers a body over 1 MiB with 413 and bad JSON with 400', async () => {
    const big = await t.request('POST', '/containers/create', {
      body: `{"Image":"${'x'.repeat(1024 * 1024)}"}`,
    });
    expect(big.status).toBe(413);
    expect(await messageOf(big)).toMatch(/larger than the 1 MiB limit/);
    const bad = await t.request('POST', '/containers/create', { body: '{"Image":' });
    expect(bad.status).toBe(400);
    expect(await messageOf(bad)).toMatch(/^invalid JSON in the request body/);
  });

  it('refuses a body said to be other than JSON, as Docker does, and reads one sent untyped', async () => {
    const body = '{"Image":"busybox"}';
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await t.request('POST', '/containers/create?name=typed', {
        body,
        headers: { 'Content-Type': type },
      });
      expect(res.status, type).toBe(400);
      expect(await messageOf(res)).toBe(
        `unsupported Content-Type header (${type}): must be 'application/json'`,
      );
    }
    const json = await t.request('POST', '/containers/create?name=typed', {
      body,
      headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
    });
    expect(json.status).toBe(201);
    const untyped = await fetch(`${t.base}/containers/create?name=untyped`, {
      method: 'POST',
      headers: { Authorization: 'Bearer acme-rw' },
      body: new Blob([body]),
    });
    expect(untyped.status).toBe(201);
  });

  it('maps core error codes to Docker statuses', async () => {
    const cases: [ShoalError['code'], number][] = [
      ['NOT_FOUND', 404],
      ['CONFLICT', 409],
      ['INVALID_ARGUMENT', 400],
      ['QUOTA_EXCEEDED', 403],
      ['NOT_SUPPORTED', 501],
      ['UNAVAILABLE', 503],
    ];
    const original = t.containers.list;
    try {
      for (const [code, status] of cases) {
        t.containers.list = () => Promise.reject(new ShoalError(code, `core says ${code}`));
        const res = await t.request('GET', '/containers/json');
        expect(res.status, code).toBe(status);
        expect(await messageOf(res)).toBe(`core says ${code}`);
      }
    } finally {
      t.containers.list = original;
    }
  });

  it('answers an unexpected failure with a plain 500 and no stack', async () => {
    const original = t.containers.list;
    t.containers.list = () => Promise.reject(new TypeError('secret internals at /srv/app.js:1'));
    try {
      const res = await t.request('GET', '/containers/json');
      expect(res.status).toBe(500);
      const id = res.headers.get('x-request-id');
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({
        message: `Internal server error; the Shoal server log has the details under request id ${id}`,
      });
      expect(body).not.toMatch(/internals|app\.js/);
      expect(t.serverErrors.at(-1)).toBeInstanceOf(TypeError);
    } finally {
      t.containers.list = original;
    }
  });
});

describe('token watch', () => {
  it("watches the caller's token only for requests that stream, and cuts those when it stops holding", async () => {
    const watchToken = t.services.accessWatch.token;
    const revoke = new AbortController();
    let watched = 0;
    t.services.accessWatch.token = () => {
      watched++;
      return revoke.signal;
    };
    try {
      for (const path of ['/version', '/containers/json?all=1', '/info', '/images/json'])
        expect((await t.request('GET', path)).status, path).toBe(200);
      expect(watched).toBe(0);

      const stream = await t.request('GET', '/events');
      expect(stream.status).toBe(200);
      expect(watched).toBe(1);
      const ended = stream.text().then(
        () => 'ended',
        () => 'cut',
      );
      revoke.abort(new ShoalError('UNAUTHENTICATED', 'revoked'));
      expect(['ended', 'cut']).toContain(await ended);
    } finally {
      t.services.accessWatch.token = watchToken;
    }
  });
});

describe('request log', () => {
  it('gives every answer an X-Request-Id and logs the request under it once it ends', async () => {
    const done: RequestRecord[] = [];
    const logged = await startTestApi({ onRequestDone: (r) => done.push(r) });
    try {
      const ok = await logged.request('GET', '/v1.50/containers/json?all=1');
      await ok.arrayBuffer();
      const refused = await logged.request('GET', '/containers/json', { token: 'nope' });
      await refused.arrayBuffer();
      await eventually(() => done.length === 2);

      const ids = [ok, refused].map((r) => r.headers.get('x-request-id'));
      expect(new Set(ids).size).toBe(2);
      expect(done).toEqual([
        expect.objectContaining({
          requestId: ids[0],
          method: 'GET',
          path: '/v1.50/containers/json',
          status: 200,
          tenantId: expect.any(String),
          durationMs: expect.any(Number),
        }),
        expect.objectContaining({ requestId: ids[1], status: 401 }),
      ]);
      expect(done[1]?.tenantId).toBeUndefined();
    } finally {
      await logged.api.close();
    }
  });

  it("keeps a proxy's X-Request-Id and replaces one that is not a plain token", async () => {
    const kept = await t.request('GET', '/version', { headers: { 'X-Request-Id': 'lb-7f3a.42' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.42');
    const odd = await t.request('GET', '/version', { headers: { 'X-Request-Id': 'a b<script>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** Waits for `check` to hold; the deadline is a generous bound, not the expected time. */
async function eventually(check: () => boolean, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}
