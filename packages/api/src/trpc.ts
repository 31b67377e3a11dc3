import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import {
  inputFault,
  MAX_INPUT_DEPTH,
  ShoalError,
  storageFailure,
  untilAborted,
  type ShoalErrorCode,
} from '@shoal/core';
import type { Context } from './context';

const TRPC_CODE: Record<ShoalErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID_ARGUMENT: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  QUOTA_EXCEEDED: 'PRECONDITION_FAILED',
  NOT_SUPPORTED: 'NOT_IMPLEMENTED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
};

/** Why a signed-in user is refused before their password is changed. */
export const PASSWORD_CHANGE_REQUIRED = 'Set a new password before using Shoal';

/** How often an open subscription sends a keep-alive ping. */
export const SSE_PING_MS = 3_000;

/**
 * How many paths an input's superjson annotations may name. The dashboard's inputs carry a
 * few (a Date, a Set); superjson rebuilds every path it is given, walking a Set or a Map
 * anew for each, so fifty thousand of them held the process for tens of seconds before any
 * check on the input itself could run.
 */
const MAX_ANNOTATED_PATHS = 100;

/**
 * Whether superjson's annotations (`meta`, parsed JSON, so never cyclic) name more paths
 * than MAX_ANNOTATED_PATHS or nest deeper than any input may: one walk, without recursion,
 * that stops as soon as either bound is passed.
 */
function annotationsTooCostly(meta: unknown): boolean {
  let paths = 0;
  const pending: { item: unknown; depth: number }[] = [{ item: meta, depth: 0 }];
  for (let frame = pending.pop(); frame; frame = pending.pop()) {
    const { item, depth } = frame;
    if (typeof item === 'string') {
      if (++paths > MAX_ANNOTATED_PATHS) return true;
    } else if (typeof item === 'object' && item !== null) {
      if (depth >= MAX_INPUT_DEPTH) return true;
      for (const value of Object.values(item)) {
        pending.push({ item: value, depth: depth + 1 });
        if (pending.length > 10 * MAX_ANNOTATED_PATHS) return true;
      }
    }
  }
  return false;
}

/** superjson, refusing an input whose annotations would cost more to apply than any form's. */
const inputTransformer = {
  serialize: (value: unknown) => superjson.serialize(value),
  deserialize: (payload: unknown) => {
    const meta = (payload as { meta?: unknown } | null)?.meta;
    if (meta !== undefined && annotationsTooCostly(meta)) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: `The input's superjson annotations name more than ${MAX_ANNOTATED_PATHS} paths, or nest deeper than ${MAX_INPUT_DEPTH} levels`,
      });
    }
    return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
  },
};

const t = initTRPC.context<Context>().create({
  // Dates and other non-JSON values keep their types across the wire.
  transformer: { input: inputTransformer, output: superjson },
  // Live views hear a ping every few seconds, and a tab that hears nothing for longer
  // (a frozen control plane, a proxy holding a dead connection) reconnects by itself.
  sse: {
    ping: { enabled: true, intervalMs: SSE_PING_MS },
    client: { reconnectAfterInactivityMs: 3 * SSE_PING_MS },
  },
  // Users see a message, a stable code and, for bad input, which field is wrong;
  // never a stack trace or an internal error's text.
  errorFormatter({ shape, error, ctx }) {
    const { stack: _stack, ...data } = shape.data;
    const cause = error.cause;
    if (cause instanceof ZodError) {
      const issues = cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return { ...shape, message: issues[0]?.message ?? shape.message, data: { ...data, issues } };
    }
    if (error.code === 'INTERNAL_SERVER_ERROR' && cause instanceof ShoalError) {
      // A domain error thrown while a subscription streams never passes mapDomainErrors:
      // it arrives here as a server fault and is given its own code back.
      const mapped = new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message });
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY[mapped.code],
        message: cause.message,
        data: {
          ...data,
          code: mapped.code,
          httpStatus: getHTTPStatusCodeFromError(mapped),
          shoalCode: cause.code,
        },
      };
    }
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      const where = ctx?.requestId ? ` under request id ${ctx.requestId}` : '';
      return { ...shape, message: `The control plane failed to answer; see its log${where}`, data };
    }
    const shoalCode = cause instanceof ShoalError ? cause.code : undefined;
    return { ...shape, data: { ...data, shoalCode } };
  },
});

