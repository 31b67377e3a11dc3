import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import {
  appRouter,
  createContextFactory,
  DEFAULT_TRUSTED_PROXIES,
  trustedProxyList,
} from '@shoal/api';
import { ShoalError, type Services } from '@shoal/core';
import {
  answerRawRequests,
  newRequestRecord,
  requestUrl,
  type RequestRecord,
} from '@shoal/docker-api';
import type { Logger } from '../logger';
import { requestLog } from './request-log';
import type { Probes } from '../observability';

export interface ListeningServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Calls one batched request may carry. A dashboard page batches a few; each call is checked
 * on its own, but hundreds in one request held a connection and the database for seconds.
 * The dashboard's batch links send at most as many (apps/web).
 */
export const MAX_BATCH_CALLS = 100;
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * The dashboard's API (tRPC under /trpc) and the health and readiness probes on one port.
 * Metrics are on a listener of their own (startMetricsServer): they name every tenant.
 */
export async function startControlPlane(
  services: Services,
  probes: Probes,
  log: Logger,
  host: string,
  port: number,
  options: { trustedProxies?: readonly string[] } = {},
): Promise<ListeningServer> {
  const records = new WeakMap<http.IncomingMessage, RequestRecord>();
  const contextOf = createContextFactory(services, (req) => records.get(req)?.requestId, {
    trustedProxies: trustedProxyList(options.trustedProxies ?? DEFAULT_TRUSTED_PROXIES),
  });
  const trpc = createHTTPHandler({
    router: appRouter,
    async createContext(request) {
      const ctx = await contextOf(request);
      // The request's log line names who made it.
      const record = records.get(request.req);
      if (record && ctx.user) record.actor = ctx.user.email;
      return ctx;
    },
    basePath: '/trpc/',
    // Dashboard calls are small; a larger body is refused before it is buffered.
    maxBodySize: MAX_BODY_BYTES,
    maxBatchSize: MAX_BATCH_CALLS,
    onError({ error, path, req }) {
      if (error.code !== 'INTERNAL_SERVER_ERROR' || error.cause instanceof ShoalError) return;
      requestLog(log, records.get(req)).error('procedure failed', {
        procedure: path,
        error: error.cause ?? error,
      });
    },
  });

  const server = http.createServer((req, res) => {
    const record = newRequestRecord(req);
    records.set(req, record);
    res.setHeader('X-Request-Id', record.requestId);
    const started = performance.now();
    res.once('close', () => {
      const entry = {
        method: record.method,
        path: record.path,
        status: res.headersSent ? res.statusCode : undefined,
        durationMs: Math.round(performance.now() - started),
      };
      // Probes come every few seconds from the orchestrator; they would drown the rest.
      if (PROBES.has(record.path)) requestLog(log, record).debug('request', entry);
      else requestLog(log, record).info('request', entry);
    });

    const path = record.path;
    if (!servableHost(req.headers.host)) {
      // RFC 9112: a request with an invalid Host is answered 400.
      sendJson(res, 400, { message: 'invalid Host header' });
      return;
    }
    if (path === '/healthz') {
      void services.system.databaseHealth().then((database) => {
        sendJson(res, database.ok ? 200 : 503, {
          status: database.ok ? 'ok' : 'degraded',
          database,
        });
      });
      return;
    }
    if (path === '/readyz') {
      void probes
        .ready()
        .then(({ ready, detail }) =>
          sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...detail }),
        );
      return;
    }
    if (path.startsWith('/trpc/')) {
      trpc(req, res);
      return;
    }
    sendJson(res, 404, { message: `No route for ${req.method} ${path}` });
  });
  return listen(answerRawRequests(server), host, port);
}

/**
 * A Host header a URL can be built on: tRPC's adapter builds the request's URL from it, and
 * `Host: a@b` (credentials) made that a server fault.
 */
function servableHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  try {
    const url = new URL(`http://${host}`);
    return url.host !== '' && !url.username && !url.password && url.href === `http://${url.host}/`;
  } catch {
    return false;
  }
}

/**
 * Prometheus metrics on their own listener, loopback by default: they show every tenant's
 * role and offer volumes, so they stay off the port the dashboard's users reach.
 */
export async function startMetricsServer(
  probes: Pick<Probes, 'metrics'>,
  host: string,
  port: number,
): Promise<ListeningServer> {
  const server = http.createServer((req, res) => {
    const path = requestUrl(req.url)?.pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      sendJson(res, 404, { message: 'Only GET /metrics is served here' });
      return;
    }
    void probes.metrics().then(
      ({ text, contentType }) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => sendJson(res, 503, { message: 'metrics are unavailable' }),
    );
  });
  return listen(answerRawRequests(server), host, port);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function listen(server: http.Server, host: string, port: number): Promise<ListeningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
