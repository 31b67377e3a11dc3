import type { PortBinding } from '@shoal/core';
import { badRequest } from '../errors';
import { boolField, isObject, objectField, stringField, type JsonObject } from './body-fields';

/** The ports a create publishes: its bindings (-p), and with -P every port it exposes. */
export function publishedPorts(
  body: JsonObject,
  host: JsonObject,
): { ports: PortBinding[]; publishAllPorts: boolean } {
  const ports = parsePorts(host);
  const publishAllPorts = boolField(host, 'PublishAllPorts', 'HostConfig.PublishAllPorts') ?? false;
  if (publishAllPorts) {
    // Docker publishes the ports the image declares; Shoal never sees the image, only what
    // the request names (--expose, -p). Publishing nothing in silence is not an answer.
    if (Object.keys(objectField(body, 'ExposedPorts', 'ExposedPorts') ?? {}).length === 0) {
      throw badRequest(
        '-P (PublishAllPorts) publishes the ports the image exposes, which Shoal cannot read (agents pull images, Shoal does not): name them with --expose, or publish them with -p',
      );
    }
    ports.push(...exposedPorts(body, ports).map((p) => ({ ...p })));
  }
  return { ports, publishAllPorts };
}

const PORT_KEY = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/;

function parsePortKey(key: string, path: string): { port: number; protocol: 'tcp' | 'udp' } {
  const match = PORT_KEY.exec(key);
  const port = Number(match?.[1]);
  if (!match || port < 1 || port > 65_535) throw badRequest(`invalid port "${key}" in ${path}`);
  if (match[2] === 'sctp')
    throw badRequest(`${path} "${key}": sctp ports are not supported by Shoal`);
  return { port, protocol: match[2] === 'udp' ? 'udp' : 'tcp' };
}

function parsePorts(host: JsonObject): PortBinding[] {
  const bindings = objectField(host, 'PortBindings', 'HostConfig.PortBindings') ?? {};
  const ports: PortBinding[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const path = 'HostConfig.PortBindings';
    const { port, protocol } = parsePortKey(key, path);
    if (list === null) continue;
    if (!Array.isArray(list)) throw badRequest(`invalid type for ${path}.${key}: expected a list`);
    for (const binding of list) {
      if (!isObject(binding)) throw badRequest(`invalid type for ${path}.${key}: expected objects`);
      const hostIp = stringField(binding, 'HostIp', `${path}.${key}.HostIp`);
      if (hostIp && hostIp !== '0.0.0.0' && hostIp !== '::') {
        throw badRequest(
          `${path}.${key}: binding to host address ${hostIp} is not supported by Shoal; the agent chooses the address`,
        );
      }
      const hostPort = stringField(binding, 'HostPort', `${path}.${key}.HostPort`);
      if (hostPort !== undefined && !/^\d{1,5}$/.test(hostPort)) {
        throw badRequest(
          `${path}.${key}: host port "${hostPort}" must be one port number (ranges are not supported)`,
        );
      }
      // Host port 0 (-p 0:80) is Docker's "any free port", as an omitted one (-p 80) is.
      ports.push(
        hostPort && Number(hostPort) !== 0
          ? { containerPort: port, protocol, hostPort: Number(hostPort) }
          : { containerPort: port, protocol },
      );
    }
  }
  return ports;
}

/** Exposed ports that no binding publishes (with -P, each is published on any host port). */
export function exposedPorts(
  body: JsonObject,
  bound: PortBinding[],
): Omit<PortBinding, 'hostPort'>[] {
  const exposed = objectField(body, 'ExposedPorts', 'ExposedPorts') ?? {};
  return Object.keys(exposed)
    .map((key) => parsePortKey(key, 'ExposedPorts'))
    .filter((p) => !bound.some((b) => b.containerPort === p.port && b.protocol === p.protocol))
    .map((p) => ({ containerPort: p.port, protocol: p.protocol }));
}
