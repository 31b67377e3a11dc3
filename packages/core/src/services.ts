import type { Db } from '@shoal/db';
import { AuditService } from './audit/audit-service';
import type { ClusterView } from './containers/cluster-view';
import { ContainerService } from './containers/container-service';
import {
  DEFAULT_CONTAINER_OPTIONS,
  type ContainerServiceOptions,
} from './containers/container-options';
import { ExecService } from './containers/exec-service';
import { TerminalService } from './containers/terminal-service';
import { PipeService } from './containers/pipe-service';
import { BrowserTerminals } from './containers/browser-terminals';
import { TaskStore } from './containers/task-store';
import { ContainerEventBus } from './events/event-bus';
import { EventJournal } from './events/event-journal';
import { createDashboardServices, type DashboardServices } from './auth/dashboard-services';
import { SystemService } from './system/status';
import { TenantService } from './tenants/tenant-service';
import { NetworkService } from './networks/network-service';
import { TokenService } from './tokens/token-service';
import { UserService } from './users/user-service';
import { setPasswordHashConcurrency } from './users/passwords';
import type { SignInLimits } from './auth/sign-in-limiter';
import { AccessWatch } from './auth/access-watch';

/** Every domain service, built once per process over one database. */
export interface Services extends DashboardServices {
  audit: AuditService;
  /** Ends open streams whose token or session stopped granting them. */
  accessWatch: AccessWatch;
  containers: ContainerService;
  /** The tenants' Docker networks (docker network create, connect). */
  networks: NetworkService;
  /** docker exec: processes started in running containers (ucr runtime). */
  execs: ExecService;
  /** The terminals of ucr containers launched with -t, for attached clients' input. */
  terminals: TerminalService;
  /** Commands of ucr containers created with -i and without -t, run for their attached client. */
  pipes: PipeService;
  /** The dashboard's terminals: shells in running containers, for members. */
  browserTerminals: BrowserTerminals;
  events: ContainerEventBus;
  /** Past events, for `docker events --since`. */
  eventJournal: EventJournal;
  /** The framework's durable memory; the Mesos subscription owner hands it to the scheduler. */
  taskStore: TaskStore;
  /** Replaced by the process that owns the Mesos subscription. */
  cluster: ClusterView;
  system: SystemService;
  tenants: TenantService;
  tokens: TokenService;
  users: UserService;
}

export interface ServicesOptions {
  containers?: Partial<ContainerServiceOptions>;
  /**
   * The CNI network tenants' networks map to (SHOAL_TENANT_CNI_NETWORK, `{tenant}` for
   * the slug); the bridge's CNI network when unset.
   */
  tenantCniNetwork?: string;
  /** Budgets of failed password checks (sign-in, password change). */
  signIn?: SignInLimits;
  /** How many argon2 hashes may run at once in this process. */
  passwordHashConcurrency?: number;
  /** How often open streams' credentials are checked again. */
  accessRecheckMs?: number;
}

export function createServices(db: Db, options: ServicesOptions = {}): Services {
  if (options.passwordHashConcurrency !== undefined)
    setPasswordHashConcurrency(options.passwordHashConcurrency);
  const audit = new AuditService(db.prisma);
  const eventJournal = new EventJournal(db.prisma, db.sql);
  const events = new ContainerEventBus(eventJournal);
  const tenants = new TenantService(db.prisma, audit);
  const users = new UserService(db.prisma);
  const containers = new ContainerService(db.prisma, db.sql, audit, events, {
    ...DEFAULT_CONTAINER_OPTIONS,
    ...options.containers,
  });
  const ucrNetwork = options.containers?.ucrNetwork ?? DEFAULT_CONTAINER_OPTIONS.ucrNetwork;
  const networks = new NetworkService(db.prisma, db.sql, audit, {
    cniNetwork: options.tenantCniNetwork ?? ucrNetwork,
    ucrNetwork,
  });
  networks.containers = containers;
  containers.networks = networks;
  const execs = new ExecService(containers, audit, events);
  const dashboard = createDashboardServices(
    db.prisma,
    db.sql,
    audit,
    { tenants, users },
    options.signIn,
  );
  return {
    audit,
    networks,
    accessWatch: new AccessWatch(db.prisma, options.accessRecheckMs),
    events,
    eventJournal,
    containers,
    execs,
    terminals: new TerminalService(containers),
    pipes: new PipeService(containers),
    browserTerminals: new BrowserTerminals(dashboard.access, execs),
    taskStore: new TaskStore(db.prisma, db.sql, events),
    cluster: disconnectedCluster,
    system: new SystemService(db.prisma, db.kind),
    tenants,
    tokens: new TokenService(db.prisma, db.sql, audit),
    users,
    ...dashboard,
  };
}

/** What a process that does not (yet) hold the Mesos subscription can say about the cluster. */
const disconnectedCluster: ClusterView = {
  agents: async () => [],
  heldOffers: () => [],
  framework: () => ({
    subscribed: false,
    frameworkId: null,
    master: null,
    roles: [],
    suppressedRoles: [],
    problem: null,
    emulated: false,
  }),
};
