import type { ContainerInfo, TaskInfo } from '@shoal/mesos';
import type { Resources } from './resources';

/** Networks every Docker daemon has; the emulated agents have no user-defined ones. */
const BUILT_IN_NETWORKS = new Set(['bridge', 'host', 'none', 'default']);

/** Why the agent could not start a Docker task, and what `docker run` printed, if it ran. */
export interface DockerLaunchFailure {
  message: string;
  stderr?: string;
}

/** The `docker run` a Docker containerizer would build for a task, as far as the emulator needs it. */
export interface DockerRun {
  /** The `--entrypoint` parameter (the last one wins, as on Docker's command line). */
  entrypoint?: string;
}

function networkName(container: ContainerInfo): string {
  switch (container.docker?.network ?? 'HOST') {
    case 'HOST':
      return 'host';
    case 'BRIDGE':
      return 'bridge';
    case 'NONE':
      return 'none';
    default:
      return container.network_infos?.[0]?.name ?? '';
  }
}

/**
 * Checks a Docker task as the agent's Docker containerizer does while it builds the
 * `docker run` line, then as the Docker daemon does when it runs it. A failure here
 * is the task's TASK_FAILED; a real cluster refuses the same tasks the same way.
 */
export function dockerRun(
  info: TaskInfo,
  resources: Resources,
): DockerRun | { failure: DockerLaunchFailure } {
  const container = info.container;
  const docker = container?.docker;
  if (!container || !docker) return {};
  const fail = (message: string, stderr?: string) => ({
    failure: { message, ...(stderr !== undefined ? { stderr } : {}) },
  });
  const mode = docker.network ?? 'HOST';
  if (mode === 'USER') {
    const infos = container.network_infos ?? [];
    if (infos.length === 0) return fail('No network info found in container info');
    if (infos.length > 1) return fail('Only a single network can be defined in Docker run');
    if (!infos[0]?.name) return fail('No network name found in network info');
  }
  let network = networkName(container);
  if (container.hostname && network === 'host')
    return fail('Unable to set hostname with host network mode');
  const mappings = docker.port_mappings ?? [];
  if (mappings.length > 0) {
    if (network !== 'bridge' && mode !== 'USER')
      return fail('Port mappings are only supported for bridge and user-defined networks');
    if (resources.ports.length === 0) return fail('Port mappings require port resources');
    for (const mapping of mappings) {
      const inside = resources.ports.some(
        ([begin, end]) => mapping.host_port >= begin && mapping.host_port <= end,
      );
      if (!inside) return fail(`Port [${mapping.host_port}] not included in resources`);
    }
  }
  let entrypoint: string | undefined;
  for (const parameter of docker.parameters ?? []) {
    if (parameter.key === 'net' || parameter.key === 'network') network = parameter.value;
    if (parameter.key === 'entrypoint') entrypoint = parameter.value;
  }
  if (!BUILT_IN_NETWORKS.has(network)) {
    return fail(
      'Failed to run docker container',
      `docker: Error response from daemon: network ${network} not found.`,
    );
  }
  // Docker takes `--entrypoint` as one executable, never as a command line to split.
  if (entrypoint !== undefined && /\s/.test(entrypoint)) {
    return fail(
      'Failed to run docker container',
      `docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${entrypoint}": executable file not found in $PATH: unknown.`,
    );
  }
  return entrypoint ? { entrypoint } : {};
}
