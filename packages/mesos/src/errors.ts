// One class per failure, each with a stable `code` that callers can switch on
// and the underlying error kept as `cause`.

export type MesosErrorCode =
  | 'MESOS_CONNECT_FAILED'
  | 'MESOS_HTTP_STATUS'
  | 'MESOS_NO_LEADER'
  | 'MESOS_REDIRECT_LOOP'
  | 'MESOS_CODEC'
  | 'MESOS_RECORDIO'
  | 'MESOS_HEARTBEAT_TIMEOUT'
  | 'MESOS_STREAM_CLOSED'
  | 'MESOS_SUBSCRIPTION_ERROR'
  | 'MESOS_TIMEOUT'
  | 'MESOS_NOT_SUBSCRIBED'
  | 'MESOS_CLIENT_CLOSED'
  | 'MESOS_AGENT_UNREACHABLE'
  | 'MESOS_AGENT_STATUS';

export abstract class MesosError extends Error {
  abstract readonly code: MesosErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No master in the list accepted a connection. */
export class MesosConnectError extends MesosError {
  readonly code = 'MESOS_CONNECT_FAILED';

  constructor(
    readonly urls: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`could not connect to any Mesos master (${urls.join(', ')})`, options);
  }
}

/** The master answered with a status the call does not accept. */
export class MesosHttpStatusError extends MesosError {
  readonly code = 'MESOS_HTTP_STATUS';

  constructor(
    readonly status: number,
    readonly body: string,
    readonly url: string,
  ) {
    super(`Mesos master ${url} answered ${status}${body ? `: ${body.trim()}` : ''}`);
  }
}

/** Every retry got 503: no leader elected, or the leader is still recovering. */
export class MesosNoLeaderError extends MesosError {
  readonly code = 'MESOS_NO_LEADER';

  constructor(
    readonly body: string,
    readonly url: string,
    readonly attempts: number,
  ) {
    super(
      `no leading Mesos master after ${attempts} attempts (last answer from ${url}: 503 ${body.trim()})`,
    );
  }
}

export class MesosRedirectLoopError extends MesosError {
  readonly code = 'MESOS_REDIRECT_LOOP';

  constructor(readonly hops: readonly string[]) {
    super(`too many leader redirects: ${hops.join(' -> ')}`);
  }
}

export class MesosCodecError extends MesosError {
  readonly code = 'MESOS_CODEC';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class MesosRecordIOError extends MesosError {
  readonly code = 'MESOS_RECORDIO';
}

/** Nothing arrived on an event stream for heartbeat interval × miss factor. */
export class MesosHeartbeatTimeoutError extends MesosError {
  readonly code = 'MESOS_HEARTBEAT_TIMEOUT';

  constructor(readonly silentMs: number) {
    super(`no event or heartbeat from the Mesos master for ${silentMs} ms`);
  }
}

/** An event stream ended or broke while it was still wanted. */
export class MesosStreamClosedError extends MesosError {
  readonly code = 'MESOS_STREAM_CLOSED';
}

/** The master sent an ERROR event: the framework must not carry on with this subscription. */
export class MesosSubscriptionError extends MesosError {
  readonly code = 'MESOS_SUBSCRIPTION_ERROR';

  constructor(readonly mesosMessage: string) {
    super(`Mesos master ended the subscription: ${mesosMessage}`);
  }
}

export class MesosTimeoutError extends MesosError {
  readonly code = 'MESOS_TIMEOUT';

  constructor(
    readonly url: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`Mesos master ${url} did not answer within ${timeoutMs} ms`, options);
  }
}

/** A scheduler call needs the framework id and stream id of a live subscription. */
export class MesosNotSubscribedError extends MesosError {
  readonly code = 'MESOS_NOT_SUBSCRIBED';

  constructor(callType: string) {
    super(`cannot send ${callType}: the scheduler has no active subscription`);
  }
}

export class MesosClientClosedError extends MesosError {
  readonly code = 'MESOS_CLIENT_CLOSED';

  constructor() {
    super('the Mesos client has been closed');
  }
}

/** An agent's HTTP API could not be reached (refused, reset, timed out). */
export class MesosAgentUnreachableError extends MesosError {
  readonly code = 'MESOS_AGENT_UNREACHABLE';

  constructor(
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`could not reach the Mesos agent at ${url}`, options);
  }
}

/** An agent answered a call with a status the call does not accept; `body` says why. */
export class MesosAgentStatusError extends MesosError {
  readonly code = 'MESOS_AGENT_STATUS';

  constructor(
    readonly status: number,
    readonly body: string,
    readonly url: string,
  ) {
    super(`Mesos agent ${url} answered ${status}${body ? `: ${body.trim()}` : ''}`);
  }
}
