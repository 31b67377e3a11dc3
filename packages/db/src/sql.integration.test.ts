import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, type Db } from './client';
import { createTestDatabase, untilWaitingOnALock } from './testing';

// The hot path's statements are prepared once per connection. A schema change under a
// running control plane (a newer one migrating beside it) must not break them.

let db: Db;
beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 2 });
  await db.sql.query(`CREATE TABLE "Probe" (id int PRIMARY KEY)`);
  await db.sql.query(`INSERT INTO "Probe" VALUES (1), (2)`);
});
afterAll(async () => {
  await db?.close();
});

const READ = `SELECT * FROM "Probe" WHERE id = ANY($1::int[]) ORDER BY id`;

it('prepares a statement once on a connection and plans it for its values at each run', async () => {
  const [prepared, planning] = await db.sql.connected(async (connection) => {
    await connection.query(READ, [[1]]);
    await connection.query(READ, [[2]]);
    return Promise.all([
      connection.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements`),
      connection.query(`SHOW plan_cache_mode`),
    ]);
  });
  expect(prepared.filter((p) => p.statement === READ)).toHaveLength(1);
  // A plan kept from when a table was small would scan it whole once it grew.
  expect(planning).toEqual([{ plan_cache_mode: 'force_custom_plan' }]);
});

it('plans a read once on its connection and keeps the plan until the statistics change', async () => {
  const statement = async () =>
    (
      await db.sql.read<{ name: string; generic: number; custom: number }>(
        `SELECT name, generic_plans::int AS generic, custom_plans::int AS custom
         FROM pg_prepared_statements WHERE statement = $1`,
        [READ],
      )
    )[0];
  const plan = async () =>
    (await db.sql.read(`EXPLAIN (COSTS OFF) EXECUTE ${(await statement())?.name}('{2,10}')`))
      .map((row) => row['QUERY PLAN'] as string)
      .join('\n');
  await db.sql.query(`ANALYZE "Probe"`);
  expect(await db.sql.read(READ, [[1]])).toEqual([{ id: 1 }]);
  expect(await db.sql.read(READ, [[1, 2]])).toEqual([{ id: 1 }, { id: 2 }]);
  // One connection for reads beside a pool of two: prepared there once, planned once.
  expect(await statement()).toMatchObject({ generic: 2, custom: 0 });
  expect(await db.sql.read(`SELECT current_setting('plan_cache_mode') AS mode`)).toEqual([
    { mode: 'force_generic_plan' },
  ]);
  // Planned while the statistics said two rows, the read scans the table whole; once it
  // has grown and its statistics say so, the same statement goes through the index.
  expect(await plan()).toContain('Seq Scan');
  await db.sql.query(`INSERT INTO "Probe" SELECT generate_series(10, 20000)`);
  await db.sql.query(`ANALYZE "Probe"`);
  expect(await plan()).not.toContain('Seq Scan');
  expect(await db.sql.read(READ, [[2, 10]])).toEqual([{ id: 2 }, { id: 10 }]);
  await db.sql.query(`DELETE FROM "Probe" WHERE id >= 10`);
});

it('goes on reading a table whose columns changed under its prepared statements', async () => {
  // Prepared on both connections of the pool.
  await Promise.all([db.sql.query(READ, [[1]]), db.sql.query(READ, [[2]])]);
  await db.sql.query(`ALTER TABLE "Probe" ADD COLUMN label text DEFAULT 'new'`);
  expect(await db.sql.query(READ, [[1, 2]])).toEqual([
    { id: 1, label: 'new' },
    { id: 2, label: 'new' },
  ]);

  await Promise.all([db.sql.query(READ, [[1]]), db.sql.query(READ, [[2]])]);
  await db.sql.query(`ALTER TABLE "Probe" ADD COLUMN size int DEFAULT 7`);
  const inTransaction = await db.sql.transaction(async (tx) => {
    await tx.query(`INSERT INTO "Probe" (id) VALUES (3)`);
    return tx.query(READ, [[3]]);
  });
  expect(inTransaction).toEqual([{ id: 3, label: 'new', size: 7 }]);
  // Run again from the start, the transaction inserted its row once.
  expect(await db.sql.query(`SELECT count(*)::int AS n FROM "Probe"`)).toEqual([{ n: 3 }]);

  await db.sql.query(`ALTER TABLE "Probe" DROP COLUMN size`);
  expect(await db.sql.connected((connection) => connection.query(READ, [[3]]))).toEqual([
    { id: 3, label: 'new' },
  ]);
});

it('prepares nothing on embedded PGlite, whose one session outlives its connections', async () => {
  const embedded = await createDb({ dataDir: null });
  try {
    const prepared = await embedded.sql.connected(async (connection) => {
      await connection.query(`SELECT 1 AS one`);
      return connection.query(`SELECT statement FROM pg_prepared_statements`);
    });
    expect(prepared).toEqual([]);
  } finally {
    await embedded.close();
  }
});

it('keeps the options a database URL gives its connections, beside the plan mode', async () => {
  const url = new URL(db.url);
  url.searchParams.set('options', '-c statement_timeout=12345');
  const other = await createDb({ databaseUrl: url.toString(), migrate: false });
  try {
    const settings = await other.sql.connected((connection) =>
      Promise.all([
        connection.query(`SHOW statement_timeout`),
        connection.query(`SHOW plan_cache_mode`),
      ]),
    );
    expect(settings).toEqual([
      [{ statement_timeout: '12345ms' }],
      [{ plan_cache_mode: 'force_custom_plan' }],
    ]);
    expect(
      await other.sql.read(
        `SELECT current_setting('statement_timeout') AS timeout,
                current_setting('plan_cache_mode') AS mode`,
      ),
    ).toEqual([{ timeout: '12345ms', mode: 'force_generic_plan' }]);
  } finally {
    await other.close();
  }
});

it('prepares nothing and sets no connection options when told not to (behind a pooler)', async () => {
  const plain = await createDb({ databaseUrl: db.url, migrate: false, prepare: false });
  try {
    const [prepared, planning] = await plain.sql.connected(async (connection) => {
      await connection.query(READ, [[1]]);
      return Promise.all([
        connection.query(`SELECT statement FROM pg_prepared_statements`),
        connection.query(`SHOW plan_cache_mode`),
      ]);
    });
    expect(prepared).toEqual([]);
    expect(planning).toEqual([{ plan_cache_mode: 'auto' }]);
    expect(await plain.sql.read(`SELECT current_setting('plan_cache_mode') AS mode`)).toEqual([
      { mode: 'auto' },
    ]);
  } finally {
    await plain.close();
  }
});

it('runs a statement on its own again when PostgreSQL aborts it to break a deadlock', async () => {
  await db.sql.query(`CREATE TABLE "Lockable" (id int PRIMARY KEY, label text)`);
  await db.sql.query(`INSERT INTO "Lockable" VALUES (1, 'one'), (2, 'two')`);
  const locker = await createDb({ databaseUrl: db.url, migrate: false });
  try {
    const both = await locker.sql.connected(async (connection) => {
      // The statement's session looks for the deadlock first, and so is the one aborted.
      await connection.query(`SET deadlock_timeout = '10min'`);
      await connection.query('BEGIN');
      try {
        await connection.query(`UPDATE "Lockable" SET label = 'first' WHERE id = 1`);
        // Locks row 2, then waits for row 1.
        const LOCK_BOTH = `SELECT id FROM "Lockable" WHERE id IN (1, 2) ORDER BY id DESC FOR UPDATE`;
        const statement = db.sql.query<{ id: number }>(LOCK_BOTH);
        // Asked from outside the transaction, whose view of the sessions would stay as first read.
        await untilWaitingOnALock(locker, LOCK_BOTH);
        // Row 2 closes the cycle.
        await connection.query(`UPDATE "Lockable" SET label = 'second' WHERE id = 2`);
        await connection.query('COMMIT');
        return await statement;
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      }
    });
    expect(both).toEqual([{ id: 2 }, { id: 1 }]);
  } finally {
    await locker.close();
  }
});

it('hands PostgreSQL arrays of any values as they were given', async () => {
  const texts = [
    'b1946ac92492d2347c6235b4d2611184',
    '',
    'NULL',
    null,
    undefined,
    'a "quoted" word',
    'back\\slash',
    'two\nlines\tand a tab',
    '{braces}, commas',
    'ünïcødé ✓ 🐳',
  ];
  const [row] = await db.sql.query<{ texts: (string | null)[]; ints: number[]; floats: number[] }>(
    `SELECT $1::text[] AS texts, $2::int[] AS ints, $3::float8[] AS floats`,
    [texts, [1, -2, 0], [0.1, 2.5e-7, -3]],
  );
  expect(row!.texts).toEqual(texts.map((t) => t ?? null));
  expect(row!.ints).toEqual([1, -2, 0]);
  expect(row!.floats).toEqual([0.1, 2.5e-7, -3]);

  const [times] = await db.sql.query<{ last: Date; named: number }>(
    `SELECT max(t) AS last, count(s)::int AS named FROM unnest($1::timestamp[], $2::text[]) AS u(t, s)`,
    [
      ['2026-12-04T10:00:00.000Z', '2026-12-04T10:00:01.500Z'],
      [null, 'x'],
    ],
  );
  expect(times).toEqual({ last: new Date('2026-12-04T10:00:01.500Z'), named: 1 });

  // Quotes and backslashes without control characters: documents as the batch
  // statements send them, and paths whose backslash comes before a letter.
  const documents = [
    JSON.stringify({ image: 'nginx', labels: { 'say "hi"': 'C:\\new\\table' } }),
    JSON.stringify({ cmd: ['sh', '-c', 'echo "\\"'], env: [] }),
    JSON.stringify('a line\nand the next'),
  ];
  const quoted = ['"', '\\', '\\"', '"\\', 'C:\\new', 'end\\', null, ''];
  const [docs] = await db.sql.query<{ documents: unknown[]; quoted: (string | null)[] }>(
    `SELECT $1::jsonb[] AS documents, $2::text[] AS quoted`,
    [documents, quoted],
  );
  expect(docs!.documents).toEqual(documents.map((d) => JSON.parse(d) as unknown));
  expect(docs!.quoted).toEqual(quoted);
});
