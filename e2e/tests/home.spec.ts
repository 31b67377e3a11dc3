import { expect, test } from '@playwright/test';

const baseURL = () => process.env.SHOAL_E2E_BASE_URL!;

test('the dashboard reads the control plane status through tRPC', async ({ page }) => {
  await page.goto(baseURL());
  await expect(page.getByRole('heading', { name: 'Shoal', level: 1 })).toBeVisible();
  await expect(page.getByTestId('database')).toHaveText('PostgreSQL · healthy');
  await expect(page.getByTestId('tenants')).toHaveText(/^\d+$/);
  await page.screenshot({ path: '../.test-results/screenshots/home.png', fullPage: true });
});

test('the health endpoint reports the database the server uses', async ({ request }) => {
  const health = await request.get(`${process.env.SHOAL_E2E_API_URL}/healthz`);
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', database: { kind: 'postgresql', ok: true } });
});
