import { test, expect } from '@playwright/test';
import { exportedEntries, fillForm, makeJpeg, uploadReceipt } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
});

test('a double click on submit creates one entry', async ({ page }) => {
  const email = `double.${Date.now()}@example.com`;
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 300));
  await page.locator('button.submit').dblclick();
  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
  expect(exportedEntries().filter((e) => e.email === email)).toHaveLength(1);
});

test('a retry after a dropped answer and a reload with the saved draft still make one entry', async ({ page }) => {
  const email = `dropped.${Date.now()}@example.com`;
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 300));
  // The server gets the entry, but the answer never reaches the browser.
  let dropped = 0;
  await page.route('**/v1/campaigns/demo/entries', async (route) => {
    await route.fetch();
    dropped++;
    await route.abort('connectionreset');
  });
  await page.click('button.submit');
  await expect(page.locator('.notice')).toContainText('could not reach', { timeout: 10_000 });
  expect(dropped).toBe(1);
  await page.click('button.submit');
  await expect(page.locator('.notice')).toContainText('could not reach', { timeout: 10_000 });
  expect(dropped).toBe(2);
  await page.unroute('**/v1/campaigns/demo/entries');

  // The shopper gives up and reloads: the draft brings back the form, its key and the upload.
  await page.reload();
  await expect(page.locator('#email')).toHaveValue(email, { timeout: 20_000 });
  await expect(page.locator('#terms')).toBeChecked();
  await expect(page.locator('.upload-status .done')).toBeVisible();
  await page.click('button.submit');
  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
  expect(exportedEntries().filter((e) => e.email === email)).toHaveLength(1);
});
