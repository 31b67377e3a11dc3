import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * At most this many argon2 computations run at once in the process; the rest wait their
 * turn. Each takes a core and ~19 MiB for tens of milliseconds, so a burst of sign-ins
 * (with unknown emails, say) queues here instead of starving every other request.
 */
let concurrency = 1;
let running = 0;
const waiting: (() => void)[] = [];

export function setPasswordHashConcurrency(limit: number): void {
  if (!(Number.isInteger(limit) && limit >= 1))
    throw new RangeError('password hash concurrency must be a positive integer');
  concurrency = limit;
  while (running < concurrency && waiting.length > 0) {
    running++;
    waiting.shift()?.();
  }
}

async function hashing<T>(work: () => Promise<T>): Promise<T> {
  if (running < concurrency) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

// argon2id with the library's defaults (OWASP's recommended minimums).
export const hashPassword = (password: string) => hashing(() => hash(password));

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await hashing(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

/** A password meant to be read off a console once: no look-alike characters. */
export function generatePassword(length = 20): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
