import type { WireFormat } from '../codec';
import { MesosConnectError, MesosHttpStatusError, MesosNoLeaderError } from '../errors';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffOptions } from './backoff';
import { normalizeBaseUrl } from './leader';
import { LeaderFinder } from './leader-finder';
import type { MasterRequest, MasterResponse } from './master-request';
import { RequestSender } from './request-sender';
import { AllMastersUnreachable, readText } from './transport-errors';

export interface MasterClientOptions {
  /** Base URLs of every master, e.g. `http://10.0.0.1:5050`; tried in turn when one refuses connections. */
  masters: readonly string[];
  /** Wire format of requests and of the answers asked for. Default protobuf. */
  format?: WireFormat;
  /** Sent as HTTP basic authentication when both are set. */
  principal?: string;
  secret?: string;
  /** Limit for connecting and for the response headers (and whole body, for non-streaming calls). Default 30 s. */
  requestTimeoutMs?: number;
  /** Waits between retries after 503 or when no master accepts a connection. */
  backoff?: BackoffOptions;
  /** Tries per request before a 503 or connection failure is given up on. Default 6. */
  maxAttempts?: number;
  /** Leader redirects followed per request. Default 5. */
  maxRedirects?: number;
  /** Heartbeat intervals of silence after which an event stream is presumed dead. Default 5. */
  heartbeatMissFactor?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_HEARTBEAT_MISS_FACTOR = 5;

/**
 * Sends POSTs to the leading master: follows leader redirects and remembers
 * the leader, retries 503 (no leader yet / recovering) with backoff, and
 * moves on to the next master when one refuses connections. Both the
 * scheduler and the operator client are built on it.
 */
export class MasterTransport {
  readonly format: WireFormat;
  readonly timeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly heartbeatMissFactor: number;
  private readonly maxAttempts: number;
  private readonly sender: RequestSender;
  private readonly leaders: LeaderFinder;

  constructor(options: MasterClientOptions) {
    if (options.masters.length === 0)
      throw new TypeError('at least one Mesos master URL is required');
    const masters = options.masters.map(normalizeBaseUrl);
    this.format = options.format ?? 'protobuf';
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.heartbeatMissFactor = options.heartbeatMissFactor ?? DEFAULT_HEARTBEAT_MISS_FACTOR;
    this.sender = new RequestSender(this.format, this.timeoutMs, options);
    this.leaders = new LeaderFinder(
      masters,
      options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
      this.sender,
    );
  }

  /** Base URL of the master last known to lead. */
  get leader(): string | undefined {
    return this.leaders.leader;
  }

  /** Aborted by close(): lets long-lived users (event streams) stop waiting. */
  get closedSignal(): AbortSignal {
    return this.sender.closedSignal;
  }

  /** Answers every status except 307 and 503, which are handled here; the caller judges the rest. */
  async post(req: MasterRequest): Promise<MasterResponse> {
    const closed = this.sender.closedSignal;
    // A call without a signal of its own is not given one: close() destroys the
    // dispatcher, which ends it anyway, and a listener per call is a cost a busy
    // framework (an acknowledgement per status update) pays thousands of times a second.
    const signal = req.signal ? AbortSignal.any([req.signal, closed]) : undefined;
    for (let attempt = 1; ; attempt++) {
      let response: MasterResponse;
      try {
        response = await this.leaders.post(req, signal);
      } catch (error) {
        if (!(error instanceof AllMastersUnreachable)) throw error;
        if (attempt >= this.maxAttempts) {
          throw new MesosConnectError(error.urls, {
            cause: new AggregateError(error.causes, 'every master refused'),
          });
        }
        await sleep(backoffDelay(this.backoff, attempt - 1), signal ?? closed);
        continue;
      }
      if (response.status !== 503) return response;
      const body = await readText(response);
      this.leaders.forget();
      if (attempt >= this.maxAttempts) throw new MesosNoLeaderError(body, response.url, attempt);
      await sleep(backoffDelay(this.backoff, attempt - 1), signal ?? closed);
    }
  }

  /** Reads a non-streaming response fully, failing on any status outside `accepted`. */
  async expectStatus(response: MasterResponse, accepted: readonly number[]): Promise<Uint8Array> {
    if (!accepted.includes(response.status)) throw await this.statusError(response);
    try {
      return new Uint8Array(await response.body.arrayBuffer());
    } catch (cause) {
      throw this.sender.networkError(response.url, cause);
    }
  }

  /** The error for an unwanted status, with the master's explanation from the body. */
  async statusError(response: MasterResponse): Promise<MesosHttpStatusError> {
    return new MesosHttpStatusError(response.status, await readText(response), response.url);
  }

  async close(): Promise<void> {
    await this.sender.close();
  }
}
