import { expect, test, type Browser, type Page } from '@playwright/test';
import { baseURL, newUser, closeSignedIn, signIn } from './support';

test.afterAll(closeSignedIn);

const PASSWORD = 'security spec password';
/** The account the sign-in redirect tests sign in with, each in a fresh browser context. */
const REDIRECTED = 'redirected@security.test';

test('every page is served with a policy that forbids framing and leaks no paths', async ({
  request,
}) => {
  for (const path of ['/sign-in', '/tenants', '/t/alpha']) {
    const res = await request.get(`${baseURL()}${path}`, { maxRedirects: 0 });
    const headers = res.headers();
    expect(headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy'], path).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(headers['x-frame-options'], path).toBe('DENY');
    expect(headers['referrer-policy'], path).toBe('same-origin');
  }
});

test('another site cannot frame a signed-in page, and the page itself runs under the policy', async ({
  browser,
}) => {
  const page = await newUser(browser, 'framed@security.test', PASSWORD);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  // The dashboard's own pages work: the tenant list renders and its scripts ran.
  await page.goto('/tenants');
  await expect(page.getByRole('heading', { name: 'My tenants' })).toBeVisible();
  await expect(page.getByTestId('signed-in-as')).toContainText('framed@security.test');
  expect(violations).toEqual([]);

  // An attacker's page, on another origin, frames the same page for the same browser.
  await page.route('http://evil.test/', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<iframe id="victim" src="${baseURL()}/tenants" width="800" height="600"></iframe>`,
    }),
  );
  await page.goto('http://evil.test/');
  const framed = page.frameLocator('#victim');
  await expect(page.locator('#victim')).toBeAttached();
  // Give the frame its chance to load before asserting it stayed empty.
  await page.waitForLoadState('load');
  await expect(framed.getByRole('heading', { name: 'My tenants' })).toHaveCount(0);
  await expect(framed.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

/** A page in a browser context of its own: signed in nowhere. */
const freshPage = async (browser: Browser): Promise<Page> =>
  (await browser.newContext({ baseURL: baseURL() })).newPage();

test.describe('signing in with a next page', () => {
  // One account for these tests: each signs in afresh, with no cookie of the others.
  test.beforeAll(async ({ browser }) => {
    const first = await newUser(browser, REDIRECTED, PASSWORD);
    await first.context().close();
  });

  for (const next of ['%2F%5Cevil.example/x', '%2F%09/evil.example/x', '//evil.example/x']) {
    test(`signing in with next=${next} stays on the dashboard`, async ({ browser }) => {
      const page = await freshPage(browser);
      const left: string[] = [];
      page.on('request', (r) => {
        if (new URL(r.url()).host !== new URL(baseURL()).host) left.push(r.url());
      });
      await signIn(page, REDIRECTED, PASSWORD, { next });
      await expect(page.getByRole('heading', { name: 'My tenants' })).toBeVisible();
      expect(new URL(page.url()).origin).toBe(baseURL());
      expect(left).toEqual([]);
      await page.context().close();
    });
  }

  test('a same-site next page is where signing in leads', async ({ browser }) => {
    const page = await freshPage(browser);
    await signIn(page, REDIRECTED, PASSWORD, { next: '%2Ft%2Fnowhere%3Fq%3D1' });
    await expect(page).toHaveURL(`${baseURL()}/t/nowhere?q=1`);
    await page.context().close();
  });
});
