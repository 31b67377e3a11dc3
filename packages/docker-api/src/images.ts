import { createHash } from 'node:crypto';
import { clipped } from '@shoal/core';
import { badRequest, conflict, notFound, notImplemented } from './errors';
import { referenceMatcher } from './patterns';
import { refuseOtherImagePlatform, refuseOtherPlatform, SERVER_ARCH, SERVER_OS } from './platform';
import { queryFilters, untilFilter } from './query';
import type { RequestContext, Route } from './router';
import { refuseWith } from './unsupported';
import { compareApiVersions } from './version';

/**
 * `nginx` → `nginx:latest`; a digest or an explicit tag stays as written. Docker Hub's
 * full names (`docker.io/library/nginx`, as the CLI pulls) become the short ones Docker shows.
 */
export function withTag(image: string): string {
  const familiar = image.replace(/^(?:(?:index\.)?docker\.io\/)(?:library\/(?=[^/]+$))?/, '');
  if (familiar.includes('@')) return familiar;
  const lastPart = familiar.slice(familiar.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? familiar : `${familiar}:latest`;
}

/**
 * POST /images/create (docker pull). Shoal keeps no images: the Mesos agent
 * that launches a container pulls its image then. The answer is Docker's
 * progress stream saying so, so `docker pull` succeeds and tells the truth.
 */
async function pull(ctx: RequestContext): Promise<void> {
  const from = ctx.query.get('fromImage');
  if (!from && !ctx.query.get('fromSrc')) {
    throw badRequest('fromImage is required (the image to pull)');
  }
  if (!from) {
    throw notImplemented(
      'importing images (docker import / load) is not supported: Mesos agents pull images from a registry',
    );
  }
  refuseOtherPlatform(ctx.query.get('platform') ?? undefined);
  const tag = ctx.query.get('tag');
  const reference = withTag(tag ? `${from}${tag.startsWith('sha256:') ? '@' : ':'}${tag}` : from);
  await ctx.services.containers.recordPull(ctx.caller.tenantId, reference, ctx.caller.actor);
  const out = ctx.ex.stream(200, { 'Content-Type': 'application/json' });
  const lines = [
    { status: `Pulling from ${from}`, id: tag || 'latest' },
    {
      status: `Shoal does not pull images itself: the Mesos agent that runs a container pulls ${reference} when the container starts`,
    },
    { status: `Status: ${reference} will be pulled by the agent at launch` },
  ];
  out.end(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}

interface KnownImage {
  reference: string;
  /** A hash of the reference, not of image content, which Shoal never sees. */
  id: string;
  containers: number;
  firstSeenAt: Date;
}

/** The images the tenant pulled or ran, one entry per normalised reference. */
export async function knownImages(ctx: RequestContext): Promise<KnownImage[]> {
  const byReference = new Map<string, KnownImage>();
  for (const image of await ctx.services.containers.images(ctx.caller.tenantId)) {
    const reference = withTag(image.image);
    const known = byReference.get(reference);
    if (known) {
      known.containers += image.containers;
      if (image.firstSeenAt > known.firstSeenAt) known.firstSeenAt = image.firstSeenAt;
      continue;
    }
    const id = `sha256:${createHash('sha256').update(reference).digest('hex')}`;
    byReference.set(reference, { ...image, reference, id });
  }
  return [...byReference.values()].sort((a, b) => a.reference.localeCompare(b.reference));
}

const repoTags = (image: KnownImage) => (image.reference.includes('@') ? [] : [image.reference]);
const repoDigests = (image: KnownImage) => (image.reference.includes('@') ? [image.reference] : []);

/** GET /images/json: the images the tenant pulled or its containers use; sizes are 0. */
async function list(ctx: RequestContext): Promise<void> {
  const filters = queryFilters(ctx.query, ['reference', 'dangling', 'label', 'before', 'since']);
  const references = filters.get('reference');
  const matching = references && referenceMatcher(references);
  const images = await knownImages(ctx);
  // Dated by when Shoal first saw them, the one date it has.
  const seen = (ref: string) => {
    const image = findImage(images, ref);
    if (!image) throw notFound(`No such image: ${ref}`);
    return image.firstSeenAt.getTime();
  };
  const before = (filters.get('before') ?? []).map(seen);
  const since = (filters.get('since') ?? []).map(seen);
  // Shoal keeps no layers, so no image is dangling, and none carries labels it could read.
  const dangling = danglingFilter(filters.get('dangling'));
  if (dangling || filters.get('label')) return ctx.ex.json(200, []);
  const body = images
    .filter(
      (image) =>
        (!matching || matching(image.reference)) &&
        before.every((at) => image.firstSeenAt.getTime() < at) &&
        since.every((at) => image.firstSeenAt.getTime() > at),
    )
    .map(imageSummary);
  ctx.ex.json(200, body);
}

/** Docker's `dangling` filter: true or false (or 1, 0), anything else refused as Docker does. */
function danglingFilter(values: string[] | undefined): boolean | undefined {
  if (!values) return undefined;
  const read = values.map((v) => {
    const value = v.toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw badRequest(`invalid filter 'dangling=${clipped(v)}': use true or false`);
  });
  return read.some(Boolean);
}

/** One entry of `docker images` (and of `docker system df`). */
export function imageSummary(image: KnownImage) {
  return {
    Id: image.id,
    ParentId: '',
    RepoTags: repoTags(image),
    RepoDigests: repoDigests(image),
    Created: Math.floor(image.firstSeenAt.getTime() / 1000),
    Size: 0,
    SharedSize: -1,
    Labels: {},
    Containers: image.containers,
  };
}

/** A reference as written or normalised, an image id, or a unique prefix of one (as Docker resolves them). */
function findImage(images: KnownImage[], name: string): KnownImage | undefined {
  const byReference = images.find((i) => i.reference === withTag(name));
  if (byReference) return byReference;
  const hex = name.replace(/^sha256:/, '');
  if (!/^[0-9a-f]{1,64}$/.test(hex)) return undefined;
  const byId = images.filter((i) => i.id.slice('sha256:'.length).startsWith(hex));
  return byId.length === 1 ? byId[0] : undefined;
}

/**
 * GET /images/{name}/json: what Shoal knows of an image the tenant pulled or ran. Its
 * content lives in a registry and on the agents, so layers, config and size are empty.
 */
async function inspect(ctx: RequestContext): Promise<void> {
  const name = ctx.params.name ?? '';
  const image = findImage(await knownImages(ctx), name);
  if (!image) throw notFound(`No such image: ${name}`);
  refuseOtherImagePlatform(ctx.query.get('platform'));
  // The image's own configuration is in its registry; Shoal never reads it.
  const config = {
    User: '',
    ExposedPorts: null,
    Env: null,
    Cmd: null,
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  };
  ctx.ex.json(200, {
    Id: image.id,
    RepoTags: repoTags(image),
    RepoDigests: repoDigests(image),
    Parent: '',
    Comment: '',
    Created: image.firstSeenAt.toISOString(),
    DockerVersion: '',
    Author: '',
    Config: config,
    // Dropped from API 1.45 on; docker-compose 1.x (Debian's 1.29), which speaks the server's
    // newest version, still reads it to recreate a container and fails without it.
    ...(compareApiVersions(ctx.apiVersion, '1.45') < 0 || COMPOSE_V1.test(userAgent(ctx))
      ? { Container: '', ContainerConfig: config }
      : {}),
    Architecture: SERVER_ARCH,
    Os: SERVER_OS,
    Size: 0,
    GraphDriver: { Name: 'mesos', Data: {} },
    RootFS: { Type: 'layers', Layers: [] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  });
}

const COMPOSE_V1 = /(^|\s)docker-compose\/1\./;
const userAgent = (ctx: RequestContext) => String(ctx.ex.req.headers['user-agent'] ?? '');

/**
 * DELETE /images/{name} (docker rmi): the tenant's pull of it is forgotten. There is nothing
 * to delete, as Shoal stores no image; an image its containers name stays listed until
 * they are removed, as Docker refuses to remove an image in use.
 */
async function remove(ctx: RequestContext): Promise<void> {
  const name = ctx.params.name ?? '';
  const image = findImage(await knownImages(ctx), name);
  if (!image) throw notFound(`No such image: ${name}`);
  if (image.containers > 0) {
    throw conflict(
      `conflict: unable to remove repository reference "${name}" - ${image.containers} of the tenant's containers use it; remove them first`,
    );
  }
  const { tenantId, actor } = ctx.caller;
  await ctx.services.containers.forgetPulls(tenantId, [image.reference], actor);
  ctx.ex.json(200, [{ Untagged: image.reference }]);
}

/**
 * POST /images/prune: no image is dangling (Shoal keeps no layers); with `dangling=false`
 * (`docker image prune -a`), the pulls no container uses are forgotten: with `until`, only
 * those first seen before it; with `label`, none (Shoal reads no image's labels), and with
 * `label!`, all.
 */
async function prune(ctx: RequestContext): Promise<void> {
  const filters = queryFilters(ctx.query, ['dangling', 'until', 'label', 'label!']);
  const all = danglingFilter(filters.get('dangling')) === false;
  const until = (filters.get('until') ?? []).map((value) => untilFilter(value).getTime());
  const unused =
    all && !filters.get('label')
      ? (await knownImages(ctx))
          .filter((i) => i.containers === 0 && until.every((at) => i.firstSeenAt.getTime() < at))
          .map((i) => i.reference)
      : [];
  const { tenantId, actor } = ctx.caller;
  const gone =
    unused.length > 0 ? await ctx.services.containers.forgetPulls(tenantId, unused, actor) : [];
  ctx.ex.json(200, {
    ImagesDeleted: gone.length > 0 ? gone.map((reference) => ({ Untagged: reference })) : null,
    SpaceReclaimed: 0,
  });
}

const NO_IMAGE_STORE =
  'is not supported: Shoal keeps no images; each Mesos agent pulls the images of the containers it runs from their registry';

const refusal = (what: string) => refuseWith(`${what} ${NO_IMAGE_STORE}`);

export const imageRoutes: Route[] = [
  // A 401 here would make the CLI start an interactive registry login and hang.
  { method: 'POST', path: '/images/create', handle: pull, refusedStatus: 403 },
  { method: 'GET', path: '/images/json', handle: list },
  { method: 'GET', path: '/images/{name*}/json', handle: inspect },
  { method: 'GET', path: '/images/{name*}/history', handle: refusal('image history') },
  { method: 'POST', path: '/images/{name*}/tag', handle: refusal('image tag') },
  { method: 'POST', path: '/images/{name*}/push', handle: refusal('image push') },
  { method: 'DELETE', path: '/images/{name*}', handle: remove },
  { method: 'POST', path: '/images/prune', handle: prune },
  { method: 'GET', path: '/images/search', handle: refusal('image search') },
  { method: 'POST', path: '/images/load', handle: refusal('image load') },
  { method: 'GET', path: '/images/get', handle: refusal('image save') },
  { method: 'GET', path: '/images/{name*}/get', handle: refusal('image save') },
  { method: 'POST', path: '/build', handle: refusal('docker build') },
];
