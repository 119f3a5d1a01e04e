import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportedEntries, fillForm, makeJpeg, root, uploadReceipt } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
});

test('the widget mounts in a shadow root on the merchant page, from another origin', async ({ page }) => {
  const host = page.locator('[data-vouch-campaign="demo"]');
  expect(await host.evaluate((el) => el.shadowRoot?.mode)).toBe('open');
  expect(await page.evaluate(() => location.port)).toBe(process.env.VOUCH_DEMO_PORT);
  // Nothing leaks into the page: no global stylesheet, no element outside the host.
  expect(await page.evaluate(() => document.querySelectorAll('head style, head link[rel=stylesheet]').length)).toBe(1);
  await expect(page.getByLabel('E-mail')).toBeVisible();
});

test('the space the page reserved holds while the widget loads: nothing below it moves', async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).__shifts = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => (window as any).__shifts.push((e as any).value)))
      .observe({ type: 'layout-shift', buffered: true });
  });
  await page.reload();
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as any).__shifts)).toEqual([]);
  // The demo snippet reserves 700 px with an inline min-height; the widget's host reset keeps it.
  const height = await page.locator('[data-vouch-campaign="demo"]').evaluate((el) => el.getBoundingClientRect().height);
  expect(height).toBeGreaterThanOrEqual(700);
});

test('a shopper enters with a receipt photo and sees the entry confirmed', async ({ page }) => {
  const email = `anna.${Date.now()}@example.com`;
  // Leaving a field shows its rule's error, announced via aria-invalid and a described-by message.
  await page.fill('#email', 'anna@');
  await page.press('#email', 'Tab');
  await expect(page.locator('#email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#email-error')).toContainText('valid e-mail');
  await expect(page.locator('.field:has(#email)')).toHaveClass(/invalid/);
  await fillForm(page, email);
  await expect(page.locator('#email')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.locator('#email-error')).toBeEmpty();
  await expect(page.locator('.field:has(#email)')).not.toHaveClass(/invalid/);

  // Slow the upload so the progress bar has to move.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1_000_000 });
  await page.locator('.vouch').evaluate((root) => {
    (window as any).__progress = [];
    new MutationObserver(() => {
      const p = root.querySelector('progress');
      if (p) (window as any).__progress.push(Number(p.getAttribute('value') ?? p.value));
    }).observe(root, { subtree: true, attributes: true, childList: true });
  });
  const jpeg = await makeJpeg(page);
  expect(jpeg.length).toBeGreaterThan(500_000);
  await page.setInputFiles('#receipt', { name: 'receipt.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.locator('img.preview')).toBeVisible();
  await expect(page.locator('.upload-status .done')).toContainText('receipt.jpg', { timeout: 30_000 });
  await expect(page.locator('progress')).toHaveAttribute('value', '100');
  const seen: number[] = await page.evaluate(() => (window as any).__progress);
  expect(seen.some((v) => v > 0 && v < 100), `intermediate progress values: ${seen}`).toBeTruthy();
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  const shots = join(root, 'end2end/test-results');
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'demo-page-form.png'), fullPage: true });
  await page.click('button.submit');
  await expect(page.locator('[data-state="confirmed"]')).toContainText('Entry confirmed', { timeout: 30_000 });
  await page.locator('[data-vouch-campaign="demo"]').screenshot({ path: join(shots, 'widget-confirmed.png') });
  const mine = exportedEntries().filter((e) => e.email === email);
  expect(mine).toHaveLength(1);
  expect(mine[0].status).toBe('confirmed');
  expect(mine[0].receipt_key).toMatch(/^receipts\/demo\/ent_[0-9a-f]+\.jpg$/);
});

test('submitting with empty fields lists every problem and moves focus on request', async ({ page }) => {
  await page.click('button.submit');
  const summary = page.locator('.summary[role="alert"]');
  await expect(summary).toContainText('fields need attention');
  await expect(summary.locator('li')).toHaveCount(6);
  await summary.getByRole('button', { name: /E-mail/ }).click();
  await expect(page.locator('#email')).toBeFocused();
});

test('the form works with the keyboard alone', async ({ page }) => {
  const email = `keys.${Date.now()}@example.com`;
  await page.locator('#first_name').focus();
  await page.keyboard.type('Kim');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Lee');
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab'); // phone is optional
  await page.keyboard.type('SW1A 1AA');
  await uploadReceipt(page, await makeJpeg(page, 200));
  await page.locator('#terms').focus();
  await page.keyboard.press('Space');
  await expect(page.locator('#terms')).toBeChecked();
  await page.locator('button.submit').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
});

test('a file that is not a photo is refused before any upload', async ({ page }) => {
  await page.setInputFiles('#receipt', { name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<h1>hi</h1>') });
  await expect(page.locator('#receipt-error')).toContainText('JPEG, PNG or WebP');
  await expect(page.locator('#receipt')).toHaveAttribute('aria-invalid', 'true');
});

test('a failed upload can be retried', async ({ page }) => {
  let attempts = 0;
  await page.route(`http://127.0.0.1:${process.env.VOUCH_S3_PORT}/receipts`, async (route) => {
    attempts++;
    if (attempts === 1) await route.abort('connectionreset');
    else await route.continue();
  });
  await page.setInputFiles('#receipt', { name: 'receipt.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 200) });
  await expect(page.locator('.upload-status .failed')).toContainText('interrupted');
  await page.getByRole('button', { name: 'Retry upload' }).click();
  await expect(page.locator('.upload-status .done')).toContainText('receipt.jpg');
  expect(attempts).toBe(2);
});
