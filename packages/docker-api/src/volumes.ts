import { summaryBody } from './containers/views';
import { badRequest, notFound } from './errors';
import { imageSummary, knownImages } from './images';
import { queryBool, queryFilters } from './query';
import type { RequestContext, Route } from './router';

// Volumes do not exist in Shoal (a Mesos task gets no Docker volumes), but clients list
// them before anything else: listing answers an empty list, and pruning reports that
// nothing was there to prune.

async function listVolumes(ctx: RequestContext): Promise<void> {
  queryFilters(ctx.query, ['name', 'driver', 'label', 'dangling']);
  ctx.ex.json(200, { Volumes: [], Warnings: [] });
}

async function inspectVolume(ctx: RequestContext): Promise<void> {
  throw notFound(`get ${ctx.params.name ?? ''}: no such volume`);
}

/** No volume exists to remove; with `-f`, as in Docker, a missing one is no error. */
async function removeVolume(ctx: RequestContext): Promise<void> {
  if (queryBool(ctx.query, 'force')) return ctx.ex.empty(204);
  throw notFound(`get ${ctx.params.name ?? ''}: no such volume`);
}

/** The prune filters Docker takes; none can match anything here, but a typo is still refused. */
function pruneFilters(ctx: RequestContext, extra: string[] = []): void {
  queryFilters(ctx.query, ['until', 'label', 'label!', ...extra]);
}

const BUILD_CACHE_FILTERS = ['id', 'parent', 'type', 'description', 'inuse', 'shared', 'private'];

const nothingPruned =
  (body: Record<string, unknown>, extra: string[] = []) =>
  async (ctx: RequestContext): Promise<void> => {
    pruneFilters(ctx, extra);
    ctx.ex.json(200, body);
  };

async function diskUsage(ctx: RequestContext): Promise<void> {
  const types = ctx.query.getAll('type');
  const known = ['container', 'image', 'volume', 'build-cache'];
  const unknown = types.find((t) => !known.includes(t));
  if (unknown) throw badRequest(`invalid type "${unknown}": use ${known.join(', ')}`);
  const wants = (type: string) => types.length === 0 || types.includes(type);
  const { tenantId } = ctx.caller;
  const [containers, images] = await Promise.all([
    wants('container') ? ctx.services.containers.list(tenantId, { all: true }) : [],
    wants('image') ? knownImages(ctx) : [],
  ]);
  // Shoal sees no image content or container filesystem: every size is 0.
  ctx.ex.json(200, {
    LayersSize: 0,
    Images: wants('image') ? images.map(imageSummary) : null,
    Containers: wants('container')
      ? containers.map((c) => ({ ...summaryBody(c, ctx.apiVersion), SizeRw: 0, SizeRootFs: 0 }))
      : null,
    Volumes: wants('volume') ? [] : null,
    BuildCache: wants('build-cache') ? [] : null,
  });
}

export const volumeRoutes: Route[] = [
  { method: 'GET', path: '/volumes', handle: listVolumes },
  { method: 'GET', path: '/volumes/{name}', handle: inspectVolume },
  { method: 'DELETE', path: '/volumes/{name}', handle: removeVolume },
  {
    method: 'POST',
    path: '/volumes/prune',
    handle: nothingPruned({ VolumesDeleted: [], SpaceReclaimed: 0 }, ['all']),
  },
  {
    method: 'POST',
    path: '/build/prune',
    handle: nothingPruned({ CachesDeleted: [], SpaceReclaimed: 0 }, BUILD_CACHE_FILTERS),
  },
  { method: 'GET', path: '/system/df', handle: diskUsage },
];
