import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { dockerApi } from './docker';
import { baseURL, newUser, shoal, shot, closeSignedIn } from './support';

// The viewer's test reuses the member's tenant and container.
test.describe.configure({ mode: 'serial' });
test.afterAll(closeSignedIn);

// The terminal on a container's page: a shell in the running container (a nested container
// session on its agent, under the ucr runtime), for members only.

let member: Page;
let viewer: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  await shoal('tenant', 'create', 'term', '--name', 'Terminal users');
  await shoal('tenant', 'runtime', 'term', 'ucr');
  const docker = dockerApi(
    process.env.SHOAL_E2E_DOCKER_URL!,
    (await shoal('token', 'issue', 'term', '--name', 'e2e')).trim(),
  );
  await docker.run('shell');
  member = await newUser(browser, 'dev@term.test', 'terminal member password', [
    '--tenant',
    'term',
    '--role',
    'MEMBER',
  ]);
  viewer = await newUser(browser, 'viewer@term.test', 'terminal viewer password', [
    '--tenant',
    'term',
    '--role',
    'VIEWER',
  ]);
});

test('a member opens a terminal on a running container, types echo hi and sees hi', async () => {
  await member.goto('/t/term/containers/shell');
  await expect(member.getByTestId('container-state')).toContainText('RUNNING');
  // With the button at the window's foot, the terminal opens below it, out of view: it is
  // scrolled into view (xterm.js draws nothing while out of view).
  const open = member.getByRole('button', { name: 'Open terminal' });
  await open.evaluate((button) =>
    window.scrollBy(0, button.getBoundingClientRect().bottom - window.innerHeight + 2),
  );
  await open.click();
  await expect(member.getByTestId('terminal-status')).toHaveText('Connected: sh');
  const terminal = member.getByTestId('terminal');
  await expect(terminal).toBeInViewport();
  // The shell's prompt, in the task's sandbox as the Mesos containerizer maps it.
  await expect(terminal).toContainText('/mnt/mesos/sandbox #');
  await member.keyboard.type('echo hi\n');
  // The command echoed by the terminal, then its output on a row of its own.
  await expect(terminal).toContainText('# echo hi');
  const rows = terminal.locator('.xterm-rows > div');
  await expect(rows.filter({ hasText: /^hi\s*$/ })).toHaveCount(1);
  await shot(member, 'container-terminal');

  // The open terminal adds nothing axe objects to.
  const { violations } = await new AxeBuilder({ page: member }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // The shell's terminal follows the panel's width.
  await member.keyboard.type('stty size\n');
  const sizes = rows.filter({ hasText: /^\d+ \d+\s*$/ });
  await expect(sizes).toHaveCount(1);
  const columnsOf = async (n: number) => Number((await sizes.nth(n).innerText()).split(/\s+/)[1]);
  const wide = await columnsOf(0);
  expect(wide).toBeGreaterThan(40);
  // The panel narrows with the window; what is typed once the terminal has taken the new
  // width reaches the shell after the new size.
  const screenWidth = () =>
    terminal.locator('.xterm-screen').evaluate((screen) => screen.getBoundingClientRect().width);
  const before = await screenWidth();
  await member.setViewportSize({ width: 700, height: 900 });
  await terminal.scrollIntoViewIfNeeded();
  await expect.poll(screenWidth).toBeLessThan(before);
  await member.keyboard.type('stty size\n');
  await expect(sizes).toHaveCount(2);
  expect(await columnsOf(1)).toBeLessThan(wide);

  await member.keyboard.type('exit 5\n');
  await expect(member.getByTestId('terminal-status')).toHaveText('The shell exited with code 5');
  await expect(member.getByRole('button', { name: 'Open a new terminal' })).toBeVisible();
});

test('a viewer sees no terminal, and the control plane refuses the viewer one', async () => {
  await viewer.goto('/t/term/containers/shell');
  await expect(viewer.getByTestId('container-state')).toContainText('RUNNING');
  await expect(viewer.getByRole('heading', { name: 'Logs' })).toBeVisible();
  await expect(viewer.getByRole('heading', { name: 'Terminal' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: /terminal/i })).toHaveCount(0);

  // Asking for one directly, with the viewer's own session, is refused.
  const input = { tenantSlug: 'term', ref: 'shell', size: { rows: 24, columns: 80 } };
  const opened = await viewer.request.get(
    `${baseURL()}/trpc/containers.terminal?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
  );
  const body = await opened.text();
  expect(body).toContain('This needs the member role in term; you are a viewer');
  expect(body).not.toContain('"kind":"opened"');
  const typed = await viewer.request.post(`${baseURL()}/trpc/containers.terminalInput`, {
    headers: { origin: baseURL(), 'x-shoal-csrf': '1', 'content-type': 'application/json' },
    data: { json: { tenantSlug: 'term', id: 'any', text: 'echo hi\r' } },
  });
  expect(typed.status()).toBe(403);
  expect(await typed.text()).toContain('This needs the member role in term; you are a viewer');
});
