import type {
  CommandInfo,
  ContainerInfo,
  KillPolicy,
  Offer,
  Resource,
  TaskInfo,
} from '@shoal/mesos';
import type { PortAssignment, TaskRequest } from './types';

const NETWORK: Record<TaskRequest['container']['networkMode'], ContainerInfo.DockerInfo.Network> = {
  bridge: 'BRIDGE',
  host: 'HOST',
  none: 'NONE',
};

/**
 * `KEY=value` entries as Mesos variables. A bare `KEY` (`docker run -e KEY` with KEY unset
 * where the client ran) leaves the variable unset, as Docker does, not set to nothing.
 */
function environment(env: readonly string[]): CommandInfo['environment'] {
  return {
    variables: env
      .filter((entry) => entry.includes('='))
      .map((entry) => {
        const eq = entry.indexOf('=');
        return { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
      }),
  };
}

/** The Mesos TaskInfo for a container, under the containerizer its runtime names. */
export function buildTaskInfo(
  request: TaskRequest,
  offer: Offer,
  resources: Resource[],
  ports: PortAssignment[],
): TaskInfo {
  const { command, container } =
    request.container.runtime === 'ucr'
      ? mesosContainer(request, ports)
      : dockerContainer(request, ports);
  return {
    name: request.name,
    task_id: { value: request.taskId },
    agent_id: offer.agent_id,
    resources,
    command,
    container,
    ...(request.container.discovery
      ? {
          // The names are the tenant's own, unique only within it: meant for the
          // framework's discovery, not for one namespace shared by the whole cluster.
          discovery: {
            visibility: 'FRAMEWORK',
            name: request.container.discovery.name,
            labels: { labels: request.container.discovery.labels },
          },
        }
      : {}),
    ...(request.killGracePeriodSeconds !== undefined
      ? { kill_policy: killPolicy(request.killGracePeriodSeconds) }
      : {}),
    labels: {
      labels: [
        { key: 'shoal.group', value: request.groupKey },
        // The Docker containerizer gets them as `docker run --label`; the Mesos one has no such thing.
        ...(request.container.runtime === 'ucr'
          ? Object.entries(request.container.labels).map(([key, value]) => ({ key, value }))
          : []),
      ],
    },
  };
}

/** A task's grace period between SIGTERM and SIGKILL: given at launch, or to one KILL (overriding the launch's). */
export function killPolicy(gracePeriodSeconds: number): KillPolicy {
  return { grace_period: { nanoseconds: BigInt(Math.round(gracePeriodSeconds * 1e9)) } };
}

/**
 * Under the Docker containerizer. With `shell: false` it runs
 * `docker run --entrypoint=<e> <image> <value> <arguments…>`. `--entrypoint` takes one
 * executable, so only the entrypoint's first word goes in as that parameter; its other
 * words and then Docker's Cmd become value + arguments, which is the argv Docker itself
 * would run.
 */
function dockerContainer(
  request: TaskRequest,
  ports: PortAssignment[],
): { command: CommandInfo; container: ContainerInfo } {
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
    command: {
      shell: false,
      ...(value !== undefined ? { value, arguments: args } : {}),
      environment: environment(container.env),
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
  };
}

/**
 * Under the Mesos containerizer (UCR) with the Docker image. Its command runs without a
 * shell: `value` is the executable and `arguments` the whole argv. Docker's Entrypoint and
 * Cmd make that argv; with neither, no value is set and the image's own Entrypoint and Cmd
 * run. A Cmd without an Entrypoint is run as given (the Mesos containerizer would otherwise
 * put the image's first Cmd word in front of it). A bridged container joins the CNI network,
 * its published ports mapped there; on the host network it joins none. The user becomes
 * the command's.
 */
function mesosContainer(
  request: TaskRequest,
  ports: PortAssignment[],
): { command: CommandInfo; container: ContainerInfo } {
  const { container } = request;
  const argv = [...(container.entrypoint ?? []), ...(container.cmd ?? [])];
  const bridged = container.networkMode === 'bridge' && container.cniNetwork;
  return {
    command: {
      shell: false,
      ...(argv.length > 0 ? { value: argv[0], arguments: argv } : {}),
      environment: environment(container.env),
      ...(container.user ? { user: container.user } : {}),
    },
    container: {
      type: 'MESOS',
      ...(container.hostname ? { hostname: container.hostname } : {}),
      mesos: { image: { type: 'DOCKER', docker: { name: container.image } } },
      ...(bridged
        ? {
            network_infos: [
              {
                name: container.cniNetwork,
                port_mappings: ports.map((p) => ({
                  host_port: p.hostPort,
                  container_port: p.containerPort,
                  protocol: p.protocol,
                })),
              },
            ],
          }
        : {}),
      ...(container.tty
        ? { tty_info: container.terminalSize ? { window_size: container.terminalSize } : {} }
        : {}),
    },
  };
}
