import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '@shoal/db';
import { createTestDatabase, untilWaitingOnALock } from '@shoal/db/testing';
import type { TaskStatus } from '@shoal/mesos';
import type { TaskLauncher } from './containers/ports';
import { ContainerSupervisor, DEFAULT_SUPERVISOR_OPTIONS } from './containers/supervisor';
import { ShoalError } from './errors';
import { ADMIN_EMAIL, seedFirstStart } from './seed/first-start';
import { createServices, type Services } from './services';
import { verifyPassword } from './users/passwords';

let db: Db;
let services: Services;

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(db);
});
afterAll(async () => {
  await db?.close();
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof ShoalError ? e.code : `unexpected: ${String(e)}`),
  );

describe('tenants', () => {
  it('gets a top-level Mesos role by default and an audit entry', async () => {
    const tenant = await services.tenants.create({ slug: 'blue-team', name: 'Blue' }, 'admin@x');
    expect(tenant.mesosRole).toBe('shoal-blue-team');
    const audit = await db.prisma.auditEvent.findMany({ where: { tenantId: tenant.id } });
    expect(audit.map((a) => a.action)).toEqual(['tenant.create']);
  });

  it('rejects bad slugs, invalid Mesos roles and duplicates with typed errors', async () => {
    expect(await codeOf(services.tenants.create({ slug: 'Bad Slug', name: 'x' }, 'a'))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      await codeOf(services.tenants.create({ slug: 'okay', name: 'x', mesosRole: 'eng//x' }, 'a')),
    ).toBe('INVALID_ARGUMENT');
    expect(await codeOf(services.tenants.create({ slug: 'blue-team', name: 'again' }, 'a'))).toBe(
      'CONFLICT',
    );
    expect(await db.prisma.tenant.count({ where: { slug: 'okay' } })).toBe(0);
  });

  it('refuses a quota guarantee above its limit and leaves the old quota', async () => {
    const tenant = await services.tenants.getBySlug('blue-team');
    await services.tenants.setQuota(tenant.id, { quotaCpusLimit: 4 }, 'a');
    expect(
      await codeOf(
        services.tenants.setQuota(tenant.id, { quotaCpusGuarantee: 8, quotaCpusLimit: 2 }, 'a'),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect((await services.tenants.getBySlug('blue-team')).quotaCpusLimit).toBe(4);
  });
});

describe('tenants on nested Mesos roles', () => {
  const NESTED_QUOTA = /^Mesos takes no quota on a nested role such as "eng\/web"/;
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof ShoalError ? `${e.code}: ${e.message}` : String(e)),
    );

  it('refuses one with a quota before storing anything, and takes one without', async () => {
    const refused = await failure(
      services.tenantAdmin.create(
        { slug: 'nested', name: 'Nested', mesosRole: 'eng/web', quota: { quotaCpusLimit: 2 } },
        'admin@x',
      ),
    );
    expect(refused).toMatch(/^INVALID_ARGUMENT: /);
    expect(refused.replace(/^INVALID_ARGUMENT: /, '')).toMatch(NESTED_QUOTA);
    expect(await db.prisma.tenant.count({ where: { slug: 'nested' } })).toBe(0);
    expect(await db.prisma.auditEvent.count({ where: { target: 'nested' } })).toBe(0);

    const plain = await services.tenantAdmin.create(
      { slug: 'nested', name: 'Nested', mesosRole: 'eng/web' },
      'admin@x',
    );
    expect(plain.mesosRole).toBe('eng/web');
    // Its quota cannot be set later either, and an empty quota is no change to refuse.
    expect(await failure(services.tenants.setQuota(plain.id, { quotaMemLimit: 512 }, 'a'))).toMatch(
      /^INVALID_ARGUMENT: Mesos takes no quota on a nested role/,
    );
    await services.tenants.setQuota(plain.id, { quotaMemLimit: null }, 'a');
    expect((await services.tenants.getBySlug('nested')).quotaMemLimit).toBeNull();
  });

  it('keeps a tenant with a quota off nested roles', async () => {
    const tenant = await services.tenants.create(
      { slug: 'capped', name: 'Capped', quota: { quotaCpusLimit: 1 } },
      'a',
    );
    expect(
      await failure(services.tenantAdmin.update(tenant.id, { mesosRole: 'capped/sub' }, 'a')),
    ).toMatch(/^INVALID_ARGUMENT: Mesos takes no quota on a nested role such as "capped\/sub"/);
    expect((await services.tenants.getBySlug('capped')).mesosRole).toBe('shoal-capped');
  });

  it('names a negative amount in words', async () => {
    expect(
      await failure(
        services.tenants.create(
          { slug: 'minus', name: 'Minus', quota: { quotaCpusGuarantee: -1, quotaCpusLimit: 2 } },
          'a',
        ),
      ),
    ).toBe('INVALID_ARGUMENT: The CPU guarantee cannot be negative');
  });
});

