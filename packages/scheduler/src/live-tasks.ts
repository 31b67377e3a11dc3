/** A task handed to Mesos and not yet ended, as placement needs it. */
export interface LiveTask {
  agentId?: string;
  groupKey?: string;
}

/**
 * The framework's launched tasks, with the counts placement asks for on every
 * candidate offer (tasks per agent, a group's agents) kept as the set changes
 * rather than counted again for each task placed.
 */
export class LiveTasks {
  private readonly tasks = new Map<string, LiveTask>();
  private readonly perAgent = new Map<string, number>();
  private readonly groups = new Map<string, Map<string, string>>();

  get size(): number {
    return this.tasks.size;
  }

  has(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  set(taskId: string, task: LiveTask): void {
    this.delete(taskId);
    this.tasks.set(taskId, task);
    if (task.agentId) {
      this.perAgent.set(task.agentId, (this.perAgent.get(task.agentId) ?? 0) + 1);
      if (task.groupKey) {
        let group = this.groups.get(task.groupKey);
        if (!group) this.groups.set(task.groupKey, (group = new Map()));
        group.set(taskId, task.agentId);
      }
    }
  }

  /** Records the agent a task turned out to be on (from a status update). */
  moved(taskId: string, agentId: string): void {
    const task = this.tasks.get(taskId);
    if (task?.agentId !== agentId) this.set(taskId, { ...task, agentId });
  }

  delete(taskId: string): void {
    const task = this.tasks.get(taskId);
    if (!task) return;
    this.tasks.delete(taskId);
    if (!task.agentId) return;
    const left = (this.perAgent.get(task.agentId) ?? 1) - 1;
    if (left > 0) this.perAgent.set(task.agentId, left);
    else this.perAgent.delete(task.agentId);
    if (task.groupKey) {
      const group = this.groups.get(task.groupKey);
      group?.delete(taskId);
      if (group?.size === 0) this.groups.delete(task.groupKey);
    }
  }

  /** How many of the framework's tasks run on an agent. */
  onAgent(agentId: string): number {
    return this.perAgent.get(agentId) ?? 0;
  }

  /** The agents a group's tasks run on, one entry per task. */
  groupAgents(groupKey: string): string[] {
    return [...(this.groups.get(groupKey)?.values() ?? [])];
  }
}
