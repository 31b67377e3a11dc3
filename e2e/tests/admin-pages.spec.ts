import { expect, test } from '@playwright/test';
import { newUser, closeSignedIn } from './support';

test.afterAll(closeSignedIn);

test('someone who is not a cluster admin gets no admin forms, only a way back', async ({
  browser,
}) => {
  const page = await newUser(browser, 'plain@admin-pages.test', 'admin pages password');
  for (const path of ['/admin/tenants', '/admin/users', '/admin/cluster', '/admin/audit']) {
    await page.goto(path);
    await expect(page.getByText('This page is for cluster admins')).toBeVisible();
    await expect(page.getByRole('form')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /Create/ })).toHaveCount(0);
  }
  await page.getByRole('link', { name: 'Go to my tenants' }).click();
  await expect(page.getByRole('heading', { name: 'My tenants' })).toBeVisible();
});
