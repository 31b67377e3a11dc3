import { clipped, type NetworkRequest } from '@shoal/core';
import { badRequest } from '../errors';
import { isObject, isUnset, objectField, stringListField, type JsonObject } from './body-fields';

// A container's settings on one network (Docker's EndpointSettings). Of what a client
// may ask for there, a Mesos CNI network takes names only: the names become the task's
// discovery names; addresses, links and driver options are the CNI network's own.

/** The `docker run`/`network connect` flag behind an endpoint field, for the refusal. */
const ENDPOINT_FLAGS: Record<string, string> = {
  IPAMConfig: '--ip, --ip6, --link-local-ip',
  Links: '--link',
  MacAddress: '--mac-address',
  DriverOpts: '--driver-opt',
  GwPriority: '--gw-priority',
};

/** What Docker reports about an endpoint; a client may echo it back, and it is ignored. */
const REPORTED = new Set([
  'NetworkID',
  'EndpointID',
  'Gateway',
  'IPAddress',
  'IPPrefixLen',
  'IPv6Gateway',
  'GlobalIPv6Address',
  'GlobalIPv6PrefixLen',
  'DNSNames',
]);

/** The aliases an endpoint asks for; any other setting it sets is refused, named. */
export function endpointAliases(endpoint: JsonObject, path: string): string[] {
  for (const [key, value] of Object.entries(endpoint)) {
    if (key === 'Aliases' || REPORTED.has(key) || isUnset(value)) continue;
    const flag = ENDPOINT_FLAGS[key];
    throw badRequest(
      `${path}.${key}${flag ? ` (${flag})` : ''} is not supported by Shoal: the Mesos CNI network gives addresses and routes itself; only aliases are published`,
    );
  }
  return stringListField(endpoint, 'Aliases', `${path}.Aliases`) ?? [];
}

const BUILTIN_MODES = ['bridge', 'host', 'none'] as const;
type BuiltinMode = (typeof BUILTIN_MODES)[number];

/**
 * HostConfig.NetworkMode and NetworkingConfig.EndpointsConfig: Docker's bridge, host or
 * none, or the tenant's networks with the aliases asked for on each. The first of those
 * is NetworkMode; the others, as API 1.44 allows, come from EndpointsConfig.
 */
export function parseNetworking(
  body: JsonObject,
  mode: string | undefined,
): { networkMode: BuiltinMode; networks: NetworkRequest[] } {
  const raw = mode ?? 'default';
  const networking = objectField(body, 'NetworkingConfig', 'NetworkingConfig');
  const endpoints =
    (networking &&
      objectField(networking, 'EndpointsConfig', 'NetworkingConfig.EndpointsConfig')) ??
    {};
  if (raw.startsWith('container:'))
    throw badRequest(
      `HostConfig.NetworkMode "${raw}" (--network container:…) is not supported by Shoal: each Mesos task has a network of its own`,
    );
  const builtin =
    raw === 'default'
      ? 'bridge'
      : (BUILTIN_MODES as readonly string[]).includes(raw)
        ? (raw as BuiltinMode)
        : undefined;
  if (builtin) {
    for (const [network, settings] of Object.entries(endpoints)) {
      const same = network === raw || network === builtin;
      if (!same || !isUnset(settings)) {
        throw badRequest(
          same
            ? `NetworkingConfig.EndpointsConfig.${clipped(network)}: aliases and addresses are supported only on the tenant's own networks (docker network create), not on ${network}`
            : `NetworkingConfig.EndpointsConfig.${clipped(network)}: a container on the ${builtin} network cannot be on other networks too`,
        );
      }
    }
    return { networkMode: builtin, networks: [] };
  }
  const names = [raw, ...Object.keys(endpoints).filter((n) => n !== raw)];
  const networks = names.map((network) => {
    const settings = endpoints[network];
    if (settings !== undefined && settings !== null && !isObject(settings))
      throw badRequest(
        `invalid type for NetworkingConfig.EndpointsConfig.${clipped(network)}: expected an object`,
      );
    if ((BUILTIN_MODES as readonly string[]).includes(network))
      throw badRequest(
        `NetworkingConfig.EndpointsConfig.${clipped(network)}: a container on the tenant's networks cannot be on ${network} too`,
      );
    const aliases = settings
      ? endpointAliases(settings, `NetworkingConfig.EndpointsConfig.${clipped(network)}`)
      : [];
    return aliases.length > 0 ? { network, aliases } : { network };
  });
  return { networkMode: 'bridge', networks };
}
