import { request } from 'undici';
import type { SandboxReader } from '@shoal/core';

/**
 * Reads task sandboxes through the agents' `/files/read`, using the virtual
 * path Mesos agents attach for every executor run, so the agent's work_dir
 * need not be known. The executor id of a Docker or command task is its task id.
 */
export class AgentSandboxReader implements SandboxReader {
  constructor(private readonly frameworkId: () => string | undefined) {}

  async read(
    task: { mesosTaskId: string; agentId: string; agentEndpoint: string | null },
    file: 'stdout' | 'stderr',
    offset: number,
    length: number,
  ): Promise<{ data: string; offset: number }> {
    const frameworkId = this.frameworkId();
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
}
