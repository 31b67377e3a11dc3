import { summaryBody } from './containers/views';
import { badRequest, notFound } from './errors';
import { imageSummary, knownImages } from './images';
import { queryFilters } from './query';
import type { RequestContext, Route } from './router';

// Networks and volumes do not exist in Shoal (a container gets bridge, host or none
// networking on its agent and no volumes), but clients list them before anything else:
// listing what does not exist answers what Docker always has (its three default
// networks) or an empty list, and pruning reports that nothing was there to prune.

const DEFAULT_NETWORKS = [
  { name: 'bridge', driver: 'bridge' },
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
] as const;

type DefaultNetwork = (typeof DEFAULT_NETWORKS)[number];

/** Docker names its default networks by 64-hex ids; these are fixed, one per name. */
const networkId = (network: DefaultNetwork) =>
  Buffer.from(network.name.padEnd(32, '.')).toString('hex');

function networkBody(network: DefaultNetwork) {
  return {
    Name: network.name,
    Id: networkId(network),
    Created: '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: network.driver,
    EnableIPv4: network.name === 'bridge',
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    // A tenant's containers run on many agents: no one network holds them.
    Containers: {},
    Options: {},
    Labels: {},
  };
}

function findNetwork(ref: string): DefaultNetwork | undefined {
  return DEFAULT_NETWORKS.find(
    (n) => n.name === ref || (ref.length > 0 && networkId(n).startsWith(ref)),
  );
}

async function listNetworks(ctx: RequestContext): Promise<void> {
  const filters = queryFilters(ctx.query, ['name', 'id', 'driver', 'type', 'scope', 'label']);
  const wanted = (key: string, value: string, exact = false) => {
    const values = filters.get(key);
    return !values || values.some((v) => (exact ? v === value : value.includes(v)));
  };
  const networks = DEFAULT_NETWORKS.filter(
    (n) =>
      wanted('name', n.name) &&
      wanted('id', networkId(n)) &&
      wanted('driver', n.driver, true) &&
      wanted('type', 'builtin', true) &&
      wanted('scope', 'local', true) &&
      !filters.get('label'),
  );
  ctx.ex.json(200, networks.map(networkBody));
}

async function inspectNetwork(ctx: RequestContext): Promise<void> {
  const ref = ctx.params.id ?? '';
  const network = findNetwork(ref);
  if (!network) throw notFound(`network ${ref} not found`);
  ctx.ex.json(200, networkBody(network));
}

async function listVolumes(ctx: RequestContext): Promise<void> {
  queryFilters(ctx.query, ['name', 'driver', 'label', 'dangling']);
  ctx.ex.json(200, { Volumes: [], Warnings: [] });
}

async function inspectVolume(ctx: RequestContext): Promise<void> {
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
      ? containers.map((c) => ({ ...summaryBody(c), SizeRw: 0, SizeRootFs: 0 }))
      : null,
    Volumes: wants('volume') ? [] : null,
    BuildCache: wants('build-cache') ? [] : null,
  });
}

export const networkVolumeRoutes: Route[] = [
  { method: 'GET', path: '/networks', handle: listNetworks },
  { method: 'GET', path: '/networks/{id}', handle: inspectNetwork },
  { method: 'POST', path: '/networks/prune', handle: nothingPruned({ NetworksDeleted: [] }) },
  { method: 'GET', path: '/volumes', handle: listVolumes },
  { method: 'GET', path: '/volumes/{name}', handle: inspectVolume },
  {
    method: 'POST',
    path: '/volumes/prune',
    handle: nothingPruned({ VolumesDeleted: [], SpaceReclaimed: 0 }, ['all']),
  },
  {
    method: 'POST',
    path: '/images/prune',
    handle: nothingPruned({ ImagesDeleted: [], SpaceReclaimed: 0 }, ['dangling']),
  },
  {
    method: 'POST',
    path: '/build/prune',
    handle: nothingPruned({ CachesDeleted: [], SpaceReclaimed: 0 }, BUILD_CACHE_FILTERS),
  },
  { method: 'GET', path: '/system/df', handle: diskUsage },
];
