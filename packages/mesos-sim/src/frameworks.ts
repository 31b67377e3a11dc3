import type { FrameworkInfo, MasterInfo, scheduler } from '@shoal/mesos';
import type { Master } from './master';
import type { EventSink, FrameworkRecord } from './model';
import { roleError } from './roles';
import { id } from './wire';

const MAX_COMPLETED_FRAMEWORKS = 50;

function capabilitiesOf(info: FrameworkInfo): Set<string> {
  return new Set((info.capabilities ?? []).map((c) => c.type ?? 'UNKNOWN'));
}

function rolesOf(info: FrameworkInfo): string[] {
  return capabilitiesOf(info).has('MULTI_ROLE') ? [...(info.roles ?? [])] : [info.role ?? '*'];
}

/** FrameworkInfo checks the master makes on SUBSCRIBE and UPDATE_FRAMEWORK. */
function validateFrameworkInfo(info: FrameworkInfo, suppressedRoles: string[]): string | undefined {
  const multiRole = capabilitiesOf(info).has('MULTI_ROLE');
  if (multiRole && info.role !== undefined) {
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  }
  if (!multiRole && (info.roles?.length ?? 0) > 0) {
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  }
  const roles = rolesOf(info);
  if (new Set(roles).size !== roles.length) return "'FrameworkInfo.roles' contains duplicate items";
  for (const role of roles) {
    const invalid = roleError(role);
    if (invalid) return `'FrameworkInfo.roles' contains invalid role: ${invalid}`;
  }
  for (const role of suppressedRoles) {
    if (!roles.includes(role))
      return `Suppressed role '${role}' is not contained in the list of roles`;
  }
  if (info.failover_timeout !== undefined && !(info.failover_timeout >= 0)) {
    return 'Invalid failover_timeout: it must be a non-negative number';
  }
  return undefined;
}

function immutableChange(current: FrameworkInfo, next: FrameworkInfo): string | undefined {
  for (const field of ['principal', 'user', 'checkpoint'] as const) {
    if ((current[field] ?? undefined) !== (next[field] ?? undefined)) {
      return `Updating 'FrameworkInfo.${field}' is unsupported`;
    }
  }
  return undefined;
}

/**
 * Framework lifecycle: subscription, failover, disconnection with its failover timeout,
 * teardown, UPDATE_FRAMEWORK and SUPPRESS/REVIVE. Also the one place that writes events
 * to a framework's stream.
 */
export class Subscriptions {
  private readonly heartbeats = new Map<FrameworkRecord, NodeJS.Timeout | undefined>();
  private readonly removedIds = new Set<string>();

  constructor(private readonly master: Master) {}

  send(framework: FrameworkRecord, event: scheduler.Event): void {
    framework.sink?.send(event);
  }

  subscribe(
    call: scheduler.Call.Subscribe,
    sink: EventSink<scheduler.Event>,
    streamId: string,
  ): void {
    const info = call.framework_info;
    const refuse = (message: string) => {
      sink.send({ type: 'ERROR', error: { message } });
      sink.close();
    };
    const invalid = validateFrameworkInfo(info, call.suppressed_roles ?? []);
    if (invalid) return refuse(invalid);
    const frameworkId = info.id?.value;
    if (frameworkId !== undefined && this.removedIds.has(frameworkId))
      return refuse('Framework has been removed');
    const existing =
      frameworkId === undefined ? undefined : this.master.frameworks.get(frameworkId);
    if (existing) {
      const changed = immutableChange(existing.info, info);
      if (changed) return refuse(changed);
      this.failover(existing, info, call.suppressed_roles ?? [], sink, streamId);
      return;
    }
    // An id the master does not know is a framework coming back after a master failover.
    const framework = this.create(info, frameworkId ?? this.newId(), call.suppressed_roles ?? []);
    this.master.operatorEvents.frameworkAdded(framework);
    this.attach(framework, sink, streamId);
    this.master.log(
      `framework ${framework.id} (${info.name}) subscribed with roles ${framework.roles.join(',')}`,
    );
  }

