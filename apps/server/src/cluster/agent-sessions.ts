import { randomUUID } from 'node:crypto';
import {
  type ContainerSessions,
  type OutputChunk,
  type ProcessSession,
  type SessionCommand,
  type SessionTarget,
  ShoalError,
  type TerminalSize,
} from '@shoal/core';
import {
  type agent,
  type AgentAddress,
  type AgentClient,
  type ContainerID,
  exitCodeFromWaitStatus,
  MesosAgentStatusError,
  type ProcessOutput,
} from '@shoal/mesos';

/**
 * docker exec and attach through the agents' v1 API: a process started in a task's
 * container is a nested container session (LAUNCH_NESTED_CONTAINER_SESSION, its output
 * streamed back, its input sent with ATTACH_CONTAINER_INPUT, its end read with
 * WAIT_CONTAINER); a task launched with a terminal is attached with
 * ATTACH_CONTAINER_OUTPUT and ATTACH_CONTAINER_INPUT. The task's container id comes from
 * the agent (GET_CONTAINERS: a command task's executor id is its task id).
 */
export class AgentSessions implements ContainerSessions {
  constructor(
    private readonly client: AgentClient,
    private readonly frameworkId: () => Promise<string | undefined>,
  ) {}

  async exec(
    target: SessionTarget,
    command: SessionCommand,
    signal: AbortSignal,
  ): Promise<ProcessSession> {
    const at = addressOf(target);
    const parent = await this.taskContainer(at, target);
    const containerId: ContainerID = { value: randomUUID(), parent };
    const [executable] = command.argv;
    const connection = new AbortController();
    const ended = AbortSignal.any([signal, connection.signal]);
    const output = await refusedAs(target, () =>
      this.client.launchNestedContainerSession(
        at,
        {
          container_id: containerId,
          command: {
            shell: false,
            value: executable,
            arguments: command.argv,
            environment: { variables: command.env.map(variable) },
            ...(command.user ? { user: command.user } : {}),
          },
          ...(command.tty
            ? {
                container: {
                  type: 'MESOS',
                  tty_info: command.size ? { window_size: windowSize(command.size) } : {},
                },
              }
            : {}),
        },
        ended,
      ),
    );
    return new AgentSession(this.client, at, containerId, output, command.tty, connection, () =>
      this.client
        .waitContainer(at, containerId)
        .then((wait) => exitCodeFromWaitStatus(wait.exit_status ?? 0)),
    );
  }

  async attach(target: SessionTarget, signal: AbortSignal): Promise<ProcessSession> {
    const at = addressOf(target);
    const containerId = await this.taskContainer(at, target);
    const connection = new AbortController();
    const output = await refusedAs(target, () =>
      this.client.attachContainerOutput(
        at,
        containerId,
        AbortSignal.any([signal, connection.signal]),
      ),
    );
    // The task's end is its status update; the caller reads it from the container.
    return new AgentSession(this.client, at, containerId, output, true, connection, () =>
      Promise.reject(new Error('an attached task reports its end in its status updates')),
    );
  }

  async resize(target: SessionTarget, size: TerminalSize): Promise<void> {
    const at = addressOf(target);
    const containerId = await this.taskContainer(at, target);
    // Ending this input stream leaves the terminal's input open: it only carries the size.
    await refusedAs(target, () =>
      this.client.attachContainerInput(at, containerId, [
        {
          type: 'CONTROL',
          control: { type: 'TTY_INFO', tty_info: { window_size: windowSize(size) } },
        },
      ]),
    );
  }

  private async taskContainer(at: AgentAddress, target: SessionTarget): Promise<ContainerID> {
    const frameworkId = await this.frameworkId();
    const containers = await refusedAs(target, () => this.client.getContainers(at));
    const found = containers.find(
      (c) =>
        c.executor_id?.value === target.mesosTaskId &&
        (frameworkId === undefined || c.framework_id?.value === frameworkId),
    );
    if (!found)
      throw new ShoalError(
        'CONFLICT',
        `the Mesos agent ${target.hostname ?? target.agentId} does not run task ${target.mesosTaskId} any more`,
      );
    return found.container_id;
  }
}

/** One process's streams; input goes over one ATTACH_CONTAINER_INPUT opened on first use. */
class AgentSession implements ProcessSession {
  private input: InputQueue | undefined;

  constructor(
    private readonly client: AgentClient,
    private readonly at: AgentAddress,
    private readonly containerId: ContainerID,
    private readonly records: ProcessOutput,
    private readonly tty: boolean,
    private readonly connection: AbortController,
    readonly exitCode: () => Promise<number>,
  ) {}

  get output(): AsyncIterable<OutputChunk> {
    const records = this.records;
    return (async function* () {
      for await (const record of records) {
        const data = record.data;
        if (record.type !== 'DATA' || !data?.data || data.data.length === 0) continue;
        yield { stream: data.type === 'STDERR' ? 'stderr' : 'stdout', data: data.data };
      }
    })();
  }

  write(data: Uint8Array): void {
    if (data.length > 0) this.send({ type: 'DATA', data: { type: 'STDIN', data } });
  }

  endInput(): void {
    // A terminal takes EOT for the end of input; a pipe is closed by an empty record.
    this.send({
      type: 'DATA',
      data: { type: 'STDIN', data: this.tty ? new Uint8Array([0x04]) : new Uint8Array() },
    });
    this.input?.end();
  }

  resize(size: TerminalSize): void {
    this.send({
      type: 'CONTROL',
      control: { type: 'TTY_INFO', tty_info: { window_size: windowSize(size) } },
    });
  }

  close(): void {
    this.input?.end();
    this.connection.abort();
  }

  private send(record: agent.ProcessIO): void {
    if (!this.input) {
      const input = (this.input = new InputQueue());
      // A failed attach (the process ended meanwhile) only loses input nobody would read.
      this.client
        .attachContainerInput(this.at, this.containerId, input, this.connection.signal)
        .catch(() => undefined);
    }
    this.input.push(record);
  }
}

/** Input records as an async iterable, pushed as they come. */
class InputQueue implements AsyncIterable<agent.ProcessIO> {
  private readonly items: agent.ProcessIO[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(record: agent.ProcessIO): void {
    if (this.ended) return;
    this.items.push(record);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<agent.ProcessIO> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

function addressOf(target: SessionTarget): AgentAddress {
  return {
    endpoint: target.agentEndpoint,
    ...(target.hostname ? { hostname: target.hostname } : {}),
  };
}

function windowSize(size: TerminalSize) {
  return { rows: size.rows, columns: size.columns };
}

function variable(entry: string) {
  const eq = entry.indexOf('=');
  return eq < 0
    ? { name: entry, value: '' }
    : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

/** An agent's refusal as a Shoal error naming the agent and what it said. */
async function refusedAs<T>(target: SessionTarget, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof MesosAgentStatusError) {
      throw new ShoalError(
        error.status === 404 ? 'CONFLICT' : 'UNAVAILABLE',
        `the Mesos agent ${target.hostname ?? target.agentId} refused: ${error.body.trim() || `status ${error.status}`}`,
        { cause: error },
      );
    }
    throw new ShoalError(
      'UNAVAILABLE',
      `the Mesos agent ${target.hostname ?? target.agentId} cannot be reached: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
