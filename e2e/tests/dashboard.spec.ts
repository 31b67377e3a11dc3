import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { baseURL, firstSignIn, shot, closeSignedIn } from './support';
import { watchTraffic } from './traffic';

test.afterAll(closeSignedIn);

// One story, in order: an admin sets up two tenants and their people; members
// of each use them. Later steps use what earlier ones created.
test.describe.configure({ mode: 'serial' });

const PASSWORD = 'e2e password one';
const accounts: Record<string, string> = {};
let admin: Page;

async function createUser(email: string): Promise<void> {
  await admin.goto('/admin/users');
  const form = admin.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('Email').fill(email);
  await form.getByRole('button', { name: 'Create user' }).click();
  const secret = admin.getByLabel('One-time password');
  await expect(secret).toBeVisible();
  accounts[email] = (await secret.textContent())!.trim();
}

async function addMember(tenant: string, email: string, role: 'MEMBER' | 'VIEWER'): Promise<void> {
  await admin.goto(`/t/${tenant}/members`);
  await admin.getByLabel('Email of an existing user').fill(email);
  await admin.getByLabel('Role', { exact: true }).selectOption(role);
  await admin.getByRole('button', { name: 'Add member' }).click();
  await expect(admin.getByRole('cell', { name: email, exact: true })).toBeVisible();
}

test('the admin signs in with the printed one-time password and must replace it', async ({
  browser,
}) => {
  admin = await firstSignIn(
    browser,
    'admin@shoal.local',
    process.env.SHOAL_E2E_ADMIN_PASSWORD!,
    PASSWORD,
  );
  await expect(admin.getByTestId('signed-in-as')).toContainText('admin');
  await expect(admin.getByTestId('database')).toHaveText('PostgreSQL · healthy');
});

test('the admin creates tenants with quota, users and memberships', async () => {
  await admin.goto('/admin/tenants');
  // Mistakes first: each is named at its field, and a refused tenant is not stored.
  {
    const form = admin.getByRole('form', { name: 'Create a tenant' });
    await form.getByLabel('Slug').fill('nested');
    await form.getByLabel('Mesos role').fill('team/nested');
    await form.getByLabel('CPU guarantee').fill('-1');
    await form.getByLabel('CPU limit').fill('1');
    await form.getByRole('button', { name: 'Create tenant' }).click();
    await expect(form.getByLabel('CPU guarantee')).toHaveAccessibleDescription(
      'Cannot be negative: 0 or more',
    );
    await form.getByLabel('CPU guarantee').fill('');
    await form.getByRole('button', { name: 'Create tenant' }).click();
    await expect(form.getByLabel('Mesos role')).toHaveAccessibleDescription(
      /^Mesos takes no quota on a nested role such as "team\/nested"/,
    );
    await admin.reload();
    await expect(admin.getByRole('heading', { name: 'Tenants', exact: true })).toBeVisible();
    await expect(admin.getByText(/^Loading .*…$/)).toHaveCount(0);
    await expect(admin.getByRole('cell', { name: 'team/nested', exact: true })).toHaveCount(0);
  }
  for (const [slug, cpus] of [
    ['alpha', '1'],
    ['beta', '2'],
  ] as const) {
    const form = admin.getByRole('form', { name: 'Create a tenant' });
    await form.getByLabel('Slug').fill(slug);
    await form.getByLabel('Display name').fill(`Team ${slug}`);
    await form.getByLabel('CPU limit').fill(cpus);
    await form.getByLabel('Memory limit (MB)').fill('1024');
    await form.getByRole('button', { name: 'Create tenant' }).click();
    await expect(
      admin.getByRole('status').filter({ hasText: `Tenant ${slug} created` }),
    ).toBeVisible();
  }
  const alphaRow = admin.getByRole('row').filter({ hasText: 'shoal-alpha' });
  await expect(alphaRow).toContainText('1 CPU');
  await shot(admin, 'admin-tenants');

  for (const email of ['dev@alpha.test', 'viewer@alpha.test', 'dev@beta.test'])
    await createUser(email);
  await shot(admin, 'admin-users');
  await addMember('alpha', 'dev@alpha.test', 'MEMBER');
  await addMember('alpha', 'viewer@alpha.test', 'VIEWER');
  await addMember('beta', 'dev@beta.test', 'MEMBER');
  await shot(admin, 'tenant-members');
});

test('a member launches a container, sees it RUNNING live, reads its logs and stops it', async ({
  browser,
}) => {
  const dev = await firstSignIn(browser, 'dev@alpha.test', accounts['dev@alpha.test']!, PASSWORD);
  // A second tab on the list: it must change by itself, through the event stream.
  const list = await dev.context().newPage();
  await list.goto('/t/alpha');
  await expect(list.getByTestId('live-status')).toHaveText('Live');
  await expect(list.getByText('No containers yet')).toBeVisible();

  await dev.goto('/t/alpha/launch');
  await dev.getByLabel('Image').fill('nginx');
  await dev.getByLabel('Name').fill('web');
  await dev.getByLabel('CPUs').fill('0.5');
  await dev.getByLabel('Memory (MB)').fill('256');
  await dev.getByLabel('Labels').fill('tier=frontend');
  await dev.getByRole('button', { name: 'Launch container' }).click();

  await expect(list.getByTestId('container-row').filter({ hasText: 'web' })).toContainText(
    'RUNNING',
  );
  await expect(dev.getByTestId('container-state')).toContainText('RUNNING');
  await expect(dev.getByTestId('container-log')).toContainText('Configuration complete');
  await expect(dev.getByRole('table', { name: 'Task state history' })).toContainText(
    'TASK_RUNNING',
  );
  await shot(dev, 'container-detail');
  await shot(list, 'containers-list');

  await dev.goto('/t/alpha/quota');
  await expect(dev.getByRole('meter', { name: 'CPUs used' })).toHaveAttribute(
    'aria-valuetext',
    /0\.5 CPUs of 1 CPU/,
  );
  await shot(dev, 'quota');

  await dev.goBack();
  await dev.getByRole('button', { name: 'Stop' }).click();
  await expect(dev.getByTestId('container-state')).toContainText('EXITED');
  await expect(list.getByTestId('container-row').filter({ hasText: 'web' })).toContainText(
    'EXITED',
  );
});

