import { MAX_FILE_BYTES } from '../sandbox';

/**
 * What a command's expansions (`$X$X…`, printf's reused format) may build in all: a sandbox
 * keeps no more of a file than this could fill, so more is never seen, and gigabytes must
 * not be built first.
 */
export const MAX_EXPANSION = 2 * MAX_FILE_BYTES;

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

export type Stream = 'stdout' | 'stderr' | 'null';

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
