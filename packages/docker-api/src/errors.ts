import { ShoalError, storageFailure, type ShoalErrorCode } from '@shoal/core';

/**
 * An error with the HTTP status the Docker API answers. The CLI prints the
 * `message` after "Error response from daemon:", so messages are written for
 * the person at the terminal.
 */
export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

export const badRequest = (message: string) => new DockerApiError(400, message);
export const notFound = (message: string) => new DockerApiError(404, message);
export const conflict = (message: string) => new DockerApiError(409, message);
export const notImplemented = (message: string) => new DockerApiError(501, message);

/**
 * QUOTA_EXCEEDED is 403: the request is valid and the caller is known, but the
 * tenant may not have more. The CLI prints any 4xx message the same way, and a
 * 403 (unlike 409 or 400) tells scripts that retrying the same request will not
 * help until an admin raises the quota. It is never 401, which makes the CLI
 * start an interactive registry login on pulls.
 */
const STATUS_OF: Record<ShoalErrorCode, number> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  QUOTA_EXCEEDED: 403,
  NOT_SUPPORTED: 501,
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
};

export interface ErrorReply {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/**
 * What the client sees for any failure. Unknown errors are a 500 with no
 * internals, only the request id an operator finds in the log.
 */
export function toErrorReply(error: unknown, requestId: string): ErrorReply {
  if (error instanceof DockerApiError) {
    return { status: error.status, message: error.message, headers: error.headers };
  }
  if (error instanceof ShoalError) return { status: STATUS_OF[error.code], message: error.message };
  const failure = storageFailure(error);
  if (failure) return toErrorReply(failure, requestId);
  // A wait Shoal ended itself, its client still there: this instance is stopping.
  if (error instanceof Error && error.name === 'AbortError')
    return { status: 503, message: 'Shoal is shutting down; ask again once it is back' };
  return {
    status: 500,
    message: `Internal server error; the Shoal server log has the details under request id ${requestId}`,
  };
}

/** Whether the failure is a fault in Shoal worth logging, rather than an answer. */
export const isServerFault = (reply: ErrorReply) =>
  reply.status >= 500 && reply.status !== 501 && reply.status !== 503;
