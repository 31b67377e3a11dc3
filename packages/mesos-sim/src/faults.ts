import type { scheduler } from '@shoal/mesos';
import { AgentError } from './agents';
import type { HeldCall, Master } from './master';
import type { TaskRecord } from './model';
import type { AgentSpec } from './options';

/** A fault that cannot be applied; `status` is what the HTTP fault API answers. */
export class FaultError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

function agentCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof AgentError) throw new FaultError(409, error.message);
    throw error;
  }
}

/**
 * Fault injection, the same operations in-process and over `POST /sim/v1/...`.
 */
export class Faults {
  constructor(private readonly master: Master) {}

  private agent(agentId: string) {
    const agent = this.master.agents.get(agentId);
    if (!agent) throw new FaultError(404, `Unknown agent '${agentId}'`);
    return agent;
  }

  private task(taskId: string, frameworkId?: string): TaskRecord {
    const found = this.master.taskManager.find(taskId, frameworkId);
    if (found.length === 0) throw new FaultError(404, `Unknown task '${taskId}'`);
    if (found.length > 1)
      throw new FaultError(
        409,
        `Task id '${taskId}' is used by several frameworks; name the framework`,
      );
    return found[0] as TaskRecord;
  }

  /** Adds agents at runtime; they register at once and are offered in the next round. */
  addAgents(specs: AgentSpec[]): { id: string; hostname: string }[] {
    return specs.map((spec) => {
      const agent = agentCall(() => this.master.agentManager.add(spec));
      return { id: agent.id, hostname: agent.hostname };
    });
  }

  /** The agent dies: removed, its tasks LOST (GONE for partition-aware frameworks). */
  killAgent(agentId: string): void {
    const agent = this.agent(agentId);
    agentCall(() => this.master.agentManager.remove(agent, 'shutdown'));
  }

  /** The master loses the agent: tasks become UNREACHABLE (LOST if not partition-aware). */
  partitionAgent(agentId: string): void {
    const agent = this.agent(agentId);
    agentCall(() => this.master.agentManager.partition(agent));
  }

  /** A partitioned agent reregisters. */
  restoreAgent(agentId: string): void {
    const agent = this.agent(agentId);
    agentCall(() => this.master.agentManager.restore(agent));
  }

  /** Elects master `index`, or nobody (every master then answers 503). */
  setLeader(index: number | null): void {
    if (
      index !== null &&
      !(Number.isInteger(index) && index >= 0 && index < this.master.masterEndpoints.length)
    ) {
      throw new FaultError(
        400,
        `No master ${index}; masters are 0..${this.master.masterEndpoints.length - 1}`,
      );
    }
    this.master.setLeader(index);
  }

  /** While recovering, the leader answers 503 "Master has not finished recovery". */
  setRecovering(recovering: boolean): void {
    this.master.recovering = recovering;
  }

  /** Closes a framework's subscription stream as a network failure would. */
  dropFrameworkStream(frameworkId: string): void {
    const framework = this.master.frameworks.get(frameworkId);
    if (!framework) throw new FaultError(404, `Unknown framework '${frameworkId}'`);
    if (!framework.sink) throw new FaultError(409, `Framework '${frameworkId}' has no open stream`);
    this.master.subscriptions.dropStream(framework);
  }

  /**
   * Holds the next scheduler call of `type` (e.g. ACCEPT) once it has arrived,
   * so a test can act while a scheduler waits on it (kill the scheduler, say),
   * then let the master act on it or lose it. With `matches`, only a call it accepts is
   * held (the KILL of one task, not another's sent meanwhile). In-process only.
   */
  holdNextCall(
    type: string,
    matches: (call: scheduler.Call) => boolean = () => true,
  ): Promise<HeldCall> {
    return new Promise((hold) => this.master.callHolds.set(type, { matches, hold }));
  }

  /** The task's process exits with `code`: TASK_FINISHED for 0, TASK_FAILED otherwise. */
  exitTask(taskId: string, code: number, frameworkId?: string): void {
    if (!Number.isInteger(code) || code < 0 || code > 255)
      throw new FaultError(400, 'Exit code must be an integer 0..255');
    if (!this.master.taskManager.exit(this.task(taskId, frameworkId), code)) {
      throw new FaultError(409, `Task '${taskId}' is not running`);
    }
  }

  /** The task fails with `message` (TASK_FAILED). */
  failTask(taskId: string, message: string, frameworkId?: string): void {
    if (!this.master.taskManager.fail(this.task(taskId, frameworkId), message)) {
      throw new FaultError(409, `Task '${taskId}' has already terminated`);
    }
  }
}
