import { ExitSignal, parseSleep, printf, SERVER_BINARIES } from '../behaviour/shell-commands';
import { extractRedirects, LAST_STATUS, parseList, type Stream } from '../behaviour/shell-syntax';
import { type InputQueue, ProcessStopped } from './input';
import type { Terminal } from './terminal';

/**
 * A process that runs inside an emulated container and can read its input: the first
 * process of a task with a terminal, or a nested container session's. It interprets a
 * small documented set of commands (see the README) and reports a wait(2) status: the exit
 * code shifted left by 8, or the number of the signal that ended it.
 */

/** What the container gives its processes. */
export interface ContainerContext {
  env: Record<string, string>;
  hostname: string;
  /** The working directory: the task's sandbox as mapped into the container. */
  cwd: string;
  /** The sandbox's files (stdout and stderr), as `ls` and `cat` see them. */
  sandbox: { names(): string[]; read(name: string): string | undefined };
}

export interface ProcessStdio {
  stdin: InputQueue;
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** Present when stdin and stdout are a terminal. */
  terminal?: Terminal;
  sleep(ms: number, stop: AbortSignal): Promise<void>;
}

const SIGINT = 2;
const SIGABRT = 6;
const SIGKILL = 9;
const ROOT_DIRECTORIES = [
  'bin',
  'dev',
  'etc',
  'home',
  'lib',
  'media',
  'mnt',
  'opt',
  'proc',
  'root',
  'run',
  'sbin',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
];

interface Io {
  stdout: Stream;
  stderr: Stream;
}

export class EmulatedProcess {
  /** The wait(2) status once the process has ended. */
  readonly exited: Promise<number>;
  private readonly killed = new AbortController();
  /** Aborted by ^C: the command in the foreground (or the prompt's read). */
  private foreground = new AbortController();
  private interactive = false;
  private status = 0;

  constructor(
    argv: string[],
    private readonly container: ContainerContext,
    private readonly stdio: ProcessStdio,
  ) {
    this.exited = this.main(argv);
  }

  /** Ends the process with `signal` (SIGKILL by default). */
  kill(signal = SIGKILL): void {
    if (!this.killed.signal.aborted) this.killed.abort(new ProcessStopped(signal));
  }

  /** ^C on its terminal: an interactive shell stops its current command, anything else dies. */
  interrupt(): void {
    if (this.interactive) this.foreground.abort(new ProcessStopped(SIGINT));
    else this.kill(SIGINT);
  }

  private async main(argv: string[]): Promise<number> {
    try {
      await this.runWords(argv, { stdout: 'stdout', stderr: 'stderr' });
      return (this.status & 0xff) << 8;
    } catch (error) {
      if (error instanceof ExitSignal) return (error.code & 0xff) << 8;
      if (error instanceof ProcessStopped) return error.signal;
      // A fault in the emulated command ends this process, as an abort would, and nothing
      // else: its status is awaited where no caller could catch a rejection.
      const message = error instanceof Error ? error.message : String(error);
      this.write('stderr', `${argv[0] ?? 'sh'}: ${message}\n`);
      return SIGABRT;
    }
  }

  /** A signal that fires on a kill or on ^C, for one foreground command. */
  private stopSignal(): AbortSignal {
    if (this.foreground.signal.aborted) this.foreground = new AbortController();
    return AbortSignal.any([this.killed.signal, this.foreground.signal]);
  }

  private write(stream: Stream, text: string): void {
    if (stream === 'null' || text === '' || this.killed.signal.aborted) return;
    if (this.stdio.terminal) this.stdio.terminal.write(text);
    else this.stdio.write(stream, text);
  }

  private async runScript(script: string): Promise<void> {
    for (const { words, op } of parseList(script, this.container.env)) {
      if (op === '&&' && this.status !== 0) continue;
      if (op === '||' && this.status === 0) continue;
      const last = String(this.status);
      const { argv, streams } = extractRedirects(words.map((w) => w.replaceAll(LAST_STATUS, last)));
      await this.runWords(argv, streams);
    }
  }

