import type { CommandInfo, ContainerInfo, TaskInfo } from '@shoal/mesos';
import { imageBaseName } from '../behaviour/images';

/**
 * A task under the Mesos containerizer (ContainerInfo type MESOS), checked as its agent
 * checks it while it provisions the image, joins the CNI networks and works out the
 * command, and the argv its first process runs.
 */

/** What an image runs when the task names no executable (its Entrypoint, else its Cmd). */
const IMAGE_COMMANDS: Record<string, string[]> = {
  alpine: ['/bin/sh'],
  busybox: ['sh'],
  ubuntu: ['/bin/bash'],
  debian: ['bash'],
  nginx: ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'],
  redis: ['docker-entrypoint.sh', 'redis-server'],
  httpd: ['httpd-foreground'],
  postgres: ['docker-entrypoint.sh', 'postgres'],
};

export function isMesosContainer(info: TaskInfo): boolean {
  return info.container?.type === 'MESOS';
}

/** Why the agent cannot launch this task, or undefined when it can. */
export function ucrLaunchFailure(
  info: TaskInfo,
  cniNetworks: readonly string[],
): string | undefined {
  const container = info.container as ContainerInfo;
  const image = container.mesos?.image;
  if (image && image.type !== 'DOCKER')
    return 'Only Docker images are provisioned on this agent (--image_providers=docker)';
  for (const network of container.network_infos ?? []) {
    if (network.name !== undefined && !cniNetworks.includes(network.name))
      return `Unknown CNI network '${network.name}'`;
  }
  const command = info.command;
  if (command && (command.shell ?? true) && command.value === undefined)
    return 'Failed to determine the launch command: Shell specified but no command value provided';
  if (command && !(command.shell ?? true) && command.value === undefined && !image)
    return 'Failed to determine the launch command: No executable is found';
  return undefined;
}

/** The image a task's container is provisioned from, if any. */
export function imageOf(info: TaskInfo): string | undefined {
  return info.container?.mesos?.image?.docker?.name;
}

/**
 * The argv of the container's first process, by the docker/runtime isolator's rules: a
 * shell command runs under `/bin/sh -c`; `value` is the executable with `arguments` as
 * its whole argv; with neither, the image's Entrypoint (else Cmd) runs, the arguments
 * after it.
 */
export function processArgv(command: CommandInfo | undefined, image: string | undefined): string[] {
  if (command && (command.shell ?? true)) return ['/bin/sh', '-c', command.value ?? ''];
  const args = command?.arguments ?? [];
  if (command?.value !== undefined) return [command.value, ...args.slice(1)];
  const name = image === undefined ? '' : imageBaseName(image);
  const fromImage = IMAGE_COMMANDS[name] ?? [
    '/bin/sh',
    '-c',
    `echo "${name}: started, waiting for connections"; sleep infinity`,
  ];
  return args.length > 0 ? [fromImage[0] as string, ...args] : fromImage;
}

/** The same command with the image's executable named, so the step planner can run it. */
export function resolvedCommand(
  command: CommandInfo | undefined,
  image: string | undefined,
): CommandInfo | undefined {
  if (!command || (command.shell ?? true) || command.value !== undefined) return command;
  if ((command.arguments?.length ?? 0) === 0) return command;
  const argv = processArgv(command, image);
  return { ...command, value: argv[0] as string, arguments: argv };
}
