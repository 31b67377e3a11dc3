export { createServices, type Services, type ServicesOptions } from './services';
export { fireAt } from './timers';
export { ShoalError, storageFailure, type ShoalErrorCode } from './errors';
export {
  clipped,
  inputFault,
  isStorableText,
  MAX_INPUT_DEPTH,
  UNSTORABLE_TEXT_MESSAGE,
  type InputFault,
} from './text';
export {
  SystemService,
  SHOAL_VERSION,
  type SystemStatus,
  type DatabaseHealth,
} from './system/status';
export {
  TenantService,
  defaultRoleFor,
  validateRoleName,
  isNestedRole,
  nestedRoleQuotaMessage,
  quotaOf,
  type MesosPolicySync,
  type TenantQuota,
} from './tenants/tenant-service';
export {
  TokenService,
  type IssuedToken,
  type TokenIdentity,
  type TokenRejection,
} from './tokens/token-service';
export { UserService } from './users/user-service';
export { hashPassword, verifyPassword, generatePassword } from './users/passwords';
export { seedFirstStart, ADMIN_EMAIL, type FirstStartResult } from './seed/first-start';
export * from './containers/types';
export * from './networks/types';
export { NetworkService, type NetworkServiceOptions } from './networks/network-service';
export { cniNetworkOf, CNI_NETWORK_NAME, TENANT_PLACEHOLDER } from './networks/cni';
export * from './containers/bulk-actions';
export * from './containers/cluster-view';
export { ContainerEventBus } from './events/event-bus';
export { actionMatches, EventJournal } from './events/event-journal';
export { matchesLabels } from './containers/label-filters';
export {
  containerChanges,
  type ContainerChange,
  type ChangeSources,
} from './containers/container-changes';
export {
  LogSampler,
  DEFAULT_LOG_SAMPLER_OPTIONS,
  type LogSamplerOptions,
} from './containers/log-sampler';
export { FailureLimiter } from './auth/failure-limiter';
export { AccessWatch, untilAborted, DEFAULT_ACCESS_RECHECK_MS } from './auth/access-watch';
export {
  SignInLimiter,
  DEFAULT_SIGN_IN_LIMITS,
  type FailureBudget,
  type SignInLimits,
} from './auth/sign-in-limiter';
export { roleAtLeast, type Principal, type TenantAccess } from './auth/access-service';
export type { DashboardServices } from './auth/dashboard-services';
export type { MemberView } from './auth/membership-service';
export {
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  type SessionUser,
  type SignedIn,
} from './auth/session-service';
export type { AuditFilters, AuditView } from './admin/audit-log-service';
export * from './admin/cluster-admin';
export type { OfferWindow } from './admin/offer-stats-service';
export type { TenantOverview, TenantSettings } from './admin/tenant-admin-service';
export type { UserSummary } from './admin/user-admin-service';
export { ContainerService } from './containers/container-service';
export type { ContainerServiceOptions } from './containers/container-options';
export {
  ContainerSupervisor,
  DEFAULT_SUPERVISOR_OPTIONS,
  type SupervisorOptions,
} from './containers/supervisor';
export { TaskStore, type OrphanTask } from './containers/task-store';
export type {
  PlacementCheck,
  TaskLauncher,
  SandboxReader,
  SandboxTask,
  ConvergeTrigger,
  TaskMonitor,
  TaskUsage,
  NetworkCounters,
  BlockIoCounter,
  ContainerSessions,
  OutputChunk,
  ProcessSession,
  SessionCommand,
  SessionTarget,
  TerminalSize,
} from './containers/ports';
export {
  normaliseSpec,
  cpusOf,
  DEFAULT_CPUS,
  DEFAULT_MEMORY_MB,
  BEST_EFFORT_LABEL,
  CONSTRAINTS_LABEL,
  GROUP_LABEL,
} from './containers/spec';
export type { SpecContext } from './containers/spec';
export { SPEC_LIMITS } from './containers/spec-limits';
export {
  ExecService,
  execRefusal,
  type ExecConfig,
  type ExecRun,
  type ExecView,
} from './containers/exec-service';
export { TerminalService, type TerminalRun } from './containers/terminal-service';
export { PipeService, type PipeRun } from './containers/pipe-service';
export {
  BrowserTerminals,
  MAX_TERMINALS_PER_USER,
  type PlacedTerminalEvent,
  type TerminalEvent,
  type TerminalUser,
} from './containers/browser-terminals';
export {
  RUNTIME_LABEL,
  RUNTIME_NAMES,
  RUNTIMES,
  runtimeOf,
  isRuntime,
  type ContainerRuntime,
} from './containers/runtime';
export { VersionedCache } from './versioned-cache';
export { patternFault, PATTERN_LIMITS } from '@shoal/scheduler';
