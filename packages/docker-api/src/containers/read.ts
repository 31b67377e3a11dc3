import { CONTAINER_STATES, type ContainerListFilters, type ContainerStateName } from '@shoal/core';
import { badRequest } from '../errors';
import { queryBool, queryFilters, queryInt } from '../query';
import type { RequestContext, Route } from '../router';
import { inspectBody, summaryBody } from './views';

// Docker's container states are the values of the `status` filter.
export { CONTAINER_STATES };

function listFilters(query: URLSearchParams): ContainerListFilters {
  const filters = queryFilters(query, ['label', 'name', 'status', 'id']);
  const limit = queryInt(query, 'limit');
  // Docker's `-n N` shows the last N containers whatever their state.
  const result: ContainerListFilters = {
    all: queryBool(query, 'all') || (limit !== undefined && limit > 0),
  };
  if (limit !== undefined && limit > 0) result.limit = limit;
  const status = filters.get('status');
  if (status) {
    const unknown = status.find((s) => !CONTAINER_STATES.includes(s as ContainerStateName));
    if (unknown !== undefined) {
      throw badRequest(
        `invalid filter 'status=${unknown}' (use one of ${CONTAINER_STATES.join(', ')})`,
      );
    }
    result.status = status as ContainerStateName[];
    // `docker ps -f status=exited` works without -a.
    result.all = true;
  }
  for (const name of ['label', 'name', 'id'] as const) {
    const values = filters.get(name);
    if (values) result[name] = values;
  }
  return result;
}

async function list(ctx: RequestContext): Promise<void> {
  const views = await ctx.services.containers.list(ctx.caller.tenantId, listFilters(ctx.query));
  ctx.ex.json(200, views.map(summaryBody));
}

async function inspect(ctx: RequestContext): Promise<void> {
  const view = await ctx.services.containers.get(ctx.caller.tenantId, ctx.params.id ?? '');
  ctx.ex.json(200, inspectBody(view));
}

export const readRoutes: Route[] = [
  { method: 'GET', path: '/containers/json', handle: list },
  { method: 'GET', path: '/containers/{id}/json', handle: inspect },
];
