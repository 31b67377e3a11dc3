import { notSupported, ShoalError } from '../errors';
import type { ContainerService } from './container-service';
import type {
  ContainerSessions,
  OutputChunk,
  ProcessSession,
  SandboxReader,
  SessionTarget,
  TerminalSize,
} from './ports';
import { RUNTIME_NAMES, runtimeOf } from './runtime';
import type { ContainerView } from './types';

/** A container's terminal as an attached client uses it. */
export interface TerminalRun {
  /** What the container's process writes, until it ends or the client leaves. */
  readonly output: AsyncIterable<OutputChunk>;
  write(data: Uint8Array): void;
  /** The client's input ended: the terminal gets EOT. */
  endInput(): void;
}

/** The most of a fresh task's output replayed to a client that attached before it started. */
const MAX_REPLAY_BYTES = 1024 * 1024;
const READ_BYTES = 64 * 1024;

/**
 * `docker run -it`, `docker start -ai` and `docker attach` with stdin: the first process of
 * a ucr container launched with a terminal, reached through its agent
 * (ATTACH_CONTAINER_OUTPUT and ATTACH_CONTAINER_INPUT). `docker attach`'s output otherwise
 * comes from the sandbox; only a terminal takes input, since a Mesos agent carries input to
 * no other task.
 */
export class TerminalService {
  /** Set by the process that can reach the Mesos agents. */
  sessions: ContainerSessions | undefined;
  /** Open attachments in this process, so a resize goes over their input connection. */
  private readonly open = new Map<string, Set<ProcessSession>>();

  constructor(private readonly containers: Pick<ContainerService, 'located' | 'sandbox'>) {}

  /** Whether attaching to `view` goes through its terminal (ucr with -t). */
  static isTerminal(view: ContainerView): boolean {
    return view.spec.tty && runtimeOf(view.spec) === 'ucr';
  }

  /**
   * Attaches to the running container's terminal. With `replay`, what the process wrote
   * before the attachment comes first (a client that attached before the start sees the
   * first prompt). Aborting `signal` detaches; the process goes on.
   */
  async attach(
    tenantId: string,
    ref: string,
    options: { replay: boolean },
    signal: AbortSignal,
  ): Promise<TerminalRun> {
    const { view, target } = await this.containers.located(tenantId, ref);
    if (!TerminalService.isTerminal(view)) throw notTerminal(view);
    if (view.state !== 'running' || !target)
      throw new ShoalError('CONFLICT', `container ${view.id} is not running`);
    const session = await this.reachAgents().attach(target, signal);
    this.track(view.id, session);
    signal.addEventListener('abort', () => this.forget(view.id, session), { once: true });
    // Read after the live stream is open, so nothing written meanwhile is missed.
    const replay = options.replay ? await this.sandboxOutput(target) : undefined;
    const output = this.merged(view.id, session, replay);
    return {
      output,
      write: (data) => session.write(data),
      endInput: () => session.endInput(),
    };
  }

  /** Resizes the container's terminal: over an open attachment's input, else a new one. */
  async resize(tenantId: string, ref: string, size: TerminalSize): Promise<void> {
    const { view, target } = await this.containers.located(tenantId, ref);
    if (!TerminalService.isTerminal(view)) throw notTerminal(view);
    if (view.state !== 'running' || !target)
      throw new ShoalError('CONFLICT', `container ${view.id} is not running`);
    const attached = this.open.get(view.id);
    if (attached && attached.size > 0) {
      for (const session of attached) session.resize(size);
      return;
    }
    await this.reachAgents().resize(target, size);
  }

  private async *merged(
    containerId: string,
    session: ProcessSession,
    replay: Buffer | undefined,
  ): AsyncIterable<OutputChunk> {
    try {
      if (!replay || replay.length === 0) {
        yield* session.output;
        return;
      }
      yield { stream: 'stdout', data: replay };
      // The live stream began before the sandbox was read: drop what the replay showed.
      let pending = Buffer.alloc(0);
      let aligned = false;
      for await (const chunk of session.output) {
        if (aligned) {
          yield chunk;
          continue;
        }
        pending = Buffer.concat([pending, chunk.data]);
        if (endsWith(replay, pending)) continue;
        aligned = true;
        const rest = pending.subarray(overlap(replay, pending));
        if (rest.length > 0) yield { stream: 'stdout', data: rest };
      }
    } finally {
      this.forget(containerId, session);
      session.close();
    }
  }

  /** The task's stdout so far (a terminal writes everything there). */
  private async sandboxOutput(target: SessionTarget): Promise<Buffer> {
    const sandbox: SandboxReader | undefined = this.containers.sandbox;
    if (!sandbox) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let offset = 0;
    while (offset < MAX_REPLAY_BYTES) {
      const { data } = await sandbox.read(target, 'stdout', offset, READ_BYTES);
      if (data === '') break;
      const bytes = Buffer.from(data, 'utf8');
      parts.push(bytes);
      offset += bytes.length;
    }
    return Buffer.concat(parts);
  }

  private track(containerId: string, session: ProcessSession): void {
    const set = this.open.get(containerId) ?? new Set();
    set.add(session);
    this.open.set(containerId, set);
  }

  private forget(containerId: string, session: ProcessSession): void {
    const set = this.open.get(containerId);
    set?.delete(session);
    if (set?.size === 0) this.open.delete(containerId);
  }

  private reachAgents(): ContainerSessions {
    if (!this.sessions)
      throw new ShoalError(
        'UNAVAILABLE',
        'attaching is not available: this Shoal server has no connection to the Mesos agents',
      );
    return this.sessions;
  }
}

function notTerminal(view: ContainerView): ShoalError {
  const runtime = runtimeOf(view.spec);
  return runtime === 'ucr'
    ? notSupported(
        `container ${view.name} has no terminal: under ${RUNTIME_NAMES.ucr} a Mesos agent carries input only to a container launched with -t`,
      )
    : notSupported(
        `input is not supported under ${RUNTIME_NAMES[runtime]}: the Docker containerizer carries no input to a task; run the container under the ucr runtime with -it`,
      );
}

function endsWith(whole: Buffer, tail: Buffer): boolean {
  return tail.length <= whole.length && whole.subarray(whole.length - tail.length).equals(tail);
}

/** The longest end of `shown` that `live` begins with. */
function overlap(shown: Buffer, live: Buffer): number {
  for (let n = Math.min(shown.length, live.length); n > 0; n--) {
    if (shown.subarray(shown.length - n).equals(live.subarray(0, n))) return n;
  }
  return 0;
}
