// The console's Shoppers page (issue 18) against the real admin API: an owner exports what is held
// about a shopper entered through the public API (the download holds their e-mail), erases it
// after typing the address again, and a second export says plainly that nothing is held. Other
// roles do not see the page in the navigation.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { addOperator, enter, logIn, processed, receiptJpeg } from './console_helpers';

const CAMPAIGN = 'e2e-console';
const run = Date.now();

test('an owner exports a shopper, erases them with confirmation, and nothing is held after', async ({ page }) => {
  const owner = `owner.shoppers.${run}@staff.example`;
  addOperator(owner, 'owner');
  const grace = { first: 'Grace', last: 'Hopper', email: `grace.${run}@example.com` };
  const { entry_id } = await enter(CAMPAIGN, grace, await receiptJpeg(page, 'KAFFEEHAUS', '9.80'));
  await processed(CAMPAIGN, entry_id);

  await logIn(page, owner);
  await page.getByRole('link', { name: 'Shoppers' }).click();
  await expect(page.getByRole('heading', { name: 'Shoppers' })).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/shoppers$/);
  const email = page.getByLabel('E-mail', { exact: true });
  await email.fill(grace.email);
  await page.getByRole('button', { name: 'Export' }).click();
  const held = page.getByRole('region', { name: 'What is held' });
  await expect(held).toContainText('entries1');
  await expect(held).toContainText('receipts1');
  await expect(held).toContainText('marketing consentgiven');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download JSON' }).click(),
  ]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported.document.identity).toBe(grace.email);
  expect(exported.document.entries[0].entry_id).toBe(entry_id);
  expect(JSON.stringify(exported)).toContain(grace.email);
  // The address is in no URL the page used.
  expect(page.url()).not.toContain(grace.email);

  await page.getByRole('button', { name: 'Erase…' }).click();
  const forGood = page.getByRole('button', { name: 'Erase for good' });
  await expect(forGood).toBeDisabled();
  await page.getByLabel('Type the e-mail again to confirm').fill('someone.else@example.com');
  await expect(forGood).toBeDisabled();
  await page.getByLabel('Type the e-mail again to confirm').fill(grace.email);
  await forGood.click();
  await expect(page.getByText(/Erased: 1 entries/)).toBeVisible();

  await page.getByRole('button', { name: 'Export' }).click();
  await expect(page.getByText('Nothing held about this address.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'What is held' })).toHaveCount(0);
});

test('a moderator does not see the Shoppers page', async ({ page }) => {
  const moderator = `mod.shoppers.${run}@staff.example`;
  addOperator(moderator, 'moderator', [CAMPAIGN]);
  await logIn(page, moderator);
  await expect(page.getByRole('link', { name: 'Campaigns' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Shoppers' })).toHaveCount(0);
});
