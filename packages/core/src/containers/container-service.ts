import { setMaxListeners } from 'node:events';
import type { PrismaClient, Sql } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import type { NetworkService } from '../networks/network-service';
import type { ContainerEventBus } from '../events/event-bus';
import { ContainerCreates } from './container-creates';
import { readLogs, type LogSources } from './container-logs';
import { DEFAULT_CONTAINER_OPTIONS, type ContainerServiceOptions } from './container-options';
import { ContainerReads } from './container-reads';
import { renameContainer, setRestartPolicy } from './container-edits';
import { ContainerStarts } from './container-starts';
import { ContainerStops } from './container-stops';
import { ContainerWaits } from './container-waits';
import { ContainerWatch } from './container-watch';
import { matchesLabels } from './label-filters';
import { LogClock } from './log-clock';
import type {
  ConvergeTrigger,
  PlacementCheck,
  SandboxReader,
  SessionTarget,
  TaskLauncher,
  TaskMonitor,
  TaskUsage,
} from './ports';
import { publishChange } from './publish';
import { toView, type ContainerRow } from './rows';
import { StartBatch } from './start-batch';
import { taskHistory } from './task-history';
import { measureTask, sessionTarget } from './task-on-agent';
import { forgetTenantPulls, listTenantImages, recordTenantPull } from './tenant-images';
import { readTenantUsage } from './tenant-usage';
import type {
  ContainerAction,
  ContainerListFilters,
  ContainerOperations,
  ContainerSpecInput,
  ContainerView,
  LogLine,
  LogOptions,
  RestartPolicy,
  TenantUsage,
  WaitCondition,
  WaitResult,
} from './types';

/**
 * Docker-style container operations over Mesos tasks. Desired state is
 * written first; the supervisor (on the process holding the Mesos
 * subscription) turns it into launches and kills, and TaskStore turns status
 * updates back into container states.
 */
