import { expect, test } from '@playwright/test';
import { baseURL } from './support';

test('a visitor is sent to the sign-in form, which refuses a wrong password', async ({ page }) => {
  await page.goto(baseURL());
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('Email').fill('admin@shoal.local');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'Wrong email or password' }),
  ).toBeVisible();
});

test('the health endpoint reports the database the server uses', async ({ request }) => {
  const health = await request.get(`${process.env.SHOAL_E2E_API_URL}/healthz`);
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({
    status: 'ok',
    database: { kind: 'postgresql', ok: true },
  });
});

test('the control plane refuses a cross-site mutation through the dashboard proxy', async ({
  request,
}) => {
  const res = await request.post(`${baseURL()}/trpc/auth.signIn`, {
    headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
    data: { json: { email: 'admin@shoal.local', password: 'x' } },
  });
  expect(res.status()).toBe(403);
});
