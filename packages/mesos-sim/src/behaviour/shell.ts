import { ExitSignal, parseSleep, printf, SERVER_BINARIES } from './shell-commands';
import { extractRedirects, LAST_STATUS, parseList, type Stream } from './shell-syntax';
import type { LaunchSpec, Step } from './steps';

/** A very small POSIX-sh subset: lists with `;` `&&` `||`, quotes, `$VAR`, and `>&2`-style redirects. */
export class Shell {
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
