// Who may enter (campaign written by playwright.config.ts: min_age 18, countries DE and AT): the
// form asks for a date of birth and a country, says why a too-young or country-less entry is
// held back, and takes an adult from a listed country.
import { test, expect } from '@playwright/test';
import { bff, exportedEntries, fillForm, makeJpeg, uploadReceipt } from './helpers';

test('a too-young entrant without a country is told why, then an adult from Austria gets in', async ({ page }) => {
  const email = `adult.${Date.now()}@example.com`;
  await page.goto(`${bff()}/c/e2e-adults`);
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#country option')).toHaveText(['—', 'DE', 'AT']);
  await fillForm(page, email);
  const year = new Date().getUTCFullYear();
  await page.fill('#date_of_birth', `${year - 17}-01-01`);
  await uploadReceipt(page, await makeJpeg(page, 400));
  await page.click('button.submit');
  const summary = page.locator('.summary');
  await expect(summary).toContainText('You are not old enough to take part.');
  await expect(summary).toContainText('Country: This field is required.');

  await page.selectOption('#country', 'AT');
  await page.fill('#date_of_birth', `${year - 30}-06-15`);
  await page.click('button.submit');
  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
  expect(exportedEntries('e2e-adults').filter((e) => e.email === email)).toHaveLength(1);
});
