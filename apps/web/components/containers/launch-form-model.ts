// The launch form's text fields and how they become a launch request. Kept
// apart from the component so the parsing rules are easy to read and test.

export interface LaunchFormValues {
  name: string;
  image: string;
  command: string;
  env: string;
  ports: string;
  cpus: string;
  memoryMb: string;
  restartPolicy: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  maxRetries: string;
  labels: string;
  bestEffort: boolean;
}

export const EMPTY_LAUNCH_FORM: LaunchFormValues = {
  name: '',
  image: '',
  command: '',
  env: '',
  ports: '',
  cpus: '0.25',
  memoryMb: '128',
  restartPolicy: 'no',
  maxRetries: '0',
  labels: '',
  bestEffort: false,
};

export interface LaunchRequest {
  name?: string;
  image: string;
  cmd?: string[];
  env: string[];
  ports: { containerPort: number; hostPort?: number; protocol: 'tcp' | 'udp' }[];
  cpus: number;
  memoryMb: number;
  restartPolicy: { name: LaunchFormValues['restartPolicy']; maximumRetryCount?: number };
  labels: Record<string, string>;
  bestEffort: boolean;
}

export type LaunchErrors = Partial<Record<keyof LaunchFormValues, string>>;

/**
 * Splits a command line into words as a POSIX shell quotes them: single quotes keep
 * everything, double quotes keep all but a backslash before `"`, `\\`, `$` or a backtick,
 * a backslash outside quotes keeps the next character, and parts written together make
 * one word (`--name="a b"`). An unclosed quote is an error, as the shell's, rather than a
 * word with a quote in it.
 */
export function splitWords(line: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { error: 'A single quote is not closed' };
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        text += line[i];
      }
      if (i >= line.length) return { error: 'A double quote is not closed' };
      word = (word ?? '') + text;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return { error: 'A backslash at the end escapes nothing' };
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return { words };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const PORT = /^(?:(\d+):)?(\d+)(?:\/(tcp|udp))?$/;

export function toLaunchRequest(v: LaunchFormValues): {
  request?: LaunchRequest;
  errors: LaunchErrors;
} {
  const errors: LaunchErrors = {};
  const image = v.image.trim();
  if (!image) errors.image = 'An image is required, e.g. nginx:1.27';
  else if (/\s/.test(image)) errors.image = 'An image reference has no spaces';
  const name = v.name.trim();
  if (name && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    errors.name = 'Letters, digits, "_", "." and "-", starting with a letter or digit';
  }
  const env = lines(v.env);
  const badEnv = env.find((e) => !/^[^=\s][^=]*=/.test(e));
  if (badEnv) errors.env = `"${badEnv}" is not KEY=value`;

  const ports: LaunchRequest['ports'] = [];
  for (const spec of v.ports.split(/[,\s]+/).filter(Boolean)) {
    const m = PORT.exec(spec);
    const hostPort = m?.[1] ? Number(m[1]) : undefined;
    const containerPort = Number(m?.[2]);
    if (
      !m ||
      containerPort < 1 ||
      containerPort > 65535 ||
      (hostPort !== undefined && (hostPort < 1 || hostPort > 65535))
    ) {
      errors.ports = `"${spec}" is not a port: use 80, 8080:80 or 53/udp (1-65535)`;
      break;
    }
    ports.push({
      containerPort,
      protocol: (m[3] as 'tcp' | 'udp' | undefined) ?? 'tcp',
      ...(hostPort ? { hostPort } : {}),
    });
  }

  const cpus = Number(v.cpus);
  if (!v.cpus.trim() || !Number.isFinite(cpus) || cpus <= 0)
    errors.cpus = 'CPUs must be a number above 0, e.g. 0.5';
  const memoryMb = Number(v.memoryMb);
  if (!Number.isInteger(memoryMb) || memoryMb < 4)
    errors.memoryMb = 'Memory is a whole number of MB, at least 4';

  const maxRetries = Number(v.maxRetries || '0');
  if (v.restartPolicy === 'on-failure' && (!Number.isInteger(maxRetries) || maxRetries < 0)) {
    errors.maxRetries = 'A whole number, 0 for unlimited';
  }

  const labels: Record<string, string> = {};
  for (const line of lines(v.labels)) {
    const eq = line.indexOf('=');
    if (eq <= 0) {
      errors.labels = `"${line}" is not key=value`;
      break;
    }
    labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }

  const command = splitWords(v.command);
  if ('error' in command) errors.command = command.error;

  if (Object.keys(errors).length > 0 || 'error' in command) return { errors };
  const cmd = command.words;
  return {
    errors,
    request: {
      ...(name ? { name } : {}),
      image,
      ...(cmd.length ? { cmd } : {}),
      env,
      ports,
      cpus,
      memoryMb,
      restartPolicy:
        v.restartPolicy === 'on-failure'
          ? { name: 'on-failure', maximumRetryCount: maxRetries }
          : { name: v.restartPolicy },
      labels,
      bestEffort: v.bestEffort,
    },
  };
}

/** Server validation paths ("ports.0.containerPort") mapped onto the form's fields. */
export function serverErrorsToFields(issues: Record<string, string>): LaunchErrors {
  const out: LaunchErrors = {};
  for (const [path, message] of Object.entries(issues)) {
    const head = path.split('.')[0] ?? '';
    const field = head === 'cmd' ? 'command' : head === 'restartPolicy' ? 'maxRetries' : head;
    if (field in EMPTY_LAUNCH_FORM) out[field as keyof LaunchFormValues] ??= message;
  }
  return out;
}
