import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOf, startTestApi, type TestApi } from './test-support/harness';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ authFailures: { burst: 1000, perMinute: 60 } });
});
afterAll(() => t.api.close());

const answer = async (res: Response) => ({
  status: res.status,
  body: (await res.json()) as { message: string },
});

describe('token authentication', () => {
  it('answers /_ping without a token, with nothing but negotiation headers', async () => {
    const res = await t.request('HEAD', '/_ping', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('api-version')).toBe('1.50');
    const get = await t.request('GET', '/_ping', { token: 'garbage' });
    expect(await get.text()).toBe('OK');
  });

  it('refuses a missing, malformed, unknown, revoked or expired token with 401 and says which', async () => {
    expect(await answer(await t.request('GET', '/containers/json', { token: null }))).toEqual({
      status: 401,
      body: {
        message: expect.stringMatching(
          /^authentication required: send a Shoal API token as "Authorization: Bearer <token>"/,
        ),
      },
    });
    const cases: [string, RegExp][] = [
      ['not-a-token', /a token looks like shoal_<prefix>_<secret>/],
      ['shoal_abcdefghij_nope', /no such token/],
      ['revoked', /has been revoked/],
      ['expired', /has expired/],
    ];
    for (const [token, message] of cases) {
      const { status, body } = await answer(await t.request('GET', '/containers/json', { token }));
      expect(status).toBe(401);
      expect(body.message).toMatch(message);
    }
    const basic = await t.request('GET', '/info', {
      token: null,
      headers: { Authorization: 'Basic dXNlcjpwdw==' },
    });
    expect((await answer(basic)).body.message).toMatch(/^unsupported Authorization scheme/);
  });

  it('answers 403, never 401, on POST /images/create so the CLI does not start a login', async () => {
    const res = await t.request('POST', '/v1.50/images/create?fromImage=nginx&tag=latest', {
      token: 'revoked',
    });
    expect(await answer(res)).toEqual({
      status: 403,
      body: { message: expect.stringMatching(/revoked/) },
    });
  });

  it('lets a read-only token look but not change anything', async () => {
    expect((await t.request('GET', '/containers/json?all=1', { token: 'acme-ro' })).status).toBe(
      200,
    );
    expect((await t.request('GET', '/info', { token: 'acme-ro' })).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/containers/create'],
      ['POST', '/containers/x/start'],
      ['DELETE', '/containers/x'],
      ['POST', '/containers/x/exec'],
      ['POST', '/images/create?fromImage=nginx'],
      ['POST', '/containers/x/attach?stream=1&stdin=1&stdout=1'],
    ] as const) {
      const { status, body } = await answer(
        await t.request(method, path, { token: 'acme-ro', body: {} }),
      );
      expect(status, `${method} ${path}`).toBe(403);
      expect(body.message).toMatch(/read-only/);
    }
    // Waiting for a container, or watching its output without sending any, changes nothing.
    for (const path of ['/containers/x/wait', '/containers/x/attach?stream=1&stdout=1&stdin=0']) {
      const { status, body } = await answer(
        await t.request('POST', path, { token: 'acme-ro', body: {} }),
      );
      expect(status, path).toBe(404);
      expect(body.message).toMatch(/No such container: x/);
    }
  });
});

describe('failed-attempt rate limit', () => {
  it('never refuses a valid token for its address’s failures, and answers 429 with Retry-After to further bad ones', async () => {
    const limited = await startTestApi({ authFailures: { burst: 2, perMinute: 1 } });
    try {
      for (let i = 0; i < 2; i++) {
        expect(
          (await limited.request('GET', '/info', { token: 'shoal_abcdefghij_nope' })).status,
        ).toBe(401);
      }
      // Tenants behind the same address (a load balancer) keep working.
      expect((await limited.request('GET', '/info', { token: 'acme-rw' })).status).toBe(200);
      expect(
        (await limited.request('GET', '/containers/json', { token: 'globex-rw' })).status,
      ).toBe(200);

      for (const token of ['shoal_abcdefghij_nope', 'not-a-token', 'revoked']) {
        const res = await limited.request('GET', '/info', { token });
        expect(res.status, token).toBe(429);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await messageOf(res)).toMatch(
          /^too many failed authentication attempts from 127\.0\.0\.1; try again in \d+ seconds$/,
        );
      }
      const pull = await limited.request('POST', '/v1.50/images/create?fromImage=nginx', {
        token: 'expired',
      });
      expect(pull.status).toBe(429);

      expect((await limited.request('GET', '/info', { token: 'acme-ro' })).status).toBe(200);
      expect((await limited.request('HEAD', '/_ping', { token: null })).status).toBe(200);
    } finally {
      await limited.api.close();
    }
  });
});
