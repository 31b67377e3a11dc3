import { randomFillSync } from 'node:crypto';

// Ids on the launch path (a container's, a task's) take their random bytes from a
// pool filled 4 KiB at a time: one getrandom per id cost more than the rest of
// making it. Not for secrets, which keep crypto.randomBytes of their own.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` random bytes as hex. */
export function randomHex(bytes: number): string {
  if (bytes > POOL_BYTES) throw new RangeError(`randomHex takes up to ${POOL_BYTES} bytes`);
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}
