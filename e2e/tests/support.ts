import { fileURLToPath } from 'node:url';
import { expect, type Browser, type Page } from '@playwright/test';

export const baseURL = () => process.env.SHOAL_E2E_BASE_URL!;
// The repository's .test-results, wherever Playwright was started from.
const SCREENSHOTS = fileURLToPath(new URL('../../.test-results/screenshots/', import.meta.url));

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${baseURL()}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in with a one-time password and replaces it, as every new account must. */
export async function firstSignIn(browser: Browser, email: string, oneTime: string, chosen: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: baseURL() })).newPage();
  await signIn(page, email, oneTime);
  await expect(page.getByRole('heading', { name: 'Choose your own password' })).toBeVisible();
  await page.getByLabel('Current password').fill(oneTime);
  await page.getByLabel('New password', { exact: true }).fill(chosen);
  await page.getByLabel('Repeat new password').fill(chosen);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('heading', { name: 'My tenants' })).toBeVisible();
  return page;
}
