import { test, expect } from '@playwright/test';

// Each kind of page downloads only the bundle it shows: the giveaway form or the referral panel.
test('a page downloads only the bundle its widget needs; another kind added later loads beside it', async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (r) => {
    const file = r.url().match(/\/v1\/widget\/(vouch_\w+\.(?:js|wasm))/);
    if (file) fetched.push(file[1]);
  });
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  expect([...fetched].sort()).toEqual(['vouch_entry.js', 'vouch_entry_bg.wasm']);

  await page.evaluate(() => {
    const host = document.createElement('div');
    host.id = 'late';
    host.setAttribute('data-vouch-campaign', 'demo');
    host.setAttribute('data-vouch-view', 'referral');
    document.querySelector('main')!.appendChild(host);
  });
  await expect(page.locator('#late #ref_first_name')).toBeVisible({ timeout: 20_000 });
  expect([...fetched].sort()).toEqual(['vouch_entry.js', 'vouch_entry_bg.wasm', 'vouch_referral.js', 'vouch_referral_bg.wasm']);
  // Each host was mounted once, by its own bundle, and the form still answers.
  expect(await page.locator('[data-vouch-mounted]').count()).toBe(2);
  await page.locator('#email').fill('not-an-address');
  await page.locator('#email').blur();
  await expect(page.locator('#email-error')).not.toBeEmpty();
});
