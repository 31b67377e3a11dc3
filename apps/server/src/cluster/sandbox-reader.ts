import { Agent, request, type Dispatcher } from 'undici';
import type {
  BlockIoCounter,
  NetworkCounters,
  SandboxReader,
  SandboxTask,
  TaskMonitor,
  TaskUsage,
} from '@shoal/core';

/** How agents' HTTP endpoints are reached on a secured cluster. */
export interface AgentAccess {
  /** `https` for agents started with SSL enabled (default `http`). */
  scheme?: 'http' | 'https';
  /**
   * Sent as HTTP basic credentials, as agents started with `--authenticate_http_readonly`
   * require (Mesos uses one credentials file for the master and the agents).
   */
  principal?: string;
  secret?: string;
  /** PEM of the CA that signed the agents' certificates, when not a system one. */
  ca?: string;
}

/**
 * Reads task sandboxes through the agents' `/files/read`, using the virtual
 * path Mesos agents attach for every executor run, so the agent's work_dir
 * need not be known. The executor id of a Docker or command task is its task id.
 */
export class AgentSandboxReader implements SandboxReader, TaskMonitor {
  private readonly scheme: 'http' | 'https';
  private readonly headers: Record<string, string>;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(
    private readonly frameworkId: () => Promise<string | undefined>,
    access: AgentAccess = {},
  ) {
    this.scheme = access.scheme ?? 'http';
    this.headers =
      access.principal && access.secret
        ? {
            authorization: `Basic ${Buffer.from(`${access.principal}:${access.secret}`).toString('base64')}`,
          }
        : {};
    this.dispatcher = access.ca ? new Agent({ connect: { ca: access.ca } }) : undefined;
  }

  private get(endpoint: string, pathAndQuery: string) {
    return request(`${this.scheme}://${endpoint}${pathAndQuery}`, {
      headers: { host: endpoint, ...this.headers },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
    });
  }

  async read(
    task: SandboxTask,
    file: 'stdout' | 'stderr',
    offset: number,
    length: number,
  ): Promise<{ data: string; offset: number }> {
    const read = await this.files<{ data: string; offset: number }>(task, 'read', (run) => ({
      path: `${run}/${file}`,
      offset: String(offset),
      length: String(length),
    }));
    return read ?? { data: '', offset };
  }

  /**
   * The sizes of stdout and stderr from one `/files/browse` of the run's directory,
   * where two `/files/read` calls would be needed; none when the agent has no such run.
   */
  async sizes(task: SandboxTask): Promise<{ stdout: number; stderr: number } | undefined> {
    const entries = await this.files<{ path: string; size: number }[]>(task, 'browse', (run) => ({
      path: run,
    }));
    if (!entries) return undefined;
    const sizeOf = (name: string) => entries.find((e) => e.path.endsWith(`/${name}`))?.size ?? 0;
    return { stdout: sizeOf('stdout'), stderr: sizeOf('stderr') };
  }

  /**
   * One `/files/<endpoint>` call about the task's latest run, whose virtual path `query`
   * is given; none when the agent or the framework is not known yet, or the agent has no
   * such run.
   */
  private async files<T>(
    task: SandboxTask,
    endpoint: 'read' | 'browse',
    query: (run: string) => Record<string, string>,
  ): Promise<T | undefined> {
    const frameworkId = await this.frameworkId();
    if (!task.agentEndpoint || !frameworkId) return undefined;
    const params = query(`/frameworks/${frameworkId}/executors/${task.mesosTaskId}/runs/latest`);
    const response = await this.get(
      task.agentEndpoint,
      `/files/${endpoint}?${new URLSearchParams(params).toString()}`,
    );
    if (response.statusCode === 404) {
      await response.body.dump();
      return undefined;
    }
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw new Error(
        `agent ${task.agentId} answered ${response.statusCode} for ${params.path}: ${text.slice(0, 200)}`,
      );
    }
    return (await response.body.json()) as T;
  }

  /** The task's entry in its agent's `/monitor/statistics` (executor id = task id). */
  async usage(task: {
    mesosTaskId: string;
    agentId: string;
    agentEndpoint: string | null;
  }): Promise<TaskUsage | undefined> {
    const frameworkId = await this.frameworkId();
    if (!task.agentEndpoint || !frameworkId) return undefined;
    const response = await this.get(task.agentEndpoint, '/monitor/statistics');
    if (response.statusCode !== 200) {
      await response.body.dump();
      return undefined;
    }
    const entries = (await response.body.json()) as MonitorEntry[];
    const entry = entries.find(
      (e) => e.executor_id === task.mesosTaskId && e.framework_id === frameworkId,
    );
    if (!entry) return undefined;
    const s = entry.statistics;
    return {
      at: new Date(s.timestamp * 1000),
      cpuUserSeconds: s.cpus_user_time_secs ?? 0,
      cpuSystemSeconds: s.cpus_system_time_secs ?? 0,
      cpusLimit: s.cpus_limit ?? 0,
      memRssBytes: s.mem_rss_bytes ?? 0,
      memLimitBytes: s.mem_limit_bytes ?? 0,
      ...networkOf(s),
      ...blockIoOf(s),
    };
  }
}

function networkOf(s: MonitorEntry['statistics']): { network?: NetworkCounters } {
  if (s.net_rx_bytes === undefined && s.net_tx_bytes === undefined) return {};
  return {
    network: {
      rxBytes: s.net_rx_bytes ?? 0,
      rxPackets: s.net_rx_packets ?? 0,
      rxErrors: s.net_rx_errors ?? 0,
      rxDropped: s.net_rx_dropped ?? 0,
      txBytes: s.net_tx_bytes ?? 0,
      txPackets: s.net_tx_packets ?? 0,
      txErrors: s.net_tx_errors ?? 0,
      txDropped: s.net_tx_dropped ?? 0,
    },
  };
}

/** Bytes read and written per device, as the blkio throttling policy counts them. */
function blockIoOf(s: MonitorEntry['statistics']): { blockIo?: BlockIoCounter[] } {
  const devices = s.blkio?.throttling?.filter((d) => d.device) ?? [];
  if (devices.length === 0) return {};
  return {
    blockIo: devices.flatMap((d) =>
      (d.io_service_bytes ?? []).flatMap((v) =>
        v.op === 'READ' || v.op === 'WRITE'
          ? [
              {
                major: d.device!.major_number,
                minor: d.device!.minor_number,
                op: v.op === 'READ' ? ('read' as const) : ('write' as const),
                bytes: v.value ?? 0,
              },
            ]
          : [],
      ),
    ),
  };
}

interface MonitorEntry {
  executor_id: string;
  framework_id: string;
  statistics: {
    timestamp: number;
    cpus_user_time_secs?: number;
    cpus_system_time_secs?: number;
    cpus_limit?: number;
    mem_rss_bytes?: number;
    mem_limit_bytes?: number;
    net_rx_packets?: number;
    net_rx_bytes?: number;
    net_rx_errors?: number;
    net_rx_dropped?: number;
    net_tx_packets?: number;
    net_tx_bytes?: number;
    net_tx_errors?: number;
    net_tx_dropped?: number;
    blkio?: {
      throttling?: {
        device?: { major_number: number; minor_number: number };
        io_service_bytes?: { op?: string; value?: number }[];
      }[];
    };
  };
}
