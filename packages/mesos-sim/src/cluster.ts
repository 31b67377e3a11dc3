import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Faults } from './faults';
import { handleAgentGateway } from './http/agent-gateway';
import { handleOperatorApi } from './http/operator-api';
import { handleSchedulerApi } from './http/scheduler-api';
import { handleSimApi, type SimApiContext } from './http/sim-api';
import { sendText } from './http/transport';
import { type Endpoint, Master } from './master';
import { resolveOptions, type SimOptions } from './options';
import { restoreCluster } from './kept-cluster';
import { loadState, saveState } from './kept-sandboxes';
import { ClusterState } from './snapshot';
import { StateWriter } from './state-writer';

export interface SimCluster {
  /** One URL per master server, e.g. `http://127.0.0.1:5050`. */
  masterUrls: string[];
  /** The leading master's URL, or undefined while no leader is elected. */
  readonly leaderUrl: string | undefined;
  /** The server standing in for every agent's port (see the README). */
  agentGatewayUrl: string;
  faults: Faults;
  state: ClusterState;
  /** Closes every server, stream and timer. */
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ host, port: (server.address() as AddressInfo).port });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The agents' port of the previous run when there was one, so addresses a framework
 * stored for its tasks still reach their sandboxes; any port if that one is taken.
 */
async function listenGateway(
  server: Server,
  host: string,
  port: number,
  kept: { gatewayPort: number | undefined },
): Promise<Endpoint> {
  if (port !== 0 || kept.gatewayPort === undefined) return listen(server, host, port);
  try {
    return await listen(server, host, kept.gatewayPort);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return listen(server, host, 0);
  }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Turns a handler's unexpected failure into a 500 instead of a crashed process. */
function guarded(
  handler: Handler,
  log: (line: string) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        log(
          `internal error on ${req.method} ${req.url}: ${error instanceof Error ? error.stack : String(error)}`,
        );
        if (!res.headersSent) sendText(res, 500, 'Internal emulator error');
        else res.destroy();
      });
  };
}

/** Whether the request carries the cluster's credentials, when it has any; answers 401 if not. */
function authenticated(master: Master, req: IncomingMessage, res: ServerResponse): boolean {
  const credentials = master.options.credentials;
  if (!credentials) return true;
  const expected = `Basic ${Buffer.from(`${credentials.principal}:${credentials.secret}`).toString('base64')}`;
  if (req.headers.authorization === expected) return true;
  sendText(res, 401, '', { 'WWW-Authenticate': 'Basic realm="mesos"' });
  return false;
}

function masterHandler(master: Master, self: number, sim: SimApiContext): Handler {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/api/v1/scheduler') {
      if (authenticated(master, req, res)) return handleSchedulerApi(master, self, req, res);
      return;
    }
    if (path === '/api/v1' || path === '/api/v1/') {
      if (authenticated(master, req, res)) return handleOperatorApi(master, self, req, res);
      return;
    }
    if (path.startsWith('/sim/v1/')) return handleSimApi(sim, req, res);
    if (path === '/health' || path === '/master/health') return sendText(res, 200);
    sendText(res, 404);
  };
}

/**
 * Starts a simulated Mesos cluster: `masters` master servers sharing one state (master 0
 * leads), one agent gateway, and the agents. Resolves once every port is listening.
 */
export async function startSimCluster(options: SimOptions = {}): Promise<SimCluster> {
  const resolved = resolveOptions(options);
  const kept = loadState(resolved.stateFile);
  const master = new Master(resolved);
  master.keptSandboxes = kept.sandboxes;
  const faults = new Faults(master);
  const state = new ClusterState(master);
  const urlOf = (e: Endpoint, scheme = 'http') =>
    `${scheme}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
  const gatewayScheme = resolved.agentTls ? 'https' : 'http';
  const servers: Server[] = [];
  const masterEndpoints: Endpoint[] = [];
  let gateway: Endpoint;
  try {
    const sim: SimApiContext = {
      faults,
      state,
      describe: () => ({
        leader: master.leader,
        recovering: master.recovering,
        masterUrls: masterEndpoints.map((e) => urlOf(e)),
        agentGatewayUrl: urlOf(gateway, gatewayScheme),
      }),
    };
    for (let i = 0; i < resolved.masters; i++) {
      const server = createServer(guarded(masterHandler(master, i, sim), resolved.log));
      servers.push(server);
      masterEndpoints.push(
        await listen(server, resolved.host, resolved.port === 0 ? 0 : resolved.port + i),
      );
    }
    const gatewayHandler = guarded((req, res) => {
      const health = /^(\/agents\/[^/]+)?(\/slave\(1\))?\/health$/.test(req.url ?? '');
      if (health || authenticated(master, req, res)) return handleAgentGateway(master, req, res);
    }, resolved.log);
    const gatewayServer = resolved.agentTls
      ? createHttpsServer(resolved.agentTls, gatewayHandler)
      : createServer(gatewayHandler);
    servers.push(gatewayServer);
    gateway = await listenGateway(gatewayServer, resolved.host, resolved.agentGatewayPort, kept);
  } catch (error) {
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw error;
  }
  master.start(masterEndpoints, gateway, () => restoreCluster(master, kept.cluster));
  const writer = resolved.stateFile
    ? new StateWriter(
        resolved.stateFile,
        (file) => saveState(file, master, master.keptSandboxes),
        (line) => resolved.warn(line),
      )
    : undefined;
  if (writer) master.onChange = () => writer.changed();

  let closed: Promise<void> | undefined;
  return {
    masterUrls: masterEndpoints.map((e) => urlOf(e)),
    get leaderUrl() {
      const leader = master.leader === null ? undefined : masterEndpoints[master.leader];
      return leader ? urlOf(leader) : undefined;
    },
    agentGatewayUrl: urlOf(gateway, gatewayScheme),
    faults,
    state,
    close() {
      closed ??= (async () => {
        master.close();
        await Promise.all(servers.map(closeServer));
        writer?.stop();
      })();
      return closed;
    },
  };
}
