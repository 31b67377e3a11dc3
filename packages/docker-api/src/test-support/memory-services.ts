import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import {
  ContainerEventBus,
  ExecService,
  PipeService,
  ShoalError,
  TerminalService,
  type ClusterView,
  type ContainerAction,
  type ContainerEvent,
  type ContainerListFilters,
  type ContainerOperations,
  type ContainerSpec,
  type ContainerSpecInput,
  type ContainerStateName,
  type ContainerView,
  type RestartPolicy,
  type LogLine,
  type LogOptions,
  type TaskUsage,
  type TenantService,
  type TokenIdentity,
  type TokenRejection,
  type WaitCondition,
  type WaitResult,
} from '@shoal/core';
import { CONTAINER_STATES } from '../containers/read';
import type { DockerApiServices } from '../services';

// An in-memory stand-in for core's services, for tests of the wire format.
// Containers "run" their command at once: `echo …` prints and exits 0,
// `sh -c "exit N"` exits N, anything else runs until stopped. The real
// system is exercised by the e2e test.

type Tenant = Awaited<ReturnType<TenantService['list']>>[number];

export function tenant(slug: string, quota: Partial<Tenant> = {}): Tenant {
  const now = new Date();
  return {
    id: `tenant-${slug}`,
    slug,
    name: slug.toUpperCase(),
    mesosRole: `shoal-${slug}`,
    weight: 1,
    quotaCpusGuarantee: null,
    quotaCpusLimit: null,
    quotaMemGuarantee: null,
    quotaMemLimit: null,
    quotaDiskGuarantee: null,
    quotaDiskLimit: null,
    quotaGpusGuarantee: null,
    quotaGpusLimit: null,
    runtime: null,
    cniNetwork: null,
    createdAt: now,
    updatedAt: now,
    ...quota,
  };
}

interface Box {
  view: ContainerView;
  lines: LogLine[];
  changed: EventEmitter;
}

export class MemoryContainers implements ContainerOperations {
  readonly boxes = new Map<string, Box>();
  /** No agents here: nothing to replay a terminal's output from. */
  readonly sandbox = undefined;

  constructor(
    private readonly events: ContainerEventBus,
    private readonly tenants: Tenant[],
  ) {}

  async create(tenantId: string, input: ContainerSpecInput): Promise<ContainerView> {
    const name = input.name ?? `box_${this.boxes.size}`;
    if (
      [...this.boxes.values()].some((b) => b.view.tenantId === tenantId && b.view.name === name)
    ) {
      throw new ShoalError('CONFLICT', `Conflict. The container name "/${name}" is already in use`);
    }
    const spec: ContainerSpec = {
      name,
      env: [],
      labels: {},
      tty: false,
      openStdin: false,
      networkMode: 'bridge',
      ports: [],
      publishAllPorts: false,
      cpus: 0.25,
      memoryMb: 128,
      diskMb: 0,
      gpus: 0,
      restartPolicy: { name: 'no' },
      autoRemove: false,
      bestEffort: false,
      constraints: [],
      ...input,
      // The wire-format tests know no tenant networks: core's own tests cover them.
      networks: [],
    };
    const id = randomBytes(32).toString('hex');
    const view: ContainerView = {
      id,
      tenantId,
      name,
      image: spec.image,
      spec,
      state: 'created',
      desiredState: 'stopped',
      status: 'Created',
      exitCode: null,
      error: null,
      restartCount: 0,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
      task: null,
      waiting: null,
    };
    this.boxes.set(id, { view, lines: [], changed: new EventEmitter() });
    this.publish(view, 'create');
    return { ...view };
  }

  async start(tenantId: string, ref: string): Promise<ContainerView> {
    return (await this.startIfStopped(tenantId, ref)).container;
  }

  /** Nothing runs beside these containers' tasks: no agent is reached. */
  async commandEnded(): Promise<void> {}

  /** As core's: the container, and where its task runs while it runs. */
  async located(tenantId: string, ref: string) {
    const view = { ...this.box(tenantId, ref).view };
    const task = view.state === 'running' ? view.task : null;
    return {
      view,
      target: task
        ? {
            mesosTaskId: task.mesosTaskId,
            agentId: task.agentId ?? 'agent-1',
            agentEndpoint: '127.0.0.1:5051',
          }
        : undefined,
    };
  }

