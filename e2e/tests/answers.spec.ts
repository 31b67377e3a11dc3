import { expect, test, type Page } from '@playwright/test';
import { dockerApi, type DockerApi } from './docker';
import { newUser, shoal, closeSignedIn } from './support';

// Questions an operator asks the dashboard that it used to leave unanswered: why does this
// container wait, and how much does a tenant without limits use?
test.describe.configure({ mode: 'serial' });

let docker: DockerApi;
let dev: Page;
let viewer: Page;
// The suite's cluster has 5 agents of 4 CPUs: five of these fill it, a sixth cannot be placed.
const BIG = { cpus: 3.5, memoryMb: 64 };
const fillers = ['filler-1', 'filler-2', 'filler-3', 'filler-4', 'filler-5'];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  await shoal('tenant', 'create', 'open', '--name', 'Open team');
  docker = dockerApi(
    process.env.SHOAL_E2E_DOCKER_URL!,
    (await shoal('token', 'issue', 'open', '--name', 'e2e')).trim(),
  );
  dev = await newUser(browser, 'dev@open.test', 'answers spec password', [
    '--tenant',
    'open',
    '--role',
    'MEMBER',
  ]);
  viewer = await newUser(browser, 'viewer@open.test', 'answers viewer password', [
    '--tenant',
    'open',
    '--role',
    'VIEWER',
  ]);
});

test.afterAll(async () => {
  await closeSignedIn();
  // The cluster is shared with the rest of the suite.
  for (const name of [...fillers, 'waiting']) await docker.stop(name).catch(() => undefined);
});

test('a container that cannot be placed says why it waits, as docker inspect does', async () => {
  test.setTimeout(180_000);
  await Promise.all(fillers.map((name) => docker.run(name, BIG)));
  // `docker run -d` answers once the start is accepted; this one then waits for room.
  await docker.run('waiting', BIG).catch(() => undefined);
  let reason = '';
  await expect
    .poll(async () => (reason = (await docker.inspect('waiting')).State.Error ?? ''), {
      timeout: 60_000,
    })
    .not.toBe('');

  await dev.goto('/t/open/containers/waiting');
  const note = dev.getByTestId('waiting-reason');
  await expect(note).toContainText('Waiting to be placed');
  // The reason follows the offers (none held for a moment, then what they lack), and the
  // page reads it again every few seconds: the two agree once both are read at one time.
  await expect
    .poll(
      async () => {
        const now = (await docker.inspect('waiting')).State.Error ?? '';
        return now !== '' && ((await note.textContent()) ?? '').includes(now);
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  // It can be given up on, not started again.
  await expect(dev.getByRole('button', { name: 'Stop', exact: true })).toBeVisible();
  await expect(dev.getByRole('button', { name: 'Start', exact: true })).toHaveCount(0);
  expect(reason).not.toBe('');
});

test('the quota page of a tenant without limits shows use without alarm, and its chart labels fit', async () => {
  await dev.goto('/t/open/quota');
  const cpus = dev.getByTestId('quota-line').filter({ hasText: 'CPUs' });
  // Six containers of 3.5 CPUs claim quota, the waiting one too.
  await expect(cpus).toContainText('21 CPUs used · no limit');
  // Nothing is near a limit that does not exist: no bar is drawn as full or alarming.
  await expect(dev.getByTestId('quota-fill')).toHaveCount(0);
  await expect(dev.getByRole('meter')).toHaveCount(0);

  const chart = dev.getByRole('img', { name: /^CPUs:/ });
  await expect(chart).toBeVisible({ timeout: 90_000 });
  const box = (await chart.boundingBox())!;
  for (const label of await chart.locator('text').all()) {
    const b = (await label.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(box.x);
    expect(b.x + b.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
  }
  await expect(dev.getByText(/Right scale \(green\): accepted/).first()).toBeVisible();
});

test('a member stops, restarts and removes containers picked on the list, each outcome told; a viewer cannot pick', async () => {
  await dev.goto('/t/open');
  await expect(dev.getByTestId('live-status')).toHaveText('Live');
  const rows = dev.getByTestId('container-row');
  const row = (name: string) => rows.filter({ has: dev.getByRole('link', { name, exact: true }) });
  const toolbar = dev.getByRole('toolbar', { name: 'Act on the selected containers' });
  const outcome = dev.getByTestId('bulk-outcome');

  await dev.getByLabel('Select waiting', { exact: true }).check();
  await dev.getByLabel('Select filler-1', { exact: true }).check();
  await expect(toolbar.getByTestId('selection')).toHaveText('2 selected');
  dev.once('dialog', (dialog) => void dialog.accept());
  await toolbar.getByRole('button', { name: 'Remove' }).click();
  await expect(outcome).toContainText('Removed 2 of 2 containers');
  await expect(outcome).toContainText('waiting: removed');
  await expect(outcome).toContainText('filler-1: removed');
  await expect(rows).toHaveCount(4);
  await expect(toolbar).toHaveCount(0);

  await dev.getByLabel('Select filler-2', { exact: true }).check();
  await toolbar.getByRole('button', { name: 'Restart' }).click();
  await expect(outcome).toContainText('Restarted 1 of 1 container');
  await expect(outcome).toContainText('filler-2: restarted');

  await dev.getByLabel('Search').fill('filler');
  await dev.getByLabel('Select every container shown').check();
  await expect(toolbar.getByTestId('selection')).toHaveText('4 selected');
  await toolbar.getByRole('button', { name: 'Stop' }).click();
  await expect(outcome).toContainText('Stopped 4 of 4 containers');
  for (const name of ['filler-2', 'filler-3', 'filler-4', 'filler-5']) {
    await expect(outcome).toContainText(`${name}: stopped`);
    await expect(row(name)).toContainText('EXITED');
  }

  // A viewer sees the same list with nothing to pick or act with.
  await viewer.goto('/t/open');
  await expect(viewer.getByTestId('container-row')).toHaveCount(4);
  await expect(viewer.getByRole('checkbox')).toHaveCount(0);
  await expect(viewer.getByRole('toolbar')).toHaveCount(0);
});
