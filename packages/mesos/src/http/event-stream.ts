import type { WireFormat } from '../codec';
import {
  MesosClientClosedError,
  MesosError,
  MesosHeartbeatTimeoutError,
  MesosHttpStatusError,
  MesosRedirectLoopError,
  MesosStreamClosedError,
  MesosSubscriptionError,
} from '../errors';
import { RecordIODecoder } from '../recordio';
import { AsyncQueue } from './async-queue';
import { backoffDelay, sleep } from './backoff';
import type { MasterResponse } from './master-request';
import type { MasterTransport } from './transport';

/**
 * Delivered in place of events when a subscription connection is lost or a
 * reconnection attempt fails. Reconnection is automatic: the next event of a
 * restored subscription is a new SUBSCRIBED.
 */
export interface StreamDisconnected {
  type: 'DISCONNECTED';
  error: MesosError;
}

export interface EventVerdict {
  /** Set when the event confirms the subscription (SUBSCRIBED). */
  subscribed?: { heartbeatIntervalSeconds: number | undefined };
  /** Ends the stream for good with this error instead of delivering the event. */
  fatal?: MesosError;
}

export interface EventStreamHooks<E> {
  /** Opens one subscription connection and returns its 200 response; throws a MesosError otherwise. */
  connect(signal: AbortSignal): Promise<MasterResponse>;
  /** May take turns: the next record is read once it is decoded. */
  decode(record: Uint8Array, format: WireFormat): E | Promise<E>;
  /** Looks at each event before it is delivered. */
  inspect(event: E): EventVerdict;
}

interface SessionEnd {
  error: MesosError;
  subscribed: boolean;
}

function isRetryable(error: MesosError): boolean {
  if (error instanceof MesosHttpStatusError) return error.status >= 500;
  return !(
    error instanceof MesosSubscriptionError ||
    error instanceof MesosRedirectLoopError ||
    error instanceof MesosClientClosedError
  );
}

/**
 * A RecordIO event subscription that survives its connection: it watches for
 * silence (missed heartbeats), reconnects with backoff when the connection
 * drops, breaks or goes quiet, and hands every event to a single consumer.
 */
export class EventStream<E> {
  readonly events: AsyncQueue<E | StreamDisconnected>;
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  private runner: Promise<void> | undefined;
  private confirmed = false;
  private confirm: (() => void) | undefined;
  private finished = false;

  /** Timeouts, backoff and the heartbeat miss factor come from the transport's client options. */
  constructor(
    private readonly hooks: EventStreamHooks<E>,
    private readonly transport: MasterTransport,
  ) {
    this.signal = AbortSignal.any([this.stopper.signal, transport.closedSignal]);
    this.events = new AsyncQueue(() => this.close());
  }

  /** Resolves once the first subscription is confirmed; rejects if that first attempt fails. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.confirm = resolve;
      this.runner = this.run().catch(reject);
    });
  }

  /** False once closed or ended for good (fatal event, refused resubscription). */
  get active(): boolean {
    return !this.finished && !this.signal.aborted;
  }

  async close(): Promise<void> {
    this.stopper.abort();
    await this.runner;
    this.events.end();
  }

  private async run(): Promise<void> {
    try {
      await this.reconnectLoop();
    } finally {
      this.finished = true;
    }
  }

  private async reconnectLoop(): Promise<void> {
    let attempt = 0;
    while (!this.signal.aborted) {
      const end = await this.session();
      if (this.signal.aborted) break;
      if (!this.confirmed) {
        this.events.fail(end.error);
        throw end.error;
      }
      if (!isRetryable(end.error)) {
        this.events.fail(end.error);
        return;
      }
      if (end.subscribed) attempt = 0;
      this.events.push({ type: 'DISCONNECTED', error: end.error });
      try {
        await sleep(backoffDelay(this.transport.backoff, attempt++), this.signal);
      } catch {
        break;
      }
    }
    this.events.end();
    if (!this.confirmed) throw new MesosClientClosedError();
  }

  private async session(): Promise<SessionEnd> {
    const connection = new AbortController();
    const signal = AbortSignal.any([this.signal, connection.signal]);
    let subscribed = false;
    // Until SUBSCRIBED announces the heartbeat interval, allow a request timeout of silence;
    // a master that announces no heartbeats is never presumed dead for being quiet.
    let silenceLimitMs: number | undefined = this.transport.timeoutMs;
    let silenceTimer: NodeJS.Timeout | undefined;
    let silent: MesosHeartbeatTimeoutError | undefined;
    const watch = () => {
      clearTimeout(silenceTimer);
      if (silenceLimitMs === undefined) return;
      const limitMs = silenceLimitMs;
      silenceTimer = setTimeout(() => {
        silent = new MesosHeartbeatTimeoutError(limitMs);
        connection.abort(silent);
      }, limitMs);
    };
    let response: MasterResponse | undefined;
    try {
      response = await this.hooks.connect(signal);
      watch();
      const decoder = new RecordIODecoder();
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        watch();
        for (const record of decoder.push(chunk)) {
          const event = await this.hooks.decode(record, response.format);
          const verdict = this.hooks.inspect(event);
          if (verdict.fatal) return { error: verdict.fatal, subscribed };
          this.events.push(event);
          if (verdict.subscribed) {
            subscribed = true;
            const interval = verdict.subscribed.heartbeatIntervalSeconds;
            silenceLimitMs =
              interval !== undefined && interval > 0
                ? interval * this.transport.heartbeatMissFactor * 1000
                : undefined;
            watch();
            this.markConfirmed();
          }
        }
      }
      const detail =
        decoder.buffered > 0
          ? ` in the middle of a record (${decoder.buffered} bytes pending)`
          : '';
      return {
        error: new MesosStreamClosedError(`the master closed the event stream${detail}`),
        subscribed,
      };
    } catch (error) {
      if (silent) return { error: silent, subscribed };
      if (error instanceof MesosError) return { error, subscribed };
      return {
        error: new MesosStreamClosedError('the event stream broke', { cause: error }),
        subscribed,
      };
    } finally {
      clearTimeout(silenceTimer);
      connection.abort();
      response?.body.destroy();
    }
  }

  private markConfirmed(): void {
    if (this.confirmed) return;
    this.confirmed = true;
    this.confirm?.();
  }
}
