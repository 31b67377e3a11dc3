import type { CommandInfo } from '@shoal/mesos';
import { MAX_FILE_BYTES } from './sandbox';

/**
 * What a command's expansions (`$X$X…`, printf's reused format) may build in all: a sandbox
 * keeps no more of a file than this could fill, so more is never seen, and gigabytes must
 * not be built first.
 */
const MAX_EXPANSION = 2 * MAX_FILE_BYTES;

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

interface ImageBehaviour {
  stream: 'stdout' | 'stderr';
  line: string;
  serves: boolean;
}

const IMAGES: Record<string, ImageBehaviour> = {
  nginx: {
    stream: 'stdout',
    line: '/docker-entrypoint.sh: Configuration complete; ready for start up',
    serves: true,
  },
  redis: { stream: 'stdout', line: '1:M * Ready to accept connections tcp', serves: true },
  httpd: {
    stream: 'stderr',
    line: '[mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4 (Unix) configured -- resuming normal operations',
    serves: true,
  },
  postgres: {
    stream: 'stdout',
    line: 'LOG:  database system is ready to accept connections',
    serves: true,
  },
  'hello-world': {
    stream: 'stdout',
    line: '\nHello from Docker!\nThis message shows that your installation appears to be working correctly.',
    serves: false,
  },
  busybox: { stream: 'stdout', line: '', serves: false },
  alpine: { stream: 'stdout', line: '', serves: false },
  ubuntu: { stream: 'stdout', line: '', serves: false },
  debian: { stream: 'stdout', line: '', serves: false },
};

/** `registry:5000/library/nginx:1.27@sha256:…` → `nginx`. */
export function imageBaseName(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0] ?? last;
}

function imageDefault(image: string): Step[] {
  const name = imageBaseName(image);
  const known = IMAGES[name];
  const behaviour = known ?? {
    stream: 'stdout' as const,
    line: `${name}: started, waiting for connections`,
    serves: true,
  };
  const steps: Step[] = [];
  if (behaviour.line !== '')
    steps.push({ kind: 'write', stream: behaviour.stream, text: `${behaviour.line}\n` });
  steps.push(behaviour.serves ? { kind: 'serve' } : { kind: 'exit', code: 0 });
  return steps;
}

/** Programs that serve until stopped: the task (or the shell that runs one) never ends. */
export const SERVER_BINARIES = new Set([
  'nginx',
  'redis-server',
  'httpd',
  'httpd-foreground',
  'postgres',
  'docker-entrypoint.sh',
]);

export type Stream = 'stdout' | 'stderr' | 'null';

/** Thrown by `exit N` to leave the script, wherever in it the shell is. */
export class ExitSignal {
  constructor(readonly code: number) {}
}

/** A very small POSIX-sh subset: lists with `;` `&&` `||`, quotes, `$VAR`, and `>&2`-style redirects. */
class Shell {
  private readonly steps: Step[] = [];
  private status = 0;
  private serving = false;

  constructor(private readonly spec: LaunchSpec) {}

  finish(): Step[] {
    this.steps.push(this.serving ? { kind: 'serve' } : { kind: 'exit', code: this.status });
    return this.steps;
  }

  runScript(script: string): void {
    try {
      this.runList(script);
    } catch (signal) {
      if (!(signal instanceof ExitSignal)) throw signal;
      this.status = signal.code;
    }
  }

  runWords(words: string[]): void {
    try {
      this.simple(words, { stdout: 'stdout', stderr: 'stderr' });
    } catch (signal) {
      if (!(signal instanceof ExitSignal)) throw signal;
      this.status = signal.code;
    }
  }

  private runList(script: string): void {
    for (const { words, op } of parseList(script, this.spec.env)) {
      if (this.serving) return;
      if (op === '&&' && this.status !== 0) continue;
      if (op === '||' && this.status === 0) continue;
      const status = String(this.status);
      const { argv, streams } = extractRedirects(
        words.map((w) => w.replaceAll(LAST_STATUS, status)),
      );
      this.simple(argv, streams);
    }
  }

  private write(stream: Stream, text: string): void {
    if (stream !== 'null' && text !== '') this.steps.push({ kind: 'write', stream, text });
  }

