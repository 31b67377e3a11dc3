import {
  inputFault,
  isStorableText,
  UNSTORABLE_TEXT_MESSAGE,
  type FailureLimiter,
} from '@shoal/core';
import { authenticate, requireWriteScope, type Caller } from './auth';
import { SummaryJson } from './containers/summary-json';
import { DockerApiError, badRequest, isServerFault, notFound, toErrorReply } from './errors';
import type { Exchange } from './exchange';
import { requestUrl, type RequestRecord } from './request-record';
import type { DockerApiServices } from './services';
import { PING_HEADERS, splitVersion } from './version';

export interface RequestContext {
  ex: Exchange;
  /** Path parameters, already URI-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client speaks (from the /v1.NN prefix, else the newest). */
  apiVersion: string;
  caller: Caller;
  services: DockerApiServices;
  /** Whether containers keep running while Shoal restarts (docker info's Live Restore). */
  liveRestore: boolean;
  /** `docker ps` entries already written as JSON, for the next listing. */
  summaries: SummaryJson;
}

type Method = 'GET' | 'HEAD' | 'POST' | 'DELETE' | 'PUT';

export interface Route {
  method: Method;
  /** `{name}` matches one path segment, `{name*}` one or more (image names have slashes). */
  path: string;
  handle(ctx: RequestContext): Promise<void>;
  /** The status for a refused token, when it is not 401. */
  refusedStatus?: 403;
  /**
   * A POST that changes nothing when this holds for its query (a wait, an attach that
   * sends no input): a read-only token may make it, as it may look.
   */
  onlyWatches?: (query: URLSearchParams) => boolean;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.+?^$()[\]\\|]|\{(\w+)(\*?)\}/g, (token, name, many) => {
    if (!name) return `\\${token}`;
    names.push(name as string);
    return many ? '(.+)' : '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

export interface RouterOptions {
  services: DockerApiServices;
  liveRestore: boolean;
  limiter: FailureLimiter;
  onServerError(error: unknown, request: RequestRecord): void;
}

export type Dispatch = (ex: Exchange) => Promise<void>;

/** Matches a request to its route, authenticates it, and answers any failure in Docker's form. */
export function createRouter(routes: Route[], options: RouterOptions): Dispatch {
  const compiled = routes.map(compile);
  const summaries = new SummaryJson();
  return async (ex) => {
    const method = (ex.req.method ?? 'GET').toUpperCase();
    try {
      const url = requestUrl(ex.req.url);
      if (!url) throw badRequest(`invalid request target ${JSON.stringify(ex.req.url)}`);
      const { apiVersion, path } = splitVersion(url.pathname);
      // The CLI pings before anything else, token or not; the answer holds nothing private.
      if (path === '/_ping' && (method === 'GET' || method === 'HEAD')) {
        ex.text(200, 'OK', { ...PING_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
        return;
      }
      const found = matchRoute(compiled, method, path);
      if (!found) {
        if (!compiled.some((r) => r.pattern.test(path))) throw notFound('page not found');
        throw new DockerApiError(405, `${method} is not allowed on ${path}`);
      }
      const { route, match } = found;
      const caller = await authenticate(ex.req, {
        tokens: options.services.tokens,
        limiter: options.limiter,
        refusedStatus: route.refusedStatus ?? 401,
      });
      ex.record.tenantId = caller.tenantId;
      ex.record.actor = caller.actor;
      const looks = method === 'GET' || method === 'HEAD' || route.onlyWatches?.(url.searchParams);
      if (!looks) requireWriteScope(caller);
      const fault = inputFault(Object.fromEntries(url.searchParams));
      if (fault) throw badRequest(`invalid query parameter ${fault.path}: it ${fault.problem}`);
      const params = Object.fromEntries(
        route.names.map((name, i) => [name, decodePathPart(match[i + 1] ?? '')]),
      );
      await route.handle({
        ex: watched(ex, () => options.services.accessWatch.token(caller.tokenId, ex.signal)),
        params,
        query: url.searchParams,
        apiVersion,
        caller,
        services: options.services,
        liveRestore: options.liveRestore,
        summaries,
      });
    } catch (error) {
      answerError(ex, error, options);
    }
  };
}

/** The first route of the method whose path matches, with the match. */
function matchRoute(routes: CompiledRoute[], method: string, path: string) {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, match };
  }
  return undefined;
}

/** How long a stream whose token stopped holding gets to end by itself before it is cut. */
const REVOKED_GRACE_MS = 1_000;

/**
 * The exchange as handlers see it: its signal also aborts when the caller's token stops
 * holding, so streams (events, logs -f, stats, wait, attach) end; one that does not end
 * by itself is cut. The token is watched from the first look at the signal: only
 * streams look, and for every other request the watch, and its undoing when the
 * request ends, was a good part of what the request cost.
 */
function watched(ex: Exchange, watchToken: () => AbortSignal): Exchange {
  let signal: AbortSignal | undefined;
  const watchedSignal = () => {
    if (signal) return signal;
    const revoked = watchToken();
    revoked.addEventListener(
      'abort',
      () => {
        setTimeout(() => {
          if (!ex.signal.aborted) ex.req.socket.destroy();
        }, REVOKED_GRACE_MS).unref();
      },
      { once: true },
    );
    return (signal = AbortSignal.any([ex.signal, revoked]));
  };
  return Object.create(ex, { signal: { get: watchedSignal } }) as Exchange;
}

function decodePathPart(part: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(part);
  } catch {
    throw badRequest(`invalid escape sequence in the path: ${part}`);
  }
  if (!isStorableText(decoded))
    throw badRequest(`invalid path: ${part} ${UNSTORABLE_TEXT_MESSAGE}`);
  return decoded;
}

function answerError(ex: Exchange, error: unknown, options: RouterOptions): void {
  // The client left (docker run -d drops its wait, Ctrl-C ends logs -f): nobody to answer.
  if (ex.signal.aborted) return;
  const reply = toErrorReply(error, ex.record.requestId);
  if (isServerFault(reply)) options.onServerError(error, ex.record);
  if (ex.started) {
    // Headers are out: the only way left to say "failed" is to cut the stream.
    ex.req.socket.destroy();
    return;
  }
  const headers = { ...reply.headers };
  // The rest of an oversized body is never read, so the connection cannot be reused.
  if (reply.status === 413) headers.Connection = 'close';
  ex.json(reply.status, { message: reply.message }, headers);
}
