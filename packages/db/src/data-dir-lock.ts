import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DataDirError } from './data-dir';

const LOCK_FILE = 'shoal.pid';

/**
 * Takes the embedded database's directory for this process. PGlite is a database in
 * a process: a second process opening the same files (`shoal tenant create` while
 * `npm start` runs) would write where the first never looks and lose it, so it is
 * refused, saying what to do instead. A lock left by a process that is gone is taken
 * over. Returns the release.
 */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (holder !== process.pid && isAlive(holder)) {
        throw new DataDirError(
          dir,
          `Shoal is running on this data directory (process ${holder}); use the dashboard, or the shoal command of that server (npm run shoal with DATABASE_URL pointing at a PostgreSQL server), or stop it first`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirError(dir, `its lock file ${file} keeps coming back`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
