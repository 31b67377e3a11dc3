import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { dockerApi } from './docker';
import { newUser, shoal } from './support';

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
