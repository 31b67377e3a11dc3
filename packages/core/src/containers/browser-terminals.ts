import { randomBytes } from 'node:crypto';
import type { AccessService, Principal } from '../auth/access-service';
import { ShoalError, notFound } from '../errors';
import type { ExecRun, ExecService } from './exec-service';
import type { TerminalSize } from './ports';

/** Who opens a terminal: a signed-in dashboard user. */
export interface TerminalUser extends Principal {
  email: string;
}

/** What the browser hears on a terminal's stream. */
export type TerminalEvent =
  | { kind: 'opened'; id: string }
  /** Bytes the shell wrote, base64: a chunk may end inside a UTF-8 character. */
  | { kind: 'output'; data: string }
  /** Null when the agent could not say how the shell ended. */
  | { kind: 'exited'; code: number | null };

/** An event and where it stands in its shell's stream: a stream resumes after `position`. */
export interface PlacedTerminalEvent {
  position: string;
  event: TerminalEvent;
}

interface Shell {
  id: string;
  userId: string;
  tenantId: string;
  execId: string;
  run: ExecRun;
  /** The shell's output not yet dropped, oldest first; `seq` counts from 1 ('opened' is 0). */
  chunks: { seq: number; data: string }[];
  bufferedBytes: number;
  lastSeq: number;
  exit?: { code: number | null };
  /** Streams reading it now; with none for a while, the shell ends. */
  readers: number;
  detachedTimer?: ReturnType<typeof setTimeout>;
  /** Aborted, the shell's process ends. */
  end: AbortController;
  /** Resolved (and replaced) whenever output or the exit arrives. */
  changed: { promise: Promise<void>; resolve: () => void };
}

/** A shell is a process on an agent: one user holds this many at once in one instance. */
export const MAX_TERMINALS_PER_USER = 8;
/**
 * A shell whose stream broke waits this long for the browser to come back for it (a proxy
 * dropping the connection, a laptop waking up): what it wrote meanwhile is replayed.
 */
export const DETACHED_GRACE_MS = 30_000;
/** Output kept for a stream that resumes; older output is dropped first. */
const REPLAY_BYTES = 256 * 1024;
const SHELL = ['sh'];
const MINIMUM_ROLE = 'MEMBER';

