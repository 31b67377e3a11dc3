import { randomHex } from './random-hex';
import type { TaskRequest } from '@shoal/scheduler';
import { HOLDER_ARGV, isPiped } from './piped';
import { groupKeyOf } from './spec';
import type { ContainerSpec } from './types';

/** A Mesos task id, never reused: `shoal.<first 12 of the container id>.<random>`. */
export function newTaskId(containerId: string): string {
  return `shoal.${containerId.slice(0, 12)}.${randomHex(4)}`;
}

/** The label docker-compose puts the service's name in. */
const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

/**
 * The names a container on the tenant's networks is known by there, published with its
 * task for a discovery service (Mesos-DNS and kin) to serve: its name, its compose
 * service's name, and its aliases on each network. Each is a label of the task's
 * DiscoveryInfo; the name itself is the container's.
 */
export function discoveryOf(
  name: string,
  spec: ContainerSpec,
): TaskRequest['container']['discovery'] {
  const networks = spec.networks ?? [];
  if (networks.length === 0) return undefined;
  const service = spec.labels[COMPOSE_SERVICE_LABEL];
  const aliases = new Set([
    name,
    ...(service ? [service] : []),
    ...networks.flatMap((n) => n.aliases),
  ]);
  return {
    name,
    labels: [
      ...networks.map((n) => ({ key: 'network', value: n.name })),
      ...[...aliases].map((value) => ({ key: 'alias', value })),
    ],
  };
}

/** What the scheduler needs to launch one task of a container in its tenant's role. */
export function taskRequest(
  c: { id: string; tenantId: string; name: string; config: unknown },
  role: string,
  taskId: string,
): TaskRequest {
  const spec = c.config as ContainerSpec;
  const discovery = discoveryOf(c.name, spec);
  return {
    taskId,
    name: c.name,
    role,
    cpus: spec.cpus,
    memMb: spec.memoryMb,
    diskMb: spec.diskMb,
    gpus: spec.gpus,
    bestEffort: spec.bestEffort,
    ports: spec.ports,
    constraints: spec.constraints,
    groupKey: groupKeyOf(c),
    container: {
      image: spec.image,
      networkMode: spec.networkMode,
      // A piped container's command runs as a session beside the task (piped.ts).
      ...(isPiped(spec)
        ? { entrypoint: [...HOLDER_ARGV] }
        : {
            ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
            ...(spec.cmd ? { cmd: spec.cmd } : {}),
          }),
      env: spec.env,
      labels: spec.labels,
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
      ...(spec.user ? { user: spec.user } : {}),
      // As Docker names a container with a network of its own: its short id, which
      // `docker inspect` shows as Config.Hostname, unless it asked for another.
      ...(spec.hostname || spec.networkMode !== 'host'
        ? { hostname: spec.hostname ?? c.id.slice(0, 12) }
        : {}),
      ...(spec.runtime === 'ucr'
        ? {
            runtime: 'ucr' as const,
            tty: spec.tty,
            ...(spec.tty && spec.consoleSize ? { terminalSize: spec.consoleSize } : {}),
            ...(spec.cniNetwork ? { cniNetwork: spec.cniNetwork } : {}),
          }
        : {}),
      ...(discovery ? { discovery } : {}),
    },
  };
}
