import { conflict, notSupported, ShoalError } from '../errors';
import type { ContainerService } from './container-service';
import { isPiped, pipedArgv } from './piped';
import type { ContainerSessions, OutputChunk, ProcessSession, SessionTarget } from './ports';
import { RUNTIME_NAMES } from './runtime';
import type { ContainerSpec, ContainerView } from './types';

/** The command of a piped container, as its attached client uses it. */
export interface PipeRun {
  /** What the command writes, stdout and stderr apart, until it ends or the client leaves. */
  readonly output: AsyncIterable<OutputChunk>;
  write(data: Uint8Array): void;
  /** The client's input ended: the command reads the end of its input. */
  endInput(): void;
}

/** Docker's code for a process that cannot be told how it ended. */
const UNKNOWN_EXIT = 255;

/**
 * `docker run -i` without -t under the ucr runtime (piped.ts): the container's command runs
 * as a nested container session in its running task, for the client attached with -i, and
 * its exit ends the task. Sessions live in this process, tied to the client's connection
 * as the agent ties a session's process to its own: a client that leaves ends the command.
 */
export class PipeService {
  /** Set by the process that can reach the Mesos agents. */
  sessions: ContainerSessions | undefined;
  /** Containers whose command runs for a client of this process. */
  private readonly running = new Set<string>();

  constructor(private readonly containers: Pick<ContainerService, 'located' | 'commandEnded'>) {}

  /** Whether attaching to `view` runs its command (ucr, -i without -t). */
  static isPiped(view: ContainerView): boolean {
    return isPiped(view.spec);
  }

  async attach(tenantId: string, ref: string, signal: AbortSignal): Promise<PipeRun> {
    const { view, target } = await this.containers.located(tenantId, ref);
    if (!PipeService.isPiped(view))
      throw notSupported(
        `container ${view.name} does not run its command for an attached client: under ${RUNTIME_NAMES.ucr} only a container created with -i and without -t does`,
      );
    if (view.state !== 'running' || !target) throw conflict(`container ${view.id} is not running`);
    if (this.running.has(view.id))
      throw conflict(
        `container ${view.name} already runs its command for an attached client; its input is that client's (as with docker run -i)`,
      );
    const sessions = this.reachAgents();
    this.running.add(view.id);
    let session: ProcessSession;
    try {
      session = await sessions.exec(target, command(view.spec), signal);
    } catch (error) {
      this.running.delete(view.id);
      throw error;
    }
    // The agent answers WAIT_CONTAINER once the command has ended, however it ended.
    void session
      .exitCode()
      .catch(() => UNKNOWN_EXIT)
      .then((code) => this.ended(view.id, target, code));
    return {
      output: this.follow(view.id, session),
      write: (data) => session.write(data),
      endInput: () => session.endInput(),
    };
  }

  private async *follow(containerId: string, session: ProcessSession): AsyncIterable<OutputChunk> {
    try {
      yield* session.output;
    } finally {
      this.running.delete(containerId);
      session.close();
    }
  }

  private async ended(containerId: string, target: SessionTarget, code: number): Promise<void> {
    this.running.delete(containerId);
    // The supervisor kills a marked task until Mesos confirms it, should this call fail.
    await this.containers
      .commandEnded(containerId, target.mesosTaskId, code)
      .catch(() => undefined);
  }

  private reachAgents(): ContainerSessions {
    if (!this.sessions)
      throw new ShoalError(
        'UNAVAILABLE',
        'input without a terminal is not available: this Shoal server has no connection to the Mesos agents',
      );
    return this.sessions;
  }
}

function command(spec: ContainerSpec) {
  return {
    argv: pipedArgv(spec),
    env: spec.env,
    tty: false,
    ...(spec.user ? { user: spec.user } : {}),
  };
}