const signalled = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * The dashboard's terminal on a running container: `sh` with a terminal, started as a
 * `docker exec -it` is (ExecService, a nested container session on the task's agent).
 * Only a member, an owner or an admin may open one, checked here on every call, not only
 * by the page; another tenant's container is "No such container". The shell lives in
 * this process while a stream reads it, and a while after one breaks so that the browser
 * can resume it where it left off; input and resizes name it by an id only its opener
 * can use.
 */
export class BrowserTerminals {
  private readonly shells = new Map<string, Shell>();

  constructor(
    private readonly access: Pick<AccessService, 'tenant'>,
    private readonly execs: Pick<ExecService, 'create' | 'start' | 'resize' | 'inspect'>,
    private readonly detachedGraceMs = DETACHED_GRACE_MS,
  ) {}

  /**
   * Starts the shell; refusals come before the stream, so they are plain answers. The
   * stream ends when the shell does, or when `signal` aborts (the browser left, or its
   * connection broke: see `resume`).
   */
  async start(
    user: TerminalUser,
    tenantSlug: string,
    ref: string,
    size: TerminalSize,
    signal: AbortSignal,
  ): Promise<AsyncIterable<PlacedTerminalEvent>> {
    const { tenant } = await this.access.tenant(user, tenantSlug, MINIMUM_ROLE);
    const mine = [...this.shells.values()].filter((s) => s.userId === user.id && !s.exit);
    // Shells nobody reads (their page left, or is reconnecting) make room first, oldest first.
    for (const idle of mine.filter((s) => s.readers === 0)) {
      if (mine.length < MAX_TERMINALS_PER_USER) break;
      this.forget(idle);
      mine.splice(mine.indexOf(idle), 1);
    }
    if (mine.length >= MAX_TERMINALS_PER_USER)
      throw new ShoalError(
        'RATE_LIMITED',
        `You have ${MAX_TERMINALS_PER_USER} terminals open; close one before opening another`,
      );
    const exec = await this.execs.create(
      tenant.id,
      ref,
      {
        cmd: SHELL,
        env: [],
        tty: true,
        attachStdin: true,
        attachStdout: true,
        attachStderr: true,
        consoleSize: size,
      },
      user.email,
    );
    // The shell outlives one request: its life is its own, not the stream's.
    const end = new AbortController();
    const run = await this.execs.start(tenant.id, exec.id, { size }, end.signal);
    const shell: Shell = {
      id: randomBytes(24).toString('base64url'),
      userId: user.id,
      tenantId: tenant.id,
      execId: exec.id,
      run,
      chunks: [],
      bufferedBytes: 0,
      lastSeq: 0,
      readers: 0,
      end,
      changed: signalled(),
    };
    this.shells.set(shell.id, shell);
    void this.pump(shell);
    // Unread until its stream is read: a stream that never starts leaves it to end.
    this.detached(shell);
    // The browser left while the shell was starting: nobody will read it.
    if (signal.aborted) {
      this.forget(shell);
      throw new ShoalError('UNAVAILABLE', 'The terminal was closed before its shell started');
    }
    return this.follow(shell, -1, signal);
  }

  /**
   * The stream of a shell this user opened, from just after `position` (the last event its
   * browser heard): output written meanwhile comes first. A shell that ended, or waited in
   * vain for longer than DETACHED_GRACE_MS, is not found.
   */
  async resume(
    user: TerminalUser,
    tenantSlug: string,
    position: string,
    signal: AbortSignal,
  ): Promise<AsyncIterable<PlacedTerminalEvent>> {
    const colon = position.lastIndexOf(':');
    const seq = Number(position.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(seq) || seq < 0)
      throw notFound(`No such terminal position: ${position}`);
    const shell = await this.find(user, tenantSlug, position.slice(0, colon)).catch(
      (error: unknown) => {
        throw error instanceof ShoalError && error.code === 'NOT_FOUND'
          ? notFound('The shell ended while the connection to it was lost; open a new terminal')
          : error;
      },
    );
    return this.follow(shell, seq, signal);
  }

  /** Types `text` at the shell. */
  async write(user: TerminalUser, tenantSlug: string, id: string, text: string): Promise<void> {
    const shell = await this.find(user, tenantSlug, id);
    if (shell.exit) throw notFound(`No such terminal: ${id}`);
    shell.run.write(Buffer.from(text, 'utf8'));
  }

  async resize(
    user: TerminalUser,
    tenantSlug: string,
    id: string,
    size: TerminalSize,
  ): Promise<void> {
    const shell = await this.find(user, tenantSlug, id);
    this.execs.resize(shell.tenantId, shell.execId, size);
  }

  /** Keeps what the shell writes, for every stream that reads it now or resumes later. */
  private async pump(shell: Shell): Promise<void> {
    try {
      for await (const chunk of shell.run.output) {
        const data = Buffer.from(chunk.data).toString('base64');
        shell.chunks.push({ seq: ++shell.lastSeq, data });
        shell.bufferedBytes += data.length;
        while (shell.bufferedBytes > REPLAY_BYTES && shell.chunks.length > 1)
          shell.bufferedBytes -= shell.chunks.shift()!.data.length;
        this.notify(shell);
      }
      shell.exit = { code: this.execs.inspect(shell.tenantId, shell.execId).exitCode };
    } catch {
      // The session broke: the agent could not say how the shell ended.
      shell.exit = { code: null };
    }
    this.notify(shell);
    // Kept a little, so that a stream resuming just now still hears how it ended.
    if (shell.readers === 0) this.detached(shell);
  }

  private async *follow(
    shell: Shell,
    after: number,
    signal: AbortSignal,
  ): AsyncGenerator<PlacedTerminalEvent> {
    const at = (seq: number) => `${shell.id}:${seq}`;
    const stopped = new Promise<void>((resolve) =>
      signal.aborted
        ? resolve()
        : signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    shell.readers++;
    clearTimeout(shell.detachedTimer);
    try {
      if (after < 0) yield { position: at(0), event: { kind: 'opened', id: shell.id } };
      let next = Math.max(after + 1, 1);
      for (;;) {
        const { promise } = shell.changed;
        // Sequence numbers have no gaps: the next chunk's place is found, not searched for.
        for (;;) {
          const first = shell.chunks[0];
          const chunk = first && shell.chunks[Math.max(0, next - first.seq)];
          if (!chunk) break;
          yield { position: at(chunk.seq), event: { kind: 'output', data: chunk.data } };
          next = chunk.seq + 1;
        }
        if (shell.exit) {
          yield { position: at(next), event: { kind: 'exited', code: shell.exit.code } };
          this.forget(shell);
          return;
        }
        if (signal.aborted) return;
        await Promise.race([promise, stopped]);
      }
    } finally {
      shell.readers--;
      if (shell.readers === 0) this.detached(shell);
    }
  }

  private notify(shell: Shell): void {
    const { resolve } = shell.changed;
    shell.changed = signalled();
    resolve();
  }

  /** No stream reads the shell: it ends unless one comes back for it in time. */
  private detached(shell: Shell): void {
    if (!this.shells.has(shell.id)) return;
    clearTimeout(shell.detachedTimer);
    shell.detachedTimer = setTimeout(() => this.forget(shell), this.detachedGraceMs);
    shell.detachedTimer.unref?.();
  }

  private forget(shell: Shell): void {
    clearTimeout(shell.detachedTimer);
    this.shells.delete(shell.id);
    shell.end.abort();
  }

  private async find(user: TerminalUser, tenantSlug: string, id: string): Promise<Shell> {
    const { tenant } = await this.access.tenant(user, tenantSlug, MINIMUM_ROLE);
    const shell = this.shells.get(id);
    // Someone else's terminal is as unknown as one that never was.
    if (!shell || shell.userId !== user.id || shell.tenantId !== tenant.id)
      throw notFound(`No such terminal: ${id}`);
    return shell;
  }
}
