// A tenant's Docker Engine API client for browser tests: the calls `docker run -d`,
// `docker stop` and `docker start` make, with the tenant's own token.

export interface DockerApi {
  run(
    name: string,
    options?: { cmd?: string[]; cpus?: number; memoryMb?: number; labels?: Record<string, string> },
  ): Promise<string>;
  stop(ref: string): Promise<void>;
  start(ref: string): Promise<void>;
  inspect(ref: string): Promise<DockerInspect>;
}

export interface DockerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Error?: string };
}

export function dockerApi(baseUrl: string, token: string): DockerApi {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}/v1.50${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // 304: already in the asked state, which Docker does not count as a failure.
    if (!res.ok && res.status !== 304) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    async run(name, { cmd, cpus = 0.05, memoryMb = 32, labels } = {}) {
      const created = (await call('POST', `/containers/create?name=${name}`, {
        Image: 'busybox',
        ...(labels ? { Labels: labels } : {}),
        ...(cmd ? { Cmd: cmd } : { Cmd: ['sh', '-c', 'sleep 86400'] }),
        HostConfig: { NanoCpus: Math.round(cpus * 1e9), Memory: memoryMb * 1024 * 1024 },
      })) as { Id: string };
      await call('POST', `/containers/${created.Id}/start`);
      return created.Id;
    },
    stop: async (ref) => void (await call('POST', `/containers/${ref}/stop?t=1`)),
    start: async (ref) => void (await call('POST', `/containers/${ref}/start`)),
    inspect: async (ref) => (await call('GET', `/containers/${ref}/json`)) as DockerInspect,
  };
}
