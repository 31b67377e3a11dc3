import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What Shoal's log says about one Docker API request once it has ended. */
export interface RequestRecord {
  requestId: string;
  method: string;
  /** The path without its query, which may hold filters worth keeping private. */
  path: string;
  /** The answer's status (101 for attach); absent when the client left before any answer. */
  status?: number;
  tenantId?: string;
  /** The token that made the request, as the audit log names it. */
  actor?: string;
  durationMs?: number;
  /** Time until the answer began: its status line, or a stream's headers. */
  answerMs?: number;
}

const FORWARDED_ID = /^[\w.:-]{1,128}$/;

/**
 * A proxy's X-Request-Id is kept, so one id follows the request through both
 * logs; anything else gets an id of its own.
 */
export function newRequestRecord(req: IncomingMessage): RequestRecord {
  const forwarded = req.headers['x-request-id'];
  return {
    requestId:
      typeof forwarded === 'string' && FORWARDED_ID.test(forwarded) ? forwarded : randomUUID(),
    method: (req.method ?? 'GET').toUpperCase(),
    path: (req.url ?? '/').split('?')[0] ?? '/',
  };
}

/**
 * A request's target as a URL on no particular host, or undefined when it is none. An
 * origin-form target (`/path?query`, every client's) stays a path: read as a reference,
 * `//host:port/…` would name a host, and one that is not a host threw.
 */
export function requestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target?.startsWith('/') ? `http://shoal${target}` : (target ?? '/'));
  } catch {
    return undefined;
  }
}
