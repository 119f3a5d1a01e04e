// Duplicate receipts: the same photo sent for a second entry is rejected, and the widget says why
// (campaign `e2e-dup`, `duplicates = "reject"`, written by playwright.config.ts).
import { test, expect, Page } from '@playwright/test';
import { bff, exportedEntries, fillForm, makeJpeg, uploadReceipt } from './helpers';

async function enter(page: Page, email: string, photo: Buffer) {
  await page.goto(`${bff()}/c/e2e-dup`);
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await fillForm(page, email);
  await uploadReceipt(page, photo);
  await page.click('button.submit');
}

test('a duplicate photo is rejected and the widget says why', async ({ browser }) => {
  const first = await (await browser.newContext()).newPage();
  await first.goto(`${bff()}/c/e2e-dup`);
  const photo = await makeJpeg(first, 400);
  const stamp = Date.now();
  await enter(first, `first.${stamp}@example.com`, photo);
  await expect(first.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });

  // Someone else sends the very same photo.
  const second = await (await browser.newContext()).newPage();
  await enter(second, `second.${stamp}@example.com`, photo);
  await expect(second.locator('[data-state="rejected"]')).toBeVisible({ timeout: 30_000 });
  await expect(second.getByText('This receipt was already used for an entry.')).toBeVisible();

  const entries = exportedEntries('e2e-dup').filter((e) => e.email.endsWith(`.${stamp}@example.com`));
  expect(entries.map((e) => e.status).sort()).toEqual(['confirmed', 'rejected']);
});
