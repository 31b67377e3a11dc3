import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from './client';
import { migrateDatabase, MigrationError, unsupportedServer } from './migrate';
import { readMigrations } from './migrations';
import { createTestDatabase } from './testing';

describe('embedded PGlite', () => {
  it('keeps data across restarts and applies each migration once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'shoal-pglite-'));
    try {
      const first = await createDb({ dataDir });
      expect(first.kind).toBe('pglite');
      await first.prisma.tenant.create({
        data: { slug: 'blue', name: 'Blue team', mesosRole: 'shoal/blue' },
      });
      await first.close();

      const second = await createDb({ dataDir });
      const tenants = await second.prisma.tenant.findMany();
      expect(tenants.map((t) => t.mesosRole)).toEqual(['shoal/blue']);
      const recorded = await second.prisma.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM "_prisma_migrations"`;
      expect(Number(recorded[0]!.n)).toBe(readMigrations().length);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL', () => {
  let db: Db;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('records applied migrations the way prisma migrate deploy does', async () => {
    expect(db.kind).toBe('postgresql');
    const rows = await db.prisma.$queryRaw<{ migration_name: string; checksum: string }[]>`
      SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`;
    expect(rows).toEqual(
      readMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })),
    );
  });

  it('enforces container names unique per tenant, not across tenants', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((slug) =>
        db.prisma.tenant.create({ data: { slug, name: slug, mesosRole: `shoal/${slug}` } }),
      ),
    );
    const container = (tenantId: string, id: string) => ({
      id,
      tenantId,
      name: 'web',
      image: 'nginx',
      config: {},
      cpus: 0.5,
      memMb: 128,
    });
    await db.prisma.container.create({ data: container(a!.id, 'a'.repeat(64)) });
    await db.prisma.container.create({ data: container(b!.id, 'b'.repeat(64)) });
    await expect(
      db.prisma.container.create({ data: container(a!.id, 'c'.repeat(64)) }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('drops a deleted tenant’s events and keeps its audit entries, untied', async () => {
    const [gone, kept] = await Promise.all(
      ['gone', 'kept'].map((slug) =>
        db.prisma.tenant.create({ data: { slug, name: slug, mesosRole: `shoal-${slug}` } }),
      ),
    );
    for (const tenant of [gone!, kept!]) {
      await db.prisma.containerEventEntry.create({
        data: {
          tenantId: tenant.id,
          containerId: 'f'.repeat(64),
          name: 'web',
          image: 'nginx',
          action: 'create',
          attributes: {},
          at: new Date(),
        },
      });
      await db.prisma.auditEvent.create({
        data: { tenantId: tenant.id, actor: 'x', action: 'container.create', target: 'web' },
      });
    }
    await db.prisma.tenant.delete({ where: { id: gone!.id } });
    const events = await db.prisma.containerEventEntry.findMany({
      where: { tenantId: { in: [gone!.id, kept!.id] } },
    });
    expect(events.map((e) => e.tenantId)).toEqual([kept!.id]);
    const audit = await db.prisma.auditEvent.findMany({ where: { target: 'web' } });
    expect(audit.map((a) => a.tenantId).sort()).toEqual([kept!.id, null].sort());
  });

  it('drops a task and its history with the task, its container or its tenant', async () => {
    const tenants = await Promise.all(
      ['history-a', 'history-b'].map((slug) =>
        db.prisma.tenant.create({ data: { slug, name: slug, mesosRole: `shoal-${slug}` } }),
      ),
    );
    // Four containers with a task each, every task with its history: one task is
    // deleted, one container is deleted, one tenant (with the fourth) is deleted.
    const tasks = await Promise.all(
      ['1', '2', '3', '4'].map(async (n, i) => {
        const container = await db.prisma.container.create({
          data: {
            id: n.repeat(64),
            tenantId: tenants[i < 3 ? 0 : 1]!.id,
            name: `web-${n}`,
            image: 'nginx',
            config: {},
            cpus: 0.1,
            memMb: 32,
          },
        });
        const task = await db.prisma.task.create({
          data: { containerId: container.id, mesosTaskId: `web-${n}.1`, state: 'TASK_RUNNING' },
        });
        await db.prisma.taskUpdate.createMany({
          data: ['TASK_STARTING', 'TASK_RUNNING'].map((state) => ({ taskId: task.id, state })),
        });
        return task;
      }),
    );
    await db.prisma.task.delete({ where: { id: tasks[0]!.id } });
    await db.prisma.container.delete({ where: { id: tasks[1]!.containerId } });
    await db.prisma.tenant.delete({ where: { id: tenants[1]!.id } });
    const left = await db.prisma.taskUpdate.findMany({
      where: { taskId: { in: tasks.map((t) => t.id) } },
    });
    expect(left.map((u) => u.taskId)).toEqual([tasks[2]!.id, tasks[2]!.id]);
    const containers = await db.prisma.container.findMany({
      where: { id: { in: tasks.map((t) => t.containerId) } },
      orderBy: { id: 'asc' },
    });
    expect(containers.map((c) => c.name)).toEqual(['web-1', 'web-3']);
    const tasksLeft = await db.prisma.task.findMany({
      where: { id: { in: tasks.map((t) => t.id) } },
    });
    expect(tasksLeft.map((t) => t.mesosTaskId)).toEqual(['web-3.1']);
  });

  it('names the server’s version when it is older than Shoal needs', () => {
    expect(unsupportedServer({ version: '11.22 (Debian 11.22-1)', number: '110022' })).toBe(
      'Shoal needs PostgreSQL 12 or later; the database server runs PostgreSQL 11.22 (Debian 11.22-1)',
    );
    expect(unsupportedServer({ version: '12.0', number: '120000' })).toBeUndefined();
  });

  it('rolls a failing migration back completely and names it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shoal-migrations-'));
    try {
      mkdirSync(path.join(dir, '20990101000000_broken'));
      writeFileSync(
        path.join(dir, '20990101000000_broken', 'migration.sql'),
        'CREATE TABLE "Half" (id int);\nALTER TABLE "NoSuchTable" ADD COLUMN x int;',
      );
      const error = await migrateDatabase(db.url, dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).migration).toBe('20990101000000_broken');

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const half = await client.query(`SELECT to_regclass('"Half"') AS t`);
      const recorded = await client.query(
        `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '20990101000000_broken'`,
      );
      await client.end();
      expect(half.rows[0].t).toBeNull();
      expect(recorded.rowCount).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
