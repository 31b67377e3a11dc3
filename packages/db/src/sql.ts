import pg from 'pg';
import { withArrayLiterals } from './array-literal';

// The hot path's SQL: statements that act on many containers at once (a batch of
// creates, starts or status updates), sent to the pool Prisma itself uses, and the
// reads of every Docker request (see Sql.read). Prisma keeps every other query; here
// one statement stands for dozens of requests, and a Prisma call per statement would
// cost more than the statement.

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
const isRetryable = (error: unknown) => RETRYABLE.has((error as { code?: string }).code ?? '');
const MAX_TRIES = 5;

/**
 * A prepared statement whose result columns changed under it (a migration added a column
 * to a table it reads with `*`): PostgreSQL refuses to run it again, whatever its values.
 */
function isStalePlan(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan');
}

/**
 * Whether work PostgreSQL refused, a statement on its own or a whole transaction, is run
 * again from the start: after a deadlock or a serialization conflict, or after a schema
 * change made a prepared statement stale (whose names are then renewed), a few times.
 */
function mayRunAgain(error: unknown, attempt: number, names: StatementNames): boolean {
  if (attempt >= MAX_TRIES) return false;
  if (isRetryable(error)) return true;
  if (!isStalePlan(error)) return false;
  names.renew();
  return true;
}

/** Statement texts given a name at most; the hot path's are a few dozen. */
const MAX_NAMED_STATEMENTS = 256;

/**
 * Names for statement texts, so that each connection parses a statement once and then
 * only binds and runs it: for the hot path's wide SELECTs and batch statements, parsing
 * is a good part of what they cost PostgreSQL. (They are still planned for their values
 * at each run: see createDb.) Off for embedded PGlite, whose one session outlives the
 * pool's connections to it and would already hold the names.
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  private generation = 0;

  constructor(private readonly enabled: boolean) {}

  /** The text's name; none when naming is off or the set is full (texts made from values). */
  of(text: string): string | undefined {
    if (!this.enabled) return undefined;
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED_STATEMENTS) {
      name = `shoal_${this.generation}_${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }

  /**
   * New names for every text, after a schema change made one stale: each connection
   * then prepares them afresh (the old ones stay until it closes; changes are rare).
   */
  renew(): void {
    this.generation++;
    this.names.clear();
  }
}

export type Row = pg.QueryResultRow;

export interface SqlRunner {
  query<R extends Row>(text: string, values?: unknown[]): Promise<R[]>;
}

/** One connection a caller holds: statements on their own, or a transaction. */
export interface Connection extends SqlRunner {
  /** As Sql.transaction, on this connection. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/**
 * One statement. Outside a transaction (`runsAgain`), one made stale by a schema change
 * runs again under a new name, and one PostgreSQL aborted to break a deadlock or a
 * serialization conflict runs again; inside one the transaction is aborted, and it is
 * `transaction` that runs it again.
 */
async function run<R extends Row>(
  on: pg.Pool | pg.PoolClient,
  names: StatementNames,
  runsAgain: boolean,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const sent = withArrayLiterals(values);
  for (let attempt = 1; ; attempt++) {
    try {
      return (await on.query<R>({ name: names.of(text), text, values: sent, types })).rows;
    } catch (error) {
      if (!runsAgain || !mayRunAgain(error, attempt, names)) throw error;
    }
  }
}

/** Statements on one connection a caller holds, parsed as the pool's are. */
function runnerOn(client: pg.PoolClient, names: StatementNames, inTransaction: boolean): SqlRunner {
  return {
    query: <R extends Row>(text: string, values: unknown[] = []) =>
      run<R>(client, names, !inTransaction, text, values),
  };
}

/** Reads whose plan is kept (see Sql.read). */
export interface SqlReader {
  read<R extends Row>(text: string, values?: unknown[]): Promise<R[]>;
}

export class Sql implements SqlRunner, SqlReader {
  private readonly names: StatementNames;
  private readonly readPool: pg.Pool;

  /**
   * `prepared`: statements are named, so each connection parses each one once.
   * `readPool`: connections that keep a statement's first plan, for `read`.
   */
  constructor(
    private readonly pool: pg.Pool,
    { prepared, readPool }: { prepared: boolean; readPool?: pg.Pool },
  ) {
    this.names = new StatementNames(prepared);
    this.readPool = readPool ?? pool;
  }

  query<R extends Row>(text: string, values: unknown[] = []): Promise<R[]> {
    return run<R>(this.pool, this.names, true, text, values);
  }

  /**
   * A read whose best plan is the same index lookups whatever its values (one tenant's
   * containers, rows by id), on connections that plan each statement once and keep that
   * plan, where `query` plans it again for its values at every run. For `docker ps` and
   * the lookups of every Docker request, planning cost PostgreSQL as much as running:
   * kept, their plans halve its work. PostgreSQL plans them again whenever the tables'
   * statistics change, so a plan made while the tables were small does not outlast their
   * growth. Writes, and reads whose plan depends on their values, stay with `query`.
   */
  read<R extends Row>(text: string, values: unknown[] = []): Promise<R[]> {
    return run<R>(this.readPool, this.names, true, text, values);
  }

  /**
   * Runs `work` on one connection, held until it ends, with no transaction around it:
   * for reads that need a connection in hand before they decide what to ask (a batch
   * claims its requests once it holds one) and no BEGIN and COMMIT round trips. The
   * connection can still open one, for a batch that turns out to need it.
   */
  async connected<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const held = { broken: false };
    try {
      return await work(this.connectionOn(client, held));
    } finally {
      client.release(held.broken);
    }
  }

  /**
   * Runs `work` in one transaction on one connection and commits it. A transaction
   * PostgreSQL aborts to break a deadlock or a serialization conflict, or because a
   * schema change made one of its statements stale, is run again from the start, so
   * `work` must act only through the runner it is given; any other error rolls back
   * and is thrown.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.connected((connection) => connection.transaction(work));
  }

  private connectionOn(client: pg.PoolClient, held: { broken: boolean }): Connection {
    return {
      ...runnerOn(client, this.names, false),
      transaction: async <T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> => {
        for (let attempt = 1; ; attempt++) {
          try {
            await client.query('BEGIN');
            const result = await work(runnerOn(client, this.names, true));
            await client.query('COMMIT');
            return result;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {
              held.broken = true;
            });
            // A connection that cannot roll back is given up, and nothing runs on it again.
            if (held.broken) throw error;
            if (mayRunAgain(error, attempt, this.names)) continue;
            throw error;
          }
        }
      },
    };
  }
}
