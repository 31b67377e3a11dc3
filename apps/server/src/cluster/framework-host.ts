import { hostname } from 'node:os';
import {
  ContainerSupervisor,
  DEFAULT_LOG_SAMPLER_OPTIONS,
  DEFAULT_SUPERVISOR_OPTIONS,
  LogSampler,
  type LogSamplerOptions,
  quotaOf,
  type Services,
  type SupervisorOptions,
} from '@shoal/core';
import type { Db } from '@shoal/db';
import {
  AgentClient,
  OperatorClient,
  SchedulerClient,
  type MasterClientOptions,
} from '@shoal/mesos';
import { MesosFramework, type FrameworkListener, type FrameworkOptions } from '@shoal/scheduler';
import { LiveClusterView } from './cluster-view';
import { Leadership } from './leadership';
import { unsupportedVersion } from './mesos-version';
import { OperatorPolicySync } from './mesos-policy';
import { OperatorClusterAdmin } from './operator-admin';
import { AgentSessions } from './agent-sessions';
import { type AgentAccess, AgentSandboxReader } from './sandbox-reader';
import type { Logger } from '../logger';

const EVENT_PRUNE_MS = 60 * 60 * 1000;
/** How often the agent list behind placement checks is asked for again. */

export interface FrameworkHostOptions {
  mesos: MasterClientOptions;
  framework: Omit<FrameworkOptions, 'roles'>;
  supervisor?: Partial<SupervisorOptions>;
  logSampler?: Partial<LogSamplerOptions>;
  /** How often tenant roles are compared with the framework's subscribed roles. */
  roleSyncMs: number;
  leaderPollMs: number;
  /** Told about every offer round and launch, for metrics. */
  observe?: Pick<FrameworkListener, 'onOfferRound' | 'onLaunched'>;
  /** How a standby asks the leader to act on a change made here at once. */
  wakeLeader?: () => void;
  /** How agents' HTTP endpoints (sandboxes, statistics) are reached. */
  agents?: AgentAccess;
  /** The masters are Shoal's embedded emulator. */
  emulated?: boolean;
}

/**
 * Owns Shoal's Mesos subscription on the instance that wins the leader lock:
 * the framework, the supervisor and the cluster view. On a standby, services
 * still read and write desired state; the leader's supervisor picks it up.
 */
export class FrameworkHost {
  private framework: MesosFramework | undefined;
  private supervisor: ContainerSupervisor | undefined;
  private logSampler: LogSampler | undefined;
  private roleTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private roleSync: Promise<void> | undefined;
  private readonly leadership: Leadership;
  private readonly clusterView: LiveClusterView;
  /** Set by stop(): a lead still in flight then undoes itself instead of retrying. */
  private stopped = false;
  private readonly operator: OperatorClient;
  private readonly agents: AgentSandboxReader;
  private readonly agentApi: AgentClient;
  /** Why the last attempt to lead the subscription failed, until one succeeds. */
  private problem: string | null = null;

  constructor(
    private readonly services: Services,
    private readonly db: Pick<Db, 'prisma' | 'sql'>,
    /** For the leader lock; undefined for embedded PGlite, which only this process can open. */
    databaseUrl: string | undefined,
    private readonly options: FrameworkHostOptions,
    private readonly log: Logger,
  ) {
    this.operator = new OperatorClient(options.mesos);
    const view = (this.clusterView = new LiveClusterView(
      this.operator,
      () => this.framework,
      () => ({ problem: this.problem, emulated: options.emulated ?? false }),
    ));
    services.cluster = view;
    services.containers.placement = view;
    services.tenants.mesosPolicy = new OperatorPolicySync(this.operator);
    services.clusterAdmin.attach(
      new OperatorClusterAdmin(this.operator, () => this.framework?.frameworkId ?? null),
    );
    // A standby reads sandboxes too: the framework id then comes from the database.
    const agents = (this.agents = new AgentSandboxReader(
      async () => this.framework?.frameworkId ?? (await services.taskStore.frameworkId()),
      options.agents,
    ));
    services.containers.converge = this.standbyConverge;
    services.containers.sandbox = agents;
    services.containers.monitor = agents;
    // Every instance runs docker exec itself: the session lives on its own connection.
    this.agentApi = new AgentClient({
      ...options.agents,
      format: options.mesos.format ?? 'protobuf',
    });
    const sessions = new AgentSessions(
      this.agentApi,
      async () => this.framework?.frameworkId ?? (await services.taskStore.frameworkId()),
    );
    services.execs.sessions = sessions;
    services.terminals.sessions = sessions;
    services.pipes.sessions = sessions;
    this.leadership = new Leadership(
      databaseUrl,
      {
        onElected: () =>
          this.lead().catch(async (error: unknown) => {
            if (this.stopped) return;
            this.log.error('cannot lead the Mesos subscription', { error: String(error) });
            await this.standAside();
          }),
        onDeposed: (error) => {
          this.log.error('lost the leader lock; leaving the Mesos subscription', {
            error: error.message,
          });
          void this.step();
        },
      },
      options.leaderPollMs,
    );
  }

