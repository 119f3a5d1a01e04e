// The hosted campaign page, the Facebook tab, themes and languages, and a merchant page that
// fights back with global !important rules and a hostile `define`.
import { test, expect, Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bff, exportedEntries, fillForm, liveForm, makeJpeg, root, uploadReceipt } from './helpers';

const shots = join(root, 'end2end/test-results');
const DEMO_PAGE_ID = '100000000000001';

/** A signed_request the way Facebook builds it: base64url(HMAC-SHA256(payload)) . base64url(payload). */
function signedRequest(payload: object, secret = process.env.VOUCH_FACEBOOK_APP_SECRET!): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = createHmac('sha256', secret).update(body).digest('base64url');
  return `${sig}.${body}`;
}

/** Facebook POSTs the tab URL as a form; do the same as a top-level navigation. */
async function openTab(page: Page, signed: string) {
  await page.goto(`${bff()}/healthz`);
  await Promise.all([
    page.waitForURL(`${bff()}/fb/tab`),
    page.evaluate(([action, value]) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = action;
      const input = document.createElement('input');
      input.name = 'signed_request';
      input.value = value;
      form.append(input);
      document.body.append(form);
      form.submit();
    }, [`${bff()}/fb/tab`, signed]),
  ]);
}

async function submitEntry(page: Page, email: string) {
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 400));
  await page.click('button.submit');
}

test.describe('on a 360 px phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test('the hosted page shows the campaign and takes an entry without sideways scrolling', async ({ page }) => {
    await page.goto(`${bff()}/c/demo`);
    await expect(page).toHaveTitle('Win a year of coffee · Northwind Coffee giveaway');
    await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(widths[0], `page ${widths[0]} px wide in a ${widths[1]} px viewport`).toBeLessThanOrEqual(widths[1]);
    const box = await page.locator('button.submit').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(360);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'hosted-page-phone.png'), fullPage: true });
    // The widget on the BFF's own origin may use the campaign and the object store.
    const email = `phone.${Date.now()}@example.com`;
    await submitEntry(page, email);
    await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
    expect(exportedEntries().filter((e) => e.email === email)).toHaveLength(1);
  });
});

test('with JavaScript off, the hosted page still shows the copy and says what is needed', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${bff()}/c/demo`);
  await expect(page.getByRole('heading', { name: 'Win a year of coffee' })).toBeVisible();
  // Playwright's text engine skips <noscript>; CSS locators do not.
  await expect(page.locator('.nojs')).toBeVisible();
  await expect(page.locator('.nojs')).toContainText('Upload a photo of your receipt to enter');
  await expect(page.locator('.nojs')).toContainText('Please turn on JavaScript to take part.');
  await expect(page.locator('#first_name'), 'no form that could never be sent').toBeHidden();
  await context.close();
});

test('a signed Facebook tab request shows the page campaign in the viewer language', async ({ page }) => {
  const signed = signedRequest({
    algorithm: 'HMAC-SHA256',
    issued_at: Math.floor(Date.now() / 1000),
    page: { id: DEMO_PAGE_ID, liked: true, admin: false },
    user: { locale: 'de_DE', country: 'de' },
  });
  await openTab(page, signed);
  await expect(page.locator(liveForm)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Vorname')).toBeVisible();
  await expect(page.getByLabel('Nachname')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Gewinnen Sie ein Jahr Kaffee' })).toBeVisible();
  await expect(page.locator('button.submit')).toHaveText('Teilnehmen');
  // Validation messages come from the same catalogue, in German.
  await page.fill('#email', 'anna@');
  await page.press('#email', 'Tab');
  await expect(page.locator('#email-error')).toHaveText(/gültige E-Mail-Adresse/);
  await page.click('button.submit');
  await expect(page.locator('.summary')).toContainText('Felder brauchen Ihre Aufmerksamkeit');
  await page.locator('[data-vouch-campaign="demo"]').screenshot({ path: join(shots, 'facebook-tab-de.png') });
});

test('a forged Facebook tab request gets a refusal page, not the widget', async ({ page }) => {
  const forged = signedRequest(
    { algorithm: 'HMAC-SHA256', issued_at: Math.floor(Date.now() / 1000), page: { id: DEMO_PAGE_ID } },
    'not-the-app-secret',
  );
  await openTab(page, forged);
  await expect(page.getByRole('alert')).toContainText('could not be verified');
  await expect(page.locator('[data-vouch-campaign]')).toHaveCount(0);
});

test('dark mode follows the system and the page can force either theme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  const card = page.locator('section.card');
  await expect(card).toHaveCSS('background-color', 'rgb(17, 24, 39)');
  await expect(page.locator('#first_name')).toHaveCSS('background-color', 'rgb(31, 41, 55)');
  // The campaign's accent survives dark mode.
  await expect(page.locator('button.submit')).toHaveCSS('background-color', 'rgb(124, 63, 22)');
  mkdirSync(shots, { recursive: true });
  await page.locator('[data-vouch-campaign="demo"]').screenshot({ path: join(shots, 'widget-dark.png') });
  await page.locator('[data-vouch-campaign="demo"]').evaluate((el) => el.setAttribute('data-vouch-theme', 'light'));
  await expect(card).toHaveCSS('background-color', 'rgb(255, 255, 255)');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('[data-vouch-campaign="demo"]').evaluate((el) => el.setAttribute('data-vouch-theme', 'dark'));
  await expect(card).toHaveCSS('background-color', 'rgb(17, 24, 39)');
});

test('merchants restyle documented parts from their own CSS', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await page.addStyleTag({ content: '[data-vouch-campaign]::part(submit) { background: rgb(0, 128, 0); }' });
  await expect(page.locator('button.submit')).toHaveCSS('background-color', 'rgb(0, 128, 0)');
});

test('a hostile merchant page still gets a usable widget', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // public/hostile.html: global !important rules on every element and a throwing AMD define.
  await page.goto('/hostile');
  await expect(page.locator('h1')).toHaveCSS('text-transform', 'uppercase');
  const first = page.locator('#first_name');
  await expect(first).toBeVisible({ timeout: 20_000 });
  const label = page.locator('label[for="first_name"]');
  await expect(label).toHaveCSS('text-transform', 'none');
  await expect(label).toHaveCSS('font-size', '15px');
  await expect(label).toHaveCSS('color', 'rgb(31, 41, 55)');
  const host = await page.locator('[data-vouch-campaign="demo"]').boundingBox();
  expect(host!.width).toBeGreaterThan(300);
  expect(host!.height).toBeGreaterThan(300);
  await expect(page.locator('[data-vouch-campaign="demo"]')).toHaveCSS('opacity', '1');
  const email = `hostile.${Date.now()}@example.com`;
  await submitEntry(page, email);
  await expect(page.locator('[data-state="accepted"], [data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
  expect(errors).toEqual([]);
});

test.describe('in a Spanish browser', () => {
  test.use({ locale: 'es-ES' });

  test('the referral panel and the giveaway form speak Spanish, offer included', async ({ page }) => {
    await page.goto('/refer');
    await expect(page.getByRole('heading', { name: /^Regala un 10 % de descuento en tu primer pedido, recibe/ }))
      .toBeVisible({ timeout: 20_000 });
    await expect(page.getByLabel('Correo electrónico')).toBeVisible();
    await expect(page.locator('button.submit')).toHaveText('Obtener mi enlace');
    await page.goto('/');
    await expect(page.getByLabel('Nombre', { exact: true })).toBeVisible({ timeout: 20_000 });
    await page.click('button.submit');
    await expect(page.locator('#first_name-error')).toHaveText('Este campo es obligatorio.');
  });
});
