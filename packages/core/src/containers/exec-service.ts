import { randomBytes } from 'node:crypto';
import type { AuditEntry } from '../audit/audit-service';
import type { ContainerEventBus } from '../events/event-bus';
import { conflict, invalid, notFound, notSupported, ShoalError } from '../errors';
import type { ContainerService } from './container-service';
import type {
  ContainerSessions,
  OutputChunk,
  ProcessSession,
  SessionTarget,
  TerminalSize,
} from './ports';
import { RUNTIME_NAMES, runtimeOf } from './runtime';
import { checkLength, checkStrings, SPEC_LIMITS } from './spec-limits';
import { publishChange } from './publish';
import type { ContainerAction, ContainerView } from './types';

/** What `docker exec` asks for (Docker's exec create body). */
export interface ExecConfig {
  cmd: string[];
  env: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  user?: string;
  workingDir?: string;
  privileged?: boolean;
  /** The terminal's size the client starts with. */
  consoleSize?: TerminalSize;
}

export interface ExecView {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  /** Null until the process has ended. */
  exitCode: number | null;
}

/** A started exec: its output until it ends, and its input. */
export interface ExecRun {
  readonly tty: boolean;
  /** Ends once the process has ended and its exit code is known. */
  readonly output: AsyncIterable<OutputChunk>;
  write(data: Uint8Array): void;
  endInput(): void;
}

interface ExecInstance extends ExecView {
  tenantId: string;
  /** What its events tell of the container, as it was when the exec was made. */
  container: Pick<ContainerView, 'id' | 'tenantId' | 'name' | 'image' | 'spec'>;
  started: boolean;
  session?: ProcessSession;
  pendingSize?: TerminalSize;
  endedAt?: number;
}

/** Ended execs stay inspectable this long (the CLI reads the exit code right after). */
const KEEP_ENDED_MS = 10 * 60_000;
const MAX_EXECS = 10_000;

/** Why a container cannot run a process now, in Docker's words where Docker has some. */
export function execRefusal(view: ContainerView, what = 'exec'): ShoalError | undefined {
  const runtime = runtimeOf(view.spec);
  if (runtime !== 'ucr') {
    return notSupported(
      `${what} is not supported under ${RUNTIME_NAMES[runtime]}: Mesos cannot start a process inside a task of the Docker containerizer; run the container under the ucr runtime (docker run --runtime ucr, or the label shoal.runtime=ucr), or ask an admin to make ucr your tenant's default`,
    );
  }
  if (view.state !== 'running') return conflict(`container ${view.id} is not running`);
  return undefined;
}

/**
 * `docker exec`: processes started in a running container's task through the agent's
 * nested container sessions (containers under the ucr runtime only). Exec instances live
 * in this process, as in a Docker daemon: create, start, resize and inspect must reach
 * the same Shoal instance.
 */
export class ExecService {
  /** Set by the process that can reach the Mesos agents. */
  sessions: ContainerSessions | undefined;
  private readonly execs = new Map<string, ExecInstance>();

  constructor(
    private readonly containers: Pick<ContainerService, 'located' | 'get'>,
    private readonly audit: { record(entry: AuditEntry): PromiseLike<unknown> },
    private readonly events: ContainerEventBus,
  ) {}

  async create(
    tenantId: string,
    ref: string,
    config: ExecConfig,
    actor: string,
  ): Promise<ExecView> {
    if (config.cmd.length === 0) throw invalid('No exec command specified');
    checkStrings('command', config.cmd, SPEC_LIMITS.argumentsLength);
    checkStrings('environment', config.env, SPEC_LIMITS.envLength);
    checkLength('user', config.user, SPEC_LIMITS.userLength);
    const { view } = await this.containers.located(tenantId, ref);
    const refusal = execRefusal(view);
    if (refusal) throw refusal;
    if (config.privileged)
      throw notSupported(
        '--privileged is not supported by Shoal: it reaches into the Mesos agent’s host, which other tenants’ containers share',
      );
    if (config.workingDir)
      throw notSupported(
        `-w (--workdir) is not supported under ${RUNTIME_NAMES.ucr}: a process started in a container runs in the working directory of the container's first process`,
      );
    this.forgetOld();
    const exec: ExecInstance = {
      id: randomBytes(32).toString('hex'),
      tenantId,
      containerId: view.id,
      container: view,
      config,
      running: false,
      exitCode: null,
      started: false,
    };
    this.execs.set(exec.id, exec);
    this.publish(exec, `exec_create: ${config.cmd.join(' ')}`);
    await this.audit.record({
      tenantId,
      actor,
      action: 'container.exec',
      target: view.name,
      detail: { exec: exec.id, cmd: config.cmd, tty: config.tty },
    });
    return this.view(exec);
  }

  inspect(tenantId: string, execId: string): ExecView {
    return this.view(this.find(tenantId, execId));
  }

