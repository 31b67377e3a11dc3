import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

// PGlite is a single session. Its socket server interleaves the protocol
// messages of concurrent connections, so one client's Parse/Bind/Execute can
// land between another's; only one connection at a time is safe.
export const EMBEDDED_MAX_CONNECTIONS = 1;

export interface EmbeddedPostgres {
  /** A postgres:// URL that pg (and so Prisma's pg adapter) can connect to. */
  url: string;
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
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  await server.start();
  const conn = server.getServerConn();
  return {
    url: `postgresql://postgres:postgres@${conn}/postgres?sslmode=disable`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
