import { expect, test, type Page } from '@playwright/test';
import { startStack, type Stack } from '../stack';
import { dockerApi } from './docker';
import { newUser, shot, closeSignedIn } from './support';

// A cluster of 1,000 agents, as an operator of a large one sees it. A stack of its own: the
// rest of the suite runs on five agents.
let stack: Stack;
let admin: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  stack = await startStack({ env: { SHOAL_SIM_AGENTS: '1000' } });
  admin = await newUser(browser, 'ops@cluster.test', 'cluster spec password', ['--admin'], stack);
});

test.afterAll(async () => {
  await closeSignedIn();
  await stack?.stop();
});

test('the cluster page shows totals and finds one agent among 1,000 by name, a page at a time', async () => {
  test.setTimeout(180_000);
  await admin.goto('/admin/cluster');
  // 1,000 agents of 4 CPUs and 8 GB each.
  await expect(admin.getByRole('meter', { name: 'CPUs allocated' })).toHaveAttribute(
    'aria-valuetext',
    /of 4000 CPUs allocated$/,
    { timeout: 60_000 },
  );
  await expect(admin.getByRole('meter', { name: 'Memory allocated' })).toHaveAttribute(
    'aria-valuetext',
    /of 8000 GB allocated$/,
  );
  await expect(admin.getByTestId('agent-counts')).toContainText('Active agents1000');

  const range = admin.getByTestId('agent-range');
  await expect(range).toHaveText('1–25 of 1000 agents');
  await expect(admin.getByTestId('agent-row')).toHaveCount(25);
  await admin.getByRole('button', { name: 'Next' }).click();
  await expect(range).toHaveText('26–50 of 1000 agents');

  await admin.getByLabel('Search agents').fill('agent-0742.sim.local');
  await expect(range).toHaveText('1–1 of 1 matching (1000 in all) agents');
  await expect(admin.getByTestId('agent-row')).toHaveCount(1);
  await expect(admin.getByTestId('agent-row')).toContainText('agent-0742.sim.local');
  await expect(admin.getByRole('button', { name: 'Drain agent-0742.sim.local' })).toBeVisible();
});

test('the cluster page charts agents by state, what each role holds and the offers over time', async () => {
  test.setTimeout(180_000);
  await stack.shoal('tenant', 'create', 'ops', '--name', 'Operators');
  const token = (await stack.shoal('token', 'issue', 'ops', '--name', 'e2e')).trim();
  const docker = dockerApi(stack.dockerURL, token);
  await docker.run('probe', { cpus: 0.5, memoryMb: 256 });
  // The embedded agents also offer revocable resources, which a best-effort container takes.
  await docker.run('batch', { cpus: 1, memoryMb: 128, labels: { 'shoal.best-effort': 'true' } });
  for (const name of ['probe', 'batch'])
    await expect
      .poll(async () => (await docker.inspect(name)).State.Status, { timeout: 60_000 })
      .toBe('running');

  await admin.goto('/admin/cluster');
  const agents = admin.getByRole('img', { name: /^Agents by state:/ });
  await expect(agents).toHaveAccessibleName(
    'Agents by state: 1000 active, 0 draining or drained, 0 in maintenance, 0 inactive',
    { timeout: 60_000 },
  );
  // Once its container runs, the role holds what the container uses (offers are given back).
  await expect(admin.getByRole('img', { name: /^CPUs by role:/ })).toHaveAccessibleName(
    /^CPUs by role: 0\.5 CPUs shoal-ops, 3999\.5 CPUs held by no role$/,
  );
  await expect(admin.getByRole('img', { name: /^Memory by role:/ })).toHaveAccessibleName(
    /^Memory by role: 256 MB shoal-ops, /,
  );
  // Firm and revocable offers are charted apart: each shows only what its own kind of
  // container took.
  await expect(
    admin.getByRole('img', {
      name: /^CPUs offered to all tenants: offered [\d.]+[KM]? CPUs, accepted 0\.5 CPUs, /,
    }),
  ).toBeVisible();
  await expect(
    admin.getByRole('img', {
      name: /^Revocable CPUs offered to all tenants: offered [\d.]+[KM]? CPUs, accepted 1 CPUs, /,
    }),
  ).toBeVisible();

  await shot(admin, 'admin-cluster-charts');

  // The tenant's quota page names what its best-effort container takes, outside its quota.
  await admin.goto('/t/ops/quota');
  await expect(admin.getByTestId('best-effort-use')).toContainText(
    'they claim 1 CPU and 128 MB now.',
  );
  await expect(admin.getByTestId('quota-line').filter({ hasText: /^CPUs/ })).toContainText(
    '0.5 CPUs used · no limit',
  );
  await admin.goto('/admin/cluster');

  await admin.getByLabel('Search agents').fill('agent-0007.sim.local');
  admin.once('dialog', (dialog) => void dialog.accept());
  await admin.getByRole('button', { name: 'Drain agent-0007.sim.local' }).click();
  await expect(agents).toHaveAccessibleName(
    'Agents by state: 999 active, 1 draining or drained, 0 in maintenance, 0 inactive',
  );
});