describe('API tokens', () => {
  it('authenticates the secret shown once, stores only a hash, and stops after revocation', async () => {
    const tenant = await services.tenants.create({ slug: 'tokens', name: 'Tokens' }, 'a');
    const { token, secret } = await services.tokens.issue({ tenantId: tenant.id, name: 'ci' }, 'a');
    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(JSON.stringify(row)).not.toContain(secret.split('_')[2]);

    expect(await services.tokens.authenticate(secret)).toMatchObject({
      tenantId: tenant.id,
      scope: 'READ_WRITE',
    });
    expect(
      await services.tokens.authenticate(secret.slice(0, -1) + (secret.endsWith('a') ? 'b' : 'a')),
    ).toEqual({
      rejected: 'unknown',
    });
    expect(await services.tokens.authenticate('Bearer nonsense')).toEqual({
      rejected: 'malformed',
    });

    await services.tokens.revoke(tenant.id, token.id, 'a');
    expect(await services.tokens.authenticate(secret)).toEqual({ rejected: 'revoked' });
  });

  it('treats another tenant’s token as not found', async () => {
    const mine = await services.tenants.create({ slug: 'mine', name: 'Mine' }, 'a');
    const theirs = await services.tenants.create({ slug: 'theirs', name: 'Theirs' }, 'a');
    const { token } = await services.tokens.issue({ tenantId: theirs.id, name: 'x' }, 'a');
    expect(await codeOf(services.tokens.revoke(mine.id, token.id, 'a'))).toBe('NOT_FOUND');
    expect(await services.tokens.list(mine.id)).toEqual([]);
  });

  it('rejects an expired token', async () => {
    const tenant = await services.tenants.create({ slug: 'expiry', name: 'Expiry' }, 'a');
    const { token, secret } = await services.tokens.issue(
      { tenantId: tenant.id, name: 'short', expiresAt: new Date(Date.now() + 60_000) },
      'a',
    );
    await db.prisma.apiToken.update({
      where: { id: token.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    expect(await services.tokens.authenticate(secret)).toEqual({ rejected: 'expired' });
  });
});

describe('tenant owners', () => {
  it('keeps one owner when two owners demote each other at the same moment', async () => {
    const tenant = await services.tenants.create({ slug: 'owners', name: 'Owners' }, 'a');
    const [ann, bob] = await Promise.all(
      ['ann@owners.test', 'bob@owners.test'].map((email) =>
        services.users.create({ email, password: 'correct horse battery' }),
      ),
    );
    if (!ann || !bob) throw new Error('no users');
    for (let round = 0; round < 10; round++) {
      await services.users.addMembership(ann.id, tenant.id, 'OWNER');
      await services.users.addMembership(bob.id, tenant.id, 'OWNER');
      const outcomes = await Promise.all([
        codeOf(services.memberships.setRole(tenant.id, bob.id, 'MEMBER', ann.email)),
        codeOf(services.memberships.setRole(tenant.id, ann.id, 'MEMBER', bob.email)),
      ]);
      expect(outcomes.sort()).toEqual(['CONFLICT', 'resolved']);
      expect(
        await db.prisma.membership.count({ where: { tenantId: tenant.id, role: 'OWNER' } }),
      ).toBe(1);
    }
  });
});

describe('first start', () => {
  it('seeds an admin and demo tenants once, with working credentials', async () => {
    await db.prisma.user.deleteMany();
    const seeded = await seedFirstStart(services, { demo: true });
    expect(seeded?.logins.map((l) => l.role)).toEqual([
      'cluster admin',
      'owner of acme',
      'owner of globex',
    ]);
    const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: 'admin@shoal.local' } });
    expect(admin.isAdmin && admin.mustChangePassword).toBe(true);
    expect(await verifyPassword(admin.passwordHash, seeded!.logins[0]!.password)).toBe(true);
    for (const t of seeded!.tenants) {
      expect(await services.tokens.authenticate(t.token)).toMatchObject({ scope: 'READ_WRITE' });
    }
    expect(await seedFirstStart(services, { demo: true })).toBeUndefined();
  });

  it('seeds once when two instances start together on a fresh database', async () => {
    await db.prisma.user.deleteMany();
    const other = await createDb({ databaseUrl: db.url });
    try {
      const starts = await Promise.allSettled([
        seedFirstStart(services, { demo: false }),
        seedFirstStart(createServices(other), { demo: false }),
      ]);
      expect(starts.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
      const seeded = starts.flatMap((s) => (s.status === 'fulfilled' && s.value ? [s.value] : []));
      expect(seeded).toHaveLength(1);
      const admin = await db.prisma.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
      expect(await verifyPassword(admin.passwordHash, seeded[0]!.logins[0]!.password)).toBe(true);
    } finally {
      await other.close();
    }
  });
});

/** A tenant of its own with one container, created and not started. */
async function tenantWithContainer(slug: string, name: string) {
  const tenant = await services.tenants.create({ slug, name: slug }, 'a');
  const container = await services.containers.create(
    tenant.id,
    { image: 'nginx', cpus: 0.1, memoryMb: 32, name },
    'a',
  );
  return { tenant, container };
}

/**
 * A launcher that records the tasks it is given and the kills it is asked for; `run`, when
 * given, is what the cluster does with the tasks.
 */
function launchRecorder(
  run: (taskIds: string[]) => void = () => undefined,
): TaskLauncher & { submitted: string[]; roles: string[]; killed: string[] } {
  const submitted: string[] = [];
  const roles: string[] = [];
  const killed: string[] = [];
  const submitAll = (requests: readonly { taskId: string; role: string }[]) => {
    const taskIds = requests.map((r) => r.taskId);
    submitted.push(...taskIds);
    roles.push(...requests.map((r) => r.role));
    run(taskIds);
  };
  return {
    submitted,
    roles,
    killed,
    submit: (request) => submitAll([request]),
    submitAll,
    cancel: () => false,
    isPending: () => false,
    kill: (taskId) => {
      killed.push(taskId);
      return Promise.resolve();
    },
  };
}

describe('creating containers', () => {
  it('answers not found for a create whose tenant is deleted under it, and stores nothing', async () => {
    const tenant = await services.tenants.create({ slug: 'going', name: 'going' }, 'a');
    let create: Promise<string> | undefined;
    // The tenant's deletion is not committed yet when the create is written: the create
    // waits for it, then finds no tenant.
    await db.sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM "Tenant" WHERE id = $1`, [tenant.id]);
      create = codeOf(services.containers.create(tenant.id, { image: 'nginx', name: 'late' }, 'a'));
      await untilWaitingOnALock(db);
    });
    await expect(create).resolves.toBe('NOT_FOUND');
    expect(await db.prisma.container.count({ where: { tenantId: tenant.id } })).toBe(0);
  });

  it('names every unnamed container, more of them than word pairs, and keeps given names final', async () => {
    const tenant = await services.tenants.create({ slug: 'unnamed', name: 'unnamed' }, 'a');
    // 900 word pairs: a thousand containers cannot all have one, so some names are redrawn.
    const created: string[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, () =>
          services.containers.create(tenant.id, { image: 'nginx', cpus: 0.01, memoryMb: 4 }, 'a'),
        ),
      );
      created.push(...batch.map((c) => c.name));
    }
    expect(new Set(created).size).toBe(1000);
    for (const name of created) expect(name).toMatch(/^[a-z]+_[a-z]+\d*$/);
    expect(created.some((name) => /\d$/.test(name))).toBe(true);

    const taken = created[0]!;
    await expect(
      codeOf(services.containers.create(tenant.id, { image: 'nginx', name: taken }, 'a')),
    ).resolves.toBe('CONFLICT');
    const rows = await db.prisma.container.count({ where: { tenantId: tenant.id } });
    expect(rows).toBe(1000);
  });
});

describe('starting containers', () => {
  it('stores each start whole, once: marked to run, its task queued and the start audited', async () => {
    const { tenant, container } = await tenantWithContainer('starts', 'starter');
    // The cluster runs what it is given at once: a start is answered once its container runs.
    const launcher = launchRecorder(
      (taskIds) =>
        void services.taskStore.recordStatuses(
          taskIds.map((taskId) => ({
            task_id: { value: taskId },
            agent_id: { value: 'a1' },
            state: 'TASK_RUNNING',
          })),
        ),
    );
    services.containers.launcher = launcher;
    try {
      // Two starts of one container and one of a container that does not exist, together.
      const outcomes = await Promise.allSettled([
        services.containers.start(tenant.id, 'starter', 'dev@starts.test'),
        services.containers.start(tenant.id, container.id, 'ops@starts.test'),
        services.containers.start(tenant.id, 'ghost', 'dev@starts.test'),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      // As Docker's, the start that had nothing to do answers once the other's container runs.
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.state : undefined))).toEqual([
        'running',
        'running',
        undefined,
      ]);
      const stored = await db.prisma.container.findUniqueOrThrow({
        where: { id: container.id },
        include: { tasks: true },
      });
      expect(stored.desiredState).toBe('RUNNING');
      expect(stored.tasks).toHaveLength(1);
      expect(launcher.submitted).toEqual([stored.tasks[0]!.mesosTaskId]);
      const audited = await db.prisma.auditEvent.findMany({
        where: { tenantId: tenant.id, action: 'container.start' },
      });
      expect(audited).toHaveLength(1);
      expect(audited[0]).toMatchObject({ target: 'starter', detail: { id: container.id } });
    } finally {
      services.containers.launcher = undefined;
    }
  });
});

describe('moving a tenant to another role', () => {
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof ShoalError ? `${e.code}: ${e.message}` : String(e)),
    );
  /** The cluster runs what it is given at once. */
  const runningAtOnce = () =>
    launchRecorder(
      (taskIds) =>
        void services.taskStore.recordStatuses(
          taskIds.map((taskId) => ({
            task_id: { value: taskId },
            agent_id: { value: 'a1' },
            state: 'TASK_RUNNING',
          })),
        ),
    );
  const make = async (tenantId: string, name: string) =>
    services.containers.create(tenantId, { image: 'nginx', cpus: 0.1, memoryMb: 32, name }, 'a');

  it('waits only for what Mesos holds, names it, and starts what was only created under the new role', async () => {
    const { tenant } = await tenantWithContainer('mover', 'made');
    // Exited: its task ended.
    const done = await make(tenant.id, 'done');
    await db.prisma.container.update({
      where: { id: done.id },
      data: { state: 'EXITED', exitCode: 0, finishedAt: new Date() },
    });
    await db.prisma.task.create({
      data: { containerId: done.id, mesosTaskId: 'mover.done.1', state: 'TASK_FINISHED' },
    });
    // Started, and queued for an offer.
    const waiting = await make(tenant.id, 'waiting');
    await db.prisma.container.update({
      where: { id: waiting.id },
      data: { desiredState: 'RUNNING' },
    });
    await db.prisma.task.create({
      data: { containerId: waiting.id, mesosTaskId: 'mover.waiting.1', state: 'PENDING' },
    });
    // Stopped, its kill not yet confirmed by Mesos.
    const stopping = await make(tenant.id, 'stopping');
    await db.prisma.container.update({
      where: { id: stopping.id },
      data: { state: 'RUNNING', desiredState: 'STOPPED' },
    });
    await db.prisma.task.create({
      data: {
        containerId: stopping.id,
        mesosTaskId: 'mover.stopping.1',
        agentId: 'a1',
        state: 'TASK_KILLING',
        killedBy: 'stop',
      },
    });

    expect(await failure(services.tenantAdmin.update(tenant.id, { mesosRole: 'moved' }, 'a'))).toBe(
      'CONFLICT: Stop the 2 running container(s) of mover before moving it to another role: stopping, waiting',
    );
    expect((await services.tenants.getBySlug('mover')).mesosRole).toBe('shoal-mover');

    await services.containers.stop(tenant.id, 'waiting', {}, 'a');
    await services.taskStore.recordStatuses([
      { task_id: { value: 'mover.stopping.1' }, agent_id: { value: 'a1' }, state: 'TASK_KILLED' },
    ]);
    const moved = await services.tenantAdmin.update(tenant.id, { mesosRole: 'moved' }, 'a');
    expect(moved.mesosRole).toBe('moved');

    const launcher = runningAtOnce();
    services.containers.launcher = launcher;
    try {
      expect((await services.containers.start(tenant.id, 'made', 'a')).state).toBe('running');
      expect((await services.containers.start(tenant.id, 'done', 'a')).state).toBe('running');
    } finally {
      services.containers.launcher = undefined;
    }
    expect(launcher.roles).toEqual(['moved', 'moved']);
  });

  it('names a few of many and counts the rest', async () => {
    const tenant = await services.tenants.create({ slug: 'crowded', name: 'crowded' }, 'a');
    for (let i = 0; i < 8; i++) {
      const c = await make(tenant.id, `busy-${i}`);
      await db.prisma.container.update({ where: { id: c.id }, data: { desiredState: 'RUNNING' } });
    }
    await make(tenant.id, 'idle');
    expect(
      await failure(services.tenantAdmin.update(tenant.id, { mesosRole: 'elsewhere' }, 'a')),
    ).toBe(
      'CONFLICT: Stop the 8 running container(s) of crowded before moving it to another role: busy-0, busy-1, busy-2, busy-3, busy-4 and 3 more',
    );
  });

  it('is refused when a start lands while the move is being stored', async () => {
    const { tenant, container } = await tenantWithContainer('racing', 'racer');
    let move: Promise<string> | undefined;
    // A start holds its container locked until it has stored the container as meant to
    // run with its task queued; the move's check comes after.
    await db.sql.transaction(async (tx) => {
      await tx.query(`SELECT id FROM "Container" WHERE id = $1 FOR UPDATE`, [container.id]);
      move = failure(services.tenantAdmin.update(tenant.id, { mesosRole: 'raced' }, 'a'));
      await untilWaitingOnALock(db);
      await tx.query(`UPDATE "Container" SET "desiredState" = 'RUNNING' WHERE id = $1`, [
        container.id,
      ]);
      await tx.query(
        `INSERT INTO "Task" (id, "containerId", "mesosTaskId", state, "updatedAt")
         VALUES ('racing-task', $1, 'racing.racer.1', 'PENDING', now())`,
        [container.id],
      );
    });
    await expect(move).resolves.toMatch(/^CONFLICT: Stop the 1 running container\(s\) of racing/);
    expect((await services.tenants.getBySlug('racing')).mesosRole).toBe('shoal-racing');
  });
});

describe('task history', () => {
  it('keeps the order of one task’s changes that arrive in one batch', async () => {
    const { container } = await tenantWithContainer('history', 'flaky-agent');
    const task = await db.prisma.task.create({
      data: {
        containerId: container.id,
        mesosTaskId: 'flaky.1',
        agentId: 'a1',
        state: 'TASK_RUNNING',
      },
    });
    // The agent is lost and back before the framework writes: both updates in one batch.
    await services.taskStore.recordStatuses([
      { task_id: { value: 'flaky.1' }, agent_id: { value: 'a1' }, state: 'TASK_UNREACHABLE' },
      { task_id: { value: 'flaky.1' }, agent_id: { value: 'a1' }, state: 'TASK_RUNNING' },
    ]);
    const history = await db.prisma.taskUpdate.findMany({
      where: { taskId: task.id },
      orderBy: { at: 'asc' },
    });
    expect(history.map((h) => h.state)).toEqual(['TASK_UNREACHABLE', 'TASK_RUNNING']);
    // Dated apart, so every reader of the history sees them in that order.
    expect(history[0]!.at.getTime()).toBeLessThan(history[1]!.at.getTime());
  });
});

describe('an ended task', () => {
  it('keeps its end when Mesos, asked about it later, answers that it is gone', async () => {
    const { tenant, container } = await tenantWithContainer('ended', 'ended');
    await db.prisma.container.update({
      where: { id: container.id },
      data: { state: 'RUNNING', desiredState: 'STOPPED' },
    });
    const task = await db.prisma.task.create({
      data: {
        containerId: container.id,
        mesosTaskId: 'ended.1',
        agentId: 'a1',
        state: 'TASK_RUNNING',
        killedBy: 'stop',
      },
    });
    const listening = new AbortController();
    const events = services.events.subscribe(tenant.id, listening.signal, container.id);
    const update = (status: Omit<TaskStatus, 'task_id' | 'agent_id'>) =>
      services.taskStore.recordStatuses([
        { task_id: { value: 'ended.1' }, agent_id: { value: 'a1' }, ...status },
      ]);
    await update({
      state: 'TASK_KILLED',
      source: 'SOURCE_EXECUTOR',
      message: 'Command terminated with signal Terminated',
    });
    // The stop's kill sent again, or a reconciliation, after Mesos forgot the task.
    await update({
      state: 'TASK_GONE',
      source: 'SOURCE_MASTER',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Task is unknown to the agent',
    });
    listening.abort();
    const heard: string[] = [];
    for await (const event of events) heard.push(event.action);

    const view = await services.containers.get(tenant.id, 'ended');
    expect(view).toMatchObject({ state: 'exited', exitCode: 143, error: null });
    expect(view.task).toMatchObject({ mesosTaskId: 'ended.1', state: 'TASK_KILLED' });
    expect(heard).toEqual(['die', 'stop']);
    const history = await db.prisma.taskUpdate.findMany({ where: { taskId: task.id } });
    expect(history.map((h) => h.state)).toEqual(['TASK_KILLED']);
  });

  it('does not live again when an agent restored from stale state reports it running', async () => {
    const { tenant, container } = await tenantWithContainer('revenant', 'revenant');
    const task = await db.prisma.task.create({
      data: {
        containerId: container.id,
        mesosTaskId: 'revenant.1',
        agentId: 'a1',
        state: 'TASK_STAGING',
      },
    });
    const update = (status: Omit<TaskStatus, 'task_id' | 'agent_id'>) =>
      services.taskStore.recordStatuses([
        { task_id: { value: 'revenant.1' }, agent_id: { value: 'a1' }, ...status },
      ]);
    await update({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    await update({
      state: 'TASK_FAILED',
      source: 'SOURCE_EXECUTOR',
      message: 'Command exited with status 3',
    });
    const ended = await services.containers.get(tenant.id, 'revenant');
    expect(ended).toMatchObject({ state: 'exited', exitCode: 3 });

    const killed: string[] = [];
    const onUnwanted = services.taskStore.onUnwanted;
    services.taskStore.onUnwanted = (orphan) => void killed.push(orphan.taskId);
    try {
      // The agent crashed before it checkpointed the exit, and restored the task as running.
      await update({ state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    } finally {
      services.taskStore.onUnwanted = onUnwanted;
    }
    expect(killed).toEqual(['revenant.1']);
    const view = await services.containers.get(tenant.id, 'revenant');
    expect(view).toMatchObject({
      state: 'exited',
      exitCode: 3,
      startedAt: ended.startedAt,
      finishedAt: ended.finishedAt,
    });
    expect(view.task).toMatchObject({ state: 'TASK_FAILED' });
    const history = await db.prisma.taskUpdate.findMany({
      where: { taskId: task.id },
      orderBy: { at: 'asc' },
    });
    expect(history.map((h) => h.state)).toEqual(['TASK_RUNNING', 'TASK_FAILED']);
  });
});

describe('a container being removed', () => {
  it('is gone for every lookup while Mesos confirms its task killed, and its name is free', async () => {
    const tenant = await services.tenants.create({ slug: 'removal', name: 'removal' }, 'a');
    // Under ucr, so that only the removal stands in the way of a network.
    const container = await services.containers.create(
      tenant.id,
      { image: 'nginx', cpus: 0.1, memoryMb: 32, name: 'leaving', runtime: 'ucr' },
      'a',
    );
    const sibling = await services.containers.create(
      tenant.id,
      { image: 'nginx', cpus: 0.1, memoryMb: 32, name: 'staying' },
      'a',
    );
    const network = await services.networks.create(tenant.id, { name: 'removal-net' }, 'a');
    // As rm -f leaves a running container until Mesos confirms its task killed; its id
    // made to share its first six digits with the other container's.
    const id = `${sibling.id.slice(0, 6)}${sibling.id[6] === '0' ? '1' : '0'}${'e'.repeat(57)}`;
    await db.prisma.container.update({
      where: { id: container.id },
      data: { id, state: 'REMOVING', desiredState: 'STOPPED', name: 'leaving.removing.x' },
    });
    const gone = { code: 'NOT_FOUND', message: `No such container: ${id}` };
    await expect(services.containers.get(tenant.id, id)).rejects.toMatchObject(gone);
    await expect(services.containers.start(tenant.id, id, 'a')).rejects.toMatchObject(gone);
    await expect(services.containers.rename(tenant.id, id, 'squatter', 'a')).rejects.toMatchObject(
      gone,
    );
    await expect(
      services.containers.updateRestartPolicy(tenant.id, id, { name: 'always' }, 'a'),
    ).rejects.toMatchObject(gone);
    await expect(
      services.containers.remove(tenant.id, id, { force: true }, 'a'),
    ).rejects.toMatchObject(gone);
    await expect(
      services.networks.connect(tenant.id, network.id, id, [], 'a'),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A client attached before it ended is still owed its log, read by id.
    const read = async (attached: boolean) => {
      const options = { stdout: true, stderr: true, follow: false, attached };
      for await (const line of services.containers.logs(tenant.id, id, options)) void line;
    };
    await expect(read(false)).rejects.toMatchObject(gone);
    await expect(read(true)).resolves.toBeUndefined();
    // Nor does it make the prefix it shares with the other container ambiguous.
    await expect(services.containers.get(tenant.id, id.slice(0, 6))).resolves.toMatchObject({
      id: sibling.id,
    });
    await expect(services.containers.get(tenant.id, id.slice(0, 7))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // Its name stays free for a new container, as Docker frees it at once.
    await expect(
      services.containers.create(tenant.id, { image: 'nginx', name: 'squatter' }, 'a'),
    ).resolves.toMatchObject({ name: 'squatter' });
  });
});

describe('the task that speaks for a container', () => {
  it('is the older task that runs again after its replacement was dropped', async () => {
    const { tenant, container } = await tenantWithContainer('healed', 'healed');
    await db.prisma.container.update({ where: { id: container.id }, data: { state: 'RUNNING' } });
    /** Task n of the container, launched `secondsAgo` on agent a<n>. */
    const launch = (n: number, state: string, secondsAgo: number) =>
      db.prisma.task.create({
        data: {
          containerId: container.id,
          mesosTaskId: `healed.${n}`,
          state,
          launchedAt: new Date(Date.now() - secondsAgo * 1000),
          agentId: `a${n}`,
          hostname: `a${n}.example`,
          agentEndpoint: `http://a${n}.example:5051`,
        },
      });
    await launch(1, 'TASK_RUNNING', 60);
    // Its agent is cut off; the replacement launched elsewhere is dropped with its launch.
    await services.taskStore.recordStatuses([
      { task_id: { value: 'healed.1' }, agent_id: { value: 'a1' }, state: 'TASK_UNREACHABLE' },
    ]);
    await launch(2, 'TASK_STAGING', 30);
    const changed: string[] = [];
    services.taskStore.onContainersChanged = (rows) =>
      changed.push(...rows.map((r) => r.tasks[0]?.mesosTaskId ?? 'none'));
    await services.taskStore.recordStatuses([
      { task_id: { value: 'healed.2' }, agent_id: { value: 'a2' }, state: 'TASK_DROPPED' },
    ]);
    // The cut-off agent is back, and its task with it.
    await services.taskStore.recordStatuses([
      { task_id: { value: 'healed.1' }, agent_id: { value: 'a1' }, state: 'TASK_RUNNING' },
    ]);

    const { view, target } = await services.containers.located(tenant.id, 'healed');
    expect(view.state).toBe('running');
    expect(view.task).toMatchObject({ mesosTaskId: 'healed.1', state: 'TASK_RUNNING' });
    // exec, logs and stats go where the container runs, not to the dropped launch.
    expect(target).toMatchObject({ mesosTaskId: 'healed.1', agentId: 'a1' });
    expect((await services.containers.list(tenant.id))[0]?.task?.mesosTaskId).toBe('healed.1');
    // Watchers (docker events, the dashboard) are told of the same task: when the
    // replacement is dropped (the older task, cut off, has not ended) and when it is back.
    expect(changed).toEqual(['healed.1', 'healed.1']);
  });
});

