import { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { CONTENT_TYPES, decodeMessage, encodeMessage, formatFromContentType } from './codec';
import type { WireFormat } from './codec';
import { MesosAgentStatusError, MesosAgentUnreachableError, MesosError } from './errors';
import type { agent, ContainerID } from './generated/types';
import { encodeRecord, RecordIODecoder } from './recordio';

// The agent's v1 API (POST /api/v1 on the agent) as far as Shoal uses it: running a
// process inside a task's container and carrying a terminal's input and output. The
// streaming calls use RecordIO framing; each record's own type travels in the
// Message-Accept / Message-Content-Type headers, as the agent requires.

const RECORDIO = 'application/recordio';

export interface AgentClientOptions {
  /** `https` for agents started with SSL enabled (default `http`). */
  scheme?: 'http' | 'https';
  /** Sent as HTTP basic credentials when both are set. */
  principal?: string;
  secret?: string;
  /** PEM of the CA that signed the agents' certificates, when not a system one. */
  ca?: string;
  /** Format of calls and of the records asked for (default protobuf). */
  format?: WireFormat;
  /** Limit for connecting and for the answer's headers of a non-streaming call (default 30 s). */
  requestTimeoutMs?: number;
}

/** Where one agent's HTTP API answers. */
export interface AgentAddress {
  /** `host:port`, as learned from the agent's offers. */
  endpoint: string;
  /** The agent's hostname, sent as the Host header (agents behind one gateway are told apart by it). */
  hostname?: string;
}

/** A process's output records, as the agent streams them (heartbeats included). */
export type ProcessOutput = AsyncIterable<agent.ProcessIO>;

/** A wait(2) status as an exit code the way shells report it: the code, or 128 + the signal. */
export function exitCodeFromWaitStatus(status: number): number {
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : 128 + signal;
}

export class AgentClient {
  private readonly scheme: 'http' | 'https';
  private readonly format: WireFormat;
  private readonly timeoutMs: number;
  private readonly authorization: string | undefined;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(options: AgentClientOptions = {}) {
    this.scheme = options.scheme ?? 'http';
    this.format = options.format ?? 'protobuf';
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.authorization =
      options.principal && options.secret
        ? `Basic ${Buffer.from(`${options.principal}:${options.secret}`).toString('base64')}`
        : undefined;
    this.dispatcher = options.ca ? new Agent({ connect: { ca: options.ca } }) : undefined;
  }

  /** The agent's containers; a command or Docker task's executor id is its task id. */
  async getContainers(at: AgentAddress): Promise<agent.Response.GetContainers.Container[]> {
    const response = await this.call(at, { type: 'GET_CONTAINERS', get_containers: {} });
    return response?.get_containers?.containers ?? [];
  }

  /**
   * Starts a process in a new container nested in `session.container_id.parent` and streams
   * its output. The container lives as long as this connection: aborting `signal` ends it.
   */
  launchNestedContainerSession(
    at: AgentAddress,
    session: agent.Call.LaunchNestedContainerSession,
    signal: AbortSignal,
  ): Promise<ProcessOutput> {
    return this.stream(
      at,
      { type: 'LAUNCH_NESTED_CONTAINER_SESSION', launch_nested_container_session: session },
      signal,
    );
  }

  /** Streams the output of a container that has a terminal or is a session's. */
  attachContainerOutput(
    at: AgentAddress,
    containerId: ContainerID,
    signal: AbortSignal,
  ): Promise<ProcessOutput> {
    return this.stream(
      at,
      { type: 'ATTACH_CONTAINER_OUTPUT', attach_container_output: { container_id: containerId } },
      signal,
    );
  }

  /**
   * Sends `input` to the container's first process, resolving when the agent has taken all
   * of it (or the process's output ended first). An empty STDIN record ends the input.
   */
  async attachContainerInput(
    at: AgentAddress,
    containerId: ContainerID,
    input: AsyncIterable<agent.ProcessIO> | Iterable<agent.ProcessIO>,
    signal?: AbortSignal,
  ): Promise<void> {
    const format = this.format;
    async function* records(): AsyncGenerator<Uint8Array> {
      const first: agent.Call = {
        type: 'ATTACH_CONTAINER_INPUT',
        attach_container_input: { type: 'CONTAINER_ID', container_id: containerId },
      };
      yield encodeRecord(encodeMessage('mesos.v1.agent.Call', first, format));
      for await (const processIo of input) {
        const call: agent.Call = {
          type: 'ATTACH_CONTAINER_INPUT',
          attach_container_input: { type: 'PROCESS_IO', process_io: processIo },
        };
        yield encodeRecord(encodeMessage('mesos.v1.agent.Call', call, format));
      }
    }
    const response = await this.post(
      at,
      records(),
      {
        'content-type': RECORDIO,
        'message-content-type': CONTENT_TYPES[format],
        accept: CONTENT_TYPES[format],
      },
      // The agent answers once the input has ended, however long that takes.
      { streaming: true, ...(signal ? { signal } : {}) },
    );
    await this.expectOk(at, response);
    await response.body.dump();
  }

  /** Waits for a container to end: its wait(2) status, and state and reason if the agent ended it. */
  async waitContainer(
    at: AgentAddress,
    containerId: ContainerID,
    signal?: AbortSignal,
  ): Promise<agent.Response.WaitContainer> {
    const response = await this.call(
      at,
      { type: 'WAIT_CONTAINER', wait_container: { container_id: containerId } },
      { streaming: true, ...(signal ? { signal } : {}) },
    );
    return response?.wait_container ?? {};
  }

  /** Sends `signalNumber` (SIGKILL when left out) to the container. */
  async killContainer(
    at: AgentAddress,
    containerId: ContainerID,
    signalNumber?: number,
  ): Promise<void> {
    await this.call(at, {
      type: 'KILL_CONTAINER',
      kill_container: {
        container_id: containerId,
        ...(signalNumber !== undefined ? { signal: signalNumber } : {}),
      },
    });
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }

  private url(at: AgentAddress): string {
    return `${this.scheme}://${at.endpoint}/api/v1`;
  }

  private async call(
    at: AgentAddress,
    call: agent.Call,
    options: { streaming?: boolean; signal?: AbortSignal } = {},
  ): Promise<agent.Response | undefined> {
    const response = await this.post(
      at,
      encodeMessage('mesos.v1.agent.Call', call, this.format),
      { 'content-type': CONTENT_TYPES[this.format], accept: CONTENT_TYPES[this.format] },
      options,
    );
    await this.expectOk(at, response);
    const body = new Uint8Array(await response.body.arrayBuffer());
    if (body.byteLength === 0) return undefined;
    const format = formatFromContentType(header(response.headers['content-type'])) ?? this.format;
    return decodeMessage('mesos.v1.agent.Response', body, format);
  }

  private async stream(
    at: AgentAddress,
    call: agent.Call,
    signal: AbortSignal,
  ): Promise<ProcessOutput> {
    const response = await this.post(
      at,
      encodeMessage('mesos.v1.agent.Call', call, this.format),
      {
        'content-type': CONTENT_TYPES[this.format],
        accept: RECORDIO,
        'message-accept': CONTENT_TYPES[this.format],
      },
      { streaming: true, signal },
    );
    await this.expectOk(at, response);
    // The records' own type; an agent that ignored Message-Accept says JSON in Content-Type.
    const format =
      formatFromContentType(header(response.headers['message-content-type'])) ??
      formatFromContentType(header(response.headers['content-type'])) ??
      this.format;
    return processRecords(response.body, format);
  }

  private async post(
    at: AgentAddress,
    body: Uint8Array | AsyncIterable<Uint8Array>,
    headers: Record<string, string>,
    options: { streaming?: boolean; signal?: AbortSignal },
  ): Promise<Dispatcher.ResponseData> {
    const url = this.url(at);
    const port = at.endpoint.split(':').pop();
    try {
      return await request(url, {
        method: 'POST',
        body: body instanceof Uint8Array ? body : Readable.from(body, { objectMode: false }),
        headers: {
          ...headers,
          ...(at.hostname ? { host: `${at.hostname}:${port}` } : {}),
          ...(this.authorization ? { authorization: this.authorization } : {}),
        },
        headersTimeout: options.streaming ? 0 : this.timeoutMs,
        bodyTimeout: options.streaming ? 0 : this.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new MesosAgentUnreachableError(url, { cause: error });
    }
  }

  private async expectOk(at: AgentAddress, response: Dispatcher.ResponseData): Promise<void> {
    if (response.statusCode === 200) return;
    const text = await response.body.text().catch(() => '');
    throw new MesosAgentStatusError(response.statusCode, text, this.url(at));
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function* processRecords(
  body: AsyncIterable<Uint8Array> & { destroy(): unknown },
  format: WireFormat,
): ProcessOutput {
  const decoder = new RecordIODecoder();
  try {
    for await (const chunk of body) {
      for (const record of decoder.push(chunk))
        yield decodeMessage('mesos.v1.agent.ProcessIO', record, format);
    }
  } catch (error) {
    if (error instanceof MesosError) throw error;
    // An aborted or broken connection ends the output; the wait says how the process ended.
    return;
  } finally {
    body.destroy();
  }
}
