import { pino, stdSerializers, stdTimeFunctions, type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

/** Shoal's call shape (message first) over pino. */
export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

/**
 * Secrets never reach the log, wherever a caller put them: Docker API tokens, session
 * cookies, passwords, registry credentials.
 */
const REDACTED = [
  'token',
  'secret',
  'password',
  'cookie',
  'authorization',
  '*.token',
  '*.secret',
  '*.password',
  '*.cookie',
  '*.authorization',
  'headers["x-registry-auth"]',
  '*.headers["x-registry-auth"]',
  '*.headers.cookie',
  '*.headers.authorization',
];

/** An Error under `error` or `err` is written as its type, message, stack and cause. */
const errorField = (value: unknown) => (value instanceof Error ? stdSerializers.err(value) : value);

/** Structured logs: one JSON object per line on stderr, so they can be shipped as they are. */
export function createLogger(
  level: LogLevel,
  base: Fields = {},
  sink?: (line: string) => void,
): Logger {
  const destination: DestinationStream = sink ? { write: sink } : pino.destination(2);
  return wrap(
    pino(
      {
        level,
        base: { pid: process.pid, ...base },
        timestamp: stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        serializers: { err: errorField, error: errorField },
        redact: { paths: REDACTED, censor: '[redacted]' },
      },
      destination,
    ),
  );
}

function wrap(log: pino.Logger): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: Fields): void => {
      if (fields) log[level](fields, message);
      else log[level](message);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => lazyChild(log, fields),
  };
}

/**
 * A child made on its first line: every request has one, and pino redacts a child's
 * fields as it makes it, for a line that at the usual level is never written.
 */
function lazyChild(parent: pino.Logger, fields: Fields): Logger {
  let made: Logger | undefined;
  const child = () => (made ??= wrap(parent.child(fields)));
  const at =
    (level: LogLevel) =>
    (message: string, more?: Fields): void => {
      if (parent.isLevelEnabled(level)) child()[level](message, more);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => lazyChild(parent, { ...fields, ...more }),
  };
}
