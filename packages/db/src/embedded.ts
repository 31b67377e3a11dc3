import type { PGlite } from '@electric-sql/pglite';
import { dataDirFailure, makePrivate, prepareDataDir } from './data-dir';
import { lockDataDir } from './data-dir-lock';

// PGlite is a single session. Its socket server interleaves the protocol
// messages of concurrent connections, so one client's Parse/Bind/Execute can
// land between another's; only one connection at a time is safe.
export const EMBEDDED_MAX_CONNECTIONS = 1;

export interface EmbeddedPostgres {
  /** A postgres:// URL that pg (and so Prisma's pg adapter) can connect to. */
  url: string;
  /** Takes group and other permissions off the files PGlite created so far. */
  makePrivate(): void;
  close(): Promise<void>;
}

/**
 * Runs PGlite in this process and serves it over the PostgreSQL wire protocol
 * on a loopback port, so the embedded default uses exactly the same driver path
 * (pg + @prisma/adapter-pg) as a real PostgreSQL server.
 *
 * `dataDir` undefined keeps everything in memory (used for throwaway databases).
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  // Loaded here, not with the package: on PostgreSQL it is never used, and loading it
  // took about a quarter of a second of every process that opens a database.
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  if (dataDir) prepareDataDir(dataDir);
  const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (error) {
    unlock();
    throw dataDirFailure(dataDir ?? '(memory)', error);
  }
  const privately = () => {
    if (dataDir) makePrivate(dataDir);
  };
  privately();
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    unlock();
    throw error;
  }
  const conn = server.getServerConn();
  return {
    url: `postgresql://postgres:postgres@${conn}/postgres?sslmode=disable`,
    makePrivate: privately,
    async close() {
      await server.stop();
      await db.close();
      privately();
      unlock();
    },
  };
}
