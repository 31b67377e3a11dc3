import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTRPCClient, getUntypedClient, httpBatchLink, isTRPCClientError } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import superjson from 'superjson';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlaneProxy, MAX_BODY_BYTES } from './control-plane-proxy';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A stand-in control plane: answers with `answer` and notes how many body bytes it got. */
async function controlPlane(
  answer: (req: http.IncomingMessage, res: http.ServerResponse, bytes: number) => void = (
    _req,
    res,
    bytes,
  ) => res.end(JSON.stringify({ bytes })),
) {
  const seen = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    seen.requests++;
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      seen.bytes += chunk.length;
    });
    req.on('end', () => answer(req, res, bytes));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A body of `total` bytes made on demand, counting what was read of it. */
function lazyBody(total: number) {
  const read = { bytes: 0 };
  const chunk = new Uint8Array(64 * 1024);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (read.bytes >= total) return controller.close();
      read.bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, read };
}

const post = (body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request('http://dashboard.test/trpc/auth.signIn', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

const TWO_HUNDRED_MB = 200 * 1024 * 1024;

describe('the dashboard /trpc proxy', () => {
  it('refuses a body declared larger than the control plane accepts before reading it', async () => {
    const upstream = await controlPlane();
    const { stream, read } = lazyBody(TWO_HUNDRED_MB);
    const res = await createControlPlaneProxy(upstream.url)(
      post(stream, { 'content-length': String(TWO_HUNDRED_MB) }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: { json: { data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } } },
    });
    expect(upstream.seen.requests).toBe(0);
    expect(read.bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('stops an oversized body of unknown length once it passes the limit, holding none of it', async () => {
    const upstream = await controlPlane();
    const { stream, read } = lazyBody(TWO_HUNDRED_MB);
    const res = await createControlPlaneProxy(upstream.url)(post(stream));
    expect(res.status).toBe(413);
    expect(upstream.seen.bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(read.bytes).toBeLessThan(4 * MAX_BODY_BYTES);
  });

  it('streams a body within the limit to the control plane, with the client address', async () => {
    const upstream = await controlPlane((req, res, bytes) =>
      res.end(JSON.stringify({ bytes, forwardedFor: req.headers['x-forwarded-for'] })),
    );
    const { stream } = lazyBody(512 * 1024);
    const res = await createControlPlaneProxy(upstream.url)(
      post(stream, { 'x-forwarded-for': '203.0.113.5' }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 512 * 1024, forwardedFor: '203.0.113.5' });
  });

  it('forwards a call whose client asked to hear 100 Continue first', async () => {
    const upstream = await controlPlane();
    const { stream } = lazyBody(1024);
    const res = await createControlPlaneProxy(upstream.url)(
      post(stream, { expect: '100-continue' }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 64 * 1024 });
  });

  it('passes the control plane’s own error answers through, even one sent before the body ends', async () => {
    const upstream = await controlPlane((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'failed' } }));
    });
    const res = await createControlPlaneProxy(upstream.url)(post(lazyBody(10).stream));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { message: 'failed' } });

    // A control plane whose limit is lower than the proxy's answers 413 part way through.
    const early = http.createServer((req, res) => {
      req.once('data', () => {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: { message: 'too large' } }));
      });
    });
    servers.push(early);
    await new Promise<void>((resolve) => early.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(early.address() as AddressInfo).port}`;
    const refused = await createControlPlaneProxy(
      url,
      64 * MAX_BODY_BYTES,
    )(post(lazyBody(32 * MAX_BODY_BYTES).stream));
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({ error: { message: 'too large' } });
  });

  it('tells a control plane that is down from one that hung up', async () => {
    const hangsUp = await controlPlane((req) => req.socket.destroy());
    const cut = await createControlPlaneProxy(hangsUp.url)(post(lazyBody(10).stream));
    expect(cut.status).toBe(502);
    expect(await cut.json()).toMatchObject({
      error: {
        json: { message: expect.stringMatching(/^The Shoal control plane ended the call/) },
      },
    });

    const down = await controlPlane();
    servers.splice(0).forEach((s) => s.close());
    const gone = await createControlPlaneProxy(down.url)(post(lazyBody(10).stream));
    expect(gone.status).toBe(502);
    expect(await gone.json()).toMatchObject({
      error: { json: { message: 'The Shoal control plane is not reachable' } },
    });
  });

  it('answers a page’s batched calls, while the control plane is down, with a message it can show', async () => {
    const down = await controlPlane();
    servers.splice(0).forEach((s) => s.close());
    const forward = createControlPlaneProxy(down.url);
    const client = createTRPCClient<AnyRouter>({
      links: [
        httpBatchLink({
          url: 'http://dashboard.test/trpc',
          transformer: superjson,
          fetch: (url, init) => forward(new Request(url, init as RequestInit)),
        }),
      ],
    });
    const untyped = getUntypedClient(client);
    const [stop, list] = await Promise.allSettled([
      untyped.mutation('containers.stop', { tenantSlug: 'alpha', ref: 'web' }),
      untyped.query('containers.list', { tenantSlug: 'alpha' }),
    ]);
    for (const settled of [stop, list]) {
      expect(settled.status).toBe('rejected');
      const error = (settled as PromiseRejectedResult).reason as unknown;
      expect(isTRPCClientError(error)).toBe(true);
      expect((error as Error).message).toBe('The Shoal control plane is not reachable');
    }
  });
});