describe('the supervisor', () => {
  it('kills an older live task once a newer one runs, even when a newest launch ended', async () => {
    const { container } = await tenantWithContainer('twice', 'twice');
    await db.prisma.container.update({
      where: { id: container.id },
      data: { state: 'RUNNING', desiredState: 'RUNNING' },
    });
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    // The first task came back after its replacement ran; a third launch was dropped.
    for (const [n, state, at] of [
      [1, 'TASK_RUNNING', 3],
      [2, 'TASK_RUNNING', 2],
      [3, 'TASK_DROPPED', 1],
    ] as const)
      await db.prisma.task.create({
        data: {
          containerId: container.id,
          mesosTaskId: `twice.${n}`,
          agentId: `a${n}`,
          state,
          launchedAt: minutesAgo(at),
        },
      });

    const launcher = launchRecorder();
    const supervisor = new ContainerSupervisor(db.sql, launcher, DEFAULT_SUPERVISOR_OPTIONS);
    supervisor.start();
    try {
      // Its first pass runs the safety scan; the bound is generous, the wait is for the kill.
      const deadline = Date.now() + 30_000;
      while (launcher.killed.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      await supervisor.stop();
    }
    expect(launcher.killed).toEqual(['twice.1']);
  });

  it('queues no task for a container removed while it was being launched', async () => {
    const { container } = await tenantWithContainer('vanishing', 'vanishing');
    await db.prisma.container.update({
      where: { id: container.id },
      data: { desiredState: 'RUNNING' },
    });
    const launcher = launchRecorder();
    const supervisor = new ContainerSupervisor(db.sql, launcher, DEFAULT_SUPERVISOR_OPTIONS);
    let pass: Promise<void> | undefined;
    // The supervisor reads the container as wanting to run while its removal is not
    // committed yet; its task waits for the removal, then has no container to go with.
    await db.sql.transaction(async (tx) => {
      await tx.query(`DELETE FROM "Container" WHERE id = $1`, [container.id]);
      pass = supervisor.pass();
      await untilWaitingOnALock(db);
    });
    await pass;
    expect(await db.prisma.task.count({ where: { containerId: container.id } })).toBe(0);
    const itsTasks = launcher.submitted.filter((id) => id.includes(container.id.slice(0, 12)));
    expect(itsTasks).toEqual([]);
  });

  it('finds replaced tasks left alive in a cluster larger than one pass reads', async () => {
    const tenant = await services.tenants.create({ slug: 'sweep', name: 'sweep' }, 'a');
    const crowd = async (name: string) => {
      const container = await services.containers.create(
        tenant.id,
        { image: 'nginx', cpus: 0.1, memoryMb: 32, name },
        'a',
      );
      await db.prisma.container.update({
        where: { id: container.id },
        data: { state: 'RUNNING', desiredState: 'RUNNING' },
      });
      for (const [n, minutesAgo] of [
        [1, 2],
        [2, 1],
      ] as const)
        await db.prisma.task.create({
          data: {
            containerId: container.id,
            mesosTaskId: `${name}.${n}`,
            agentId: `a${n}`,
            state: 'TASK_RUNNING',
            launchedAt: new Date(Date.now() - minutesAgo * 60_000),
          },
        });
      return `${name}.1`;
    };
    const replaced = [];
    for (let i = 0; i < 6; i++) replaced.push(await crowd(`sweep-${i}`));

    const launcher = launchRecorder();
    // Three tasks a slice, a slice every pass: the six containers alone hold twelve.
    const supervisor = new ContainerSupervisor(db.sql, launcher, {
      ...DEFAULT_SUPERVISOR_OPTIONS,
      batchSize: 3,
      intervalMs: 0,
    });
    const sweepKills = () => launcher.killed.filter((id) => id.startsWith('sweep-')).sort();
    // The first pass (a new leader's) looks at every task.
    await supervisor.pass();
    expect(sweepKills()).toEqual(replaced.sort());

    // Left behind later, they are found by the passes after, slice by slice.
    const later = [await crowd('sweep-later-a'), await crowd('sweep-later-b')];
    for (let pass = 0; pass < 1_000 && sweepKills().length < 8; pass++) await supervisor.pass();
    expect(sweepKills()).toEqual([...replaced, ...later].sort());
  });
});
