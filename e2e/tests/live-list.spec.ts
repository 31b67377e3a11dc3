import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { dockerApi, type DockerApi } from './docker';
import { newUser, shoal } from './support';
import { watchTraffic } from './traffic';

// One tenant with 5,000 stopped containers and 200 running ones, stopped all at once
// through the Docker API: once with no dashboard open, once with its list open.
test.describe.configure({ mode: 'serial' });

const RUNNING = 200;
const STOPPED = 5_000;
const names = Array.from({ length: RUNNING }, (_, i) => `live-${i}`);
let docker: DockerApi;
let dev: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  await shoal('tenant', 'create', 'live', '--name', 'Live team');
  const token = (await shoal('token', 'issue', 'live', '--name', 'e2e')).trim();
  docker = dockerApi(process.env.SHOAL_E2E_DOCKER_URL!, token);
  const client = new pg.Client({ connectionString: process.env.SHOAL_E2E_DATABASE_URL });
  await client.connect();
  try {
    // Stopped containers written straight to the table: the list is what is measured.
    await client.query(
      `INSERT INTO "Container" (id, "tenantId", name, image, config, cpus, "memMb", state, "updatedAt")
       SELECT 'a' || lpad(to_hex(i), 63, '0'), t.id, 'old-' || i, 'busybox',
              jsonb_build_object('cpus', 0.1, 'memoryMb', 16, 'bestEffort', false, 'labels', '{}'::jsonb),
              0.1, 16, 'EXITED', now()
       FROM generate_series(1, ${STOPPED}) AS i, "Tenant" t WHERE t.slug = 'live'`,
    );
  } finally {
    await client.end();
  }
  // The framework takes the new tenant's role on its next pass; the first runs wait for it.
  await Promise.all(names.map((name) => docker.run(name)));
  dev = await newUser(browser, 'dev@live.test', 'live spec password', [
    '--tenant',
    'live',
    '--role',
    'MEMBER',
  ]);
});

async function stopAll(): Promise<number> {
  const started = performance.now();
  await Promise.all(names.map((name) => docker.stop(name)));
  return performance.now() - started;
}

test('200 parallel stops are not slowed by an open list, which follows them in patches', async () => {
  test.setTimeout(300_000);
  const withoutTab = await stopAll();
  await Promise.all(names.map((name) => docker.start(name)));

  await dev.goto('/t/live');
  await expect(dev.getByTestId('live-status')).toHaveText('Live');
  await dev.getByLabel('State').selectOption('running');
  const count = dev.getByTestId('container-count');
  await expect(count).toHaveText(`${RUNNING} of ${STOPPED + RUNNING} containers`);

  const traffic = await watchTraffic(dev);
  const withTab = await stopAll();
  // The count is right within 2 s of the last stop's answer.
  await expect(count).toHaveText(`0 of ${STOPPED + RUNNING} containers`, { timeout: 2_000 });
  const bytes = traffic.bytes();
  const listReads = traffic.urls().filter((u) => u.includes('containers.list'));
  await traffic.stop();

  const figures = {
    stopsWithoutTabMs: Math.round(withoutTab),
    stopsWithTabMs: Math.round(withTab),
    ratio: Number((withTab / withoutTab).toFixed(2)),
    downloadedBytes: bytes,
  };
  console.log(`200 parallel stops: ${JSON.stringify(figures)}`);
  test.info().annotations.push({ type: 'figures', description: JSON.stringify(figures) });
  expect(listReads).toEqual([]);
  expect(bytes).toBeLessThan(1024 * 1024);
  expect(withTab).toBeLessThanOrEqual(1.25 * withoutTab);
});
