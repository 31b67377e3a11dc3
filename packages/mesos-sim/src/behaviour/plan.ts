import { imageDefault } from './images';
import { Shell } from './shell';
import type { LaunchSpec, Step } from './steps';

export function planTask(spec: LaunchSpec): Step[] {
  const command = spec.command;
  const hasCommand =
    command !== undefined && (command.value !== undefined || (command.arguments?.length ?? 0) > 0);
  if (!hasCommand && spec.entrypoint === undefined)
    return spec.image !== undefined ? imageDefault(spec.image) : [{ kind: 'exit', code: 0 }];
  const shell = new Shell(spec);
  if (spec.entrypoint !== undefined) {
    // An entrypoint takes the command as its arguments (a shell command as `/bin/sh -c …`).
    const tail =
      command === undefined || !hasCommand
        ? []
        : (command.shell ?? true)
          ? ['/bin/sh', '-c', command.value ?? '']
          : [command.value, ...(command.arguments ?? [])];
    shell.runWords([spec.entrypoint, ...tail].filter((w): w is string => w !== undefined));
  } else if (command?.shell ?? true) shell.runScript(command?.value ?? '');
  else if (command) {
    // Mesos execs `value` with `arguments` as the whole argv (argv[0] included); the Docker
    // containerizer instead appends the arguments after `value` on the `docker run` line.
    const args = command.arguments ?? [];
    const words =
      spec.image !== undefined && spec.runtime !== 'mesos'
        ? [command.value, ...args]
        : [command.value ?? args[0], ...args.slice(1)];
    shell.runWords(words.filter((w): w is string => w !== undefined));
  }
  return shell.finish();
}
