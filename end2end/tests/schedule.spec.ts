// A campaign's schedule as a shopper sees it on the hosted page: the opening date before, the end
// after, and no form either way (campaigns written by playwright.config.ts).
import { test, expect } from '@playwright/test';
import { bff } from './helpers';

test('a closed campaign shows its closed state and no form', async ({ page }) => {
  await page.goto(`${bff()}/c/e2e-ended`);
  await expect(page.getByText('This giveaway has ended.')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#email')).toHaveCount(0);
  await expect(page.locator('#receipt')).toHaveCount(0);
});

test('a not-yet-open campaign shows its date in the shopper\'s language and no form', async ({ page }) => {
  await page.goto(`${bff()}/c/e2e-soon`);
  // 00:30 in Berlin is still 31 May in UTC: the date is the campaign's time zone's.
  await expect(page.getByText('Dieses Gewinnspiel beginnt am 1. Juni 2099.')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#email')).toHaveCount(0);
});
