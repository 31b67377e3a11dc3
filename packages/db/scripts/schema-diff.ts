import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/embedded';
import { defaultMigrationsDir, type MigrationFile } from '../src/migrations';

// Node has WebAssembly; TypeScript only types it in the DOM library, so the
// part used here is declared.
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, unknown>,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

// The package imports its .wasm the way bundlers do, which Node cannot; so the
// module is instantiated here and handed to the generated glue code.
async function loadSchemaEngine(): Promise<typeof engineGlue.SchemaEngine> {
  const require = createRequire(import.meta.url);
  const glueDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const wasmPath = path.join(glueDir, 'schema_engine_bg.wasm');
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
    './schema_engine_bg.js': engineGlue,
  });
  const exports = instance.exports as { __wbindgen_start?: () => void };
  engineGlue.__wbg_set_wasm(exports);
  exports.__wbindgen_start?.();
  return engineGlue.SchemaEngine;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

// The engine's catalogue queries select columns of PostgreSQL's one-byte
// "char" type, which @prisma/adapter-pg rejects as unsupported. The pool below
// lets them through as text and remembers where they were; the adapter wrapper
// then reports those columns with the Character type the engine expects.
const charColumnsByRows = new WeakMap<object, number[]>();

function noteCharColumns(result: unknown): void {
  const results = (Array.isArray(result) ? result : [result]) as (pg.QueryResult | undefined)[];
  for (const r of results) {
    const indexes: number[] = [];
    r?.fields?.forEach((field, i) => {
      if (field.dataTypeID !== PG_CHAR_OID) return;
      field.dataTypeID = PG_TEXT_OID;
      indexes.push(i);
    });
    if (r && indexes.length > 0) charColumnsByRows.set(r.rows, indexes);
  }
}

function catalogueFriendlyPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 1 });
  // Pool.query runs the client's callback form, the adapter's transactions the promise form.
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: typeof query }).query = (...args) => {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) => {
          if (!error) noteCharColumns(result);
          callback(error, result);
        };
        return query(...args);
      }
      return Promise.resolve(query(...args)).then((result) => {
        noteCharColumns(result);
        return result;
      });
    };
  });
  return pool;
}

function reportCharColumns<T extends SqlQueryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumnsByRows.get(result.rows) ?? []) {
      result.columnTypes[i] = ColumnTypeEnum.Character;
    }
    return result;
  };
  return queryable;
}

async function connectCatalogueFriendly(url: string): Promise<SqlDriverAdapter> {
  const adapter = reportCharColumns(await new PrismaPg(catalogueFriendlyPool(url)).connect());
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolation) =>
    reportCharColumns(await startTransaction(isolation));
  return adapter;
}

/**
 * Functions, triggers and data changes between `-- shoal:procedural-begin` and
 * `-- shoal:procedural-end`: the engine replays migrations statement by statement,
 * split at semicolons, which cuts a function body apart; and Prisma models none of
 * them, so the diff is the same without them.
 */
export function withoutProcedural(sql: string): string {
  return sql.replace(/^-- shoal:procedural-begin$[\s\S]*?^-- shoal:procedural-end$/gm, '');
}

/**
 * Asks Prisma's WebAssembly schema engine for the SQL that takes a database
 * built from `migrations` to the datamodel in `schema`. The engine replays the
 * migrations into a shadow database, which here is a throwaway in-memory PGlite.
 */
export async function diffMigrationsToSchema(
  migrations: MigrationFile[],
  schema: string,
): Promise<string> {
  const started: EmbeddedPostgres[] = [];
  const memoryDb = async () => {
    const pg = await startEmbeddedPostgres();
    started.push(pg);
    return pg.url;
  };
  try {
    const [mainUrl, shadowUrl] = [await memoryDb(), await memoryDb()];
    const factory: SqlMigrationAwareDriverAdapterFactory = {
      provider: 'postgres',
      adapterName: '@prisma/adapter-pg',
      connect: () => connectCatalogueFriendly(mainUrl),
      connectToShadowDb: () => connectCatalogueFriendly(shadowUrl),
    };
    const SchemaEngine = await loadSchemaEngine();
    const engine = await SchemaEngine.new(
      { datamodels: [['schema.prisma', schema]] },
      () => undefined,
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    try {
      const result = await engine.diff({
        from: {
          tag: 'migrations',
          baseDir: defaultMigrationsDir,
          lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' },
          shadowDbInitScript: '',
          migrationDirectories: migrations.map((m) => ({
            path: m.name,
            migrationFile: {
              path: 'migration.sql',
              content: { tag: 'ok', value: withoutProcedural(m.sql) },
            },
          })),
        },
        to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
        script: true,
        exitCode: null,
        filters: { externalTables: [], externalEnums: [] },
      });
      return result.stdout ?? '';
    } finally {
      engine.free();
    }
  } finally {
    for (const pg of started) await pg.close();
  }
}
