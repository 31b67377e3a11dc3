import type { ContainerSpec } from './types';

// `docker run -i` without -t under the ucr runtime. A Mesos agent carries input to a
// process only through its I/O switchboard, which a task has only with a terminal; a
// nested container session always has one (the route `dcos task exec -i` takes). So the
// task holds the container's place with a process that waits, and the container's own
// command runs, for the client that attached with -i, as a session nested in the task:
// input with ATTACH_CONTAINER_INPUT, output streamed back, its end read with
// WAIT_CONTAINER. Its exit ends the task and is the container's exit code.

/** What the task runs while the command runs beside it (busybox and coreutils take it). */
export const HOLDER_ARGV: readonly string[] = ['sleep', 'infinity'];

/** Whether the container's command runs as a session for its attached client. */
export function isPiped(spec: Pick<ContainerSpec, 'runtime' | 'openStdin' | 'tty'>): boolean {
  return spec.runtime === 'ucr' && spec.openStdin && !spec.tty;
}

/** The command the session runs: Docker's Entrypoint then Cmd. */
export function pipedArgv(spec: Pick<ContainerSpec, 'entrypoint' | 'cmd'>): string[] {
  return [...(spec.entrypoint ?? []), ...(spec.cmd ?? [])];
}