const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = storageFailure(result.error.cause) ?? result.error.cause;
  if (cause instanceof ShoalError)
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  return result;
});

const refuseCrossSiteMutations = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && !ctx.sameOrigin) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Cross-site request refused' });
  }
  return next();
});

/**
 * Input no procedure should see (text PostgreSQL cannot hold, nesting past any form's, an
 * object inside itself) is refused before a procedure or its schema sees it.
 */
const refuseFaultyInput = t.middleware(async ({ getRawInput, next }) => {
  const fault = inputFault(await getRawInput());
  if (fault)
    throw new TRPCError({ code: 'BAD_REQUEST', message: `${fault.path} ${fault.problem}` });
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone; mutations only from the dashboard's own pages. */
export const publicProcedure = t.procedure
  .use(mapDomainErrors)
  .use(refuseCrossSiteMutations)
  .use(refuseFaultyInput);

/** Signed in, possibly still holding a one-time password (sign-out, password change). */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.sessionToken) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  }
  return next({ ctx: { user: ctx.user, sessionToken: ctx.sessionToken } });
});

/** Signed in with a password of the user's own choosing. */
export const authedProcedure = sessionProcedure.use(({ ctx, next }) => {
  if (ctx.user.mustChangePassword) {
    throw new TRPCError({ code: 'FORBIDDEN', message: PASSWORD_CHANGE_REQUIRED });
  }
  return next();
});

/** Cluster admins. */
export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'This needs a cluster admin' });
  }
  return next();
});

export const ZTenantSlug = z.string().trim().min(1).max(64);
export type TenantRole = 'OWNER' | 'MEMBER' | 'VIEWER';

/**
 * A procedure on one tenant, named by `input.tenantSlug`, for users holding at
 * least `minimum` there. Non-members get NOT_FOUND (a tenant's existence is not
 * disclosed); admins act as owners of every tenant.
 */
export const tenantProcedure = (minimum: TenantRole) =>
  authedProcedure
    .input(z.object({ tenantSlug: ZTenantSlug }))
    .use(async ({ ctx, input, type, signal, next }) => {
      const access = await ctx.services.access.tenant(ctx.user, input.tenantSlug, minimum);
      const release = type === 'subscription' ? liveViews.open(ctx.user.id) : () => undefined;
      // Released when the stream ends, or when its request does before it began.
      signal?.addEventListener('abort', release, { once: true });
      let result;
      try {
        result = await next({ ctx: { tenant: access.tenant, tenantRole: access.role } });
      } catch (error) {
        release();
        throw error;
      }
      if (type !== 'subscription' || !result.ok || !isAsyncIterable(result.data)) {
        release();
        return result;
      }
      // A live view ends, with the reason, soon after the user loses access: removed
      // from the tenant, demoted, disabled or signed out, on whichever instance.
      const { sessionId } = ctx.user;
      const data = whileAllowed(
        result.data,
        signal,
        (until) => ctx.services.accessWatch.tenant(sessionId, access.tenant.id, minimum, until),
        release,
      );
      return { ...result, data };
    });

/**
 * How many live views (list, log and event streams) one user may have open in this
 * instance: a page holds a few, and a script holding hundreds slowed every tenant's
 * requests. Terminals have their own, smaller, bound.
 */
export const MAX_LIVE_VIEWS_PER_USER = 64;

const liveViews = {
  /** Counts one more of the user's, refusing past the bound; answers its release. */
  open(userId: string): () => void {
    const open = this.counts.get(userId) ?? 0;
    if (open >= MAX_LIVE_VIEWS_PER_USER)
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `You have ${MAX_LIVE_VIEWS_PER_USER} live views open; close some pages first`,
      });
    this.counts.set(userId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(userId) ?? 1) - 1;
      if (left > 0) this.counts.set(userId, left);
      else this.counts.delete(userId);
    };
  },
  counts: new Map<string, number>(),
};

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** `source` until the request ends or `watch`'s signal says access was lost; then `done`. */
async function* whileAllowed<T>(
  source: AsyncIterable<T>,
  request: AbortSignal | undefined,
  watch: (until: AbortSignal) => AbortSignal,
  done: () => void,
): AsyncGenerator<T> {
  const ended = new AbortController();
  try {
    const until = request ? AbortSignal.any([request, ended.signal]) : ended.signal;
    yield* untilAborted(source, watch(until));
  } finally {
    ended.abort();
    done();
  }
}
