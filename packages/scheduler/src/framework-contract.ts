import type { TaskStatus } from '@shoal/mesos';
import type { LaunchRecord, Strategy } from './types';

// What the framework needs from its host and tells it: options, durable store, listener.

export interface FrameworkOptions {
  name: string;
  user: string;
  principal?: string;
  hostname?: string;
  webuiUrl?: string;
  roles: string[];
  /** How long Mesos keeps our tasks running while no scheduler is connected. */
  failoverTimeoutSeconds: number;
  /** Unused offers of roles with pending work are kept this long before being declined. */
  offerHoldSeconds: number;
  /** `refuse_seconds` for declined offers and leftovers. */
  refuseSeconds: number;
  strategy: Strategy;
  /** Implicit reconciliation interval. */
  reconcileIntervalSeconds: number;
}

/** Durable state the framework relies on; implemented over PostgreSQL by core. */
export interface FrameworkStore {
  frameworkId(): Promise<string | undefined>;
  saveFrameworkId(id: string): Promise<void>;
  /**
   * Stores launches before the ACCEPT is sent, so a crash in between is found by
   * reconciliation. Answers the task ids still wanted: the others were dropped
   * meanwhile (stopped, or a replacement no longer needed) and are not launched.
   */
  recordLaunches(launches: LaunchRecord[]): Promise<Set<string>>;
  /**
   * Stores status updates, in order; they are acknowledged only after this resolves,
   * so Mesos sends them again otherwise.
   */
  recordStatuses(statuses: TaskStatus[]): Promise<void>;
  /** Tasks believed live (launched, not terminal), for explicit reconciliation and placement. */
  liveTasks(): Promise<{ taskId: string; agentId?: string; groupKey?: string }[]>;
}

export interface OfferAmounts {
  cpus: number;
  memMb: number;
}

/**
 * A role's offers since they were last reported. Firm and revocable (oversubscribed)
 * resources are counted apart, as Mesos's own metrics keep them (`cpus_total` and
 * `cpus_revocable_total`): revocable ones may be taken back at any time, and counted in
 * with the firm ones they would overstate what the role could rely on.
 */
export interface OfferRoundStats {
  role: string;
  offers: number;
  offered: OfferAmounts;
  accepted: OfferAmounts;
  declined: OfferAmounts;
  revocable: { offered: OfferAmounts; accepted: OfferAmounts; declined: OfferAmounts };
}

export interface FrameworkListener {
  /** An agent is about to go into maintenance: its tasks should be moved. */
  onAgentDraining?(agentId: string): void;
  /** An agent out of maintenance again: tasks may be placed there. */
  onAgentAvailable?(agentId: string): void;
  /** Work arrived for a role the framework is not subscribed to (e.g. a tenant just created). */
  onUnknownRole?(role: string): void;
  onOfferRound?(stats: OfferRoundStats): void;
  /** Why tasks still wait to be placed, as it changes (see WaitReasons). */
  onWaiting?(reasons: { taskId: string; reason: string }[]): void;
  /** Tasks handed to Mesos in one ACCEPT. */
  onLaunched?(tasks: number): void;
  onSubscribed?(frameworkId: string): void;
  /**
   * Mesos had removed the framework (torn down, or away past its failover timeout) and
   * killed its tasks: they are recorded as killed, with `message`, and the framework
   * registers afresh.
   */
  onFrameworkRemoved?(removed: { frameworkId: string; tasks: number; message: string }): void;
  onDisconnected?(error: Error): void;
  /** The subscription ended for good (e.g. another scheduler took the framework over). */
  onFatal?(error: Error): void;
  onError?(message: string, error: unknown): void;
}
