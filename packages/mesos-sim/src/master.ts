import type { MasterInfo, scheduler } from '@shoal/mesos';
import { AgentManager } from './agents';
import { Allocator } from './allocation/allocator';
import { Subscriptions } from './frameworks';
import { Maintenance } from './maintenance';
import type { AgentRecord, FrameworkRecord, InverseOfferRecord, OfferRecord } from './model';
import { OfferBook } from './offers';
import { OperatorEvents } from './operator-events';
import type { ResolvedOptions } from './options';
import { RoleConfig } from './quota';
import type { KeptSandbox } from './kept-sandboxes';
import { IdMint, SeededRandom } from './random';
import { TaskManager } from './tasks';
import { TimerScope } from './timers';
import { Views } from './views';

export interface Endpoint {
  host: string;
  port: number;
}

/** 127.0.0.1 as Mesos packs it into MasterInfo.ip: the in_addr bytes read as a host integer. */
function packIp(ip: string): number {
  const bytes = ip.split('.').map(Number);
  if (bytes.length !== 4 || bytes.some((b) => !(b >= 0 && b <= 255))) return 0;
  return (
    (((bytes[3] ?? 0) << 24) |
      ((bytes[2] ?? 0) << 16) |
      ((bytes[1] ?? 0) << 8) |
      (bytes[0] ?? 0)) >>>
    0
  );
}

/**
 * The one cluster state all master HTTP servers share, and the composition root of the
 * services that act on it. Which server leads is just an index here: a leader change
 * keeps the state (as a new leader would rebuild it from agents) but drops every stream.
 */
export class Master {
  readonly timers = new TimerScope();
  readonly random: SeededRandom;
  /** Container ids come from a sequence of their own, so other ids stay as they were. */
  readonly containerIds: SeededRandom;
  readonly ids: IdMint;
  readonly agents = new Map<string, AgentRecord>();
  /** The first agent registered with each lower-cased hostname: the gateway routes by Host. */
  readonly agentsByHostname = new Map<string, AgentRecord>();
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly completedFrameworks: FrameworkRecord[] = [];
  readonly offers = new Map<string, OfferRecord>();
  readonly inverseOffers = new Map<string, InverseOfferRecord>();
  readonly roleConfig = new RoleConfig();
  readonly views = new Views(this);
  readonly operatorEvents = new OperatorEvents(this);
  readonly subscriptions = new Subscriptions(this);
  readonly taskManager = new TaskManager(this);
  readonly offerBook = new OfferBook(this);
  readonly allocator = new Allocator(this);
  readonly agentManager = new AgentManager(this);
  readonly maintenance = new Maintenance(this);

  /** Index of the leading master server, or null when no leader is elected. */
  leader: number | null = 0;
  /** A leader that has not finished recovery answers 503 to everything. */
  recovering = false;
  /** Scheduler calls a test holds back, by call type (see Faults.holdNextCall). */
  readonly callHolds = new Map<
    string,
    { matches: (call: scheduler.Call) => boolean; hold: (call: HeldCall) => void }
  >();
  masterEndpoints: Endpoint[] = [];
  gateway: Endpoint = { host: '127.0.0.1', port: 0 };
  /** Sandboxes of tasks from before a restart (see SimOptions.stateFile). */
  keptSandboxes = new Map<string, KeptSandbox>();
  /** Called whenever agents, frameworks, tasks or their output change (see SimOptions.stateFile). */
  onChange: () => void = () => {};
  private readonly masterIds: string[] = [];

  constructor(readonly options: ResolvedOptions) {
    this.random = new SeededRandom(options.seed);
    this.containerIds = new SeededRandom(options.seed ^ 0x5bd1e995);
    this.ids = new IdMint(this.random.uuid());
  }

  log(line: string): void {
    this.options.log(line);
  }

  /** Starts serving; `restore` brings back a previous run's agents and tasks instead of new agents. */
  start(masterEndpoints: Endpoint[], gateway: Endpoint, restore?: () => boolean): void {
    this.masterEndpoints = masterEndpoints;
    this.gateway = gateway;
    for (let i = 0; i < masterEndpoints.length; i++) this.masterIds.push(this.random.uuid());
    if (!restore?.()) for (const spec of this.options.agents) this.agentManager.add(spec);
    this.allocator.start();
  }

  isServing(): boolean {
    return this.leader !== null && !this.recovering;
  }

  masterInfo(index: number): MasterInfo {
    const endpoint = this.masterEndpoints[index];
    if (!endpoint) throw new RangeError(`no master ${index}`);
    return {
      id: this.masterIds[index] ?? '',
      ip: packIp(endpoint.host),
      port: endpoint.port,
      pid: `master@${endpoint.host}:${endpoint.port}`,
      hostname: endpoint.host,
      version: this.options.version,
      address: { hostname: endpoint.host, ip: endpoint.host, port: endpoint.port },
      capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, { type: 'QUOTA_V2' }],
    };
  }

  leaderInfo(): MasterInfo | undefined {
    return this.leader === null ? undefined : this.masterInfo(this.leader);
  }

  /** Elects `index` (or nobody). Streams of the old leader end; frameworks must resubscribe. */
  setLeader(index: number | null): void {
    if (index !== null && !this.masterEndpoints[index]) throw new RangeError(`no master ${index}`);
    if (index === this.leader) return;
    this.leader = index;
    this.endStreams();
    this.log(index === null ? 'no leading master' : `master ${index} is now leading`);
  }

  private endStreams(): void {
    this.subscriptions.leaderChanged();
    this.operatorEvents.closeAll();
  }

  close(): void {
    this.leader = null;
    this.endStreams();
    this.timers.close();
  }
}

/** A scheduler call the master has received but not yet acted on. */
export interface HeldCall {
  /** The master acts on it and answers, as if it had just arrived. */
  process(): void;
  /** The connection breaks: the master never acts on it and the caller gets no answer. */
  drop(): void;
}
