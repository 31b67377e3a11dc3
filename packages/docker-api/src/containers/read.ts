import {
  CONTAINER_STATES,
  type ContainerListFilters,
  type ContainerStateName,
  type ContainerView,
} from '@shoal/core';
import { badRequest } from '../errors';
import { withTag } from '../images';
import { nameMatcher } from '../patterns';
import { queryBool, queryFilters, queryInt, type Filters } from '../query';
import type { RequestContext, Route } from '../router';
import { inspectBody } from './views';

// Docker's container states are the values of the `status` filter.
export { CONTAINER_STATES };

const FILTERS = [
  'label',
  'name',
  'status',
  'id',
  'ancestor',
  'before',
  'since',
  'expose',
  'publish',
  'network',
  'exited',
  'health',
  'volume',
  'is-task',
];

/** `network=N`: on the network named N or with the id N, a builtin one or the tenant's. */
function onNetwork(view: ContainerView, network: string): boolean {
  const networks = view.spec.networks ?? [];
  if (networks.length === 0) return view.spec.networkMode === network;
  return networks.some((n) => n.name === network || n.id === network);
}

function listFilters(filters: Filters, query: URLSearchParams): ContainerListFilters {
  const limit = queryInt(query, 'limit');
  // Docker's `-n N` shows the last N containers whatever their state (counted once every
  // filter has been applied, below).
  const result: ContainerListFilters = {
    all: queryBool(query, 'all') || (limit !== undefined && limit > 0),
  };
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
  for (const name of ['label', 'id'] as const) {
    const values = filters.get(name);
    if (values) result[name] = values;
  }
  return result;
}

const EXPOSE = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp))?$/;

/**
 * `expose=80`, `expose=80/udp` or `expose=8000-8080/tcp`: a port the container exposes
 * (published or not); `publish=` the same among the ports it publishes.
 */
function portMatcher(name: 'expose' | 'publish', filter: string) {
  const match = EXPOSE.exec(filter);
  if (!match) throw badRequest(`invalid filter '${name}=${filter}': use port[-port][/tcp|/udp]`);
  const from = Number(match[1]);
  const to = match[2] ? Number(match[2]) : from;
  return (view: ContainerView) =>
    (name === 'publish'
      ? view.spec.ports
      : [...view.spec.ports, ...(view.spec.exposedPorts ?? [])]
    ).some(
      (p) =>
        p.containerPort >= from && p.containerPort <= to && (!match[3] || p.protocol === match[3]),
    );
}

/** `exited=N`: containers that ran and exited with N (shown with -a, as in Docker). */
function exitedWith(filter: string) {
  if (!/^-?\d+$/.test(filter))
    throw badRequest(`invalid filter 'exited=${filter}': use an exit code`);
  const code = Number(filter);
  return (view: ContainerView) =>
    view.state === 'exited' && view.startedAt !== null && view.exitCode === code;
}

/**
 * Filters on what no Shoal container has: health checks (every one's health is `none`),
 * volumes, and swarm tasks. They match as Docker's match containers without them.
 */
function absentFeature(filters: Filters) {
  const health = filters.get('health');
  const known = ['starting', 'healthy', 'unhealthy', 'none'];
  const badHealth = health?.find((h) => !known.includes(h));
  if (badHealth !== undefined)
    throw badRequest(`invalid filter 'health=${badHealth}': use one of ${known.join(', ')}`);
  const isTask = filters.get('is-task');
  const badTask = isTask?.find((v) => !['true', 'false', '1', '0'].includes(v));
  if (badTask !== undefined)
    throw badRequest(`invalid filter 'is-task=${badTask}': use true or false`);
  return (
    (!health || health.includes('none')) &&
    !filters.get('volume') &&
    (!isTask || isTask.every((v) => v === 'false' || v === '0'))
  );
}

/** The filters that compare containers with each other or with images, over core's list. */
async function narrowed(
  ctx: RequestContext,
  filters: Filters,
  views: ContainerView[],
): Promise<ContainerView[]> {
  const createdAt = async (ref: string) =>
    (await ctx.services.containers.get(ctx.caller.tenantId, ref)).createdAt.getTime();
  const before = await Promise.all((filters.get('before') ?? []).map(createdAt));
  const since = await Promise.all((filters.get('since') ?? []).map(createdAt));
  const ancestors = filters.get('ancestor')?.map(withTag);
  const names = filters.get('name');
  const named = names && nameMatcher(names);
  const expose = filters.get('expose')?.map((e) => portMatcher('expose', e));
  const publish = filters.get('publish')?.map((e) => portMatcher('publish', e));
  const exited = filters.get('exited')?.map(exitedWith);
  const networks = filters.get('network');
  if (!absentFeature(filters)) return [];
  return views.filter(
    (view) =>
      before.every((at) => view.createdAt.getTime() < at) &&
      since.every((at) => view.createdAt.getTime() > at) &&
      (!named || named(view.name)) &&
      (!ancestors || ancestors.includes(withTag(view.image))) &&
      (!expose || expose.some((matches) => matches(view))) &&
      (!publish || publish.some((matches) => matches(view))) &&
      (!exited || exited.some((matches) => matches(view))) &&
      (!networks || networks.some((n) => onNetwork(view, n))),
  );
}

async function list(ctx: RequestContext): Promise<void> {
  const filters = queryFilters(ctx.query, FILTERS);
  const views = await ctx.services.containers.list(
    ctx.caller.tenantId,
    listFilters(filters, ctx.query),
  );
  const shown = await narrowed(ctx, filters, views);
  const limit = queryInt(ctx.query, 'limit');
  const listing = ctx.summaries.listing(
    limit !== undefined && limit > 0 ? shown.slice(0, limit) : shown,
    ctx.apiVersion,
  );
  ctx.ex.text(200, listing, { 'Content-Type': 'application/json' });
}

async function inspect(ctx: RequestContext): Promise<void> {
  const view = await ctx.services.containers.get(ctx.caller.tenantId, ctx.params.id ?? '');
  ctx.ex.json(200, inspectBody(view, ctx.apiVersion));
}

export const readRoutes: Route[] = [
  { method: 'GET', path: '/containers/json', handle: list },
  { method: 'GET', path: '/containers/{id}/json', handle: inspect },
];
