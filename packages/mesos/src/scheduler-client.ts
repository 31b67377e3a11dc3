import { decodeMessage, decodeMessageInSlices } from './codec';
import { MesosNotSubscribedError, MesosSubscriptionError } from './errors';
import type {
  AgentID,
  ExecutorID,
  Filters,
  FrameworkID,
  FrameworkInfo,
  KillPolicy,
  Offer,
  OfferID,
  Request,
  scheduler,
  TaskID,
} from './generated/types';
import { openSubscription, sendCall } from './http/api-call';
import { EventStream, type EventVerdict, type StreamDisconnected } from './http/event-stream';
import type { MasterResponse } from './http/master-request';
import { MasterTransport, type MasterClientOptions } from './http/transport';

const PATH = '/api/v1/scheduler';
const CALL = 'mesos.v1.scheduler.Call';
const EVENT = 'mesos.v1.scheduler.Event';

export type SchedulerClientOptions = MasterClientOptions;

export type SchedulerStreamItem = scheduler.Event | StreamDisconnected;

/**
 * The framework's event stream. Iterating yields every scheduler event; when
 * the connection drops, breaks mid-record or stays silent past the heartbeat
 * limit, a `DISCONNECTED` item is yielded, the client resubscribes with the
 * framework id it was given (with backoff, repeating DISCONNECTED for each
 * failed attempt), and the restored subscription starts with a new
 * SUBSCRIBED event. Offers received before a DISCONNECTED are void.
 *
 * The iteration throws MesosSubscriptionError when the master sends ERROR
 * (e.g. another scheduler instance failed over), or the MesosError that made
 * resubscribing pointless (e.g. 403: framework removed). Leaving the loop
 * early closes the subscription.
 */
export interface SchedulerSubscription extends AsyncIterable<SchedulerStreamItem> {
  /** Framework id from the latest SUBSCRIBED event. */
  readonly frameworkId: FrameworkID | undefined;
  /** Mesos-Stream-Id of the current connection. */
  readonly streamId: string | undefined;
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Roles to subscribe to with offers suppressed. */
  suppressedRoles?: readonly string[];
}

/** Client of the v1 scheduler API (`POST /api/v1/scheduler`) for one framework. */
export class SchedulerClient {
  private readonly transport: MasterTransport;
  private frameworkInfo: FrameworkInfo | undefined;
  private suppressedRoles = new Set<string>();
  private currentFrameworkId: FrameworkID | undefined;
  private currentStreamId: string | undefined;
  private stream: EventStream<scheduler.Event> | undefined;

  constructor(options: SchedulerClientOptions) {
    this.transport = new MasterTransport(options);
  }

  get frameworkId(): FrameworkID | undefined {
    return this.currentFrameworkId;
  }

  get streamId(): string | undefined {
    return this.currentStreamId;
  }

  /** Base URL of the master last known to lead. */
  get leader(): string | undefined {
    return this.transport.leader;
  }

  /**
   * Subscribes (or, when `frameworkInfo.id` is set, resubscribes after a
   * failover) and resolves once SUBSCRIBED has arrived; that event is still
   * the first one the subscription yields.
   */
  async subscribe(
    frameworkInfo: FrameworkInfo,
    options: SubscribeOptions = {},
  ): Promise<SchedulerSubscription> {
    if (this.stream?.active)
      throw new Error('this SchedulerClient already has a subscription; close it first');
    this.frameworkInfo = frameworkInfo;
    this.currentFrameworkId = frameworkInfo.id;
    this.suppressedRoles = new Set(options.suppressedRoles);
    const stream = new EventStream<scheduler.Event>(
      {
        connect: (signal) => this.connect(signal),
        // An OFFERS event can carry an offer for each of a thousand agents: decoded an
        // offer at a time, it lets the event loop serve requests meanwhile.
        decode: (record, format) =>
          format === 'protobuf'
            ? decodeMessageInSlices(EVENT, record, ['offers', 'offers'])
            : decodeMessage(EVENT, record, format),
        inspect: (event) => this.inspect(event),
      },
      this.transport,
    );
    this.stream = stream;
    try {
      await stream.start();
    } catch (error) {
      this.stream = undefined;
      throw error;
    }
    const frameworkId = () => this.currentFrameworkId;
    const streamId = () => this.currentStreamId;
    return {
      get frameworkId() {
        return frameworkId();
      },
      get streamId() {
        return streamId();
      },
      close: () => this.endSubscription(stream),
      [Symbol.asyncIterator]: () => stream.events,
    };
  }

