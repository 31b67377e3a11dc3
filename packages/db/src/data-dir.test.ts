import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from './client';

const scratch = mkdtempSync(path.join(tmpdir(), 'shoal-data-dir-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file and directory under `dir` whose mode lets group or others in. */
function open(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if ((statSync(full).mode & 0o077) !== 0) found.push(full);
  }
  return found;
}

/**
 * Starts the embedded database in `dataDir` in a process of its own, as an unprivileged
 * user when this runs as root (root writes anywhere), and returns what it printed.
 */
function startElsewhere(dataDir: string): string {
  const script = path.join(scratch, 'start.mts');
  writeFileSync(
    script,
    `import { createDb } from ${JSON.stringify(path.resolve(import.meta.dirname, 'index.ts'))};
     try { await (await createDb({ dataDir: ${JSON.stringify(dataDir)} })).close(); console.log('started'); }
     catch (error) { console.log(error instanceof Error ? error.message : String(error)); }`,
  );
  const asRoot = process.getuid?.() === 0;
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: import.meta.dirname,
    encoding: 'utf8',
    timeout: 60_000,
    ...(asRoot ? { uid: 65534, gid: 65534, env: { HOME: scratch } } : {}),
  });
  return `${result.stdout}${result.stderr}`.trim();
}

describe('the embedded database directory', () => {
  it('says which directory cannot be used and the operating system’s reason', async () => {
    const file = path.join(scratch, 'a-file');
    writeFileSync(file, '');
    await expect(createDb({ dataDir: path.join(file, 'data') })).rejects.toThrow(
      `Cannot use the data directory ${path.join(file, 'data', 'pglite')}: a part of the path is not a directory (ENOTDIR)`,
    );

    const readOnly = path.join(scratch, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    chmodSync(readOnly, 0o555);
    expect(startElsewhere(path.join(readOnly, 'data'))).toBe(
      `Cannot use the data directory ${path.join(readOnly, 'data', 'pglite')}: permission denied (EACCES)`,
    );
  });

  it('says the disk is full, and how much room is left', async (context) => {
    const disk = path.join(scratch, 'small-disk');
    mkdirSync(disk);
    // An 8 MiB file system of its own; where mounting is not allowed, there is nothing to fill.
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
    if (mounted.status !== 0) context.skip();
    try {
      await expect(createDb({ dataDir: path.join(disk, 'data') })).rejects.toThrow(
        new RegExp(
          `^Cannot use the data directory ${path.join(disk, 'data', 'pglite')}: no space left on the device \\(ENOSPC\\); \\d+ MiB free on its disk`,
        ),
      );
    } finally {
      spawnSync('umount', ['--lazy', disk]);
    }
  });

  it('keeps the database private: 0700 directories and 0600 files', async () => {
    const dataDir = path.join(scratch, 'private');
    const db = await createDb({ dataDir });
    try {
      const pglite = path.join(dataDir, 'pglite');
      expect(statSync(pglite).mode & 0o777).toBe(0o700);
      expect(open(pglite)).toEqual([]);
      await db.prisma.tenant.create({ data: { slug: 'x', name: 'x', mesosRole: 'shoal-x' } });
    } finally {
      await db.close();
    }
    expect(open(path.join(dataDir, 'pglite'))).toEqual([]);
  });
});
