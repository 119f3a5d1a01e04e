// One entry per person: a shopper who enters twice with the same mailbox is told why the second
// one is refused, in words, not as a server error (campaign written by playwright.config.ts).
import { test, expect, Page } from '@playwright/test';
import { bff, exportedEntries, fillForm, makeJpeg, uploadReceipt } from './helpers';

async function enter(page: Page, email: string) {
  await page.goto(`${bff()}/c/e2e-once`);
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 400));
  await page.click('button.submit');
}

test('a second entry with the same e-mail is refused with a clear message', async ({ browser }) => {
  const email = `once.${Date.now()}@example.com`;
  const first = await (await browser.newContext()).newPage();
  await enter(first, email);
  await expect(first.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });

  // Another device, the same person (the mailbox spelled in capitals).
  const second = await (await browser.newContext()).newPage();
  await enter(second, email.toUpperCase());
  await expect(second.getByText('You have already entered as many times as this giveaway allows.'))
    .toBeVisible({ timeout: 20_000 });
  await expect(second.locator('[data-state="confirmed"]')).toHaveCount(0);
  expect(exportedEntries('e2e-once').filter((e) => e.email.toLowerCase() === email)).toHaveLength(1);
});