  async startIfStopped(
    tenantId: string,
    ref: string,
  ): Promise<{ container: ContainerView; started: boolean }> {
    const box = this.box(tenantId, ref);
    if (box.view.state === 'running') return { container: { ...box.view }, started: false };
    const now = new Date();
    box.lines = [];
    Object.assign(box.view, {
      state: 'running',
      desiredState: 'running',
      status: 'Up Less than a second',
      startedAt: now,
      task: {
        mesosTaskId: `task-${box.view.id.slice(0, 8)}`,
        agentId: 'agent-1',
        hostname: 'agent-1.example',
        state: 'TASK_RUNNING',
        ports: box.view.spec.ports.map((p, i) => ({
          containerPort: p.containerPort,
          hostPort: p.hostPort ?? 31000 + i,
          protocol: p.protocol,
        })),
        launchedAt: now,
        updatedAt: now,
      },
    });
    this.publish(box.view, 'start');
    const words = [...(box.view.spec.entrypoint ?? []), ...(box.view.spec.cmd ?? [])];
    const exit = /^exit (\d+)$/.exec(words[2] ?? '');
    if (words[0] === 'echo') {
      this.write(box.view.id, 'stdout', `${words.slice(1).join(' ')}\n`);
      setImmediate(() => this.exit(box, 0));
    } else if (words[0] === 'sh' && exit) {
      setImmediate(() => this.exit(box, Number(exit[1])));
    }
    return { container: { ...box.view }, started: true };
  }

  /** Appends output as if the task printed it. */
  write(id: string, stream: 'stdout' | 'stderr', text: string): void {
    const box = this.boxes.get(id);
    if (!box) throw new Error(`no container ${id}`);
    box.lines.push({ stream, text, at: new Date() });
    box.changed.emit('change');
  }

  async stop(tenantId: string, ref: string): Promise<ContainerView> {
    return (await this.stopIfRunning(tenantId, ref)).container;
  }

  async stopIfRunning(
    tenantId: string,
    ref: string,
  ): Promise<{ container: ContainerView; stopped: boolean }> {
    const box = this.box(tenantId, ref);
    const stopped = box.view.state === 'running';
    if (stopped) this.exit(box, 143, 'stop');
    return { container: { ...box.view }, stopped };
  }

  async kill(tenantId: string, ref: string, options: { signal?: string }): Promise<ContainerView> {
    const box = this.box(tenantId, ref);
    if (options.signal === 'HUP')
      throw new ShoalError('NOT_SUPPORTED', 'Signal HUP cannot be delivered');
    if (box.view.state !== 'running') {
      throw new ShoalError(
        'CONFLICT',
        `Cannot kill container: ${ref}: Container ${box.view.id} is not running`,
      );
    }
    this.publish(box.view, 'kill');
    this.exit(box, 137);
    return { ...box.view };
  }

  async restart(tenantId: string, ref: string): Promise<ContainerView> {
    await this.stop(tenantId, ref);
    return this.start(tenantId, ref);
  }

  async remove(tenantId: string, ref: string, options: { force?: boolean }): Promise<void> {
    const box = this.box(tenantId, ref);
    if (box.view.state === 'running' && !options.force) {
      throw new ShoalError(
        'CONFLICT',
        `You cannot remove a running container ${box.view.id}. Stop the container before attempting removal or force remove`,
      );
    }
    if (box.view.state === 'running') this.exit(box, 137);
    this.destroy(box);
  }

  async updateRestartPolicy(
    tenantId: string,
    ref: string,
    policy: RestartPolicy,
  ): Promise<ContainerView> {
    const box = this.box(tenantId, ref);
    box.view = { ...box.view, spec: { ...box.view.spec, restartPolicy: policy } };
    return { ...box.view };
  }

  async rename(tenantId: string, ref: string, name: string): Promise<ContainerView> {
    const box = this.box(tenantId, ref);
    box.view = { ...box.view, name };
    return { ...box.view };
  }

  async get(tenantId: string, ref: string): Promise<ContainerView> {
    return { ...this.box(tenantId, ref).view };
  }

  async list(tenantId: string, filters: ContainerListFilters = {}): Promise<ContainerView[]> {
    return [...this.boxes.values()]
      .map((b) => b.view)
      .filter((v) => v.tenantId === tenantId)
      .filter((v) =>
        filters.status ? filters.status.includes(v.state) : filters.all || v.state === 'running',
      )
      .filter((v) => !filters.id || filters.id.some((p) => v.id.startsWith(p)))
      .filter((v) =>
        (filters.label ?? []).every((l) => {
          const [key = '', value] = l.split('=');
          return value === undefined ? key in v.spec.labels : v.spec.labels[key] === value;
        }),
      )
      .slice(0, filters.limit)
      .map((v) => ({ ...v }));
  }

