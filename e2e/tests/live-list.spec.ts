import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { dockerApi, type DockerApi } from './docker';
import { newUser, shoal, TIMED, closeSignedIn } from './support';
import { watchTraffic } from './traffic';

test.afterAll(closeSignedIn);

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

/** The 200 started, then stopped at once with the list open; what the tab downloaded meanwhile. */
async function stopsWithTab(): Promise<{ ms: number; bytes: number; listReads: string[] }> {
  await Promise.all(names.map((name) => docker.start(name)));
  await dev.goto('/t/live');
  await expect(dev.getByTestId('live-status')).toHaveText('Live');
  await dev.getByLabel('State').selectOption('running');
  const count = dev.getByTestId('container-count');
  await expect(count).toHaveText(`${RUNNING} of ${STOPPED + RUNNING} containers`);
  // Measured from a tab that is open, not one still laying out the list it just loaded:
  // the stops begin once the page's main thread has been idle.
  await dev.evaluate(
    () => new Promise<void>((resolve) => requestIdleCallback(() => resolve(), { timeout: 10_000 })),
  );

  const traffic = await watchTraffic(dev);
  const ms = await stopAll();
  // The count is right within 2 s of the last stop's answer.
  await expect(count).toHaveText(`0 of ${STOPPED + RUNNING} containers`, { timeout: 2_000 });
  const bytes = traffic.bytes();
  const listReads = traffic.urls().filter((u) => u.includes('containers.list'));
  await traffic.stop();
  return { ms, bytes, listReads };
}

/**
 * Rounds with and without the tab, compared pair by pair: on a loaded 2-core machine one
 * pair's ratio can be anywhere from 0.6 to 2, and the middle of ten holds still.
 */
const PAIRS = 10;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The same with no dashboard open. */
async function stopsWithoutTab(): Promise<number> {
  await dev.goto('about:blank');
  await Promise.all(names.map((name) => docker.start(name)));
  return stopAll();
}

test(
  '200 parallel stops are not slowed by an open list, which follows them in patches',
  TIMED,
  async () => {
    test.setTimeout(900_000);
    // The first rounds are not counted: they are the slowest whatever is open (code paths
    // still cold). Rounds then speed up as the machine warms, and a burst of other work can
    // land in any one of them, so each round with the tab is paired with the round beside it
    // without (in the order without-with, then with-without, so neither side is always the
    // later) and the middle of the pairs' ratios is what is compared.
    await stopsWithoutTab();
    await stopsWithTab();
    const pairs: { without: number; withTab: Awaited<ReturnType<typeof stopsWithTab>> }[] = [];
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        const without = await stopsWithoutTab();
        pairs.push({ without, withTab: await stopsWithTab() });
      } else {
        const withTab = await stopsWithTab();
        pairs.push({ withTab, without: await stopsWithoutTab() });
      }
    }
    const ratio = median(pairs.map((p) => p.withTab.ms / p.without));

    const figures = {
      stopsWithoutTabMs: pairs.map((p) => Math.round(p.without)),
      stopsWithTabMs: pairs.map((p) => Math.round(p.withTab.ms)),
      ratio: Number(ratio.toFixed(2)),
      downloadedBytes: pairs.map((p) => p.withTab.bytes),
    };
    console.log(`200 parallel stops: ${JSON.stringify(figures)}`);
    test.info().annotations.push({ type: 'figures', description: JSON.stringify(figures) });
    for (const { withTab } of pairs) {
      expect(withTab.listReads).toEqual([]);
      expect(withTab.bytes).toBeLessThan(1024 * 1024);
    }
    expect(ratio).toBeLessThanOrEqual(1.25);
  },
);