  /** A framework known from before a restart: disconnected until it subscribes again. */
  recover(info: FrameworkInfo): void {
    const frameworkId = info.id?.value;
    if (frameworkId === undefined || this.master.frameworks.has(frameworkId)) return;
    const framework = this.create(info, frameworkId, []);
    framework.recovered = true;
    this.master.operatorEvents.frameworkAdded(framework);
  }

  /** A fresh id, never one a framework coming back after a failover already took. */
  private newId(): string {
    let minted = this.master.ids.framework();
    while (this.master.frameworks.has(minted) || this.removedIds.has(minted))
      minted = this.master.ids.framework();
    return minted;
  }

  private create(info: FrameworkInfo, frameworkId: string, suppressed: string[]): FrameworkRecord {
    const framework: FrameworkRecord = {
      id: frameworkId,
      info: { ...info, id: id(frameworkId) },
      roles: rolesOf(info),
      capabilities: capabilitiesOf(info),
      connected: false,
      removed: false,
      recovered: false,
      suppressed: new Set(suppressed),
      filters: new Map(),
      inverseFilters: new Map(),
      offers: new Set(),
      inverseOffers: new Set(),
      tasks: new Map(),
      unreachableTasks: new Map(),
      completedTasks: [],
      usage: new Map(),
      registeredAt: Date.now(),
    };
    this.master.frameworks.set(frameworkId, framework);
    return framework;
  }

  private failover(
    framework: FrameworkRecord,
    info: FrameworkInfo,
    suppressed: string[],
    sink: EventSink<scheduler.Event>,
    streamId: string,
  ): void {
    const old = framework.sink;
    if (old) {
      this.detach(framework);
      old.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
      old.close();
    }
    // The new scheduler instance knows nothing of offers made to the old one.
    this.master.offerBook.discardAll(framework);
    this.master.maintenance.discardInverseOffers(framework);
    this.applyInfo(framework, info, suppressed);
    framework.reregisteredAt = Date.now();
    this.attach(framework, sink, streamId);
    this.master.operatorEvents.frameworkUpdated(framework);
    this.master.log(`framework ${framework.id} failed over`);
  }

  private applyInfo(framework: FrameworkRecord, info: FrameworkInfo, suppressed: string[]): void {
    framework.info = { ...info, id: id(framework.id) };
    framework.roles = rolesOf(info);
    framework.capabilities = capabilitiesOf(info);
    framework.suppressed = new Set(suppressed);
  }

  private masterInfo(): MasterInfo {
    const info = this.master.leaderInfo();
    if (!info) throw new Error('no leading master');
    return info;
  }

