import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FailureLimiter } from '@shoal/core';
import { answerRawRequests } from './client-errors';
import { execRoutes } from './containers/exec';
import { lifecycleRoutes } from './containers/lifecycle';
import { outputRoutes } from './containers/output';
import { readRoutes } from './containers/read';
import { statsRoutes } from './containers/stats';
import { terminalRoutes } from './containers/terminal';
import { unsupportedContainerRoutes } from './containers/unsupported';
import { eventRoutes } from './events';
import { httpExchange, socketExchange, type Exchange } from './exchange';
import { imageRoutes } from './images';
import { closeServer, listenSpread } from './listen';
import { networkRoutes } from './networks';
import { volumeRoutes } from './volumes';
import { createRouter } from './router';
import type { RequestRecord } from './request-record';
import type { DockerApiServices } from './services';
import { systemRoutes } from './system';
import { httpsOptions, type TlsOptions } from './tls';
import { unsupportedRoutes } from './unsupported';

export interface DockerApiOptions {
  services: DockerApiServices;
  host: string;
  port: number;
  tls?: TlsOptions;
  /** Failed token checks allowed per client address: a burst, then so many a minute. */
  authFailures?: { burst: number; perMinute: number };
  /** Where faults in Shoal itself are reported; clients only see a 500 with the request id. */
  onServerError?: (error: unknown, request: RequestRecord) => void;
  /**
   * Whether containers keep running while Shoal restarts: true on a Mesos cluster, whose
   * tasks outlive the framework; false on an emulator that restarts with Shoal (default true).
   */
  liveRestore?: boolean;
  /** Told of every request once it has ended (streams end when the client leaves). */
  onRequestDone?: (request: RequestRecord) => void;
  /**
   * How long a request that takes over its connection (`Upgrade: tcp`) may take to arrive
   * whole and be answered, before it is answered 408 (default 60 s, Node's own bound on
   * the headers of any request).
   */
  upgradeAnswerTimeoutMs?: number;
}

export interface DockerApi {
  /** `tcp://host:port` for DOCKER_HOST. */
  url: string;
  close(): Promise<void>;
}

export const ROUTES = [
  ...systemRoutes,
  ...readRoutes,
  ...lifecycleRoutes,
  ...outputRoutes,
  ...statsRoutes,
  ...execRoutes,
  ...terminalRoutes,
  ...unsupportedContainerRoutes,
  ...networkRoutes,
  ...volumeRoutes,
  ...imageRoutes,
  ...eventRoutes,
  ...unsupportedRoutes,
];

/** Serves the Docker Engine API for Shoal's tenants, over HTTP or HTTPS. */
export async function startDockerApi(options: DockerApiOptions): Promise<DockerApi> {
  const onServerError =
    options.onServerError ??
    ((error: unknown, request: RequestRecord) =>
      console.error(`Docker API: ${request.method} ${request.path} failed:`, error));
  const dispatch = createRouter(ROUTES, {
    services: options.services,
    liveRestore: options.liveRestore ?? true,
    limiter: new FailureLimiter(options.authFailures ?? { burst: 20, perMinute: 10 }),
    onServerError,
  });
  const served = (ex: Exchange, closed: { once(event: 'close', done: () => void): unknown }) => {
    // After the exchange's own close listener, which completes the record.
    closed.once('close', () => options.onRequestDone?.({ ...ex.record }));
    // The router answers every failure it meets; one that escapes it (in answering, say)
    // is reported, never left to end the process as an unhandled rejection.
    dispatch(ex).catch((error: unknown) => {
      onServerError(error, ex.record);
      ex.req.socket.destroy();
    });
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) =>
    served(httpExchange(req, res), res);
  // `Upgrade: tcp` requests (attach) come here with the raw socket instead;
  // node no longer tracks such sockets, so close() has to find them here.
  const hijacked = new Set<Duplex>();
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands over what came after the headers apart: the body (exec start has one) and
    // then the client's stdin. Put it back so the handler reads them off the socket in order.
    if (head.length > 0) socket.unshift(head);
    hijacked.add(socket);
    socket.once('close', () => hijacked.delete(socket));
    served(socketExchange(req, socket as Socket, options.upgradeAnswerTimeoutMs ?? 60_000), socket);
  };
  const tls = options.tls && httpsOptions(options.tls);
  const servers = await listenSpread(
    () => {
      const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
      return answerRawRequests(server.on('upgrade', onUpgrade));
    },
    options.host,
    options.port,
  );
  const address = servers[0]!.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `tcp://${host}:${address.port}`,
    close: async () => {
      const closed = servers.map(closeServer);
      // Streams (events, logs -f, attach) never end on their own.
      for (const server of servers) server.closeAllConnections();
      for (const socket of hijacked) socket.destroy();
      await Promise.all(closed);
    },
  };
}
