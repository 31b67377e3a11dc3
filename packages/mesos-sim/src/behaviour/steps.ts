import type { CommandInfo } from '@shoal/mesos';

/**
 * The built-in behaviour model: what a task "does" once it runs. A command is interpreted
 * up front into a list of steps, which is possible because every supported command has a
 * fixed outcome (nothing reads input); the runner then plays the steps on timers.
 */
export type Step =
  | { kind: 'write'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'exit'; code: number }
  | { kind: 'serve' };

export interface LaunchSpec {
  command?: CommandInfo;
  /** Set for ContainerInfo type DOCKER. */
  image?: string;
  /** Docker's `--entrypoint`: one executable, run with the command's words as its arguments. */
  entrypoint?: string;
  /**
   * Which containerizer reads the command (default docker). With `shell: false`, the
   * Docker containerizer puts `value` and then every argument on the `docker run` line;
   * the Mesos containerizer execs `value` with `arguments` as the whole argv.
   */
  runtime?: 'docker' | 'mesos';
  /** What `hostname` and `cat /etc/hostname` print inside the task. */
  hostname: string;
  env: Record<string, string>;
}
