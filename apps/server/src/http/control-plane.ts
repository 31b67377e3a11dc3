import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter, createContextFactory } from '@shoal/api';
import type { Services } from '@shoal/core';
import type { Probes } from '../observability';

export interface ListeningServer {
  url: string;
  close(): Promise<void>;
}

/** The dashboard's API (tRPC under /trpc), health and readiness probes and Prometheus metrics on one port. */
export async function startControlPlane(
  services: Services,
  probes: Probes,
  host: string,
  port: number,
): Promise<ListeningServer> {
  const trpc = createHTTPHandler({
    router: appRouter,
    createContext: createContextFactory(services),
    basePath: '/trpc/',
  });

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
    if (path === '/metrics') {
      void probes.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(text);
        },
        () => sendJson(res, 503, { message: 'metrics are unavailable' }),
      );
      return;
    }
    if (path?.startsWith('/trpc/')) {
      trpc(req, res);
      return;
    }
    sendJson(res, 404, { message: `No route for ${req.method} ${path}` });
  });
  return listen(server, host, port);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
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
