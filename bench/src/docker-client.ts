// A tenant's Docker client for the load benchmark: what the docker CLI sends
// for `docker run -d`, `docker ps -a` and `docker info`, over keep-alive HTTP
// with the tenant's own token, timing each request.
import { Agent, request } from 'undici';
import { percentile, round } from './support';

/** What the Docker CLI speaks. */
const API = '/v1.50';

/** Latencies and failures of one kind of request. */
export class Operation {
  readonly latencies: number[] = [];
  count = 0;
  errors = 0;
  private readonly messages = new Map<string, number>();

  async time<T>(run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const result = await run();
      this.record(performance.now() - t0);
      return result;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  record(ms: number): void {
    this.count++;
    this.latencies.push(ms);
  }

  /** A failed attempt; `counted` when its attempt was already recorded (a wrong answer). */
  fail(error: unknown, counted = false): void {
    if (!counted) this.count++;
    this.errors++;
    // Ids make every message distinct; without them the same failure counts as one.
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/\b[0-9a-f]{12,64}\b/g, '<id>')
      .slice(0, 200);
    this.messages.set(message, (this.messages.get(message) ?? 0) + 1);
  }

  report(seconds: number) {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      count: this.count,
      errors: this.errors,
      ...(this.errors > 0
        ? { errorMessages: Object.fromEntries([...this.messages].slice(0, 5)) }
        : {}),
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p90: round(percentile(sorted, 90)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? 0),
      },
      perSecond: round(sorted.length / seconds),
    };
  }
}

export interface RunSpec {
  image: string;
  cmd: string[];
  cpus: number;
  memoryMb: number;
  /** How long a run may take to reach running before it counts as failed. */
  timeoutSeconds: number;
}

export interface RunOperations {
  create: Operation;
  wait: Operation;
  start: Operation;
  inspect: Operation;
  run: Operation;
}

interface ContainerSummary {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string> | null;
}

export const TENANT_LABEL = 'bench.tenant';

/** One tenant's docker client: its own token and its own connections. */
export class TenantClient {
  /** Ids of the containers whose create was answered. */
  readonly created = new Set<string>();
  readonly dispatcher = new Agent({ keepAliveTimeout: 60_000 });
  foreignSeen = 0;
  missedSeen = 0;

  constructor(
    readonly slug: string,
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call(method: 'GET' | 'POST', path: string, body?: unknown) {
    const response = await request(`${this.baseUrl}${API}${path}`, {
      method,
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.statusCode >= 400) {
      const text = await response.body.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // Not Docker's JSON error: keep the raw text.
      }
      throw new Error(`${response.statusCode} ${method} ${path.split('?')[0]}: ${message}`);
    }
    return response;
  }

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    return (await (await this.call(method, path, body)).body.json()) as T;
  }

  /**
   * What `docker run -d` sends: create, wait (opened before the start), start, which
   * Shoal answers once the container runs; then one inspect to see it running (more,
   * a quarter second apart, if the start came back before).
   */
  async run(name: string, spec: RunSpec, ops: RunOperations): Promise<number> {
    const t0 = performance.now();
    const { Id: id } = await ops.create.time(() =>
      this.json<{ Id: string }>('POST', `/containers/create?name=${name}`, {
        Image: spec.image,
        Cmd: spec.cmd,
        Labels: { [TENANT_LABEL]: this.slug },
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
        OpenStdin: false,
        HostConfig: {
          NanoCpus: Math.round(spec.cpus * 1e9),
          Memory: spec.memoryMb * 1024 * 1024,
          NetworkMode: 'default',
          RestartPolicy: { Name: 'no' },
        },
      }),
    );
    this.created.add(id);
    // The CLI opens the wait before it starts, and drops it once start is answered.
    const wait = await ops.wait.time(() =>
      this.call('POST', `/containers/${id}/wait?condition=next-exit`),
    );
    try {
      await ops.start.time(async () =>
        (await this.call('POST', `/containers/${id}/start`)).body.dump(),
      );
    } finally {
      wait.body.destroy();
    }
    const started = performance.now() - t0;
    const deadline = t0 + spec.timeoutSeconds * 1000;
    for (;;) {
      const view = await ops.inspect.time(() =>
        this.json<{ State: { Status: string; Error?: string } }>('GET', `/containers/${id}/json`),
      );
      if (view.State.Status === 'running') break;
      if (view.State.Status === 'exited' || view.State.Status === 'dead')
        throw new Error(`container ${view.State.Status}: ${view.State.Error ?? ''}`);
      if (performance.now() > deadline)
        throw new Error(`still ${view.State.Status} after ${spec.timeoutSeconds} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    ops.run.record(performance.now() - t0);
    return started;
  }

  /**
   * `docker ps -a`, checked: nothing of another tenant, nothing of this one left
   * out (every container whose create was answered before the request went).
   */
  async ps(op: Operation): Promise<ContainerSummary[]> {
    const known = [...this.created];
    const list = await op.time(() =>
      this.json<ContainerSummary[]>('GET', '/containers/json?all=1'),
    );
    const foreign = list.filter(
      (c) => c.Labels?.[TENANT_LABEL] !== this.slug || !c.Names[0]?.startsWith(`/${this.slug}-`),
    );
    const listed = new Set(list.map((c) => c.Id));
    const missed = known.filter((id) => !listed.has(id));
    this.foreignSeen += foreign.length;
    this.missedSeen += missed.length;
    if (foreign.length > 0)
      op.fail(new Error(`ps showed another tenant's container: ${foreign[0]!.Names[0]}`), true);
    if (missed.length > 0)
      op.fail(new Error(`ps left out ${missed.length} of the tenant's containers`), true);
    return list;
  }

  /** `docker info`. */
  async info(op: Operation): Promise<void> {
    await op.time(async () => (await this.call('GET', '/info')).body.dump());
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
