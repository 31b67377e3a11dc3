import pg from 'pg';

// The hot path's SQL: statements that act on many containers at once (a batch of
// creates, starts or status updates), sent to the pool Prisma itself uses. Prisma
// keeps every other query; here one statement stands for dozens of requests, and
// a Prisma call per statement would cost more than the statement.

/** Prisma's DateTime columns are `timestamp(3)` holding UTC, whatever the process's zone. */
const TIMESTAMP = pg.types.builtins.TIMESTAMP;
const parseUtc = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP && format !== 'binary'
      ? parseUtc
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Errors PostgreSQL asks the client to retry: a serialization failure or a deadlock victim. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TRIES = 5;

export type Row = pg.QueryResultRow;

export interface SqlRunner {
  query<R extends Row>(text: string, values?: unknown[]): Promise<R[]>;
}

/** Statements on one connection a caller holds, parsed as the pool's are. */
function runnerOn(client: pg.PoolClient): SqlRunner {
  return {
    query: async <R extends Row>(text: string, values: unknown[] = []) =>
      (await client.query<R>({ text, values, types })).rows,
  };
}

export class Sql implements SqlRunner {
  constructor(private readonly pool: pg.Pool) {}

  async query<R extends Row>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>({ text, values, types })).rows;
  }

  /**
   * Runs `work` on one connection, held until it ends, with no transaction around it:
   * for reads that need a connection in hand before they decide what to ask (a batch
   * claims its requests once it holds one) and no BEGIN and COMMIT round trips.
   */
  async connected<T>(work: (connection: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(runnerOn(client));
    } finally {
      client.release();
    }
  }

  /**
   * Runs `work` in one transaction on one connection and commits it. A transaction
   * PostgreSQL aborts to break a deadlock or a serialization conflict is run again
   * from the start, so `work` must act only through the runner it is given; any
   * other error rolls back and is thrown.
   */
  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      const tx = runnerOn(client);
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        const code = (error as { code?: unknown }).code;
        if (attempt < MAX_TRIES && typeof code === 'string' && RETRYABLE.has(code)) continue;
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }
}