  /** Wakes the supervisor when this instance leads; another instance asked for it. */
  wakeSupervisor(): void {
    this.supervisor?.wake();
  }

  private get standbyConverge() {
    return { wake: () => this.options.wakeLeader?.() };
  }

  get isLeader(): boolean {
    return this.leadership.isLeader;
  }

  get operatorClient(): OperatorClient {
    return this.operator;
  }

  start(): void {
    this.stopped = false;
    this.leadership.start();
    // Every instance checks starts against the agents the master lists.
    this.clusterView.keepListing((error) =>
      this.log.debug('listing the agents failed', { error: String(error) }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.clusterView.stopListing();
    await this.step();
    await this.leadership.stop();
    await this.operator.close();
    await this.agentApi.close();
  }

  private async lead(): Promise<void> {
    const roles = await this.tenantRoles();
    if (this.stopped) return;
    await this.checkMasterVersion();
    if (this.stopped) return;
    const client = new SchedulerClient(this.options.mesos);
    const framework = new MesosFramework(
      client,
      this.services.taskStore,
      { ...this.options.framework, roles },
      {
        onFrameworkRemoved: (removed) => void this.frameworkRemoved(removed),
        onSubscribed: (id) =>
          this.log.info('subscribed to Mesos', { frameworkId: id, master: client.leader }),
        onDisconnected: (error) =>
          this.log.warn('Mesos subscription lost; resubscribing', { error: error.message }),
        onFatal: (error) => {
          this.log.error('Mesos subscription ended', { error: error.message });
          void this.standAside();
        },
        onError: (message, error) =>
          this.log.warn(message, { error: error instanceof Error ? error.message : String(error) }),
        onAgentDraining: (agentId) => this.supervisor?.drainAgent(agentId),
        onAgentAvailable: (agentId) => this.supervisor?.agentAvailable(agentId),
        onUnknownRole: () => void this.syncRoles(),
        onLaunched: (n) => this.options.observe?.onLaunched?.(n),
        onWaiting: (reasons) =>
          void this.services.taskStore
            .noteWaiting(reasons)
            .catch((e: unknown) =>
              this.log.warn('noting why containers wait failed', { error: String(e) }),
            ),
        onOfferRound: (round) => {
          this.options.observe?.onOfferRound?.(round);
          this.services.offerStats.record(round);
        },
      },
    );
    const supervisor = new ContainerSupervisor(
      this.db.sql,
      framework,
      { ...DEFAULT_SUPERVISOR_OPTIONS, ...this.options.supervisor },
      (message, error) =>
        this.log.warn(message, { error: error instanceof Error ? error.message : String(error) }),
    );
    this.services.taskStore.onChange = () => supervisor.wake();
    this.services.taskStore.onContainersChanged = (rows) =>
      this.services.containers.watch.changed(rows);
    this.services.taskStore.onCancelled = (taskIds) => {
      for (const taskId of taskIds) framework.cancel(taskId);
    };
    this.services.taskStore.onUnwanted = (task) =>
      supervisor.killUnwanted(task.taskId, task.agentId);
    this.services.containers.launcher = framework;
    this.services.containers.converge = supervisor;
    this.framework = framework;
    this.supervisor = supervisor;
    try {
      await framework.start();
    } catch (error) {
      // Stopping mid-subscribe fails the subscribe: nothing to report or retry.
      if (this.stopped) return;
      this.log.error('cannot subscribe to Mesos', { error: (error as Error).message });
      await this.standAside();
      return;
    }
    if (this.stopped) {
      await framework.stop().catch(() => undefined);
      return;
    }
    this.problem = null;
    supervisor.start();
    this.logSampler = new LogSampler(
      this.db.prisma,
      this.services.containers.logClock,
      this.agents,
      { ...DEFAULT_LOG_SAMPLER_OPTIONS, ...this.options.logSampler },
      (message, error) => this.log.warn(message, { error: String(error) }),
    );
    this.logSampler.start();
    await this.pushPolicies();
    this.roleTimer = setInterval(() => void this.syncRoles(), this.options.roleSyncMs);
    this.roleTimer.unref();
    void this.pruneEvents();
    this.pruneTimer = setInterval(() => void this.pruneEvents(), EVENT_PRUNE_MS);
    this.pruneTimer.unref();
  }

  /** Mesos removed the framework and killed its tasks; Shoal registers afresh. */
  private async frameworkRemoved(removed: {
    frameworkId: string;
    tasks: number;
    message: string;
  }): Promise<void> {
    this.log.warn('Mesos had removed the framework; registering afresh', { ...removed });
    try {
      await this.services.audit.record({
        actor: 'shoal',
        action: 'framework.removed',
        target: removed.frameworkId,
        detail: { killedTasks: removed.tasks, message: removed.message },
      });
    } catch (error) {
      this.log.warn('recording the framework removal failed', { error: String(error) });
    }
  }

  /** Refuses a master older than Shoal needs; asked again at every attempt to lead. */
  private async checkMasterVersion(): Promise<void> {
    const version = await this.operator.getVersion();
    const refused = unsupportedVersion(version, this.operator.leader);
    if (refused) {
      this.problem = refused;
      throw new Error(refused);
    }
  }

  private async pruneEvents(): Promise<void> {
    try {
      const pruned = await this.services.eventJournal.prune();
      if (pruned > 0) this.log.info('pruned old container events', { pruned });
    } catch (error) {
      this.log.warn('pruning old container events failed', { error: (error as Error).message });
    }
  }

  /**
   * Leaves the subscription and frees the leader lock, then competes for it
   * again: another instance may have better luck, or Mesos or the database
   * comes back. Holding the lock without a subscription would stall every
   * instance.
   */
  private async standAside(): Promise<void> {
    await this.step();
    await this.leadership.stop();
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.leadership.start(), this.options.leaderPollMs);
    this.retryTimer.unref();
  }

  /** Leaves the subscription (without tearing the framework down) so a standby can take over. */
  private async step(): Promise<void> {
    clearInterval(this.roleTimer);
    clearInterval(this.pruneTimer);
    const { framework, supervisor, logSampler } = this;
    this.framework = undefined;
    this.supervisor = undefined;
    this.logSampler = undefined;
    await logSampler?.stop();
    this.services.containers.launcher = undefined;
    this.services.containers.converge = this.standbyConverge;
    await supervisor?.stop();
    await framework?.stop().catch(() => undefined);
  }

  /** Quota and weights as stored, so a new or restarted master holds them too. */
  private async pushPolicies(): Promise<void> {
    const policy = this.services.tenants.mesosPolicy;
    if (!policy) return;
    for (const tenant of await this.db.prisma.tenant.findMany()) {
      try {
        await policy.pushQuota(tenant.mesosRole, quotaOf(tenant));
        if (tenant.weight !== 1) await policy.pushWeight(tenant.mesosRole, tenant.weight);
      } catch (error) {
        this.log.warn('pushing a tenant policy to Mesos failed', {
          tenant: tenant.slug,
          error: (error as Error).message,
        });
      }
    }
  }

  private async tenantRoles(): Promise<string[]> {
    const tenants = await this.db.prisma.tenant.findMany({ select: { mesosRole: true } });
    return tenants.map((t) => t.mesosRole);
  }

  /** One sync at a time: work for a role not yet subscribed asks for one with every launch. */
  private syncRoles(): Promise<void> {
    this.roleSync ??= (async () => {
      try {
        await this.framework?.setRoles(await this.tenantRoles());
      } catch (error) {
        this.log.warn('updating the framework roles failed', { error: (error as Error).message });
      } finally {
        this.roleSync = undefined;
      }
    })();
    return this.roleSync;
  }
}

export function defaultInstanceName(): string {
  return `${hostname()}:${process.pid}`;
}