  private simple(argv: string[], io: { stdout: Stream; stderr: Stream }): void {
    const [name, ...args] = argv;
    if (name === undefined) return;
    const base = name.split('/').pop() ?? name;
    switch (base) {
      case 'echo': {
        let newline = true;
        while (args[0] === '-n' || args[0] === '-e') if (args.shift() === '-n') newline = false;
        this.write(io.stdout, args.join(' ') + (newline ? '\n' : ''));
        this.status = 0;
        return;
      }
      case 'printf':
        this.write(io.stdout, printf(args[0] ?? '', args.slice(1)));
        this.status = 0;
        return;
      case 'sleep': {
        const ms = parseSleep(args[0]);
        if (ms === undefined) {
          this.write(io.stderr, `sleep: invalid time interval '${args[0] ?? ''}'\n`);
          this.status = 1;
          return;
        }
        if (ms === Infinity) this.serving = true;
        else this.steps.push({ kind: 'sleep', ms });
        this.status = 0;
        return;
      }
      case 'exit':
        throw new ExitSignal(
          args[0] === undefined ? this.status : Number.parseInt(args[0], 10) & 0xff,
        );
      case 'true':
      case ':':
        this.status = 0;
        return;
      case 'false':
        this.status = 1;
        return;
      case 'hostname':
        this.write(io.stdout, `${this.spec.hostname}\n`);
        this.status = 0;
        return;
      case 'cat':
        for (const file of args) {
          if (file === '/etc/hostname') this.write(io.stdout, `${this.spec.hostname}\n`);
          else {
            this.write(io.stderr, `cat: ${file}: No such file or directory\n`);
            this.status = 1;
            return;
          }
        }
        this.status = 0;
        return;
      case 'printenv':
      case 'env': {
        const names = base === 'printenv' && args.length > 0 ? args : Object.keys(this.spec.env);
        const missing = names.some((n) => this.spec.env[n] === undefined);
        for (const n of names) {
          const v = this.spec.env[n];
          if (v !== undefined)
            this.write(io.stdout, base === 'env' || args.length === 0 ? `${n}=${v}\n` : `${v}\n`);
        }
        this.status = missing ? 1 : 0;
        return;
      }
      case 'sh':
      case 'bash':
      case 'ash':
      case 'dash':
        if (args[0] === '-c') {
          const inner = new Shell(this.spec);
          inner.runScript(args[1] ?? '');
          this.steps.push(...inner.steps);
          this.serving ||= inner.serving;
          this.status = inner.status;
          return;
        }
        this.status = 0;
        return;
      case 'tail':
        if (args.includes('-f')) {
          this.serving = true;
          return;
        }
        break;
    }
    if (SERVER_BINARIES.has(base)) {
      this.write(io.stdout, `${base}: started, waiting for connections\n`);
      this.serving = true;
      return;
    }
    this.write(io.stderr, `sh: 1: ${name}: not found\n`);
    this.status = 127;
  }
}

export function parseSleep(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (arg === 'infinity') return Infinity;
  const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit * 1000;
}

function unescape(s: string): string {
  return s.replace(
    /\\(.)/g,
    (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`,
  );
}

/** Shell printf: `%s`/`%d`/`%%`, backslash escapes, and the format reused while arguments remain. */
export function printf(format: string, args: string[]): string {
  const fmt = unescape(format);
  let out = '';
  let i = 0;
  do {
    // The format is used again for each argument left: the output stops where a sandbox
    // could keep no more (see parseList), not after building gigabytes.
    if (out.length > MAX_EXPANSION) return out.slice(0, MAX_EXPANSION);
    let consumed = false;
    out += fmt.replace(/%([sdi%])/g, (_, spec: string) => {
      if (spec === '%') return '%';
      consumed = true;
      const arg = args[i++] ?? '';
      return spec === 's' ? arg : String(Number.parseInt(arg, 10) || 0);
    });
    if (!consumed) break;
  } while (i < args.length);
  return out;
}

export interface Command {
  words: string[];
  /** The operator that joins this command to the previous one. */
  op: ';' | '&&' | '||';
}

/** Stands for `$?` until the command runs, since the script is parsed before it executes. */
export const LAST_STATUS = '\u0000?\u0000';

/** Splits a script into simple commands, honouring quotes; expands `$VAR` and `${VAR}`. */
export function parseList(script: string, env: Record<string, string>): Command[] {
  const commands: Command[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let op: Command['op'] = ';';
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (next: Command['op']) => {
    endWord();
    if (words.length > 0) commands.push({ words, op });
    words = [];
    op = next;
  };
  let room = MAX_EXPANSION;
  const expand = (at: number): [string, number] => {
    const rest = script.slice(at + 1, at + 2 + 256);
    const m = /^(\?|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (!m) return ['$', at + 1];
    const key = m[1] ?? '';
    const name = key.startsWith('{') ? key.slice(1, -1) : key;
    const value = (name === '?' ? LAST_STATUS : (env[name] ?? '')).slice(0, room);
    room -= value.length;
    return [value, at + 1 + key.length];
  };
  for (let i = 0; i < script.length;) {
    const c = script[i] as string;
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      word += script.slice(i + 1, end < 0 ? undefined : end);
      inWord = true;
      i = end < 0 ? script.length : end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      while (i < script.length && script[i] !== '"') {
        if (
          script[i] === '\\' &&
          i + 1 < script.length &&
          '"\\$`'.includes(script[i + 1] as string)
        ) {
          word += script[i + 1];
          i += 2;
        } else if (script[i] === '$') {
          const [value, next] = expand(i);
          word += value;
          i = next;
        } else word += script[i++];
      }
      i++;
    } else if (c === '\\' && i + 1 < script.length) {
      word += script[i + 1];
      inWord = true;
      i += 2;
    } else if (c === '$') {
      const [value, next] = expand(i);
      word += value;
      inWord = true;
      i = next;
    } else if (script.startsWith('&&', i) || script.startsWith('||', i)) {
      endCommand(script.slice(i, i + 2) as '&&' | '||');
      i += 2;
    } else if (c === ';' || c === '\n') {
      endCommand(';');
      i++;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '#' && !inWord) {
      while (i < script.length && script[i] !== '\n') i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand(';');
  return commands;
}

export function extractRedirects(words: string[]): {
  argv: string[];
  streams: { stdout: Stream; stderr: Stream };
} {
  const streams: { stdout: Stream; stderr: Stream } = { stdout: 'stdout', stderr: 'stderr' };
  const argv: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '>&2' || w === '1>&2') streams.stdout = 'stderr';
    else if (w === '2>&1') streams.stderr = streams.stdout;
    else if (w === '>/dev/null' || w === '1>/dev/null') streams.stdout = 'null';
    else if (w === '2>/dev/null') streams.stderr = 'null';
    else if ((w === '>' || w === '1>' || w === '2>') && words[i + 1] === '/dev/null') {
      if (w === '2>') streams.stderr = 'null';
      else streams.stdout = 'null';
      i++;
    } else argv.push(w);
  }
  return { argv, streams };
}
