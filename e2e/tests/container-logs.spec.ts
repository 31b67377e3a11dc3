import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { dockerApi } from './docker';
import { baseURL, newUser, shoal, shot, closeSignedIn } from './support';

// The tests share the tenant and container the setup makes once.
test.describe.configure({ mode: 'serial' });
test.afterAll(closeSignedIn);

let dev: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  await shoal('tenant', 'create', 'logs', '--name', 'Log readers');
  const docker = dockerApi(
    process.env.SHOAL_E2E_DOCKER_URL!,
    (await shoal('token', 'issue', 'logs', '--name', 'e2e')).trim(),
  );
  await docker.run('talker', {
    cmd: ['sh', '-c', 'echo alpha starts; echo beta answers; echo gamma ends; sleep 86400'],
  });
  dev = await newUser(browser, 'dev@logs.test', 'logs spec password', [
    '--tenant',
    'logs',
    '--role',
    'VIEWER',
  ]);
});

test('a running container’s usage is charted from its agent’s statistics while the page is open', async () => {
  await dev.goto('/t/logs/containers/talker');
  const charts = dev.getByTestId('usage-charts');
  // The emulated agent reports 30 % of the 32 MB allocated as resident, 2 KB/s received and
  // 1 KB/s sent; CPU time grows with the task's age, so any reading above zero is right.
  await expect(
    charts.getByRole('img', { name: /^CPU .*latest: used (?!0 %)[\d.]+ %/ }),
  ).toBeVisible();
  await expect(
    charts.getByRole('img', { name: /^Memory, latest: resident 9\.6 MB;/ }),
  ).toBeVisible();
  await expect(
    charts.getByRole('img', { name: /^Network, latest: received 2 KB\/s, sent 1 KB\/s;/ }),
  ).toBeVisible();
  // More readings arrive while the page stays open.
  await expect(
    charts.getByRole('img', { name: /^Memory.*; ([2-9]|\d\d+) readings$/ }),
  ).toBeVisible();
  await shot(dev, 'container-usage');
});

test('pages arrive with their data, and a browser in another time zone takes them over cleanly', async ({
  browser,
}) => {
  // The server renders in UTC; this browser is 13¾ hours away from it.
  const context = await browser.newContext({
    baseURL: baseURL(),
    timezoneId: 'Pacific/Chatham',
    storageState: await dev.context().storageState(),
  });
  const page = await context.newPage();
  const asked: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/trpc/')) asked.push(url.pathname);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto('/t/logs');
  const row = page.getByTestId('container-row').filter({ hasText: 'talker' });
  await expect(row).toContainText('RUNNING');
  // Once the browser has the page, times are its own, no longer the server's UTC.
  await expect(row.locator('time')).not.toContainText('UTC');
  await page.goto('/t/logs/containers/talker');
  await expect(page.getByTestId('container-state')).toContainText('RUNNING');
  await expect(page.getByTestId('live-status')).toHaveText('Live');
  await context.close();

  // What the server read came with the page: the browser did not ask for it again. (The
  // container list is the browser's own read: see app/(app)/t/[slug]/page.tsx.)
  const read = asked.join(' ');
  for (const procedure of ['auth.me', 'tenants.get', 'containers.get'])
    expect(read, `the browser asked for ${procedure}`).not.toContain(procedure);
  // A page the server and the browser render differently fails to hydrate, loudly.
  expect(errors).toEqual([]);
});

test('a running container’s log can be searched, timed, paused and downloaded', async () => {
  await dev.goto('/t/logs/containers/talker');
  const log = dev.getByTestId('container-log');
  await expect(log).toContainText('alpha starts');
  await expect(log).toContainText('gamma ends');

  await dev.getByLabel('Search the log').fill('BETA');
  await expect(log).toHaveText('beta answers\n');
  await expect(dev.getByText('1 of 3 lines')).toBeVisible();

  await dev.getByLabel('Timestamps').check();
  await expect(log).toHaveText(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z beta answers\n$/);
  await dev.getByLabel('Search the log').fill('');

  await dev.getByRole('button', { name: 'Pause' }).click();
  await expect(dev.getByText(/3 lines · paused/)).toBeVisible();
  await dev.getByRole('button', { name: /^Resume/ }).click();

  const [download] = await Promise.all([
    dev.waitForEvent('download'),
    dev.getByRole('button', { name: 'Download' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('talker.log');
  const file = readFileSync(await download.path(), 'utf8');
  expect(file.trim().split('\n')).toEqual([
    expect.stringMatching(/Z alpha starts$/),
    expect.stringMatching(/Z beta answers$/),
    expect.stringMatching(/Z gamma ends$/),
  ]);
});
