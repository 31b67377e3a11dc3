import type { ContainerView, NetworkCreateInput, NetworkView } from '@shoal/core';
import {
  boolField,
  isObject,
  isUnset,
  objectField,
  stringField,
  stringMapField,
} from './containers/body-fields';
import { readJsonBody } from './body';
import { endpointAliases } from './containers/endpoints';
import { badRequest, DockerApiError, notFound } from './errors';
import { queryFilters, untilFilter } from './query';
import type { RequestContext, Route } from './router';

// Docker's networks: its three defaults, which every tenant sees, and the tenant's own,
// which core keeps (a tenant's network is a Mesos CNI network its containers join).

const BUILTIN_NETWORKS = [
  { name: 'bridge', driver: 'bridge' },
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
] as const;

type BuiltinNetwork = (typeof BUILTIN_NETWORKS)[number];

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Docker names its default networks by 64-hex ids; these are fixed, one per name. */
export const builtinNetworkId = (name: string) => Buffer.from(name.padEnd(32, '.')).toString('hex');

function findBuiltin(ref: string): BuiltinNetwork | undefined {
  return BUILTIN_NETWORKS.find(
    (n) => n.name === ref || (ref.length > 0 && builtinNetworkId(n.name).startsWith(ref)),
  );
}

/** Docker's Network object, with the fields Docker always sends. */
function networkBody(network: {
  name: string;
  id: string;
  created: string;
  driver: string;
  attachable: boolean;
  labels: Record<string, string>;
  containers: Record<string, unknown>;
}) {
  return {
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Scope: 'local',
    Driver: network.driver,
    EnableIPv4: network.driver === 'bridge',
    EnableIPv6: false,
    // Addresses come from the Mesos CNI network's own IPAM, which Shoal does not see.
    IPAM: { Driver: 'default', Options: {}, Config: [] },
    Internal: false,
    Attachable: network.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: network.containers,
    Options: {},
    Labels: network.labels,
  };
}

const builtinBody = (network: BuiltinNetwork, containers: ContainerView[] = []) =>
  networkBody({
    name: network.name,
    id: builtinNetworkId(network.name),
    created: ZERO_TIME,
    driver: network.driver,
    attachable: false,
    labels: {},
    // The tenant's running containers in this mode, on whichever agents they run; their
    // addresses are their agents' to give, which Shoal does not see.
    containers: endpointsOf(containers),
  });

const endpointsOf = (containers: { id: string; name: string }[]) =>
  Object.fromEntries(
    containers.map((c) => [
      c.id,
      { Name: c.name, EndpointID: '', MacAddress: '', IPv4Address: '', IPv6Address: '' },
    ]),
  );

const tenantBody = (network: NetworkView) =>
  networkBody({
    name: network.name,
    id: network.id,
    created: network.createdAt.toISOString(),
    driver: network.driver,
    attachable: network.attachable,
    labels: network.labels,
    // Addresses are the CNI network's to give, on the agent: Shoal has none to show.
    containers: endpointsOf(network.containers),
  });

/** Inspect says too what Docker has no field for: the Mesos CNI network its containers join. */
const tenantInspectBody = (network: NetworkView) => ({
  ...tenantBody(network),
  Shoal: { cniNetwork: network.cniNetwork },
});

const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

async function listNetworks(ctx: RequestContext): Promise<void> {
  const filters = queryFilters(ctx.query, LIST_FILTERS);
  const wanted = (key: string, value: string, exact = false) => {
    const values = filters.get(key);
    return !values || values.some((v) => (exact ? v === value : value.includes(v)));
  };
  const dangling = filters.get('dangling')?.map((v) => ['1', 'true'].includes(v.toLowerCase()));
  const builtins = BUILTIN_NETWORKS.filter(
    (n) =>
      wanted('name', n.name) &&
      wanted('id', builtinNetworkId(n.name)) &&
      wanted('driver', n.driver, true) &&
      wanted('type', 'builtin', true) &&
      wanted('scope', 'local', true) &&
      !filters.get('label') &&
      // Docker's own networks are never dangling.
      !dangling?.includes(true),
  );
  const label = filters.get('label');
  const own = (
    await ctx.services.networks.list(ctx.caller.tenantId, label ? { label } : {})
  ).filter(
    (n) =>
      wanted('name', n.name) &&
      wanted('id', n.id) &&
      wanted('driver', n.driver, true) &&
      wanted('type', 'custom', true) &&
      wanted('scope', 'local', true) &&
      (!dangling || dangling.includes(n.containers.length === 0)),
  );
  ctx.ex.json(200, [...builtins.map((n) => builtinBody(n)), ...own.map(tenantBody)]);
}

async function inspectNetwork(ctx: RequestContext): Promise<void> {
  const ref = ctx.params.id ?? '';
  const scope = ctx.query.get('scope');
  if (scope && scope !== 'local') throw notFound(`network ${ref} not found`);
  const builtin = findBuiltin(ref);
  if (builtin) {
    // Running ones only: a stopped container has no endpoint, in Docker as here.
    const running = await ctx.services.containers.list(ctx.caller.tenantId);
    const mode = builtin.name;
    const members = running.filter(
      (c) => c.spec.networkMode === mode && !(c.spec.networks ?? []).length,
    );
    ctx.ex.json(200, builtinBody(builtin, members));
    return;
  }
  ctx.ex.json(200, tenantInspectBody(await ctx.services.networks.get(ctx.caller.tenantId, ref)));
}

/** A create setting Shoal cannot give, refused with the flag the user typed. */
const refuse = (field: string, why: string) =>
  badRequest(`${field} is not supported by Shoal: ${why}`);