test('a launch over the quota shows why it was refused', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: baseURL() });
  const dev = await context.newPage();
  await dev.goto('/sign-in');
  await dev.getByLabel('Email').fill('dev@alpha.test');
  await dev.getByLabel('Password').fill(PASSWORD);
  await dev.getByRole('button', { name: 'Sign in' }).click();
  await dev.waitForURL(/\/tenants/);
  await dev.goto('/t/alpha/launch');
  await dev.getByLabel('Image').fill('nginx');
  await dev.getByLabel('CPUs').fill('2');
  await dev.getByRole('button', { name: 'Launch container' }).click();
  await expect(dev.getByRole('alert').filter({ hasText: /quota/i })).toBeVisible();
  await shot(dev, 'launch-over-quota');

  await dev.goto('/t/alpha/tokens');
  await dev.getByLabel('Token name').fill('laptop');
  await dev.getByRole('button', { name: 'Create token' }).click();
  await expect(dev.getByLabel('Docker CLI configuration')).toContainText(
    '"HttpHeaders":{"Authorization":"Bearer shoal_',
  );
  await expect(dev.getByLabel('Docker CLI configuration')).toContainText(
    'export DOCKER_HOST=tcp://',
  );
  await shot(dev, 'tokens');
});

test('a viewer can look but not launch', async ({ browser }) => {
  const viewer = await firstSignIn(
    browser,
    'viewer@alpha.test',
    accounts['viewer@alpha.test']!,
    PASSWORD,
  );
  await viewer.goto('/t/alpha');
  await expect(viewer.getByTestId('container-row')).toHaveCount(1);
  await expect(viewer.getByRole('link', { name: 'Launch' })).toHaveCount(0);
  await viewer.goto('/t/alpha/launch');
  await expect(viewer.getByText('Viewers cannot launch containers')).toBeVisible();
});

test('tenant B never sees tenant A’s containers', async ({ browser }) => {
  const other = await firstSignIn(browser, 'dev@beta.test', accounts['dev@beta.test']!, PASSWORD);
  await expect(other.getByRole('link', { name: /Team alpha/ })).toHaveCount(0);
  await other.goto('/t/beta');
  await expect(other.getByText('No containers yet')).toBeVisible();
  await other.goto('/t/alpha');
  await expect(other.getByRole('alert').filter({ hasText: 'No tenant "alpha"' })).toBeVisible();
});

test('5,000 containers list, sort and filter in the tab, without fetching them again', async ({
  browser,
}) => {
  const client = new pg.Client({ connectionString: process.env.SHOAL_E2E_DATABASE_URL });
  await client.connect();
  try {
    // Exited containers written straight to the table: the list is what is measured, not launching.
    await client.query(
      `INSERT INTO "Container" (id, "tenantId", name, image, config, cpus, "memMb", state, "updatedAt")
       SELECT lpad(to_hex(i), 64, '0'), t.id, 'bulk-' || i, 'busybox',
              jsonb_build_object('cpus', 0.1, 'memoryMb', 16, 'bestEffort', false,
                                 'labels', jsonb_build_object('shard', (i % 10)::text)),
              0.1, 16, 'EXITED', now()
       FROM generate_series(1, 5000) AS i, "Tenant" t WHERE t.slug = 'beta'`,
    );
  } finally {
    await client.end();
  }
  const page = await (await browser.newContext({ baseURL: baseURL() })).newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('dev@beta.test');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/tenants/);
  await page.goto('/t/beta');
  await expect(page.getByTestId('container-count')).toHaveText('5000 containers');
  expect(await page.getByTestId('container-row').count()).toBeLessThan(60);

  // Sorting and searching work on the rows the tab holds: nothing is fetched again.
  const traffic = await watchTraffic(page);
  await page.getByRole('button', { name: 'Name' }).click();
  await expect(page.getByTestId('container-row').first()).toContainText('bulk-1');
  await page.getByLabel('Search').fill('bulk-4999');
  await expect(page.getByTestId('container-count')).toHaveText('1 of 5000 containers');
  await page.getByLabel('Search').fill('shard=3');
  await expect(page.getByTestId('container-count')).toHaveText('500 of 5000 containers');
  expect(traffic.urls().filter((u) => u.includes('containers.list'))).toEqual([]);
  await traffic.stop();
  await shot(page, 'containers-5000');
});

test('the admin reads the audit log and the cluster overview', async () => {
  await admin.goto('/admin/audit');
  await admin.getByLabel('Action').selectOption('container.start');
  await expect(admin.getByRole('table', { name: 'Audit events' })).toContainText('dev@alpha.test');
  await shot(admin, 'admin-audit');
  await admin.goto('/admin/cluster');
  await expect(admin.getByRole('heading', { name: 'Shoal framework' })).toBeVisible();
  await shot(admin, 'admin-cluster');
});
