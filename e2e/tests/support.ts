import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const baseURL = () => process.env.SHOAL_E2E_BASE_URL!;

/**
 * Marks a test that asserts how long something takes (a bound the product promises): `npm
 * test` runs these on their own, after the stages that would otherwise share the cores.
 */
export const TIMED = { tag: '@timed' };
// The repository's .test-results, wherever Playwright was started from.
const SCREENSHOTS = fileURLToPath(new URL('../../.test-results/screenshots/', import.meta.url));

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

/** Signs in on the sign-in page of `base`; `next` (as written in its URL) is where it leads. */
export async function signIn(
  page: Page,
  email: string,
  password: string,
  { base = baseURL(), next }: { base?: string; next?: string } = {},
): Promise<void> {
  await page.goto(`${base}/sign-in${next === undefined ? '' : `?next=${next}`}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Contexts the users of the running spec signed in with. */
const signedIn = new Set<BrowserContext>();

/**
 * Closes the spec's signed-in pages: the browser outlives a spec, and a page left open keeps
 * polling and streaming from the shared control plane through every later spec.
 */
export async function closeSignedIn(): Promise<void> {
  for (const context of signedIn) await context.close().catch(() => undefined);
  signedIn.clear();
}

/** Signs in with a one-time password and replaces it, as every new account must. */
export async function firstSignIn(
  browser: Browser,
  email: string,
  oneTime: string,
  chosen: string,
  base = baseURL(),
): Promise<Page> {
  const context = await browser.newContext({ baseURL: base });
  signedIn.add(context);
  const page = await context.newPage();
  await signIn(page, email, oneTime, { base });
  await expect(page.getByRole('heading', { name: 'Choose your own password' })).toBeVisible();
  await page.getByLabel('Current password').fill(oneTime);
  await page.getByLabel('New password', { exact: true }).fill(chosen);
  await page.getByLabel('Repeat new password').fill(chosen);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('heading', { name: 'My tenants' })).toBeVisible();
  return page;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs a `shoal` admin command against the suite's database, as an operator would: the
 * compiled server the suite runs, which starts in a fraction of the time tsx takes.
 */
export async function shoal(...args: string[]): Promise<string> {
  const main = 'apps/server/dist/main.js';
  const { stdout } = await promisify(execFile)(process.execPath, [main, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: process.env.SHOAL_E2E_DATABASE_URL,
      SHOAL_LOG_LEVEL: 'warn',
    },
  });
  return stdout;
}

/**
 * A user of its own for a spec, made with `shoal user create` and signed in with `chosen` as
 * its password, so specs need not share the admin's.
 */
export async function newUser(
  browser: Browser,
  email: string,
  chosen: string,
  flags: string[] = [],
  stack: { baseURL: string; shoal: typeof shoal } = { baseURL: baseURL(), shoal },
): Promise<Page> {
  const out = await stack.shoal('user', 'create', email, ...flags);
  const oneTime = /one-time password[^:]*: (\S+)/.exec(out)?.[1];
  if (!oneTime) throw new Error(`No one-time password in: ${out}`);
  return firstSignIn(browser, email, oneTime, chosen, stack.baseURL);
}