  /**
   * Starts the process. Aborting `signal` (the client left) ends it, since the agent
   * ties a session's process to its connection.
   */
  async start(
    tenantId: string,
    execId: string,
    options: { size?: TerminalSize },
    signal: AbortSignal,
  ): Promise<ExecRun> {
    const exec = this.find(tenantId, execId);
    if (exec.started) throw conflict(`Error: Exec command ${execId} is already running`);
    const { view, target } = await this.containers.located(tenantId, exec.containerId);
    const refusal = execRefusal(view) ?? (target ? undefined : notRunning(view));
    if (refusal) throw refusal;
    const sessions = this.reachAgents();
    exec.started = true;
    exec.running = true;
    const { config } = exec;
    const size = exec.pendingSize ?? options.size ?? config.consoleSize;
    let session: ProcessSession;
    try {
      session = await sessions.exec(
        target as SessionTarget,
        {
          argv: config.cmd,
          env: config.env,
          tty: config.tty,
          ...(config.user ? { user: config.user } : {}),
          ...(config.tty && size ? { size } : {}),
        },
        signal,
      );
    } catch (error) {
      exec.running = false;
      exec.endedAt = Date.now();
      throw error;
    }
    exec.session = session;
    this.publish(exec, `exec_start: ${config.cmd.join(' ')}`);
    // The CLI resizes as soon as it has started the exec: a size that came while the
    // process was being started is the terminal's now.
    const later = exec.pendingSize;
    if (config.tty && later && later !== size) session.resize(later);
    // Without -i the process reads an empty input, as from /dev/null under Docker.
    if (!config.attachStdin && !config.tty) session.endInput();
    return {
      tty: config.tty,
      output: this.follow(exec, session),
      write: (data) => {
        if (config.attachStdin) session.write(data);
      },
      endInput: () => session.endInput(),
    };
  }

  /** Applies now, or once the process has started (the CLI resizes as it starts). */
  resize(tenantId: string, execId: string, size: TerminalSize): void {
    const exec = this.find(tenantId, execId);
    if (exec.session && exec.running) exec.session.resize(size);
    else exec.pendingSize = size;
  }

  private async *follow(exec: ExecInstance, session: ProcessSession): AsyncIterable<OutputChunk> {
    try {
      for await (const chunk of session.output) {
        const wanted =
          chunk.stream === 'stdout' ? exec.config.attachStdout : exec.config.attachStderr;
        if (wanted) yield chunk;
      }
      exec.exitCode = await session.exitCode().catch(async (error: unknown) => {
        // Its container stopped or went, and the process with it, so its agent no longer
        // knows it: killed as its container was, as Docker reports such an exec.
        if (!(await this.containerEnded(exec))) throw error;
        return 137;
      });
    } finally {
      exec.running = false;
      exec.endedAt = Date.now();
      session.close();
      this.publish(
        exec,
        'exec_die',
        exec.exitCode === null ? {} : { exitCode: String(exec.exitCode) },
      );
    }
  }

  /** `docker events` tells of processes run in a container, as Docker's does. */
  private publish(exec: ExecInstance, action: ContainerAction, extra: Record<string, string> = {}) {
    const { container } = exec;
    publishChange(this.events, { ...container, config: container.spec }, action, {
      execID: exec.id,
      ...extra,
    });
  }

  private async containerEnded(exec: ExecInstance): Promise<boolean> {
    try {
      return (await this.containers.get(exec.tenantId, exec.containerId)).state !== 'running';
    } catch (error) {
      if (error instanceof ShoalError && error.code === 'NOT_FOUND') return true;
      throw error;
    }
  }

  private find(tenantId: string, execId: string): ExecInstance {
    const exec = this.execs.get(execId);
    // Another tenant's exec is as unknown as one that never was.
    if (!exec || exec.tenantId !== tenantId) throw notFound(`No such exec instance: ${execId}`);
    return exec;
  }

  private reachAgents(): ContainerSessions {
    if (!this.sessions)
      throw new ShoalError(
        'UNAVAILABLE',
        'exec is not available: this Shoal server has no connection to the Mesos agents',
      );
    return this.sessions;
  }

  private view(exec: ExecInstance): ExecView {
    return {
      id: exec.id,
      containerId: exec.containerId,
      config: exec.config,
      running: exec.running,
      exitCode: exec.exitCode,
    };
  }

  private forgetOld(): void {
    const now = Date.now();
    for (const [id, exec] of this.execs) {
      if (exec.endedAt !== undefined && now - exec.endedAt > KEEP_ENDED_MS) this.execs.delete(id);
    }
    // A client that creates and never starts must not grow the map without bound.
    while (this.execs.size >= MAX_EXECS) {
      const oldest = this.execs.keys().next().value;
      if (oldest === undefined) break;
      this.execs.delete(oldest);
    }
  }
}

function notRunning(view: ContainerView): ShoalError {
  return conflict(`container ${view.id} is not running`);
}
