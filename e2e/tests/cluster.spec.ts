import { expect, test, type Page } from '@playwright/test';
import { startStack, type Stack } from '../stack';
import { newUser } from './support';

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