  private async runWords(argv: string[], io: Io): Promise<void> {
    try {
      this.status = await this.command(argv, io);
    } catch (error) {
      // ^C stops the command in the foreground of an interactive shell, which carries on.
      if (!(error instanceof ProcessStopped) || error.signal !== SIGINT || !this.interactive)
        throw error;
      this.status = 128 + SIGINT;
    }
  }

  private async command(argv: string[], io: Io): Promise<number> {
    const [name, ...args] = argv;
    if (name === undefined) return this.status;
    const base = name.split('/').pop() ?? name;
    switch (base) {
      case 'echo': {
        let newline = true;
        while (args[0] === '-n' || args[0] === '-e') if (args.shift() === '-n') newline = false;
        this.write(io.stdout, args.join(' ') + (newline ? '\n' : ''));
        return 0;
      }
      case 'printf':
        this.write(io.stdout, printf(args[0] ?? '', args.slice(1)));
        return 0;
      case 'true':
      case ':':
        return 0;
      case 'false':
        return 1;
      case 'exit':
        throw new ExitSignal(args[0] === undefined ? this.status : Number.parseInt(args[0], 10));
      case 'hostname':
        this.write(io.stdout, `${this.container.hostname}\n`);
        return 0;
      case 'pwd':
        this.write(io.stdout, `${this.container.cwd}\n`);
        return 0;
      case 'whoami':
        this.write(io.stdout, 'root\n');
        return 0;
      case 'id':
        this.write(io.stdout, 'uid=0(root) gid=0(root) groups=0(root)\n');
        return 0;
      case 'env':
      case 'printenv':
        return this.env(base, args, io);
      case 'sleep':
        return this.sleep(args[0], io);
      case 'cat':
        return this.cat(args, io);
      case 'ls':
        return this.ls(args, io);
      case 'tty':
        this.write(io.stdout, this.stdio.terminal ? '/dev/pts/0\n' : 'not a tty\n');
        return this.stdio.terminal ? 0 : 1;
      case 'stty':
        return this.stty(args, io);
      case 'sh':
      case 'ash':
      case 'bash':
      case 'dash':
        return this.shell(base, args, io);
      case 'tail':
        if (args.includes('-f')) return this.serve();
        break;
    }
    if (SERVER_BINARIES.has(base)) {
      this.write(io.stdout, `${base}: started, waiting for connections\n`);
      return this.serve();
    }
    this.write(io.stderr, `sh: ${name}: not found\n`);
    return 127;
  }

  private env(base: string, args: string[], io: Io): number {
    const env = this.container.env;
    if (base === 'printenv' && args.length > 0) {
      for (const name of args) if (env[name] !== undefined) this.write(io.stdout, `${env[name]}\n`);
      return args.every((n) => env[n] !== undefined) ? 0 : 1;
    }
    for (const [name, value] of Object.entries(env)) this.write(io.stdout, `${name}=${value}\n`);
    return 0;
  }

  private async sleep(arg: string | undefined, io: Io): Promise<number> {
    const ms = parseSleep(arg);
    if (ms === undefined) {
      this.write(io.stderr, `sleep: invalid number '${arg ?? ''}'\n`);
      return 1;
    }
    if (ms === Infinity) return this.serve();
    await this.stdio.sleep(ms, this.stopSignal());
    return 0;
  }

  /** Runs until killed (or interrupted), as a server does. */
  private serve(): Promise<number> {
    const stop = this.stopSignal();
    return new Promise((_, reject) => {
      if (stop.aborted) reject(stop.reason as Error);
      stop.addEventListener('abort', () => reject(stop.reason as Error), { once: true });
    });
  }

  private async cat(args: string[], io: Io): Promise<number> {
    let status = 0;
    for (const file of args.length === 0 ? ['-'] : args) {
      if (file === '-') {
        await this.copyInput(io);
        continue;
      }
      const text = this.readFile(file);
      if (text === undefined) {
        this.write(io.stderr, `cat: can't open '${file}': No such file or directory\n`);
        status = 1;
      } else this.write(io.stdout, text);
    }
    return status;
  }

