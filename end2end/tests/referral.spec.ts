import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { bff, cli, root } from './helpers';

test('a referrer shares a link, the friend keeps the code through SPA navigation, a purchase shows as a reward', async ({ browser }) => {
  const referrer = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const a = await referrer.newPage();
  await a.goto('/refer');
  await a.fill('#ref_first_name', 'Anna');
  await a.fill('#ref_email', `anna.${Date.now()}@example.com`);
  await a.check('#ref_terms');
  await a.click('button.submit');

  const link = a.locator('#share-link');
  await expect(link).toHaveValue(/\/shop\?vouch_ref=[2-9A-HJKMNP-Z]{8}$/, { timeout: 15_000 });
  const url = await link.inputValue();
  const code = url.split('vouch_ref=')[1];
  await a.click('button.copy');
  await expect(a.locator('.copied')).toHaveText('Copied!');
  expect(await a.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await expect(a.locator('svg.qr path')).toHaveAttribute('d', /^M\d+ \d+h1v1h-1z/);
  for (const name of ['E-mail', 'WhatsApp', 'Facebook', 'X']) {
    await expect(a.getByRole('link', { name, exact: true })).toHaveAttribute('href', new RegExp(`vouch_ref%3D${code}`));
  }
  const webShare = await a.evaluate(() => 'share' in navigator);
  await expect(a.getByRole('button', { name: 'Share…' })).toHaveCount(webShare ? 1 : 0);
  await expect(a.getByRole('link', { name: 'SMS' })).toHaveCount(0); // a desktop browser

  // The friend, in a browser of their own.
  const friend = await browser.newContext();
  const f = await friend.newPage();
  await f.goto(url);
  await expect(f.locator('.friend-offer')).toContainText('Anna gave you 10 % off your first order.', { timeout: 15_000 });
  await f.click('a[href="/shop/products"]');
  await expect(f).toHaveURL(/\/shop\/products$/);
  await expect(f.locator('.friend-offer')).toContainText('Anna gave you');
  await f.click('a[href="/shop/cart"]');
  await f.goBack();
  await expect(f).toHaveURL(/\/shop\/products$/);
  const attribution: any = await f.evaluate(() => new Promise((resolve) => (window as any).vouch('attribution', resolve)));
  expect(attribution.code).toBe(code);
  expect(new Date(attribution.expires).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  expect(await f.evaluate(() => JSON.parse(localStorage.getItem('vouch_ref')!).code)).toBe(code);
  expect((await friend.cookies()).some((c) => c.name === 'vouch_ref')).toBeTruthy();

  // A thank-you page reports a purchase through the loader: recorded, but it waits for review.
  const fromPage: any = await f.evaluate(() => new Promise((resolve) => (window as any).vouch('conversion',
    { campaign: 'demo', order_id: `page-${Date.now()}`, email: 'ben.page@example.com', amount: 9.9, currency: 'EUR' }, resolve)));
  expect(fromPage.status).toBe('accepted');

  // The merchant's back end reports the friend's purchase.
  const secret = cli(['secrets', 'merchant', '--campaign', 'demo']);
  const res = await fetch(`${bff()}/v1/conversions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
    body: JSON.stringify({ campaign: 'demo', order_id: `order-${Date.now()}`, email: `ben.${Date.now()}@example.com`, referral_code: code, amount: 25, currency: 'EUR' }),
  });
  expect(res.status).toBe(202);

  await expect(async () => {
    await a.reload();
    await expect(a.locator('[data-stat="earned"]')).toHaveText('1', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(a.locator('[data-stat="conversions"]')).toHaveText('2');
  await expect(a.locator('[data-stat="pending"]')).toHaveText('1');
  await expect(a.locator('[data-stat="friends"]')).toHaveText('1');
  await a.screenshot({ path: join(root, 'end2end/test-results/referral-panel.png'), fullPage: true });
  await f.screenshot({ path: join(root, 'end2end/test-results/friend-offer.png') });
});

test('with consent required, the code is only kept in memory until the page says yes', async ({ page, context }) => {
  await page.goto('/shop?consent=required&vouch_ref=ABCDEFGH');
  await page.waitForFunction(() => (window as any).__vouchLoader === 1);
  expect(await page.evaluate(() => localStorage.getItem('vouch_ref'))).toBeNull();
  expect((await context.cookies()).some((c) => c.name === 'vouch_ref')).toBeFalsy();
  const inMemory: any = await page.evaluate(() => new Promise((resolve) => (window as any).vouch('attribution', resolve)));
  expect(inMemory.code).toBe('ABCDEFGH');

  await page.getByRole('button', { name: 'Accept' }).click();
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem('vouch_ref')!).code)).toBe('ABCDEFGH');
  expect((await context.cookies()).some((c) => c.name === 'vouch_ref')).toBeTruthy();
});

test('a code that is not of the right shape is ignored', async ({ page }) => {
  await page.goto('/shop?vouch_ref=not-a-code');
  await page.waitForFunction(() => (window as any).__vouchLoader === 1);
  const stored: any = await page.evaluate(() => new Promise((resolve) => (window as any).vouch('attribution', resolve)));
  expect(stored).toBeNull();
});
