import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { dockerApi } from './docker';
import { baseURL, newUser, shoal, closeSignedIn } from './support';

test.afterAll(closeSignedIn);

// Every page, as a cluster admin sees it (admins see every page), on a desktop and a phone.
// The phone pass runs in dark mode (prefers-color-scheme), so both colour schemes are checked
// without a third pass: contrast does not depend on the width.
test.describe.configure({ mode: 'serial' });

const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900, colorScheme: 'light' },
  { name: 'phone', width: 390, height: 844, colorScheme: 'dark' },
] as const;
const PAGES = [
  '/tenants',
  '/t/a11y',
  '/t/a11y/containers/page-check',
  '/t/a11y/launch',
  '/t/a11y/quota',
  '/t/a11y/tokens',
  '/t/a11y/members',
  '/admin/tenants',
  '/admin/users',
  '/admin/cluster',
  '/admin/audit',
  '/change-password',
];

let admin: Page;
const backgrounds: { light?: string; dark?: string } = {};

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  await shoal('tenant', 'create', 'a11y', '--name', 'Accessible team');
  const docker = dockerApi(
    process.env.SHOAL_E2E_DOCKER_URL!,
    (await shoal('token', 'issue', 'a11y', '--name', 'e2e')).trim(),
  );
  await docker.run('page-check');
  admin = await newUser(browser, 'ops@a11y.test', 'a11y spec password', ['--admin']);
});

async function check(page: Page, path: string, viewport: string) {
  await page.goto(path);
  // A page is ready when it shows what it loaded, not a loading note.
  await expect(page.locator('main')).toBeVisible();
  await expect(page.getByText(/^Loading .*…$/)).toHaveCount(0, { timeout: 30_000 });
  const { violations } = await new AxeBuilder({ page }).analyze();
  const found = violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect.soft(found, `${path} at ${viewport}`).toEqual([]);
  // How far the page scrolls sideways, and the innermost elements that stick out (to say where).
  const { overflow, culprits } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = Array.from(document.body.querySelectorAll('*')).filter(
      (e) => e.getBoundingClientRect().right > width + 1,
    );
    const innermost = out.filter((e) => !out.some((o) => o !== e && e.contains(o)));
    return {
      overflow: document.documentElement.scrollWidth - width,
      culprits: innermost
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).slice(0, 4).join('.')}`),
    };
  });
  expect
    .soft(overflow, `${path} scrolls sideways at ${viewport}: ${culprits.join(', ')}`)
    .toBeLessThanOrEqual(0);
}

for (const viewport of VIEWPORTS) {
  test(`every signed-in page passes axe with no sideways scroll on a ${viewport.name} (${viewport.width}×${viewport.height}, ${viewport.colorScheme})`, async () => {
    test.setTimeout(300_000);
    await admin.setViewportSize(viewport);
    await admin.emulateMedia({ colorScheme: viewport.colorScheme });
    for (const path of PAGES) await check(admin, path, viewport.name);
    // The pages follow the scheme: the dark pass does not check the light colours again.
    backgrounds[viewport.colorScheme] = await admin.evaluate(
      () => getComputedStyle(document.body).backgroundColor,
    );
    if (backgrounds.light && backgrounds.dark) expect(backgrounds.dark).not.toBe(backgrounds.light);
  });

  test(`the sign-in page passes axe on a ${viewport.name} (${viewport.colorScheme})`, async ({
    browser,
  }) => {
    const page = await signedOut(browser, viewport);
    await check(page, '/sign-in', viewport.name);
  });
}

async function signedOut(
  browser: Browser,
  { width, height, colorScheme }: (typeof VIEWPORTS)[number],
) {
  const context = await browser.newContext({
    baseURL: baseURL(),
    viewport: { width, height },
    colorScheme,
  });
  return context.newPage();
}
