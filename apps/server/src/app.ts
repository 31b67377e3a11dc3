import type { ShoalEnv } from '@shoal/config';
import { createServices, seedFirstStart, type FirstStartResult, type Services } from '@shoal/core';
import { createDb, dbOptionsFrom, type Db } from '@shoal/db';
import { readTlsFiles, startDockerApi, type DockerApi } from '@shoal/docker-api';
import { startSimCluster, type SimCluster, type SimOptions } from '@shoal/mesos-sim';
import { embeddedAgents } from './cluster/embedded-agents';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FrameworkHost } from './cluster/framework-host';
import type { AgentAccess } from './cluster/sandbox-reader';
import { InstanceRelay } from './cluster/instance-relay';
import { startControlPlane, startMetricsServer, type ListeningServer } from './http/control-plane';
import { requestFacts, requestLog } from './http/request-log';
import { createLogger, type Logger } from './logger';
import { createObservability } from './observability';

export interface RunningShoal {
  db: Db;
  services: Services;
  controlPlane: ListeningServer;
  /** Prometheus metrics, on a listener of their own. */
  metrics: ListeningServer;
  /** The Docker Engine API front door for tenants' docker CLIs and SDKs. */
  dockerApi: DockerApi;
  framework: FrameworkHost;
  /** The in-process Mesos emulator, when no MESOS_MASTER was given. */
  sim: SimCluster | undefined;
  /** What first start created (secrets included), when this start was the first. */
  seeded: FirstStartResult | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** A database made by the caller (tests); it is not closed with Shoal. */
  db?: Db;
  /** Options for the embedded Mesos emulator. */
  sim?: SimOptions;
  logger?: Logger;
}

