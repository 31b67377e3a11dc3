import { expect, test, type Page } from '@playwright/test';
import { dockerApi, type DockerApi } from './docker';
import { newUser, shoal } from './support';

// Questions an operator asks the dashboard that it used to leave unanswered: why does this
// container wait, and how much does a tenant without limits use?
test.describe.configure({ mode: 'serial' });

let docker: DockerApi;
let dev: Page;
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
});

test.afterAll(async () => {
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
  await expect(note).toContainText((await docker.inspect('waiting')).State.Error!, {
    timeout: 30_000,
  });
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
