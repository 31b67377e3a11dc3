import { setMaxListeners } from 'node:events';
import type {
  Prisma,
  PrismaClient,
  Sql,
  Tenant,
  TenantUsage as TenantUsageCounters,
} from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import type { NetworkService } from '../networks/network-service';
import { busy, conflict, invalid, notFound, ShoalError } from '../errors';
import type { ContainerEventBus } from '../events/event-bus';
import { readLogs, type LogSources } from './container-logs';
import { ContainerReads } from './container-reads';
import { ContainerWaits } from './container-waits';
import { ContainerWatch } from './container-watch';
import { CreateBatch } from './create-batch';
import { COMMAND_EXIT, isLaunched, PENDING, TERMINAL_STATES } from './lifecycle';
import { LogClock } from './log-clock';
import { CONTAINER_NAME, newContainerId } from './names';
import type {
  ConvergeTrigger,
  PlacementCheck,
  SandboxReader,
  SessionTarget,
  TaskLauncher,
  TaskMonitor,
  TaskUsage,
} from './ports';
import { toView, type ContainerRow } from './rows';
import type { ContainerEvent } from './types';
import { type ContainerRuntime, TenantRuntimes } from './runtime';
import { normaliseSpec, requestedRuntime } from './spec';
import { NoExactMatch, StartBatch, type StartOutcome } from './start-batch';
import {
  CONTAINER_STATES,
  type ContainerAction,
  type ContainerListFilters,
  type ContainerOperations,
  type ContainerSpec,
  type ContainerSpecInput,
  type ContainerStateName,
  type ContainerView,
  type LogLine,
  type LogOptions,
  type TenantUsage,
  type WaitCondition,
  type WaitResult,
} from './types';

export interface ContainerServiceOptions {
  /** How long `start` waits for the container to run before returning it still pending. */
  startWaitMs: number;
  /** How often a followed log polls the agent. */
  logPollMs: number;
  /**
   * How often a wait also reads the container's stored state, in case this
   * instance missed the event (another instance's relay was down).
   */
  waitCheckMs: number;
  /** The runtime of containers whose tenant has none of its own (SHOAL_DEFAULT_RUNTIME). */
  defaultRuntime: ContainerRuntime;
  /** The CNI network bridged containers join under the ucr runtime (SHOAL_UCR_NETWORK). */
  ucrNetwork: string;
}

export const DEFAULT_CONTAINER_OPTIONS: ContainerServiceOptions = {
  startWaitMs: 20_000,
  logPollMs: 500,
  waitCheckMs: 5_000,
  defaultRuntime: 'docker',
  ucrNetwork: 'mesos-bridge',
};

const TERMINATING_SIGNALS = new Map([
  ['KILL', 'kill'],
  ['9', 'kill'],
  ['TERM', 'stop'],
  ['15', 'stop'],
  ['INT', 'stop'],
  ['2', 'stop'],
  ['QUIT', 'stop'],
  ['3', 'stop'],
] as const);

/** How `docker events` names the signal of a kill given by number. */
const TERMINATING_SIGNAL_NAMES: Record<string, string> = {
  '9': 'KILL',
  '15': 'TERM',
  '2': 'INT',
  '3': 'QUIT',
};

const KNOWN_SIGNALS = new Set(
  'HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS'.split(
    ' ',
  ),
);