/** Boots every part of Shoal in this process; `close()` stops them in reverse order. */
export async function startShoal(env: ShoalEnv, options: StartOptions = {}): Promise<RunningShoal> {
  const log = options.logger ?? createLogger(env.SHOAL_LOG_LEVEL);
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse())
      await stop().catch((e: unknown) => log.error('shutdown step failed', { error: String(e) }));
  };
  try {
    const db = options.db ?? (await createDb(dbOptionsFrom(env)));
    if (!options.db) stops.push(() => db.close());
    const services = createServices(db, {
      containers: {
        startWaitMs: env.SHOAL_START_WAIT_SECONDS * 1000,
        defaultRuntime: env.SHOAL_DEFAULT_RUNTIME,
        ucrNetwork: env.SHOAL_UCR_NETWORK,
      },
      ...(env.SHOAL_TENANT_CNI_NETWORK ? { tenantCniNetwork: env.SHOAL_TENANT_CNI_NETWORK } : {}),
      signIn: {
        accountAddress: env.SHOAL_SIGNIN_ACCOUNT_ADDRESS_BUDGET,
        account: env.SHOAL_SIGNIN_ACCOUNT_BUDGET,
        address: env.SHOAL_SIGNIN_ADDRESS_BUDGET,
      },
      passwordHashConcurrency: env.SHOAL_PASSWORD_HASH_CONCURRENCY,
      accessRecheckMs: env.SHOAL_ACCESS_RECHECK_SECONDS * 1000,
    });
    // Runs after everything else has stopped publishing, before the database closes.
    stops.push(() => services.eventJournal.flush());
    stops.push(() => services.offerStats.flush());
    const seeded = await seedFirstStart(services, { demo: env.seedDemo });

    let sim: SimCluster | undefined;
    let masters = env.MESOS_MASTER;
    if (!masters) {
      sim = await startSimCluster({
        agents: embeddedAgents(env.SHOAL_SIM_AGENTS),
        host: '127.0.0.1',
        // The embedded default keeps its tasks' output beside its database, so the logs of
        // containers that ran before a restart stay readable.
        ...(db.kind === 'pglite'
          ? { stateFile: path.resolve(env.SHOAL_DATA_DIR, 'mesos-sim', 'state.json') }
          : {}),
        log: (line) => log.debug(line, { component: 'mesos-emulator' }),
        warn: (line) => log.warn(line, { component: 'mesos-emulator' }),
        ...options.sim,
      });
      stops.push(() => sim!.close());
      masters = sim.masterUrls;
      services.system.emulatedCluster = true;
      log.warn('no MESOS_MASTER: containers run on the embedded Mesos emulator, not on a cluster', {
        masters,
      });
    }
    const observability = createObservability(services, db.prisma);
    const framework = new FrameworkHost(
      services,
      db,
      db.kind === 'postgresql' ? db.url : undefined,
      {
        mesos: {
          masters,
          format: env.MESOS_FORMAT,
          ...(env.MESOS_PRINCIPAL ? { principal: env.MESOS_PRINCIPAL } : {}),
          ...(env.MESOS_SECRET ? { secret: env.MESOS_SECRET } : {}),
        },
        framework: {
          name: env.SHOAL_FRAMEWORK_NAME,
          user: env.SHOAL_FRAMEWORK_USER,
          ...(env.MESOS_PRINCIPAL ? { principal: env.MESOS_PRINCIPAL } : {}),
          failoverTimeoutSeconds: env.SHOAL_FAILOVER_TIMEOUT_SECONDS,
          offerHoldSeconds: env.SHOAL_OFFER_HOLD_SECONDS,
          refuseSeconds: env.SHOAL_REFUSE_SECONDS,
          strategy: env.SHOAL_PLACEMENT,
          reconcileIntervalSeconds: 600,
        },
        observe: observability.observe,
        supervisor: { unreachableReplaceAfterMs: env.SHOAL_UNREACHABLE_REPLACE_SECONDS * 1000 },
        logSampler: { intervalMs: env.SHOAL_LOG_SAMPLE_SECONDS * 1000 },
        roleSyncMs: 2_000,
        leaderPollMs: 2_000,
        wakeLeader: () => relay?.wakeLeader(),
        agents: agentAccess(env, masters),
        emulated: sim !== undefined,
      },
      log,
    );
    // Embedded PGlite has one instance, so nothing to relay.
    const relay =
      db.kind === 'postgresql'
        ? new InstanceRelay(db.url, services.events, () => framework.wakeSupervisor(), log)
        : undefined;
    if (relay) {
      await relay.start();
      stops.push(() => relay.stop());
    }
    framework.start();
    stops.push(() => framework.stop());

    const probes = observability.probes(framework);
    const controlPlane = await startControlPlane(
      services,
      probes,
      log.child({ component: 'control-plane' }),
      env.SHOAL_HOST,
      env.SHOAL_PORT,
      { trustedProxies: env.SHOAL_TRUSTED_PROXIES },
    );
    stops.push(() => controlPlane.close());
    const metrics = await startMetricsServer(
      probes,
      env.SHOAL_METRICS_HOST,
      env.SHOAL_METRICS_PORT,
    );
    stops.push(() => metrics.close());

    const dockerLog = log.child({ component: 'docker-api' });
    const dockerApi = await startDockerApi({
      services,
      // The embedded emulator stops with Shoal, and its running tasks with it.
      liveRestore: sim === undefined,
      host: env.SHOAL_HOST,
      port: env.SHOAL_DOCKER_PORT,
      ...(env.SHOAL_DOCKER_TLS_CERT && env.SHOAL_DOCKER_TLS_KEY
        ? {
            tls: readTlsFiles({
              cert: env.SHOAL_DOCKER_TLS_CERT,
              key: env.SHOAL_DOCKER_TLS_KEY,
              ca: env.SHOAL_DOCKER_TLS_CA,
            }),
          }
        : {}),
      onServerError: (error, request) =>
        requestLog(dockerLog, request).error('request failed', {
          method: request.method,
          path: request.path,
          error,
        }),
      onRequestDone: (request) => {
        observability.dockerRequest(request);
        requestLog(dockerLog, request).info('request', requestFacts(request));
      },
    });
    stops.push(() => dockerApi.close());
    // Runs first on close: requests still waiting on containers end before the servers go.
    stops.push(async () => services.containers.shutdown());

    return { db, services, controlPlane, metrics, dockerApi, framework, sim, seeded, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** How agents are reached: their scheme, and the framework's credentials, as Mesos agents check them. */
function agentAccess(env: ShoalEnv, masters: readonly string[]): AgentAccess {
  let ca: string | undefined;
  if (env.SHOAL_AGENT_CA) {
    try {
      ca = readFileSync(env.SHOAL_AGENT_CA, 'utf8');
    } catch (error) {
      throw new Error(
        `SHOAL_AGENT_CA: cannot read ${env.SHOAL_AGENT_CA}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return {
    scheme:
      env.SHOAL_AGENT_SCHEME ??
      (masters.length > 0 && masters.every((m) => m.startsWith('https:')) ? 'https' : 'http'),
    ...(env.MESOS_PRINCIPAL ? { principal: env.MESOS_PRINCIPAL } : {}),
    ...(env.MESOS_SECRET ? { secret: env.MESOS_SECRET } : {}),
    ...(ca ? { ca } : {}),
  };
}
