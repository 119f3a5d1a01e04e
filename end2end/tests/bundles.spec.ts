import { test, expect, type Page } from '@playwright/test';
import { bff, liveForm } from './helpers';

// A split bundle's pieces carry a build id (`vouch_entry_<16 hex>_split_receipt.wasm`): named here
// without it.
const widgetFile = (url: string) =>
  url.match(/\/v1\/widget\/(vouch_\w+\.(?:js|wasm))/)?.[1].replace(/_[0-9a-f]{16}_/, '_<build>_');

/** The widget files the page downloads, by name. */
function widgetFiles(page: Page): string[] {
  const fetched: string[] = [];
  page.on('request', (r) => {
    const file = widgetFile(r.url());
    if (file) fetched.push(file);
  });
  return fetched;
}

// Each kind of page downloads only the bundle it shows: the giveaway form or the referral panel.
test('a page downloads only the bundle its widget needs; another kind added later loads beside it', async ({ page }) => {
  const fetched = widgetFiles(page);
  const events: string[] = [];
  page.on('request', (r) => events.push(`start ${widgetFile(r.url())}`));
  page.on('requestfinished', (r) => events.push(`end ${widgetFile(r.url())}`));
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  // The form's bundle: its module (with the loaders of its lazy pieces inside, not a third file
  // the module waits for) and its wasm. The receipt field's chunk comes later (lazy_receipt.spec.ts).
  expect([...fetched].sort()).toEqual(['vouch_entry.js', 'vouch_entry_bg.wasm']);
  // The wasm is requested beside its module, not after the module has arrived.
  expect(events.indexOf('start vouch_entry_bg.wasm')).toBeLessThan(events.indexOf('end vouch_entry.js'));

  await page.evaluate(() => {
    const host = document.createElement('div');
    host.id = 'late';
    host.setAttribute('data-vouch-campaign', 'demo');
    host.setAttribute('data-vouch-view', 'referral');
    document.querySelector('main')!.appendChild(host);
  });
  await expect(page.locator('#late #ref_first_name')).toBeVisible({ timeout: 20_000 });
  const bundles = fetched.filter((f) => !f.endsWith('_split_receipt.wasm')).sort();
  expect(bundles).toEqual(['vouch_entry.js', 'vouch_entry_bg.wasm', 'vouch_referral.js', 'vouch_referral_bg.wasm']);
  // Each host was mounted once, by its own bundle, and the form still answers.
  expect(await page.locator('[data-vouch-mounted]').count()).toBe(2);
  await page.locator('#email').fill('not-an-address');
  await page.locator('#email').blur();
  await expect(page.locator('#email-error')).not.toBeEmpty();
});

// The bundle is the long wait: it starts to download as soon as the loader runs, not once the
// rest of the shop's page has been parsed. The hostile page loads a parser-blocking theme script
// after the snippet; here it is held until the wasm is asked for (or 10 s).
test('the form’s bundle starts downloading while the rest of the page is still loading', async ({ page }) => {
  let wasmAsked = false;
  page.on('request', (r) => {
    if (widgetFile(r.url()) === 'vouch_entry_bg.wasm') wasmAsked = true;
  });
  let askedWhileHeld = false;
  await page.route('**/theme.js', async (route) => {
    const until = Date.now() + 10_000;
    while (!wasmAsked && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    askedWhileHeld = wasmAsked;
    await route.continue();
  });
  await page.goto('/hostile');
  await expect(page.locator(liveForm)).toBeVisible({ timeout: 20_000 });
  expect(askedWhileHeld).toBe(true);
  expect(await page.evaluate(() => (window as unknown as { hostileThemeRan?: boolean }).hostileThemeRan)).toBe(true);
  expect(await page.locator('[data-vouch-mounted]').count()).toBe(1);
});

// The hosted page is ours: it asks for the form's bundle in its <head>, before its loader (at the
// end of the body, as on a shop's page) has run. The loader's own requests must then be answered
// from the preload: the same two files, each downloaded once, the preload used.
test('the hosted page preloads the form’s bundle and downloads each file once', async ({ page }) => {
  const fetched = widgetFiles(page);
  const warnings: string[] = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.goto(`${bff()}/c/demo`);
  await expect(page.locator(liveForm)).toBeVisible({ timeout: 20_000 });
  expect([...fetched].sort()).toEqual(['vouch_entry.js', 'vouch_entry_bg.wasm']);
  const preloaded = await page.evaluate(() =>
    [...document.querySelectorAll('head link[rel$="preload"]')].map((l) => (l as HTMLLinkElement).href));
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name));
  expect(preloaded.map(widgetFile).sort()).toEqual(['vouch_entry.js', 'vouch_entry_bg.wasm']);
  for (const url of preloaded) expect(loaded.filter((u) => u === url)).toHaveLength(1);
  // Chromium's word for a preload nobody used (a mismatched URL or CORS mode), within its 3 s.
  await page.waitForTimeout(3_500);
  expect(warnings.filter((w) => w.includes('preload'))).toEqual([]);
});

// The offer shows only a friend's code, so most shop visitors need no widget at all.
test('a shop visitor without a friend’s code downloads no widget; a code arriving later loads the offer', async ({ page }) => {
  const fetched = widgetFiles(page);
  await page.goto('/shop');
  const offer = page.locator('[data-vouch-view="offer"]');
  await expect(offer).toHaveAttribute('data-vouch-idle', '');
  await page.waitForTimeout(500);
  expect(fetched).toEqual([]);
  expect(await offer.evaluate((el) => el.shadowRoot)).toBeNull();

  // A single-page navigation that carries a code, as a friend's link does.
  await page.evaluate(() => history.pushState(null, '', '/shop?vouch_ref=ABCDEFGH'));
  await expect(offer).toHaveAttribute('data-vouch-mounted', '', { timeout: 20_000 });
  expect([...fetched].sort()).toEqual(['vouch_offer.js', 'vouch_offer_bg.wasm']);
});