  /** Removes the framework, killing all its tasks, and ends the subscription. */
  async teardown(): Promise<void> {
    await this.call({ type: 'TEARDOWN' });
    if (this.stream) await this.endSubscription(this.stream);
  }

  async accept(
    offerIds: OfferID[],
    operations: Offer.Operation[],
    filters?: Filters,
  ): Promise<void> {
    await this.call({ type: 'ACCEPT', accept: { offer_ids: offerIds, operations, filters } });
  }

  async decline(offerIds: OfferID[], filters?: Filters): Promise<void> {
    await this.call({ type: 'DECLINE', decline: { offer_ids: offerIds, filters } });
  }

  /** Un-suppresses `roles` (all subscribed roles when empty) and clears their offer filters. */
  async revive(roles: readonly string[] = []): Promise<void> {
    await this.call({ type: 'REVIVE', revive: { roles: [...roles] } });
    if (roles.length === 0) this.suppressedRoles.clear();
    else for (const role of roles) this.suppressedRoles.delete(role);
  }

  /** Stops offers for `roles` (all subscribed roles when empty); remembered across resubscriptions. */
  async suppress(roles: readonly string[] = []): Promise<void> {
    await this.call({ type: 'SUPPRESS', suppress: { roles: [...roles] } });
    for (const role of roles.length > 0 ? roles : this.subscribedRoles())
      this.suppressedRoles.add(role);
  }

  async kill(
    taskId: TaskID,
    options: { agentId?: AgentID; killPolicy?: KillPolicy } = {},
  ): Promise<void> {
    await this.call({
      type: 'KILL',
      kill: { task_id: taskId, agent_id: options.agentId, kill_policy: options.killPolicy },
    });
  }

  async shutdown(executorId: ExecutorID, agentId: AgentID): Promise<void> {
    await this.call({ type: 'SHUTDOWN', shutdown: { executor_id: executorId, agent_id: agentId } });
  }

  /** Acknowledges a status update that carried `status.uuid`. */
  async acknowledge(agentId: AgentID, taskId: TaskID, uuid: Uint8Array): Promise<void> {
    await this.call({
      type: 'ACKNOWLEDGE',
      acknowledge: { agent_id: agentId, task_id: taskId, uuid },
    });
  }

  /** Explicit reconciliation of `tasks`, or implicit (every known task) when empty. */
  async reconcile(tasks: scheduler.Call.Reconcile.Task[] = []): Promise<void> {
    await this.call({ type: 'RECONCILE', reconcile: { tasks } });
  }

  async message(agentId: AgentID, executorId: ExecutorID, data: Uint8Array): Promise<void> {
    await this.call({
      type: 'MESSAGE',
      message: { agent_id: agentId, executor_id: executorId, data },
    });
  }

  async request(requests: Request[]): Promise<void> {
    await this.call({ type: 'REQUEST', request: { requests } });
  }

  async acceptInverseOffers(inverseOfferIds: OfferID[], filters?: Filters): Promise<void> {
    await this.call({
      type: 'ACCEPT_INVERSE_OFFERS',
      accept_inverse_offers: { inverse_offer_ids: inverseOfferIds, filters },
    });
  }

  async declineInverseOffers(inverseOfferIds: OfferID[], filters?: Filters): Promise<void> {
    await this.call({
      type: 'DECLINE_INVERSE_OFFERS',
      decline_inverse_offers: { inverse_offer_ids: inverseOfferIds, filters },
    });
  }

  async acknowledgeOperationStatus(
    acknowledgement: scheduler.Call.AcknowledgeOperationStatus,
  ): Promise<void> {
    await this.call({
      type: 'ACKNOWLEDGE_OPERATION_STATUS',
      acknowledge_operation_status: acknowledgement,
    });
  }

  /** Newer masters answer synchronously with the operation statuses; older ones send events instead. */
  async reconcileOperations(
    operations: scheduler.Call.ReconcileOperations.Operation[] = [],
  ): Promise<scheduler.Response | undefined> {
    return this.call({ type: 'RECONCILE_OPERATIONS', reconcile_operations: { operations } });
  }

