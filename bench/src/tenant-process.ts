// Starts tenant-phases (compiled) in a child process and calls its phases over IPC, typed
// from the phases themselves.
import { fork, type ChildProcess } from 'node:child_process';
import type { PhaseAnswer, PhaseCall, TenantPhases } from './tenant-phases';

type Options<K extends keyof TenantPhases> = Parameters<TenantPhases[K]>[0];
type Result<K extends keyof TenantPhases> = Awaited<ReturnType<TenantPhases[K]>>;

export class TenantProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private nextId = 1;
  private exited: Error | undefined;

  constructor() {
    // Compiled beside this bundle (scripts/build.mjs); the parent's flags carry over.
    this.child = fork(new URL('./tenant-phases.mjs', import.meta.url), {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child.on('message', (answer: PhaseAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if ('error' in answer) waiting.reject(new Error(`tenant clients: ${answer.error}`));
      else waiting.resolve(answer.result);
    });
    this.child.once('exit', (code, signal) => {
      this.exited = new Error(`the tenant client process exited (${signal ?? code})`);
      for (const waiting of this.pending.values()) waiting.reject(this.exited);
      this.pending.clear();
    });
  }

  call<K extends keyof TenantPhases>(phase: K, options: Options<K>): Promise<Result<K>> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<Result<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, phase, options } satisfies PhaseCall);
    });
  }

  /** Closes the clients' connections, then ends the process. */
  async close(): Promise<void> {
    if (this.exited) return;
    await this.call('close', undefined).catch(() => undefined);
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await gone;
  }
}
