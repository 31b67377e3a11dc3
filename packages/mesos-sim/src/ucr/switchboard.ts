import type { agent, ContainerID, TTYInfo } from '@shoal/mesos';
import type { TimerScope } from '../timers';
import { InputQueue } from './input';
import { type ContainerContext, EmulatedProcess } from './shell';
import { Terminal } from './terminal';

/** Where an output connection's records go; `close` ends its stream. */
export interface OutputSink {
  send(record: agent.ProcessIO): void;
  close(): void;
}

export interface IoContainerOptions {
  id: ContainerID;
  argv: string[];
  context: ContainerContext;
  /** Set for a container whose ContainerInfo has a TTYInfo. */
  tty?: TTYInfo;
  /**
   * A session's container holds its output until the first output connection (its own
   * launch call), so nothing is lost; a task with a terminal does not wait.
   */
  waitForConnection: boolean;
  timers: TimerScope;
  /** How often open output connections get a HEARTBEAT (the agent's --http_heartbeat_interval). */
  heartbeatMs: number;
  /** The container logger: what the process writes also goes to the sandbox. */
  log?: (stream: 'stdout' | 'stderr', data: Buffer) => void;
}

/**
 * A container with the agent's I/O switchboard: the process's output fans out to every
 * ATTACH_CONTAINER_OUTPUT connection (STDOUT and STDERR apart, or all as STDOUT from a
 * terminal), one ATTACH_CONTAINER_INPUT connection at a time feeds its input, and the
 * streams end once the process has exited.
 */
export class IoContainer {
  readonly process: EmulatedProcess;
  /** The wait(2) status, once the process has exited. */
  status: number | undefined;
  /** Resolves with the wait(2) status when the process has exited and its output is out. */
  readonly ended: Promise<number>;
  readonly terminal: Terminal | undefined;
  inputConnected = false;
  private readonly stdin: InputQueue;
  private readonly outputs = new Set<OutputSink>();
  private held: agent.ProcessIO[] | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: IoContainerOptions) {
    this.held = options.waitForConnection ? [] : undefined;
    const size = options.tty?.window_size;
    this.terminal = options.tty
      ? new Terminal(
          (bytes) => this.emit('STDOUT', bytes),
          () => this.process.interrupt(),
          size ? { rows: size.rows, columns: size.columns } : undefined,
        )
      : undefined;
    this.stdin = this.terminal?.input ?? new InputQueue();
    this.process = new EmulatedProcess(options.argv, options.context, {
      stdin: this.stdin,
      write: (stream, text) =>
        this.emit(stream === 'stdout' ? 'STDOUT' : 'STDERR', Buffer.from(text, 'utf8')),
      ...(this.terminal ? { terminal: this.terminal } : {}),
      sleep: (ms, stop) =>
        new Promise<void>((resolve, reject) => {
          const timer = options.timers.after(ms, resolve);
          stop.addEventListener(
            'abort',
            () => {
              options.timers.cancel(timer);
              reject(stop.reason as Error);
            },
            { once: true },
          );
        }),
    });
    this.heartbeat = options.timers.every(options.heartbeatMs, () => this.beat());
    this.ended = this.process.exited.then((status) => {
      this.status = status;
      this.options.timers.cancel(this.heartbeat);
      for (const sink of this.outputs) sink.close();
      this.outputs.clear();
      return status;
    });
  }

  get id(): ContainerID {
    return this.options.id;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** A new ATTACH_CONTAINER_OUTPUT connection: it gets what the process writes from now on. */
  attachOutput(sink: OutputSink): () => void {
    if (!this.running) {
      sink.close();
      return () => undefined;
    }
    this.outputs.add(sink);
    if (this.held) {
      const held = this.held;
      this.held = undefined;
      for (const record of held) sink.send(record);
    }
    return () => this.outputs.delete(sink);
  }

  /** One record of an input connection, already validated. */
  input(record: agent.ProcessIO): void {
    if (!this.running) return;
    if (record.type === 'CONTROL') {
      const size = record.control?.tty_info?.window_size;
      if (record.control?.type === 'TTY_INFO' && size && this.terminal)
        this.terminal.resize(size.rows, size.columns);
      return;
    }
    const data = Buffer.from(record.data?.data ?? new Uint8Array());
    if (this.terminal) {
      // A terminal takes EOT (^D) for the end of input; an empty record means nothing to it.
      this.terminal.type(data);
    } else if (data.length === 0) {
      this.stdin.close();
    } else {
      this.stdin.push(data);
    }
  }

  /** The connection launching a session broke, or the agent was asked to kill it. */
  kill(signal?: number): void {
    this.process.kill(signal);
  }

  private emit(type: 'STDOUT' | 'STDERR', data: Buffer): void {
    if (data.length === 0) return;
    this.options.log?.(type === 'STDOUT' ? 'stdout' : 'stderr', data);
    const record: agent.ProcessIO = { type: 'DATA', data: { type, data: new Uint8Array(data) } };
    if (this.held) this.held.push(record);
    for (const sink of this.outputs) sink.send(record);
  }

  private beat(): void {
    const record: agent.ProcessIO = {
      type: 'CONTROL',
      control: {
        type: 'HEARTBEAT',
        heartbeat: { interval: { nanoseconds: BigInt(this.options.heartbeatMs) * 1_000_000n } },
      },
    };
    for (const sink of this.outputs) sink.send(record);
  }
}