  async wait(
    tenantId: string,
    ref: string,
    condition: WaitCondition,
    signal?: AbortSignal,
    onWaiting?: () => void,
  ): Promise<WaitResult> {
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const events = this.events.subscribe(tenantId, controller.signal);
    try {
      const box = this.box(tenantId, ref);
      onWaiting?.();
      if (condition === 'not-running' && box.view.state !== 'running')
        return { exitCode: box.view.exitCode ?? 0 };
      let exit: WaitResult | undefined;
      for await (const event of events) {
        if (event.containerId !== box.view.id) continue;
        if (event.action === 'die') {
          exit = { exitCode: Number(event.attributes.exitCode) };
          if (condition !== 'removed') return exit;
        }
        if (event.action === 'destroy') return exit ?? { exitCode: box.view.exitCode ?? 0 };
      }
      throw Object.assign(new Error('wait aborted'), { name: 'AbortError' });
    } finally {
      controller.abort();
    }
  }

  async *logs(
    tenantId: string,
    ref: string,
    options: LogOptions,
    signal?: AbortSignal,
  ): AsyncIterable<LogLine> {
    const box = this.box(tenantId, ref);
    const wanted = (line: LogLine) => (line.stream === 'stdout' ? options.stdout : options.stderr);
    let next = options.tail === undefined ? 0 : Math.max(0, box.lines.length - options.tail);
    for (;;) {
      while (next < box.lines.length) {
        const line = box.lines[next++] as LogLine;
        if (wanted(line)) yield line;
      }
      if (!options.follow || box.view.state !== 'running' || signal?.aborted) return;
      await once(box.changed, 'change', signal ? { signal } : {}).catch(() => undefined);
    }
  }

  async history() {
    return [];
  }

  async usage(tenantId: string) {
    const views = [...this.boxes.values()]
      .map((b) => b.view)
      .filter((v) => v.tenantId === tenantId);
    const running = views.filter((v) => v.desiredState === 'running');
    // A best-effort container's cpus and memory are revocable, and claim no quota.
    const firm = running.filter((v) => !v.spec.bestEffort);
    const bestEffort = running.filter((v) => v.spec.bestEffort);
    const sum = (of: typeof running, pick: (s: ContainerSpec) => number) =>
      of.reduce((total, v) => total + pick(v.spec), 0);
    const byState = Object.fromEntries(
      CONTAINER_STATES.map((s) => [s, views.filter((v) => v.state === s).length]),
    );
    const tenant = this.tenants.find((t) => t.id === tenantId);
    if (!tenant) throw new ShoalError('NOT_FOUND', 'No such tenant');
    return {
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name, mesosRole: tenant.mesosRole },
      quota: {
        cpus: { guarantee: 1, limit: 2.5, used: sum(firm, (s) => s.cpus) },
        memoryMb: { guarantee: null, limit: 4096, used: sum(firm, (s) => s.memoryMb) },
        diskMb: { guarantee: null, limit: null, used: sum(running, (s) => s.diskMb) },
        gpus: { guarantee: null, limit: null, used: sum(running, (s) => s.gpus) },
      },
      bestEffort: {
        cpus: sum(bestEffort, (s) => s.cpus),
        memoryMb: sum(bestEffort, (s) => s.memoryMb),
      },
      containersByState: byState as Record<ContainerStateName, number>,
    };
  }

  /** What an agent would report for a container, set by tests. */
  readonly measured = new Map<string, TaskUsage>();

  async measure(tenantId: string, ref: string): Promise<TaskUsage | undefined> {
    const view = await this.get(tenantId, ref);
    return this.measured.get(view.id);
  }

  async images(tenantId: string) {
    const byImage = new Map<string, { image: string; containers: number; firstSeenAt: Date }>();
    for (const { view } of this.boxes.values()) {
      if (view.tenantId !== tenantId) continue;
      const entry = byImage.get(view.image) ?? {
        image: view.image,
        containers: 0,
        firstSeenAt: view.createdAt,
      };
      entry.containers += 1;
      byImage.set(view.image, entry);
    }
    const pulled = [...this.pulled]
      .filter(([, p]) => p.tenantId === tenantId)
      .map(([, p]) => ({ image: p.reference, containers: 0, firstSeenAt: p.at }));
    return [...byImage.values(), ...pulled];
  }

  private readonly pulled = new Map<string, { tenantId: string; reference: string; at: Date }>();

  async recordPull(tenantId: string, reference: string): Promise<void> {
    if (!this.pulled.has(`${tenantId} ${reference}`))
      this.pulled.set(`${tenantId} ${reference}`, { tenantId, reference, at: new Date() });
  }

  async forgetPulls(tenantId: string, references: string[]): Promise<string[]> {
    return references.filter((reference) => this.pulled.delete(`${tenantId} ${reference}`));
  }

  private box(tenantId: string, ref: string): Box {
    const boxes = [...this.boxes.values()].filter((b) => b.view.tenantId === tenantId);
    const found =
      boxes.find((b) => b.view.id === ref || b.view.name === ref) ??
      (/^[0-9a-f]+$/.test(ref) ? boxes.find((b) => b.view.id.startsWith(ref)) : undefined);
    if (!found) throw new ShoalError('NOT_FOUND', `No such container: ${ref}`);
    return found;
  }

  private exit(box: Box, exitCode: number, via?: 'stop'): void {
    if (box.view.state !== 'running') return;
    Object.assign(box.view, {
      state: 'exited',
      desiredState: 'stopped',
      exitCode,
      finishedAt: new Date(),
      status: `Exited (${exitCode}) Less than a second ago`,
    });
    if (box.view.task) box.view.task.state = exitCode === 0 ? 'TASK_FINISHED' : 'TASK_FAILED';
    box.changed.emit('change');
    this.publish(box.view, 'die', { exitCode: String(exitCode) });
    if (via) this.publish(box.view, via);
    if (box.view.spec.autoRemove) this.destroy(box);
  }

  private destroy(box: Box): void {
    this.boxes.delete(box.view.id);
    this.publish(box.view, 'destroy');
  }

  private publish(
    view: ContainerView,
    action: ContainerAction,
    extra: Record<string, string> = {},
  ): void {
    this.events.publish({
      tenantId: view.tenantId,
      containerId: view.id,
      name: view.name,
      image: view.image,
      action,
      at: new Date(),
      attributes: { ...view.spec.labels, ...extra },
    });
  }
}