  /** Copies standard input to `io.stdout` until its end. */
  private async copyInput(io: Io): Promise<void> {
    const stop = this.stopSignal();
    for (;;) {
      const chunk = await this.stdio.stdin.read(stop);
      if (chunk === null) return;
      this.write(io.stdout, chunk.toString('utf8'));
    }
  }

  private readFile(file: string): string | undefined {
    if (file === '/etc/hostname') return `${this.container.hostname}\n`;
    const cwd = this.container.cwd;
    const name = file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
    return name.includes('/') ? undefined : this.container.sandbox.read(name);
  }

  private ls(args: string[], io: Io): number {
    const paths = args.filter((a) => !a.startsWith('-'));
    const all = args.some((a) => a.startsWith('-') && a.includes('a'));
    let status = 0;
    for (const path of paths.length === 0 ? ['.'] : paths) {
      const entries = this.listing(path);
      if (entries === undefined) {
        this.write(io.stderr, `ls: ${path}: No such file or directory\n`);
        status = 1;
        continue;
      }
      const shown = all ? ['.', '..', ...entries] : entries;
      if (paths.length > 1) this.write(io.stdout, `${path}:\n`);
      // Columns on a terminal, one name a line into a pipe, as ls decides.
      const separator = this.stdio.terminal ? '  ' : '\n';
      if (shown.length > 0) this.write(io.stdout, `${shown.join(separator)}\n`);
    }
    return status;
  }

  private listing(path: string): string[] | undefined {
    const cwd = this.container.cwd;
    const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
    if (trimmed === '.' || trimmed === cwd) return this.container.sandbox.names().sort();
    if (trimmed === '/') return ROOT_DIRECTORIES;
    const file = this.readFile(trimmed);
    return file === undefined ? undefined : [path];
  }

  private stty(args: string[], io: Io): number {
    const terminal = this.stdio.terminal;
    if (!terminal) {
      this.write(io.stderr, 'stty: standard input: Not a tty\n');
      return 1;
    }
    if (args[0] === 'size') this.write(io.stdout, `${terminal.rows} ${terminal.columns}\n`);
    return 0;
  }

  /** A child shell: `exit` in it ends that shell only. */
  private async shell(name: string, args: string[], io: Io): Promise<number> {
    try {
      if (args[0] === '-c') {
        await this.runScript(args[1] ?? '');
        return this.status;
      }
      if (args.length > 0 && !args[0]!.startsWith('-')) {
        this.write(io.stderr, `${name}: can't open '${args[0]}': No such file or directory\n`);
        return 2;
      }
      return await this.readCommands(io);
    } catch (error) {
      if (error instanceof ExitSignal) return error.code & 0xff;
      throw error;
    }
  }

  /**
   * A shell reading its commands from standard input: with a prompt on a terminal, where
   * ^C abandons the line or stops the command running; to the end of input otherwise.
   */
  private async readCommands(io: Io): Promise<number> {
    const wasInteractive = this.interactive;
    this.interactive = this.stdio.terminal !== undefined;
    const prompt = `${this.container.cwd} # `;
    let pending = '';
    try {
      for (;;) {
        if (this.interactive && pending === '') this.write(io.stdout, prompt);
        let chunk: Buffer | null;
        try {
          chunk = await this.stdio.stdin.read(this.stopSignal());
        } catch (error) {
          if (error instanceof ProcessStopped && error.signal === SIGINT && this.interactive) {
            pending = '';
            continue;
          }
          throw error;
        }
        if (chunk === null) {
          if (pending !== '') await this.runScript(pending);
          return this.status;
        }
        pending += chunk.toString('utf8');
        const end = pending.lastIndexOf('\n');
        if (end < 0) continue;
        const lines = pending.slice(0, end);
        pending = pending.slice(end + 1);
        await this.runScript(lines);
      }
    } finally {
      this.interactive = wasInteractive;
    }
  }
}
