import type { ContainerInfo, Offer, Resource, TaskInfo } from '@shoal/mesos';
import type { PortAssignment, TaskRequest } from './types';

const NETWORK: Record<TaskRequest['container']['networkMode'], ContainerInfo.DockerInfo.Network> = {
  bridge: 'BRIDGE',
  host: 'HOST',
  none: 'NONE',
};

/**
 * The Mesos TaskInfo for a Docker container. With `shell: false` the Docker
 * containerizer runs `docker run --entrypoint=<e> <image> <value> <arguments…>`.
 * `--entrypoint` takes one executable, so only the entrypoint's first word goes
 * in as that parameter; its other words and then Docker's Cmd become value +
 * arguments, which is the argv Docker itself would run.
 */
export function buildTaskInfo(
  request: TaskRequest,
  offer: Offer,
  resources: Resource[],
  ports: PortAssignment[],
): TaskInfo {
  const { container } = request;
  const [executable, ...entrypointArgs] = container.entrypoint ?? [];
  const parameters = [
    ...Object.entries(container.labels).map(([k, v]) => ({ key: 'label', value: `${k}=${v}` })),
    ...(executable !== undefined ? [{ key: 'entrypoint', value: executable }] : []),
    ...(container.workingDir ? [{ key: 'workdir', value: container.workingDir }] : []),
    ...(container.user ? [{ key: 'user', value: container.user }] : []),
  ];
  const [value, ...args] = [...entrypointArgs, ...(container.cmd ?? [])];
  const network = NETWORK[container.networkMode];
  return {
    name: request.name,
    task_id: { value: request.taskId },
    agent_id: offer.agent_id,
    resources,
    command: {
      shell: false,
      ...(value !== undefined ? { value, arguments: args } : {}),
      environment: {
        variables: container.env.map((entry) => {
          const eq = entry.indexOf('=');
          return eq < 0
            ? { name: entry, value: '' }
            : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
        }),
      },
    },
    container: {
      type: 'DOCKER',
      ...(container.hostname ? { hostname: container.hostname } : {}),
      docker: {
        image: container.image,
        network,
        ...(network === 'BRIDGE'
          ? {
              port_mappings: ports.map((p) => ({
                host_port: p.hostPort,
                container_port: p.containerPort,
                protocol: p.protocol,
              })),
            }
          : {}),
        parameters,
      },
    },
    ...(request.killGracePeriodSeconds !== undefined
      ? {
          kill_policy: {
            grace_period: { nanoseconds: BigInt(Math.round(request.killGracePeriodSeconds * 1e9)) },
          },
        }
      : {}),
    labels: { labels: [{ key: 'shoal.group', value: request.groupKey }] },
  };
}