const DEFAULT_STOP_TIMEOUT_SECONDS = 10;
/** Why a start stops waiting once it has its answer. */
const ANSWERED = Symbol('answered');

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
  private readonly creates: CreateBatch;
  private readonly starts: StartBatch;
  private readonly runtimes: TenantRuntimes;
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
    this.creates = new CreateBatch(sql);
    this.starts = new StartBatch(sql);
    this.runtimes = new TenantRuntimes(sql, () => this.options.defaultRuntime);
  }

  /** Set by the process that owns the subscription: its starts queue their tasks at once. */
  get launcher(): TaskLauncher | undefined {
    return this.taskLauncher;
  }

  set launcher(launcher: TaskLauncher | undefined) {
    this.taskLauncher = launcher;
    this.starts.queuesTasks = launcher !== undefined;
  }

  /** Set where the cluster is known: starts no agent could ever run are refused. */
  set placement(check: PlacementCheck | undefined) {
    this.placementCheck = check;
    this.starts.placement = check;
  }

  async create(tenantId: string, input: ContainerSpecInput, actor: string): Promise<ContainerView> {
    const turn = this.turnDeadline();
    try {
      // The tenant's runtime is only looked up when the request names none; that wait
      // counts against the create's turn, as the write does.
      const runtime =
        requestedRuntime(input) ??
        (await this.runtimes.of(tenantId, {
          signal: turn.signal,
          busy: () => busy(`create ${input.name?.replace(/^\//, '') || 'a container'}`),
        }));
      const networks =
        input.networks && input.networks.length > 0
          ? await this.networkLookup().attachmentsFor(tenantId, input.networks)
          : undefined;
      const spec = normaliseSpec(input, {
        runtime,
        ucrNetwork: this.options.ucrNetwork,
        ...(networks ? { networks } : {}),
      });
      const row = await this.creates.create(
        { id: newContainerId(), tenantId, spec, actor },
        turn.signal,
      );
      this.publish(row, 'create');
      return toView({ ...row, tasks: [] });
    } finally {
      turn.clear();
    }
  }

  /**
   * A busy database makes a create or start wait for its batch, for as long as a start
   * waits for its container to run; then it is not made, and says so. With no start wait
   * (0), it waits as long as it takes.
   */
  private turnDeadline(): { signal: AbortSignal | undefined; clear: () => void } {
    if (this.options.startWaitMs <= 0) return { signal: undefined, clear: () => undefined };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(ANSWERED), this.options.startWaitMs);
    return { signal: controller.signal, clear: () => clearTimeout(timer) };
  }

  async start(tenantId: string, ref: string, actor: string): Promise<ContainerView> {
    return (await this.startIfStopped(tenantId, ref, actor)).container;
  }

  async startIfStopped(
    tenantId: string,
    ref: string,
    actor: string,
  ): Promise<{ container: ContainerView; started: boolean }> {
    const began = performance.now();
    // A plain timer, not AbortSignal.timeout: a signal only AbortSignal.any refers to
    // can be collected on Node 20 before it fires, and the wait would never end.
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), this.options.startWaitMs);
    const onClose = () => giveUp.abort();
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    let events: AsyncIterableIterator<ContainerEvent> | undefined;
    try {
      // A start right after boot is checked against the cluster too.
      await this.placementCheck?.ready();
      const turn = this.turnDeadline();
      const outcome = await this.startByRef(tenantId, ref, actor, turn.signal)
        .catch((error: unknown) => this.removeAfterRefusal(tenantId, ref, actor, error))
        .finally(turn.clear);
      if (!outcome.changed) return { container: toView(outcome.container), started: false };
      const { id } = outcome.container;
      // Another instance's status updates reach this one as events only. Nothing of this
      // start can have happened before its commit, just awaited, so none is missed.
      const heardOf = (events = this.events.subscribe(tenantId, giveUp.signal, id));
      if (outcome.launch) this.launcher?.submitAll([outcome.launch]);
      else this.converge.wake();
      // Like Docker, answer once the container runs (or failed to), unless resources take long.
      // A stop whose kill Mesos has not confirmed yet leaves a task that only ends: the
      // start is answered by the task launched after it.
      const since = new Date();
      const stopping = stoppingTask(outcome.container);
      const settled = (row: ContainerRow) => {
        if (row.state === 'REMOVING') return true;
        if (stopping === undefined)
          return row.state === 'RUNNING' || (row.finishedAt !== null && row.finishedAt >= since);
        // The stopping task's end is not this start's answer; the next task's run or end is.
        const next = row.tasks[0];
        if (!next || next.mesosTaskId === stopping) return false;
        return row.state === 'RUNNING' || TERMINAL_STATES.includes(next.state);
      };
      const heard = (async () => {
        let endsToSkip = stopping ? 1 : 0;
        for await (const event of heardOf) {
          // While a stop's kill is unconfirmed, a `start` may be the old task's own (an
          // update restating that it runs): only `settled` tells the next task's run apart.
          if (event.action === 'start' && stopping === undefined) return;
          if (event.action === 'die' && endsToSkip-- === 0) return;
        }
      })();
      const row = await Promise.race([
        this.watch.until(id, settled, giveUp.signal),
        heard.then(() => undefined),
      ]);
      const view = row ? toView(row) : await this.get(tenantId, id);
      if (view.state === 'running') this.onStarted(performance.now() - began);
      return { container: view, started: true };
    } finally {
      clearTimeout(timer);
      this.closing.signal.removeEventListener('abort', onClose);
      // With a reason of its own: abort() would build a DOMException and its stack.
      giveUp.abort(ANSWERED);
      await events?.return?.();
    }
  }

  /**
   * Docker removes an auto-remove container whose start failed: `docker run --rm` waits
   * for that removal, and would wait for ever for a container left behind. Rethrows `error`.
   */
  private async removeAfterRefusal(
    tenantId: string,
    ref: string,
    actor: string,
    error: unknown,
  ): Promise<never> {
    const refused =
      error instanceof ShoalError && (error.code === 'CONFLICT' || error.code === 'QUOTA_EXCEEDED');
    if (refused) {
      const row = await this.resolve(tenantId, ref).catch(() => undefined);
      const spec = row?.config as ContainerSpec | undefined;
      if (row && spec?.autoRemove && row.desiredState !== 'RUNNING' && row.tasks.length === 0)
        await this.remove(tenantId, row.id, {}, actor).catch(() => undefined);
    }
    throw error;
  }

  /** Starts by full id or name in a batch; a unique id prefix is resolved first. */
  private async startByRef(
    tenantId: string,
    ref: string,
    actor: string,
    signal: AbortSignal | undefined,
  ): Promise<StartOutcome> {
    const key = ref.replace(/^\//, '');
    if (!key) throw notFound(`No such container: ${ref}`);
    try {
      return await this.starts.start({ tenantId, ref: key, actor }, signal);
    } catch (error) {
      if (!(error instanceof NoExactMatch)) throw error;
      const { id } = await this.reads.resolve(tenantId, key);
      return this.starts.start({ tenantId, ref: id, actor }, signal);
    }
  }

  async stop(
    tenantId: string,
    ref: string,
    options: { timeoutSeconds?: number },
    actor: string,
  ): Promise<ContainerView> {
    const timeout = options.timeoutSeconds ?? DEFAULT_STOP_TIMEOUT_SECONDS;
    if (!Number.isFinite(timeout) || timeout < 0)
      throw invalid(`invalid stop timeout ${options.timeoutSeconds}`);
    return this.halt(tenantId, ref, 'stop', timeout, actor);
  }

  async kill(
    tenantId: string,
    ref: string,
    options: { signal?: string },
    actor: string,
  ): Promise<ContainerView> {
    const signal = (options.signal ?? 'KILL').toUpperCase().replace(/^SIG/, '');
    const mode = TERMINATING_SIGNALS.get(signal as never);
    if (!mode && !KNOWN_SIGNALS.has(signal) && !/^([1-9]|[1-5][0-9]|6[0-4])$/.test(signal)) {
      throw invalid(`Invalid signal: ${options.signal}`);
    }
    if (!mode) {
      throw new ShoalError(
        'NOT_SUPPORTED',
        `Signal ${options.signal} cannot be delivered: Mesos can only terminate a task (SIGTERM with a grace period, or SIGKILL)`,
      );
    }
    const current = await this.resolve(tenantId, ref);
    if (current.state !== 'RUNNING' && current.state !== 'RESTARTING') {
      throw conflict(`Cannot kill container: ${ref}: Container ${current.id} is not running`);
    }
    // Docker reports the signal sent, whichever it was, before the container dies of it.
    this.publish(current, 'kill', { signal: `SIG${TERMINATING_SIGNAL_NAMES[signal] ?? signal}` });
    return this.halt(
      tenantId,
      ref,
      mode,
      mode === 'kill' ? 0 : DEFAULT_STOP_TIMEOUT_SECONDS,
      actor,
      false,
    );
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
    const newName = name.replace(/^\//, '');
    if (!CONTAINER_NAME.test(newName)) {
      throw invalid(`Invalid container name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const current = await this.resolve(tenantId, ref);
    if (current.name === newName) {
      throw conflict(`Renaming a container with the same name as its current name`);
    }
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.container.update({
          where: { id: current.id },
          data: {
            name: newName,
            config: { ...(current.config as Prisma.JsonObject), name: newName },
          },
        });
        await this.audit.record(
          {
            tenantId,
            actor,
            action: 'container.rename',
            target: newName,
            detail: { id: current.id, oldName: current.name },
          },
          tx,
        );
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') {
        throw conflict(
          `Conflict. The container name "/${newName}" is already in use by another container. You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      throw error;
    }
    this.publish({ ...current, name: newName }, 'rename', { oldName: `/${current.name}` });
    return this.get(tenantId, current.id);
  }

  async remove(
    tenantId: string,
    ref: string,
    options: { force?: boolean },
    actor: string,
  ): Promise<void> {
    const current = await this.resolve(tenantId, ref);
    const task = current.tasks[0];
    const live = task && isLaunched(task.state);
    if (live && !options.force) {
      throw conflict(
        `You cannot remove a running container ${current.id}. Stop the container before attempting removal or force remove`,
      );
    }
    const dropped = await this.prisma.$transaction(async (tx) => {
      let queued: string[] = [];
      if (live) {
        // The row goes when Mesos confirms the kill; its name is free at once, as in Docker.
        await tx.container.update({
          where: { id: current.id },
          data: {
            state: 'REMOVING',
            desiredState: 'STOPPED',
            name: `${current.name}.removing.${current.id.slice(0, 12)}`,
          },
        });
        ({ queued } = await markForKill(tx, current.id, 'kill'));
      } else {
        if (task?.state === PENDING) queued = [task.mesosTaskId];
        await tx.container.delete({ where: { id: current.id } });
      }
      await this.audit.record(
        {
          tenantId,
          actor,
          action: 'container.remove',
          target: current.name,
          detail: { id: current.id, force: Boolean(options.force) },
        },
        tx,
      );
      return queued;
    });
    for (const taskId of dropped) this.launcher?.cancel(taskId);
    if (live) {
      await this.launcher
        ?.kill(task.mesosTaskId, task.agentId ?? undefined, 0)
        .catch(() => undefined);
      this.converge.wake();
    } else {
      this.publish(current, 'destroy');
    }
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

  /** The container and, once its latest task is on an agent, where that task runs. */
  async located(
    tenantId: string,
    ref: string,
  ): Promise<{ view: ContainerView; target: SessionTarget | undefined }> {
    const row = await this.resolve(tenantId, ref);
    const task = row.tasks[0];
    const target =
      task?.agentId && task.agentEndpoint && isLaunched(task.state)
        ? {
            mesosTaskId: task.mesosTaskId,
            agentId: task.agentId,
            agentEndpoint: task.agentEndpoint,
            ...(task.hostname ? { hostname: task.hostname } : {}),
          }
        : undefined;
    return { view: toView(row), target };
  }

  /**
   * The command run beside a container's task (piped.ts) ended with `exitCode`: the task,
   * which only held the container's place, is killed, and its end carries that code. A
   * task a stop or kill has been sent to keeps that reason.
   */
  async commandEnded(containerId: string, mesosTaskId: string, exitCode: number): Promise<void> {
    const task = await this.prisma.task.findFirst({
      where: { containerId, mesosTaskId, state: { notIn: [PENDING, ...TERMINAL_STATES] } },
      select: { id: true, agentId: true },
    });
    if (!task) return;
    const { count } = await this.prisma.task.updateMany({
      where: { id: task.id, killedBy: null },
      data: { killedBy: `${COMMAND_EXIT}${exitCode}` },
    });
    if (count === 0) return;
    await this.launcher?.kill(mesosTaskId, task.agentId ?? undefined, 0).catch(() => undefined);
    this.converge.wake();
  }

  async list(tenantId: string, filters: ContainerListFilters = {}): Promise<ContainerView[]> {
    const rows = await this.reads.list(tenantId, filters);
    const now = new Date();
    const views = rows
      .map((r) => toView(r, now))
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
  ): Promise<WaitResult> {
    return this.waits.wait(tenantId, ref, condition, signal);
  }

  logs(
    tenantId: string,
    ref: string,
    options: LogOptions,
    signal?: AbortSignal,
  ): AsyncIterable<LogLine> {
    return readLogs(this.logSources(), tenantId, ref, options, signal);
  }

  private logSources(): LogSources {
    return {
      resolve: (tenantId, ref) => this.resolve(tenantId, ref),
      sandbox: this.sandbox,
      clock: this.logClock,
      prisma: this.prisma,
      pollMs: this.options.logPollMs,
      closing: this.closing.signal,
    };
  }

  async history(tenantId: string, ref: string) {
    const container = await this.resolve(tenantId, ref);
    const updates = await this.prisma.taskUpdate.findMany({
      where: { task: { containerId: container.id } },
      include: { task: { select: { mesosTaskId: true } } },
      orderBy: { at: 'asc' },
    });
    return updates.map((u) => ({
      mesosTaskId: u.task.mesosTaskId,
      state: u.state,
      reason: u.reason,
      message: u.message,
      at: u.at,
    }));
  }

  /**
   * Quota and use of each resource and containers per state, in one statement: `docker info`
   * asks often. A container being removed is gone for its tenant, as `docker rm -f` promised.
   */
  async usage(tenantId: string): Promise<TenantUsage> {
    const [row] = await this.sql.query<UsageRow>(
      `SELECT t."quotaCpusGuarantee", t."quotaCpusLimit", t."quotaMemGuarantee", t."quotaMemLimit",
              t."quotaDiskGuarantee", t."quotaDiskLimit", t."quotaGpusGuarantee", t."quotaGpusLimit",
              coalesce(u.cpus, 0) AS cpus, coalesce(u."memMb", 0) AS "memMb",
              coalesce(u."diskMb", 0) AS "diskMb", coalesce(u.gpus, 0) AS gpus,
              (SELECT coalesce(json_object_agg(c.state, c.n), '{}')
                 FROM (SELECT state, count(*)::int AS n FROM "Container"
                       WHERE "tenantId" = t.id AND state <> 'REMOVING' GROUP BY state) c) AS "byState"
       FROM "Tenant" t LEFT JOIN "TenantUsage" u ON u."tenantId" = t.id
       WHERE t.id = $1`,
      [tenantId],
    );
    if (!row) throw notFound('No such tenant');
    const containersByState = Object.fromEntries(CONTAINER_STATES.map((s) => [s, 0])) as Record<
      ContainerStateName,
      number
    >;
    for (const [state, n] of Object.entries(row.byState))
      containersByState[state.toLowerCase() as ContainerStateName] = n;
    const amount = (guarantee: number | null, limit: number | null, used: number) => ({
      guarantee,
      limit,
      used,
    });
    return {
      quota: {
        cpus: amount(row.quotaCpusGuarantee, row.quotaCpusLimit, row.cpus),
        memoryMb: amount(row.quotaMemGuarantee, row.quotaMemLimit, row.memMb),
        diskMb: amount(row.quotaDiskGuarantee, row.quotaDiskLimit, row.diskMb),
        gpus: amount(row.quotaGpusGuarantee, row.quotaGpusLimit, row.gpus),
      },
      containersByState,
    };
  }

  async measure(tenantId: string, ref: string): Promise<TaskUsage | undefined> {
    const container = await this.resolve(tenantId, ref);
    const task = container.tasks[0];
    if (!this.monitor || !task?.agentId || container.state !== 'RUNNING') return undefined;
    try {
      return await this.monitor.usage({
        mesosTaskId: task.mesosTaskId,
        agentId: task.agentId,
        agentEndpoint: task.agentEndpoint,
      });
    } catch (cause) {
      // An agent away or slow is a state of the cluster the reader can wait out, not a fault.
      throw new ShoalError(
        'UNAVAILABLE',
        `The agent running ${container.name} did not answer for its usage; try again shortly`,
        { cause },
      );
    }
  }

  async images(tenantId: string) {
    const [groups, pulled] = await Promise.all([
      this.prisma.container.groupBy({
        by: ['image'],
        where: { tenantId },
        _count: { _all: true },
        _max: { createdAt: true },
        orderBy: { image: 'asc' },
      }),
      this.prisma.pulledImage.findMany({ where: { tenantId }, orderBy: { reference: 'asc' } }),
    ]);
    return [
      ...groups.map((g) => ({
        image: g.image,
        containers: g._count._all,
        lastUsedAt: g._max.createdAt ?? new Date(0),
      })),
      ...pulled.map((p) => ({ image: p.reference, containers: 0, lastUsedAt: p.pulledAt })),
    ];
  }

  async recordPull(tenantId: string, reference: string, actor: string): Promise<void> {
    const pulledAt = new Date();
    await this.prisma.$transaction(async (tx) => {
      await tx.pulledImage.upsert({
        where: { tenantId_reference: { tenantId, reference } },
        create: { tenantId, reference, pulledAt },
        update: { pulledAt },
      });
      await this.audit.record({ tenantId, actor, action: 'image.pull', target: reference }, tx);
    });
  }

  /** A name, a full id or a unique id prefix, within one tenant only. */
  private resolve(tenantId: string, ref: string): Promise<ContainerRow> {
    return this.reads.resolve(tenantId, ref);
  }

  private async halt(
    tenantId: string,
    ref: string,
    mode: 'stop' | 'kill',
    graceSeconds: number,
    actor: string,
    waitForExit = true,
  ): Promise<ContainerView> {
    const current = await this.resolve(tenantId, ref);
    const task = current.tasks[0];
    const controller = new AbortController();
    const exited =
      waitForExit && task && isLaunched(task.state)
        ? this.wait(tenantId, current.id, 'not-running', controller.signal).catch(() => undefined)
        : undefined;
    try {
      const dropped = await this.prisma.$transaction(async (tx) => {
        await tx.container.update({
          where: { id: current.id },
          data: { desiredState: 'STOPPED', restartAt: null },
        });
        const { live, queued } = await markForKill(tx, current.id, mode);
        if (live === 0 && queued.length > 0) {
          await tx.container.update({
            where: { id: current.id },
            data: { state: current.restartCount > 0 ? 'EXITED' : 'CREATED' },
          });
        }
        await this.audit.record(
          {
            tenantId,
            actor,
            action: `container.${mode}`,
            target: current.name,
            detail: { id: current.id },
          },
          tx,
        );
        return queued;
      });
      for (const taskId of dropped) this.launcher?.cancel(taskId);
      if (task && isLaunched(task.state)) {
        await this.launcher
          ?.kill(task.mesosTaskId, task.agentId ?? undefined, graceSeconds)
          .catch(() => undefined);
        this.converge.wake();
        if (exited) {
          // Bounded: a lost agent may never confirm; the supervisor keeps trying.
          const timer = setTimeout(() => controller.abort(), (graceSeconds + 15) * 1000);
          await exited;
          clearTimeout(timer);
        }
      }
    } finally {
      controller.abort();
    }
    return this.get(tenantId, current.id);
  }

  private publish(
    row: { id: string; tenantId: string; name: string; image: string; config: unknown },
    action: ContainerAction,
    extra: Record<string, string> = {},
  ) {
    const labels = (row.config as ContainerSpec | null)?.labels ?? {};
    this.events.publish({
      tenantId: row.tenantId,
      containerId: row.id,
      name: row.name,
      image: row.image,
      action,
      at: new Date(),
      attributes: { name: row.name, image: row.image, ...labels, ...extra },
    });
  }
}

/** The Mesos id of the container's task that a stop or kill has been sent to, if it still lives. */
function stoppingTask(row: ContainerRow): string | undefined {
  const task = row.tasks[0];
  return task && task.killedBy !== null && isLaunched(task.state) ? task.mesosTaskId : undefined;
}

/**
 * Marks every launched task of a container as killed by Shoal (the supervisor sends
 * the kill, and again until Mesos confirms it) and drops its queued tasks. Answers
 * how many launched tasks there are, and the Mesos ids of the queued ones dropped.
 */
async function markForKill(
  tx: Pick<PrismaClient, 'task'>,
  containerId: string,
  mode: 'stop' | 'kill',
): Promise<{ live: number; queued: string[] }> {
  const { count: live } = await tx.task.updateMany({
    where: { containerId, state: { notIn: [PENDING, ...TERMINAL_STATES] } },
    data: { killedBy: mode },
  });
  const queued = await tx.task.findMany({
    where: { containerId, state: PENDING },
    select: { id: true, mesosTaskId: true },
  });
  if (queued.length > 0)
    await tx.task.deleteMany({ where: { id: { in: queued.map((t) => t.id) }, state: PENDING } });
  return { live, queued: queued.map((t) => t.mesosTaskId) };
}

function matchesLabels(labels: Record<string, string>, filters: string[]): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

/** The tenant's quota columns and its usage counters, as the statement reads them. */
type UsageRow = Pick<
  Tenant,
  | 'quotaCpusGuarantee'
  | 'quotaCpusLimit'
  | 'quotaMemGuarantee'
  | 'quotaMemLimit'
  | 'quotaDiskGuarantee'
  | 'quotaDiskLimit'
  | 'quotaGpusGuarantee'
  | 'quotaGpusLimit'
> &
  Pick<TenantUsageCounters, 'cpus' | 'memMb' | 'diskMb' | 'gpus'> & {
    byState: Record<string, number>;
  };