const cluster: ClusterView = {
  agents: async () => [
    {
      id: 'agent-1',
      hostname: 'agent-1.example',
      attributes: { rack: 'r1' },
      total: { cpus: 8, memoryMb: 16_384, diskMb: 100_000, gpus: 0, ports: ['31000-32000'] },
      revocable: { cpus: 0, memoryMb: 0, diskMb: 0, gpus: 0, ports: [] },
      draining: false,
      active: true,
    },
  ],
  heldOffers: (role) => [
    {
      offerId: 'offer-1',
      agentId: 'agent-1',
      hostname: 'agent-1.example',
      role,
      resources: { cpus: 2, memoryMb: 1024, diskMb: 0, gpus: 0, ports: [] },
      revocableResources: { cpus: 0, memoryMb: 0, diskMb: 0, gpus: 0, ports: [] },
      revocable: false,
      heldSince: new Date(),
    },
  ],
  framework: () => ({
    subscribed: true,
    frameworkId: 'fw-1',
    master: 'http://master.example:5050',
    roles: [],
    suppressedRoles: [],
    problem: null,
    emulated: false,
  }),
};

/** A tenant with no networks of its own; creating one is for the real services' tests. */
const noNetworks: DockerApiServices['networks'] = {
  list: async () => [],
  get: async (_tenantId, ref) => {
    throw new ShoalError('NOT_FOUND', `network ${ref} not found`);
  },
  create: async () => {
    throw new ShoalError('NOT_SUPPORTED', 'networks are not kept by these test services');
  },
  remove: async (_tenantId, ref) => {
    throw new ShoalError('NOT_FOUND', `network ${ref} not found`);
  },
  prune: async () => [],
  connect: async (_tenantId, ref) => {
    throw new ShoalError('NOT_FOUND', `network ${ref} not found`);
  },
  disconnect: async (_tenantId, ref) => {
    throw new ShoalError('NOT_FOUND', `network ${ref} not found`);
  },
};

/** Tokens of two tenants: `acme-rw`, `acme-ro`, `globex-rw`, and refused ones named after the reason. */
export function memoryServices() {
  const published: ContainerEvent[] = [];
  const events = new ContainerEventBus({ append: (e) => published.push(e) });
  const containers = new MemoryContainers(events, [tenant('acme'), tenant('globex')]);
  const identities: Record<string, TokenIdentity> = {
    'acme-rw': { tokenId: 't1', tenantId: 'tenant-acme', scope: 'READ_WRITE' },
    'acme-ro': { tokenId: 't2', tenantId: 'tenant-acme', scope: 'READ_ONLY' },
    'globex-rw': { tokenId: 't3', tenantId: 'tenant-globex', scope: 'READ_WRITE' },
  };
  const refused: TokenRejection[] = ['revoked', 'expired'];
  const services: DockerApiServices = {
    tokens: {
      authenticate: async (presented) =>
        identities[presented] ?? {
          rejected:
            refused.find((r) => r === presented) ??
            (presented.startsWith('shoal_') ? 'unknown' : 'malformed'),
        },
    },
    accessWatch: { token: () => new AbortController().signal },
    containers,
    networks: noNetworks,
    // Core's own, over these containers; no agent to run a process on.
    execs: new ExecService(containers, { record: async () => undefined }, events),
    terminals: new TerminalService(containers),
    pipes: new PipeService(containers),
    events,
    cluster,
    eventJournal: {
      between: async (tenantId, since, until) =>
        published.filter((e) => e.tenantId === tenantId && e.at >= since && e.at < until),
    },
  };
  return { services, containers, events };
}