export class ContainerService implements ContainerOperations {
  /** Set by the process that runs the supervisor; until then changes wait for its next pass. */
  converge: ConvergeTrigger = { wake: () => undefined };
  sandbox: SandboxReader | undefined;
  monitor: TaskMonitor | undefined;
  /** Told how long each start took until the container ran (for latency metrics). */
  onStarted: (ms: number) => void = () => undefined;
  /** Aborted on shutdown, so requests waiting for containers end at once. */
  private readonly closing = new AbortController();
  /** Dates log lines; the leader's LogSampler feeds it too. */
  readonly logClock: LogClock;
  /** Containers as this process's status updates change them (TaskStore feeds it). */
  readonly watch = new ContainerWatch();
  private readonly reads: ContainerReads;
  private readonly waits: ContainerWaits;
  private readonly creates: ContainerCreates;
  private readonly startBatch: StartBatch;
  private readonly starts: ContainerStarts;
  private readonly stops: ContainerStops;
  private taskLauncher: TaskLauncher | undefined;
  /** Resolves the networks a create asks for; set where the network service is made. */
  networks: Pick<NetworkService, 'attachmentsFor'> | undefined;
  private placementCheck: PlacementCheck | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly audit: AuditService,
    private readonly events: ContainerEventBus,
    private readonly options: ContainerServiceOptions = DEFAULT_CONTAINER_OPTIONS,
  ) {
    // Every start, stop and wait in flight listens here and removes its listener when done,
    // so a busy server passes Node's leak-warning threshold of 10 without any leak.
    setMaxListeners(0, this.closing.signal);
    this.logClock = new LogClock(prisma);
    this.reads = new ContainerReads(sql);
    this.waits = new ContainerWaits(
      prisma,
      events,
      (tenantId, ref) => this.resolve(tenantId, ref),
      options.waitCheckMs,
      this.closing.signal,
    );
    this.creates = new ContainerCreates(sql, events, () => this.networkLookup(), options);
    this.startBatch = new StartBatch(sql);
    this.stops = new ContainerStops(prisma, audit, events, this.reads, this.waits, this);
    this.starts = new ContainerStarts(
      this.startBatch,
      this.reads,
      events,
      this.watch,
      this.stops,
      this,
      options.startWaitMs,
      this.closing.signal,
    );
  }

  /** Set by the process that owns the subscription: its starts queue their tasks at once. */
  get launcher(): TaskLauncher | undefined {
    return this.taskLauncher;
  }

  set launcher(launcher: TaskLauncher | undefined) {
    this.taskLauncher = launcher;
    this.startBatch.queuesTasks = launcher !== undefined;
  }

  /** Set where the cluster is known: starts no agent could ever run are refused. */
  get placement(): PlacementCheck | undefined {
    return this.placementCheck;
  }

  set placement(check: PlacementCheck | undefined) {
    this.placementCheck = check;
    this.startBatch.placement = check;
  }

  create(tenantId: string, input: ContainerSpecInput, actor: string): Promise<ContainerView> {
    return this.creates.create(tenantId, input, actor);
  }

  async start(tenantId: string, ref: string, actor: string): Promise<ContainerView> {
    return (await this.startIfStopped(tenantId, ref, actor)).container;
  }

  startIfStopped(
    tenantId: string,
    ref: string,
    actor: string,
  ): Promise<{ container: ContainerView; started: boolean }> {
    return this.starts.startIfStopped(tenantId, ref, actor);
  }

  async stop(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number; signal?: string },
    actor: string,
  ): Promise<ContainerView> {
    return (await this.stopIfRunning(tenantId, ref, options, actor)).container;
  }

  stopIfRunning(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number; signal?: string },
    actor: string,
  ): Promise<{ container: ContainerView; stopped: boolean }> {
    return this.stops.stopIfRunning(tenantId, ref, options, actor);
  }

  kill(
    tenantId: string,
    ref: string,
    options: { signal?: string },
    actor: string,
  ): Promise<ContainerView> {
    return this.stops.kill(tenantId, ref, options, actor);
  }

  async restart(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number },
    actor: string,
  ): Promise<ContainerView> {
    const stopped = await this.stop(tenantId, ref, options, actor);
    const started = await this.start(tenantId, stopped.id, actor);
    this.publish({ ...started, config: started.spec, tenantId }, 'restart');
    return started;
  }

  /** Names are Shoal's own data: a rename touches no Mesos task. */
  async rename(tenantId: string, ref: string, name: string, actor: string): Promise<ContainerView> {
    const current = await renameContainer(this.prisma, this.audit, this.reads, {
      tenantId,
      ref,
      name,
      actor,
    });
    this.publish(current.renamed, 'rename', { oldName: `/${current.oldName}` });
    return this.get(tenantId, current.renamed.id);
  }

  async updateRestartPolicy(
    tenantId: string,
    ref: string,
    policy: RestartPolicy,
    actor: string,
  ): Promise<ContainerView> {
    const row = await setRestartPolicy(this.prisma, this.audit, this.reads, {
      tenantId,
      ref,
      policy,
      actor,
    });
    this.publish(row, 'update');
    return this.get(tenantId, row.id);
  }

  remove(
    tenantId: string,
    ref: string,
    options: { force?: boolean },
    actor: string,
  ): Promise<void> {
    return this.stops.remove(tenantId, ref, options, actor);
  }

  private networkLookup(): Pick<NetworkService, 'attachmentsFor'> {
    if (!this.networks) throw new Error('ContainerService.networks is not set');
    return this.networks;
  }

  /** Ends every wait (start, stop, wait, followed logs) still open; used on shutdown. */
  shutdown(): void {
    this.closing.abort();
  }

  async get(tenantId: string, ref: string): Promise<ContainerView> {
    return toView(await this.resolve(tenantId, ref));
  }

  /** The container and, once its task (speakingTask) is on an agent, where that task runs. */
  async located(
    tenantId: string,
    ref: string,
  ): Promise<{ view: ContainerView; target: SessionTarget | undefined }> {
    const row = await this.resolve(tenantId, ref);
    return { view: toView(row), target: sessionTarget(row) };
  }

  /** The command run beside a container's task (piped.ts) ended with `exitCode`. */
  commandEnded(containerId: string, mesosTaskId: string, exitCode: number): Promise<void> {
    return this.stops.commandEnded(containerId, mesosTaskId, exitCode);
  }

  async list(tenantId: string, filters: ContainerListFilters = {}): Promise<ContainerView[]> {
    const rows = await this.reads.list(tenantId, filters);
    const now = new Date();
    const views = rows
      .map(({ row, version }) => toView(row, now, version))
      .filter((v) => matchesLabels(v.spec.labels, filters.label ?? []));
    return filters.limit && filters.limit > 0 ? views.slice(0, filters.limit) : views;
  }

  /** These containers of the tenant as they are now; ids it does not have are left out. */
  async byIds(tenantId: string, ids: string[]): Promise<ContainerView[]> {
    const now = new Date();
    return (await this.reads.byIds(tenantId, ids)).map((r) => toView(r, now));
  }

  wait(
    tenantId: string,
    ref: string,
    condition: WaitCondition,
    signal?: AbortSignal,
    onWaiting?: () => void,
  ): Promise<WaitResult> {
    return this.waits.wait(tenantId, ref, condition, signal, onWaiting);
  }

  logs(
    tenantId: string,
    ref: string,
    options: LogOptions,
    signal?: AbortSignal,
  ): AsyncIterable<LogLine> {
    return readLogs(this.logSources(options.attached), tenantId, ref, options, signal);
  }

  private logSources(attached = false): LogSources {
    return {
      resolve: (tenantId, ref) =>
        attached ? this.reads.current(tenantId, ref) : this.resolve(tenantId, ref),
      sandbox: this.sandbox,
      clock: this.logClock,
      prisma: this.prisma,
      pollMs: this.options.logPollMs,
      closing: this.closing.signal,
    };
  }

  /** Every status update of the container's tasks, oldest first. */
  async history(tenantId: string, ref: string) {
    return taskHistory(this.prisma, (await this.resolve(tenantId, ref)).id);
  }

  usage(tenantId: string): Promise<TenantUsage> {
    return readTenantUsage(this.sql, tenantId);
  }

  async measure(tenantId: string, ref: string): Promise<TaskUsage | undefined> {
    const container = await this.resolve(tenantId, ref);
    return measureTask(this.monitor, container);
  }

  images(tenantId: string) {
    return listTenantImages(this.sql, tenantId);
  }

  recordPull(tenantId: string, reference: string, actor: string): Promise<void> {
    return recordTenantPull(this.prisma, this.audit, tenantId, reference, actor);
  }

  forgetPulls(tenantId: string, references: string[], actor: string): Promise<string[]> {
    return forgetTenantPulls(this.prisma, this.audit, tenantId, references, actor);
  }

  /** A name, a full id or a unique id prefix, within one tenant only. */
  private resolve(tenantId: string, ref: string): Promise<ContainerRow> {
    return this.reads.resolve(tenantId, ref);
  }

  private publish(
    row: { id: string; tenantId: string; name: string; image: string; config: unknown },
    action: ContainerAction,
    extra: Record<string, string> = {},
  ) {
    publishChange(this.events, row, action, extra);
  }
}