  private attach(
    framework: FrameworkRecord,
    sink: EventSink<scheduler.Event>,
    streamId: string,
  ): void {
    const { timers, options } = this.master;
    timers.cancel(framework.failoverTimer);
    framework.failoverTimer = undefined;
    framework.sink = sink;
    framework.streamId = streamId;
    framework.connected = true;
    framework.recovered = false;
    sink.send({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: id(framework.id),
        heartbeat_interval_seconds: options.heartbeatIntervalSeconds,
        master_info: this.masterInfo(),
      },
    });
    sink.send({ type: 'HEARTBEAT' });
    this.heartbeats.set(
      framework,
      timers.every(options.heartbeatIntervalSeconds * 1000, () => sink.send({ type: 'HEARTBEAT' })),
    );
    this.master.taskManager.updates.resendPending(framework);
    this.master.allocator.soon();
  }

  private detach(framework: FrameworkRecord): void {
    this.master.timers.cancel(this.heartbeats.get(framework));
    this.heartbeats.delete(framework);
    framework.sink = undefined;
    framework.streamId = undefined;
    framework.connected = false;
  }

  /** The subscription connection went away (client closed it, or the network did). */
  streamClosed(framework: FrameworkRecord, sink: EventSink<scheduler.Event>): void {
    if (framework.sink !== sink || framework.removed) return;
    this.detach(framework);
    this.master.offerBook.discardAll(framework);
    this.master.maintenance.discardInverseOffers(framework);
    const timeout = framework.info.failover_timeout ?? 0;
    framework.failoverTimer = this.master.timers.after(timeout * 1000, () =>
      this.teardown(framework),
    );
    this.master.operatorEvents.frameworkUpdated(framework);
    this.master.log(`framework ${framework.id} disconnected; failover timeout ${timeout}s`);
  }

  /** Drops the framework's stream as a broken connection would. */
  dropStream(framework: FrameworkRecord): void {
    const sink = framework.sink;
    if (!sink) return;
    sink.close();
    this.streamClosed(framework, sink);
  }

  /**
   * A new leader: every stream belongs to the old one. Frameworks stay known but
   * disconnected until they subscribe again, and the failover timeout does not carry over.
   */
  leaderChanged(): void {
    for (const framework of this.master.frameworks.values()) {
      const sink = framework.sink;
      if (sink) {
        this.detach(framework);
        sink.close();
      }
      this.master.timers.cancel(framework.failoverTimer);
      framework.failoverTimer = undefined;
      framework.recovered = true;
      this.master.offerBook.discardAll(framework);
      this.master.maintenance.discardInverseOffers(framework);
    }
  }

  teardown(framework: FrameworkRecord): void {
    if (framework.removed) return;
    const sink = framework.sink;
    this.detach(framework);
    sink?.close();
    this.master.timers.cancel(framework.failoverTimer);
    framework.removed = true;
    framework.unregisteredAt = Date.now();
    this.master.offerBook.discardAll(framework);
    this.master.maintenance.discardInverseOffers(framework);
    this.master.taskManager.frameworkRemoved(framework);
    this.master.frameworks.delete(framework.id);
    this.removedIds.add(framework.id);
    this.master.completedFrameworks.push(framework);
    if (this.master.completedFrameworks.length > MAX_COMPLETED_FRAMEWORKS)
      this.master.completedFrameworks.shift();
    this.master.operatorEvents.frameworkRemoved(framework);
    this.master.log(`framework ${framework.id} torn down`);
  }

  /** UPDATE_FRAMEWORK; returns the 400 message on failure. */
  update(framework: FrameworkRecord, call: scheduler.Call.UpdateFramework): string | undefined {
    const info = call.framework_info;
    if (info.id?.value !== framework.id)
      return "'framework_id' differs from 'update_framework.framework_info.id'";
    const suppressed = call.suppressed_roles ?? [];
    const invalid =
      validateFrameworkInfo(info, suppressed) ?? immutableChange(framework.info, info);
    if (invalid) return invalid;
    const removedRoles = framework.roles.filter((r) => !rolesOf(info).includes(r));
    this.applyInfo(framework, info, suppressed);
    for (const offer of [...framework.offers]) {
      if (removedRoles.includes(offer.role)) this.master.offerBook.remove(offer, { rescind: true });
    }
    this.master.operatorEvents.frameworkUpdated(framework);
    this.master.allocator.soon();
    return undefined;
  }

  /** Resolves SUPPRESS/REVIVE roles; an empty list means all, an unknown role voids the call. */
  private callRoles(framework: FrameworkRecord, roles: string[] | undefined): string[] | undefined {
    const list = roles && roles.length > 0 ? roles : framework.roles;
    return list.every((r) => framework.roles.includes(r)) ? list : undefined;
  }

  suppress(framework: FrameworkRecord, roles: string[] | undefined): void {
    for (const role of this.callRoles(framework, roles) ?? []) framework.suppressed.add(role);
  }

  revive(framework: FrameworkRecord, roles: string[] | undefined): void {
    const revived = this.callRoles(framework, roles);
    if (!revived) return;
    for (const role of revived) framework.suppressed.delete(role);
    for (const role of revived) framework.filters.delete(role);
    this.master.allocator.soon();
  }
}