  /**
   * Replaces the FrameworkInfo (roles, capabilities, …; not user, principal
   * or checkpoint) and the suppressed roles; later resubscriptions use them.
   */
  async updateFramework(
    frameworkInfo: FrameworkInfo,
    suppressedRoles: readonly string[] = [],
  ): Promise<void> {
    const info = { ...frameworkInfo, id: frameworkInfo.id ?? this.currentFrameworkId };
    await this.call({
      type: 'UPDATE_FRAMEWORK',
      update_framework: { framework_info: info, suppressed_roles: [...suppressedRoles] },
    });
    this.frameworkInfo = info;
    this.suppressedRoles = new Set(suppressedRoles);
  }

  /**
   * Sends any call on the current subscription, filling in framework_id and
   * Mesos-Stream-Id. Fails with MesosHttpStatusError on an unexpected status.
   */
  async call(call: scheduler.Call): Promise<scheduler.Response | undefined> {
    const type = call.type ?? 'UNKNOWN';
    const frameworkId = this.currentFrameworkId;
    if (!this.stream?.active || !frameworkId) throw new MesosNotSubscribedError(type);
    const streamId = this.currentStreamId;
    return sendCall(
      this.transport,
      {
        path: PATH,
        callType: CALL,
        call: { ...call, framework_id: frameworkId },
        accepted: acceptedStatuses(type),
        headers: streamId ? { 'mesos-stream-id': streamId } : undefined,
        repeatable: REPEATABLE_CALLS.has(type),
      },
      'mesos.v1.scheduler.Response',
    );
  }

  /** Ends the subscription and releases every connection and timer. */
  async close(): Promise<void> {
    if (this.stream) await this.endSubscription(this.stream);
    await this.transport.close();
  }

  private async connect(signal: AbortSignal): Promise<MasterResponse> {
    const frameworkId = this.currentFrameworkId;
    const frameworkInfo = this.frameworkInfo!;
    const call: scheduler.Call = {
      type: 'SUBSCRIBE',
      subscribe: {
        // Mesos insists that framework_info.id and framework_id agree.
        framework_info: frameworkId ? { ...frameworkInfo, id: frameworkId } : frameworkInfo,
        suppressed_roles: [...this.suppressedRoles],
      },
    };
    if (frameworkId) call.framework_id = frameworkId;
    this.currentStreamId = undefined;
    const response = await openSubscription(
      this.transport,
      { path: PATH, callType: CALL, call },
      signal,
    );
    const streamId = response.headers['mesos-stream-id'];
    this.currentStreamId = typeof streamId === 'string' ? streamId : undefined;
    return response;
  }

  private inspect(event: scheduler.Event): EventVerdict {
    if (event.type === 'SUBSCRIBED' && event.subscribed) {
      this.currentFrameworkId = event.subscribed.framework_id;
      return {
        subscribed: { heartbeatIntervalSeconds: event.subscribed.heartbeat_interval_seconds },
      };
    }
    if (event.type === 'ERROR') {
      return { fatal: new MesosSubscriptionError(event.error?.message ?? '(no message)') };
    }
    return {};
  }

  private subscribedRoles(): string[] {
    const info = this.frameworkInfo;
    if (!info) return [];
    return info.roles ?? (info.role !== undefined ? [info.role] : []);
  }

  private async endSubscription(stream: EventStream<scheduler.Event>): Promise<void> {
    if (this.stream === stream) {
      this.stream = undefined;
      this.currentStreamId = undefined;
    }
    await stream.close();
  }
}

/**
 * Calls the master may receive twice without harm, and that nothing waits on: a second
 * acknowledgement, decline or reconciliation of the same thing changes nothing. An ACCEPT
 * sent again would meet used offers and report its tasks dropped; a REVIVE or SUPPRESS
 * sent again could land after a later one and undo it. A KILL could be repeated, but a
 * stop waits on it, and pipelined it would wait behind whatever the master is slow to
 * answer on its connection.
 */
const REPEATABLE_CALLS: ReadonlySet<scheduler.Call.Type> = new Set<scheduler.Call.Type>([
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'DECLINE',
  'RECONCILE',
]);

function acceptedStatuses(type: scheduler.Call.Type): readonly number[] {
  if (type === 'UPDATE_FRAMEWORK') return [200];
  if (type === 'RECONCILE_OPERATIONS') return [200, 202];
  return [202];
}
