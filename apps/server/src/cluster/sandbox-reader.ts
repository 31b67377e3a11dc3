import { request } from 'undici';
import type { SandboxReader, TaskMonitor, TaskUsage } from '@shoal/core';

/**
 * Reads task sandboxes through the agents' `/files/read`, using the virtual
 * path Mesos agents attach for every executor run, so the agent's work_dir
 * need not be known. The executor id of a Docker or command task is its task id.
 */
export class AgentSandboxReader implements SandboxReader, TaskMonitor {
  constructor(private readonly frameworkId: () => Promise<string | undefined>) {}

  async read(
    task: { mesosTaskId: string; agentId: string; agentEndpoint: string | null },
    file: 'stdout' | 'stderr',
    offset: number,
    length: number,
  ): Promise<{ data: string; offset: number }> {
    const frameworkId = await this.frameworkId();
    if (!task.agentEndpoint || !frameworkId) return { data: '', offset };
    const path = `/frameworks/${frameworkId}/executors/${task.mesosTaskId}/runs/latest/${file}`;
    const url = new URL(`http://${task.agentEndpoint}/files/read`);
    url.search = new URLSearchParams({
      path,
      offset: String(offset),
      length: String(length),
    }).toString();
    const response = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 });
    if (response.statusCode === 404) {
      await response.body.dump();
      return { data: '', offset };
    }
    if (response.statusCode !== 200) {
      const text = await response.body.text();
      throw new Error(
        `agent ${task.agentId} answered ${response.statusCode} for ${file}: ${text.slice(0, 200)}`,
      );
    }
    return (await response.body.json()) as { data: string; offset: number };
  }

  /** The task's entry in its agent's `/monitor/statistics` (executor id = task id). */
  async usage(task: {
    mesosTaskId: string;
    agentId: string;
    agentEndpoint: string | null;
  }): Promise<TaskUsage | undefined> {
    const frameworkId = await this.frameworkId();
    if (!task.agentEndpoint || !frameworkId) return undefined;
    const response = await request(`http://${task.agentEndpoint}/monitor/statistics`, {
      headers: { host: task.agentEndpoint },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
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
    };
  }
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
  };
}