const CNI_DECIDES = "the Mesos CNI network the tenant's networks map to decides it";

/** Docker's create body → core's input; what a CNI network cannot honour is refused. */
export function parseNetworkCreate(body: unknown): NetworkCreateInput {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const name = stringField(body, 'Name', 'Name');
  if (!name) throw badRequest('a network needs a name (Name)');
  const scope = stringField(body, 'Scope', 'Scope');
  if (scope && scope !== 'local') throw refuse(`Scope "${scope}" (--scope)`, 'networks are local');
  if (boolField(body, 'Internal', 'Internal')) throw refuse('Internal (--internal)', CNI_DECIDES);
  if (boolField(body, 'Ingress', 'Ingress'))
    throw refuse('Ingress (--ingress)', 'there is no swarm');
  if (boolField(body, 'EnableIPv6', 'EnableIPv6')) throw refuse('EnableIPv6 (--ipv6)', CNI_DECIDES);
  if (boolField(body, 'EnableIPv4', 'EnableIPv4') === false)
    throw refuse('EnableIPv4 false (--ipv4=false)', CNI_DECIDES);
  if (boolField(body, 'ConfigOnly', 'ConfigOnly') || !isUnset(body.ConfigFrom))
    throw refuse('ConfigOnly and ConfigFrom (--config-only, --config-from)', 'there is no swarm');
  const ipam = objectField(body, 'IPAM', 'IPAM');
  if (ipam) {
    const driver = stringField(ipam, 'Driver', 'IPAM.Driver');
    if (driver && driver !== 'default')
      throw refuse(`IPAM.Driver "${driver}" (--ipam-driver)`, CNI_DECIDES);
    if (!isUnset(ipam.Config))
      throw refuse('IPAM.Config (--subnet, --ip-range, --gateway, --aux-address)', CNI_DECIDES);
    if (!isUnset(ipam.Options)) throw refuse('IPAM.Options (--ipam-opt)', CNI_DECIDES);
  }
  if (!isUnset(body.Options)) throw refuse('Options (-o, --opt)', CNI_DECIDES);
  const driver = stringField(body, 'Driver', 'Driver');
  const labels = stringMapField(body, 'Labels', 'Labels');
  const attachable = boolField(body, 'Attachable', 'Attachable');
  return {
    name,
    ...(driver ? { driver } : {}),
    ...(labels ? { labels } : {}),
    ...(attachable !== undefined ? { attachable } : {}),
  };
}

async function createNetwork(ctx: RequestContext): Promise<void> {
  const input = parseNetworkCreate(await readJsonBody(ctx.ex.req));
  const network = await ctx.services.networks.create(ctx.caller.tenantId, input, ctx.caller.actor);
  ctx.ex.json(201, { Id: network.id, Warning: '' });
}

/** Docker's own networks are not the tenant's to remove or rewire. */
function refuseBuiltin(ref: string, what: string): void {
  const builtin = findBuiltin(ref);
  if (builtin)
    throw new DockerApiError(
      403,
      `${builtin.name} is a pre-defined network and ${what}: a container is put on it when it is created (--network ${builtin.name})`,
    );
}

async function removeNetwork(ctx: RequestContext): Promise<void> {
  const ref = ctx.params.id ?? '';
  refuseBuiltin(ref, 'cannot be removed');
  await ctx.services.networks.remove(ctx.caller.tenantId, ref, ctx.caller.actor);
  ctx.ex.empty(204);
}

async function connect(ctx: RequestContext): Promise<void> {
  const ref = ctx.params.id ?? '';
  const body = await readJsonBody(ctx.ex.req);
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const container = stringField(body, 'Container', 'Container');
  if (!container) throw badRequest('Container is required: name the container to connect');
  refuseBuiltin(ref, 'cannot be connected to later');
  const endpoint = objectField(body, 'EndpointConfig', 'EndpointConfig') ?? {};
  const aliases = endpointAliases(endpoint, `EndpointConfig`);
  await ctx.services.networks.connect(
    ctx.caller.tenantId,
    ref,
    container,
    aliases,
    ctx.caller.actor,
  );
  ctx.ex.empty(200);
}

async function disconnect(ctx: RequestContext): Promise<void> {
  const ref = ctx.params.id ?? '';
  const body = await readJsonBody(ctx.ex.req);
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const container = stringField(body, 'Container', 'Container');
  if (!container) throw badRequest('Container is required: name the container to disconnect');
  refuseBuiltin(ref, 'cannot be disconnected from');
  await ctx.services.networks.disconnect(ctx.caller.tenantId, ref, container, ctx.caller.actor);
  ctx.ex.empty(200);
}

async function prune(ctx: RequestContext): Promise<void> {
  const filters = queryFilters(ctx.query, ['until', 'label']);
  const label = filters.get('label');
  const until = filters.get('until')?.map((value) => untilFilter(value));
  const names = await ctx.services.networks.prune(
    ctx.caller.tenantId,
    { ...(label ? { label } : {}), ...(until ? { createdBefore: until } : {}) },
    ctx.caller.actor,
  );
  ctx.ex.json(200, { NetworksDeleted: names });
}

export const networkRoutes: Route[] = [
  { method: 'GET', path: '/networks', handle: listNetworks },
  { method: 'POST', path: '/networks/create', handle: createNetwork },
  { method: 'POST', path: '/networks/prune', handle: prune },
  { method: 'GET', path: '/networks/{id}', handle: inspectNetwork },
  { method: 'DELETE', path: '/networks/{id}', handle: removeNetwork },
  { method: 'POST', path: '/networks/{id}/connect', handle: connect },
  { method: 'POST', path: '/networks/{id}/disconnect', handle: disconnect },
];
