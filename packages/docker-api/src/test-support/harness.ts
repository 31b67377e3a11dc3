import { startDockerApi, type DockerApiOptions } from '../server';
import { memoryServices } from './memory-services';

export type TestApi = Awaited<ReturnType<typeof startTestApi>>;

/** The Docker API on a free port over in-memory services; `request` speaks plain HTTP to it. */
export async function startTestApi(options: Partial<DockerApiOptions> = {}) {
  const memory = memoryServices();
  const serverErrors: unknown[] = [];
  const api = await startDockerApi({
    services: memory.services,
    host: '127.0.0.1',
    port: 0,
    onServerError: (error) => serverErrors.push(error),
    ...options,
  });
  const base = api.url.replace('tcp://', 'http://');
  const request = (
    method: string,
    path: string,
    init: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const token = init.token === undefined ? 'acme-rw' : init.token;
    return fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined
        ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
        : {}),
    });
  };
  return { ...memory, api, base, request, serverErrors, port: Number(new URL(base).port) };
}

/** The `message` of a Docker JSON error answer. */
export async function messageOf(res: Response): Promise<string> {
  return ((await res.json()) as { message: string }).message;
}
