import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** The embedded database's directory cannot be used; the message says where and why. */
export class DataDirError extends Error {
  readonly code = 'SHOAL_DATA_DIR';
  constructor(
    readonly dir: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot use the data directory ${dir}: ${reason}`, options);
    this.name = 'DataDirError';
  }
}

// PGlite's file system reports errors as Emscripten errno numbers with no message.
const EMSCRIPTEN_ERRNO: Record<number, string> = {
  2: 'EACCES',
  19: 'EDQUOT',
  20: 'EEXIST',
  29: 'EIO',
  31: 'EISDIR',
  33: 'EMFILE',
  41: 'ENFILE',
  44: 'ENOENT',
  48: 'ENOMEM',
  51: 'ENOSPC',
  54: 'ENOTDIR',
  63: 'EPERM',
  69: 'EROFS',
};

const PLAIN: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'a file is in the way',
  EIO: 'an input/output error',
  EISDIR: 'a directory is where a file should be',
  ENOENT: 'a part of the path does not exist',
};

/** "permission denied (EACCES)", from a Node error, PGlite's errno object or anything thrown. */
export function describeFsError(error: unknown): string {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
  };
  const code =
    typeof fields.code === 'string'
      ? fields.code
      : typeof fields.errno === 'number'
        ? EMSCRIPTEN_ERRNO[fields.errno]
        : undefined;
  if (code) return `${PLAIN[code] ?? 'the operating system refused'} (${code})`;
  if (typeof fields.message === 'string' && fields.message) return fields.message;
  return `an error without a message (${String(error)})`;
}

const MIB = 1024 * 1024;
/** A new embedded database takes about 40 MiB. */
const ROOM_NEEDED = 64 * MIB;

function freeBytes(dir: string): number | undefined {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** Why PGlite failed in `dir`, with the free space when it is short. */
export function dataDirFailure(dir: string, error: unknown): DataDirError {
  const free = freeBytes(dir);
  const short =
    free !== undefined && free < ROOM_NEEDED
      ? `; ${Math.floor(free / MIB)} MiB free on its disk, and the database needs about ${ROOM_NEEDED / MIB} MiB`
      : '';
  return new DataDirError(dir, `${describeFsError(error)}${short}`, { cause: error });
}

/** Like `mkdir -p` with mode 0700, one level at a time, so an error is the real one (EROFS, not ENOENT). */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at); at = path.dirname(at)) {
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing.reverse()) mkdirSync(at, { mode: 0o700 });
}

/**
 * Creates `dir` private to this user (0700), and proves it is writable with room to
 * spare, so a read-only or full disk is named here rather than deep inside PGlite.
 */
export function prepareDataDir(dir: string): void {
  const probe = path.join(dir, '.shoal-write-check');
  try {
    makeDirs(dir);
    chmodSync(dir, 0o700);
    writeFileSync(probe, Buffer.alloc(64 * 1024), { mode: 0o600 });
    rmSync(probe);
  } catch (error) {
    try {
      rmSync(probe, { force: true });
    } catch {
      // Nothing was written, or nothing can be.
    }
    throw dataDirFailure(dir, error);
  }
}

/**
 * Takes group and other permissions off everything under `dir` (0700 directories, 0600
 * files): PGlite creates its files world-writable. Files it creates later sit in
 * directories nobody else may enter.
 */
export function makePrivate(dir: string): void {
  const pending = [dir];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    chmodSync(current, 0o700);
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) chmodSync(full, 0o600);
    }
  }
}
