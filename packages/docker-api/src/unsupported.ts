import { notImplemented } from './errors';
import type { Route } from './router';

// Whole areas of the Docker API that have no Mesos counterpart. They answer
// 501 with the reason instead of the 404 "page not found" of a mistyped path.

const AREAS: Record<string, string> = {
  networks: 'this network endpoint is not supported by Shoal',
  volumes: 'volumes are not supported by Shoal: Mesos tasks get no Docker volumes',
  swarm: 'swarm mode is not supported: Shoal is a Mesos framework, not a swarm',
  services: 'swarm services are not supported: Shoal is a Mesos framework, not a swarm',
  tasks: 'swarm tasks are not supported: Shoal is a Mesos framework, not a swarm',
  nodes: 'swarm nodes are not supported: Shoal is a Mesos framework, not a swarm',
  secrets: 'secrets are not supported by Shoal',
  configs: 'swarm configs are not supported by Shoal',
  plugins: 'plugins are not supported by Shoal',
  distribution:
    'registry distribution queries are not supported: Mesos agents talk to registries themselves',
  session: 'BuildKit sessions are not supported: Shoal does not build images',
  grpc: 'BuildKit is not supported: Shoal does not build images',
  auth: 'registry login is not checked by Shoal: Mesos agents pull with their own registry credentials',
  system: 'this system endpoint is not supported by Shoal',
};

const METHODS: Route['method'][] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];

/** A handler that answers 501 with `reason`. */
export const refuseWith =
  (reason: string): Route['handle'] =>
  () =>
    Promise.reject(notImplemented(reason));

export const unsupportedRoutes: Route[] = Object.entries(AREAS).flatMap(([area, reason]) =>
  [`/${area}`, `/${area}/{rest*}`].flatMap((path) =>
    METHODS.map((method): Route => ({
      method,
      path,
      handle: refuseWith(reason),
    })),
  ),
);
