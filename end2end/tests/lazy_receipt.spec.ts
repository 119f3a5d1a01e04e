// The receipt field's code (picker, preview, S3 upload) is a wasm chunk of its own, fetched when
// the shopper starts on the form (widget/src/lazy_receipt.rs, xtask/src/split.rs). These tests
// prove the split build works in a browser: the chunk arrives on focus, a failed fetch of it can
// be retried (by the button, or by the next focus in the form), and the upload it brings then
// works end to end.
import { test, expect, Page } from '@playwright/test';
import { exportedEntries, fillForm, makeJpeg, uploadReceipt } from './helpers';

const CHUNK = /\/v1\/widget\/vouch_entry_[0-9a-f]+_split_receipt\.wasm/;

/** Counts the chunk's requests; the first `failures` of them are cut off like a dropped link. */
async function watchChunk(page: Page, failures: number) {
  const seen = { requests: 0 };
  await page.route(CHUNK, async (route) => {
    seen.requests++;
    if (seen.requests <= failures) await route.abort('connectionreset');
    else await route.continue();
  });
  return seen;
}

test('the receipt field arrives when the shopper starts on the form, and its upload works', async ({ page }) => {
  const chunk = await watchChunk(page, 0);
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  // Usable without the chunk: a placeholder of the field holds its place, nothing is fetched yet.
  expect(chunk.requests).toBe(0);
  await expect(page.locator('#receipt')).toHaveCount(0);
  await expect(page.locator('.field.receipt[aria-busy="true"]')).toBeVisible();

  await page.locator('#first_name').focus();
  await expect(page.locator('#receipt')).toBeVisible();
  expect(chunk.requests).toBe(1);

  const email = `lazy.${Date.now()}@example.com`;
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 300));
  await expect(page.locator('img.preview')).toBeVisible();
  await page.locator('button.submit').click();
  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
  expect(exportedEntries().find((e) => e.email === email)?.status).toBe('confirmed');
  // Another entry: the field comes back (made again from the loaded chunk, not fetched again).
  await page.getByRole('button', { name: 'Enter another receipt' }).click();
  await expect(page.locator('#receipt')).toBeVisible();
  await expect(page.locator('img.preview')).toHaveCount(0);
  expect(chunk.requests).toBe(1);
});

test('a failed fetch of the receipt chunk says so and can be retried; the widget keeps working', async ({ page }) => {
  const chunk = await watchChunk(page, 1);
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await page.locator('#first_name').focus();

  const placeholder = page.locator('.field.receipt[aria-busy="true"]');
  await expect(placeholder.locator('.failed')).toContainText('could not reach the server');
  await expect(page.locator('#receipt')).toHaveCount(0);
  expect(chunk.requests).toBe(1);

  // The retry answers (the failed fetch did not abort the wasm) and fetches the chunk again.
  await placeholder.getByRole('button', { name: 'Retry upload' }).click();
  await expect(page.locator('#receipt')).toBeVisible();
  expect(chunk.requests).toBe(2);
  await page.fill('#email', 'lazy@');
  await page.press('#email', 'Tab');
  await expect(page.locator('#email-error')).toContainText('valid e-mail');

  const email = `lazy.retry.${Date.now()}@example.com`;
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 300));
  await page.locator('button.submit').click();
  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
  expect(exportedEntries().find((e) => e.email === email)?.status).toBe('confirmed');
});

/** The boxes of the receipt field and of its parts, which the placeholder draws as the field does. */
function receiptBoxes(page: Page): Promise<{ busy: boolean; boxes: Record<string, number[]> }> {
  return page.locator('[data-vouch-campaign]').evaluate((host) => {
    const out: Record<string, number[]> = {};
    host.shadowRoot!.querySelectorAll('.receipt, .receipt :is(label, .drop, .picker, summary, .hint, .upload-status, .error)')
      .forEach((el) => {
        const r = el.getBoundingClientRect();
        out[`${el.tagName.toLowerCase()}.${el.className}`] = [r.x, r.y, r.width, r.height];
      });
    return { busy: host.shadowRoot!.querySelector('.receipt')?.getAttribute('aria-busy') === 'true', boxes: out };
  });
}

// In every language (the picker's words differ in length) and on a desktop and a phone (where the
// drop hint is not shown).
const ADD_PHOTO = { 'en-US': 'Add a photo', 'de-DE': 'Foto hinzufügen', 'es-ES': 'Añadir una foto' };
for (const locale of ['en-US', 'de-DE', 'es-ES'] as const) {
  for (const [device, width] of [['desktop', 1280], ['phone', 360]] as const) {
    test(`untouched, the form fetches the chunk soon after it shows, and the field replaces its placeholder without a shift (${locale}, ${width} px ${device})`, async ({ browser }) => {
      const phone = device === 'phone';
      const context = await browser.newContext({ locale, viewport: { width, height: phone ? 740 : 720 }, isMobile: phone, hasTouch: phone });
      const page = await context.newPage();
      await page.addInitScript(() => {
        (window as any).__shifts = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => (window as any).__shifts.push((e as any).value)))
          .observe({ type: 'layout-shift', buffered: true });
      });
      const chunk = await watchChunk(page, 0);
      await page.goto('/');
      await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
      await expect(page.locator('.field.receipt[aria-busy="true"] summary .add')).toHaveText(ADD_PHOTO[locale]);
      const { busy, boxes: placeholder } = await receiptBoxes(page);
      expect(busy, 'measured before the chunk came').toBe(true);
      expect(Object.keys(placeholder)).toEqual(expect.arrayContaining(['div.drop', 'summary.secondary', 'p.error']));
      await expect(page.locator('#receipt')).toBeAttached();
      expect(chunk.requests).toBe(1);
      await expect(page.locator('.receipt summary .add')).toHaveText(ADD_PHOTO[locale]);
      expect(await receiptBoxes(page), 'the field where its placeholder was').toEqual({ busy: false, boxes: placeholder });
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as any).__shifts)).toEqual([]);
      await context.close();
    });
  }
}
