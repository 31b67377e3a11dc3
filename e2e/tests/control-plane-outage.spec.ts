import { expect, test, type Page } from '@playwright/test';
import { startStack, type Stack } from '../stack';
import { dockerApi, type DockerApi } from './docker';
import { closeSignedIn, newUser, TIMED } from './support';

// The control plane dies while tabs are open, and comes back. This spec runs a stack of its
// own, with the Mesos emulator in a process of its own: the cluster and its tasks live on
// while the control plane is down, as they would on a real cluster.
test.describe.configure({ mode: 'serial' });

let stack: Stack;
let docker: DockerApi;
let list: Page;
let detail: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  stack = await startStack({ separateEmulator: true });
  await stack.shoal('tenant', 'create', 'ops', '--name', 'Ops');
  docker = dockerApi(
    stack.dockerURL,
    (await stack.shoal('token', 'issue', 'ops', '--name', 'e2e')).trim(),
  );
  list = await newUser(
    browser,
    'dev@ops.test',
    'outage spec password',
    ['--tenant', 'ops', '--role', 'MEMBER'],
    stack,
  );
  detail = await list.context().newPage();
});

test.afterAll(async () => {
  await closeSignedIn();
  await stack?.stop();
});

/** A task as the master's operator API tells it (GET_TASKS), in the parts read here. */
interface MasterTask {
  task_id: { value: string };
  state: string;
}

/** A container's tasks as the master's operator API tells them: their Mesos ids and states. */
async function tasksOf(master: string, containerId: string): Promise<MasterTask[]> {
  const response = await fetch(`${master}/api/v1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ type: 'GET_TASKS' }),
  });
  const { get_tasks } = (await response.json()) as {
    get_tasks: Record<string, MasterTask[] | undefined>;
  };
  return Object.values(get_tasks)
    .flatMap((tasks) => tasks ?? [])
    .filter((t) => t.task_id.value.includes(containerId.slice(0, 12)));
}

/** Ends a running container's task on the cluster with exit code 0, through the emulator's fault API. */
async function endOnCluster(master: string, containerId: string): Promise<void> {
  const [task] = (await tasksOf(master, containerId)).filter((t) => t.state === 'TASK_RUNNING');
  if (!task) throw new Error(`no running task of ${containerId} on the cluster`);
  const response = await fetch(
    `${master}/sim/v1/tasks/${encodeURIComponent(task.task_id.value)}/exit`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"code":0}' },
  );
  expect(response.status).toBe(200);
}

const row = (name: string) => list.getByTestId('container-row').filter({ hasText: name });

// @timed: the offline and live-again bounds are the product's promise, so these run alone.
test(
  'a tab says the control plane is offline, explains failed actions, and catches up live after it returns',
  TIMED,
  async () => {
    test.setTimeout(300_000);
    await docker.run('steady');
    // Ends on the cluster while the control plane is down; the tab must learn of it afterwards.
    const briefId = await docker.run('brief');
    await list.goto('/t/ops');
    await expect(list.getByTestId('live-status')).toHaveText('Live');
    await expect(row('brief')).toContainText(/running/i);
    await detail.goto('/t/ops/containers/steady');
    await expect(detail.getByTestId('container-state')).toContainText(/running/i);
    // Marks the documents: a reload would lose the marks.
    for (const page of [list, detail])
      await page.evaluate(() => ((window as { mark?: number }).mark = 1));

    stack.killControlPlane();
    await expect(list.getByTestId('live-status')).toHaveText('Offline', { timeout: 10_000 });
    await expect(detail.getByTestId('live-status')).toHaveText('Offline', { timeout: 10_000 });
    await detail.getByRole('button', { name: 'Stop' }).click();
    await expect(
      detail.getByRole('alert').filter({ hasText: /^The Shoal control plane is not reachable$/ }),
    ).toBeVisible();
    // The page stays as it was: what was known is still shown.
    await expect(row('steady')).toContainText(/running/i);

    // The brief container ends while nothing of Shoal runs to hear it.
    await endOnCluster(stack.mesosMaster!, briefId);
    await expect
      .poll(async () => (await tasksOf(stack.mesosMaster!, briefId)).map((t) => t.state))
      .toContain('TASK_FINISHED');
    await stack.startControlPlane();
    await expect(list.getByTestId('live-status')).toHaveText('Live', { timeout: 10_000 });
    await expect(detail.getByTestId('live-status')).toHaveText('Live', { timeout: 10_000 });
    await expect(row('brief')).toContainText(/exited/i, { timeout: 60_000 });
    await expect(list.getByTestId('last-update')).toBeVisible();
    for (const page of [list, detail])
      expect(await page.evaluate(() => (window as { mark?: number }).mark)).toBe(1);

    // Actions work again from the same page.
    await detail.getByRole('button', { name: 'Stop' }).click();
    await expect(detail.getByTestId('container-state')).toContainText(/exited/i);
    await expect(row('steady')).toContainText(/exited/i);
  },
);

test(
  'a tab on a frozen control plane stops saying Live, and is Live again once it answers',
  TIMED,
  async () => {
    test.setTimeout(180_000);
    await expect(list.getByTestId('live-status')).toHaveText('Live');
    stack.freezeControlPlane();
    try {
      // No keep-alive ping for a while: the tab reconnects, and says it is not live meanwhile.
      await expect(list.getByTestId('live-status')).not.toHaveText('Live', { timeout: 30_000 });
    } finally {
      stack.thawControlPlane();
    }
    await expect(list.getByTestId('live-status')).toHaveText('Live', { timeout: 30_000 });
  },
);
