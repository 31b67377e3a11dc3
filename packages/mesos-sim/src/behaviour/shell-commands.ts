import { MAX_EXPANSION } from './shell-syntax';

/** Programs that serve until stopped: the task (or the shell that runs one) never ends. */
export const SERVER_BINARIES = new Set([
  'nginx',
  'redis-server',
  'httpd',
  'httpd-foreground',
  'postgres',
  'docker-entrypoint.sh',
]);

/** Thrown by `exit N` to leave the script, wherever in it the shell is. */
export class ExitSignal {
  constructor(readonly code: number) {}
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
