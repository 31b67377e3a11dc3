import type { TaskRequest } from './types';

/** Tasks waiting for offers, one queue per role, and when each role last had one queued. */
export class TaskQueues {
  private readonly byRole = new Map<string, Map<string, TaskRequest>>();
  private readonly roleOf = new Map<string, string>();
  private readonly queuedAt = new Map<string, number>();
  /** When each role last had work queued: its offers are kept a while after. */
  readonly lastDemand = new Map<string, number>();

  /** The queues by role, for the offer policy to read. */
  get queues(): ReadonlyMap<string, ReadonlyMap<string, TaskRequest>> {
    return this.byRole;
  }

  add(request: TaskRequest, now: number): void {
    let queue = this.byRole.get(request.role);
    if (!queue) this.byRole.set(request.role, (queue = new Map()));
    queue.set(request.taskId, request);
    this.roleOf.set(request.taskId, request.role);
    this.queuedAt.set(request.taskId, now);
    this.lastDemand.set(request.role, now);
  }

  /** False when the task was not queued. */
  remove(taskId: string): boolean {
    const role = this.roleOf.get(taskId);
    if (role === undefined) return false;
    this.roleOf.delete(taskId);
    this.queuedAt.delete(taskId);
    return this.byRole.get(role)?.delete(taskId) ?? false;
  }

  /** How long a task has been waiting, in ms. */
  waited(taskId: string, now: number): number {
    return now - (this.queuedAt.get(taskId) ?? now);
  }

  has(taskId: string): boolean {
    return this.roleOf.has(taskId);
  }

  /** Tasks waiting for `role`, or for every role. */
  count(role?: string): number {
    return role === undefined ? this.roleOf.size : (this.byRole.get(role)?.size ?? 0);
  }
}
