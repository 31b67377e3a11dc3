import type { WaitCondition } from '@shoal/core';
import { readJsonBody } from '../body';
import { badRequest, notImplemented } from '../errors';
import { queryBool, queryFilters, queryInt, untilFilter } from '../query';
import type { RequestContext, Route } from '../router';
import { isObject, isUnset } from './body-fields';
import { parseCreateBody } from './create';
import { parseRestartPolicy } from './restart-policy';

const WAIT_CONDITIONS: readonly WaitCondition[] = ['not-running', 'next-exit', 'removed'];

const ref = (ctx: RequestContext) => ctx.params.id ?? '';

function stopTimeout(ctx: RequestContext): { timeoutSeconds?: number } {
  const seconds = queryInt(ctx.query, 't') ?? queryInt(ctx.query, 'timeout');
  return seconds === undefined ? {} : { timeoutSeconds: seconds };
}

async function create(ctx: RequestContext): Promise<void> {
  const input = parseCreateBody(await readJsonBody(ctx.ex.req), {
    name: ctx.query.get('name') ?? undefined,
    platform: ctx.query.get('platform') ?? undefined,
  });
  const view = await ctx.services.containers.create(ctx.caller.tenantId, input, ctx.caller.actor);
  ctx.ex.json(201, { Id: view.id, Warnings: [] });
}

async function start(ctx: RequestContext): Promise<void> {
  const { tenantId, actor } = ctx.caller;
  const { started } = await ctx.services.containers.startIfStopped(tenantId, ref(ctx), actor);
  // Docker answers 304 when there is nothing to do; the CLI treats it as success.
  ctx.ex.empty(started ? 204 : 304);
}

async function stop(ctx: RequestContext): Promise<void> {
  const { tenantId, actor } = ctx.caller;
  const signal = ctx.query.get('signal') || undefined;
  const options = { ...stopTimeout(ctx), ...(signal ? { signal } : {}) };
  const { stopped } = await ctx.services.containers.stopIfRunning(
    tenantId,
    ref(ctx),
    options,
    actor,
  );
  // As for start, Docker answers 304 when there is nothing to do.
  ctx.ex.empty(stopped ? 204 : 304);
}

async function kill(ctx: RequestContext): Promise<void> {
  const signal = ctx.query.get('signal') || undefined;
  await ctx.services.containers.kill(
    ctx.caller.tenantId,
    ref(ctx),
    signal ? { signal } : {},
    ctx.caller.actor,
  );
  ctx.ex.empty(204);
}

async function restart(ctx: RequestContext): Promise<void> {
  await ctx.services.containers.restart(
    ctx.caller.tenantId,
    ref(ctx),
    stopTimeout(ctx),
    ctx.caller.actor,
  );
  ctx.ex.empty(204);
}

async function remove(ctx: RequestContext): Promise<void> {
  // `v` (remove anonymous volumes) is accepted: Shoal containers never have volumes.
  if (queryBool(ctx.query, 'link')) {
    throw badRequest('links (docker rm --link) are not supported by Shoal');
  }
  const force = queryBool(ctx.query, 'force');
  await ctx.services.containers.remove(ctx.caller.tenantId, ref(ctx), { force }, ctx.caller.actor);
  ctx.ex.empty(204);
}

async function rename(ctx: RequestContext): Promise<void> {
  const name = ctx.query.get('name');
  if (!name) throw badRequest('name is required: the new name of the container');
  await ctx.services.containers.rename(ctx.caller.tenantId, ref(ctx), name, ctx.caller.actor);
  ctx.ex.empty(204);
}

/**
 * The response headers go out before waiting: the CLI sends wait before start
 * and does not start the container until the wait request has been answered.
 */
async function wait(ctx: RequestContext): Promise<void> {
  const condition = (ctx.query.get('condition') || 'not-running') as WaitCondition;
  if (!WAIT_CONDITIONS.includes(condition)) {
    throw badRequest(`invalid condition "${condition}": use ${WAIT_CONDITIONS.join(', ')}`);
  }
  // As Docker: a missing container is a 404; once it is found, the status goes out at once
  // and the answer when the condition holds. Found and waited for in one step, so a removal
  // in between ends the wait rather than the answer begun.
  let out: ReturnType<RequestContext['ex']['stream']> | undefined;
  const result = await ctx.services.containers.wait(
    ctx.caller.tenantId,
    ref(ctx),
    condition,
    ctx.ex.signal,
    () => (out = ctx.ex.stream(200, { 'Content-Type': 'application/json' })),
  );
  out ??= ctx.ex.stream(200, { 'Content-Type': 'application/json' });
  out.end(
    `${JSON.stringify({
      StatusCode: result.exitCode,
      ...(result.error ? { Error: { Message: result.error } } : {}),
    })}\n`,
  );
}

/**
 * `docker update`: the restart policy, which is Shoal's to apply; the resources a Mesos task
 * was launched with cannot change, and each asked for is refused by name.
 */
async function update(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.ex.req);
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const { tenantId, actor } = ctx.caller;
  // A container the tenant does not have is a 404 whatever the update asks.
  const { id } = await ctx.services.containers.get(tenantId, ref(ctx));
  const asked = Object.entries(body).find(
    ([key, value]) => key !== 'RestartPolicy' && !isUnset(value),
  );
  if (asked)
    throw notImplemented(
      `update of ${asked[0]} is not supported: a Mesos task keeps the resources it was launched with; create a new container instead (docker update --restart is supported)`,
    );
  if (isObject(body.RestartPolicy) && !isUnset(body.RestartPolicy))
    await ctx.services.containers.updateRestartPolicy(
      tenantId,
      id,
      parseRestartPolicy({ RestartPolicy: body.RestartPolicy }),
      actor,
    );
  ctx.ex.json(200, { Warnings: [] });
}

const PRUNABLE = new Set(['created', 'exited', 'dead']);

async function prune(ctx: RequestContext): Promise<void> {
  const { tenantId, actor } = ctx.caller;
  const filters = queryFilters(ctx.query, ['label', 'until']);
  const label = filters.get('label');
  const until = filters.get('until')?.map((value) => untilFilter(value));
  const containers = await ctx.services.containers.list(tenantId, {
    all: true,
    ...(label ? { label } : {}),
  });
  const deleted: string[] = [];
  const prunable = (c: (typeof containers)[number]) =>
    PRUNABLE.has(c.state) && (until ?? []).every((at) => c.createdAt < at);
  for (const view of containers.filter(prunable)) {
    await ctx.services.containers.remove(tenantId, view.id, {}, actor);
    deleted.push(view.id);
  }
  ctx.ex.json(200, { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 });
}

export const lifecycleRoutes: Route[] = [
  { method: 'POST', path: '/containers/create', handle: create },
  { method: 'POST', path: '/containers/prune', handle: prune },
  { method: 'POST', path: '/containers/{id}/start', handle: start },
  { method: 'POST', path: '/containers/{id}/stop', handle: stop },
  { method: 'POST', path: '/containers/{id}/kill', handle: kill },
  { method: 'POST', path: '/containers/{id}/update', handle: update },
  { method: 'POST', path: '/containers/{id}/restart', handle: restart },
  { method: 'POST', path: '/containers/{id}/wait', handle: wait, onlyWatches: () => true },
  { method: 'POST', path: '/containers/{id}/rename', handle: rename },
  { method: 'DELETE', path: '/containers/{id}', handle: remove },
];
