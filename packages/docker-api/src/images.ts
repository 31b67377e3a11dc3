import { createHash } from 'node:crypto';
import { badRequest, notImplemented } from './errors';
import { queryFilters } from './query';
import type { RequestContext, Route } from './router';
import { refuseWith } from './unsupported';

/** `nginx` → `nginx:latest`; a digest or an explicit tag stays as written. */
function withTag(image: string): string {
  if (image.includes('@')) return image;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? image : `${image}:latest`;
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
  const tag = ctx.query.get('tag');
  const reference = withTag(tag ? `${from}${tag.startsWith('sha256:') ? '@' : ':'}${tag}` : from);
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

function matches(pattern: string, reference: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  return regex.test(reference) || regex.test(reference.replace(/:latest$/, ''));
}

/**
 * GET /images/json: the images the tenant's containers use. The Id is a
 * hash of the reference, not of image content, which Shoal never sees; sizes are 0.
 */
async function list(ctx: RequestContext): Promise<void> {
  const references = queryFilters(ctx.query, ['reference']).get('reference');
  const images = await ctx.services.containers.images(ctx.caller.tenantId);
  const body = images
    .map((image) => ({ ...image, reference: withTag(image.image) }))
    .filter((image) => !references || references.some((r) => matches(r, image.reference)))
    .map((image) => ({
      Id: `sha256:${createHash('sha256').update(image.reference).digest('hex')}`,
      ParentId: '',
      RepoTags: image.reference.includes('@') ? [] : [image.reference],
      RepoDigests: image.reference.includes('@') ? [image.reference] : [],
      Created: Math.floor(image.lastUsedAt.getTime() / 1000),
      Size: 0,
      SharedSize: -1,
      Labels: {},
      Containers: image.containers,
    }));
  ctx.ex.json(200, body);
}

const NO_IMAGE_STORE =
  'is not supported: Shoal keeps no images; each Mesos agent pulls the images of the containers it runs from their registry';

const refusal = (what: string) => refuseWith(`${what} ${NO_IMAGE_STORE}`);

export const imageRoutes: Route[] = [
  // A 401 here would make the CLI start an interactive registry login and hang.
  { method: 'POST', path: '/images/create', handle: pull, refusedStatus: 403 },
  { method: 'GET', path: '/images/json', handle: list },
  { method: 'GET', path: '/images/{name*}/json', handle: refusal('image inspect') },
  { method: 'GET', path: '/images/{name*}/history', handle: refusal('image history') },
  { method: 'POST', path: '/images/{name*}/tag', handle: refusal('image tag') },
  { method: 'POST', path: '/images/{name*}/push', handle: refusal('image push') },
  { method: 'DELETE', path: '/images/{name*}', handle: refusal('image removal') },
  { method: 'GET', path: '/images/search', handle: refusal('image search') },
  { method: 'POST', path: '/images/prune', handle: refusal('image prune') },
  { method: 'POST', path: '/images/load', handle: refusal('image load') },
  { method: 'GET', path: '/images/get', handle: refusal('image save') },
  { method: 'GET', path: '/images/{name*}/get', handle: refusal('image save') },
  { method: 'POST', path: '/build', handle: refusal('docker build') },
];
