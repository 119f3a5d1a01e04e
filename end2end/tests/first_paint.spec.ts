// The form before the wasm: the hosted page draws it at first paint (a declarative shadow root)
// and embeds the campaign's config; on a merchant page the loader asks for the config beside
// the wasm download and hands the answer to the widget.
import { test, expect, Page, Request } from '@playwright/test';
import { bff, liveForm as live } from './helpers';

/** Holds every wasm download until `release()` is called. */
async function holdWasm(page: Page) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = 0;
  await page.route('**/v1/widget/*.wasm*', async (route) => {
    asked++;
    await held;
    await route.continue();
  });
  return { release, asked: () => asked };
}

/** Layout shifts over the whole load, as the page saw them. */
async function watchShifts(page: Page) {
  await page.addInitScript(() => {
    (window as any).__shifts = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => (window as any).__shifts.push((e as any).value)))
      .observe({ type: 'layout-shift', buffered: true });
  });
  return () => page.evaluate(() => (window as any).__shifts as number[]);
}

function campaignGets(page: Page, campaign: string): Request[] {
  const seen: Request[] = [];
  const config = new RegExp(`/v1/campaigns/${campaign}(\\?|$)`);
  page.on('request', (r) => { if (r.method() === 'GET' && config.test(r.url())) seen.push(r); });
  return seen;
}

/** The box of every element with an id in the widget's shadow root, of every field, and of each
 * part of the receipt picker, keyed by what it is: the structure of the form, where it is drawn. */
function boxes(page: Page) {
  return page.locator('[data-vouch-campaign]').evaluate((host) => {
    const out: Record<string, number[]> = {};
    const root = host.shadowRoot!;
    const put = (key: string, el: Element) => {
      const r = el.getBoundingClientRect();
      out[key] = [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10);
    };
    root.querySelectorAll('[id]').forEach((el) => put(el.id, el));
    root.querySelectorAll('.field').forEach((el, i) => put(`field ${i}: ${el.querySelector('label')?.textContent}`, el));
    root.querySelectorAll('.receipt :is(label, .drop, .picker, summary, .hint)').forEach((el) =>
      put(`receipt ${el.tagName.toLowerCase()}.${el.className}`, el));
    return out;
  });
}

/** The boxes without the receipt's file inputs, which only the loaded field has (out of sight and
 * out of the flow: they take no room). */
async function withoutInputs(page: Page) {
  const all = await boxes(page);
  delete all['receipt'];
  delete all['receipt-camera'];
  return all;
}

test('the hosted page shows its form before the wasm arrives; the widget takes it over in place', async ({ page }) => {
  const wasm = await holdWasm(page);
  const shifts = await watchShifts(page);
  const gets = campaignGets(page, 'demo');
  await page.goto(`${bff()}/c/demo`);
  await expect(page.locator('label[for="first_name"]')).toHaveText('First name');
  await expect(page.locator('#first_name')).toBeVisible();
  await expect(page.locator('.receipt summary .add')).toHaveText('Add a photo');
  await expect(page.locator('button.submit')).toHaveText('Enter the draw');
  await expect.poll(wasm.asked).toBeGreaterThan(0);
  // Still waiting for the wasm: what shows is the server's markup, and it takes no input.
  expect(await page.locator('#first_name').evaluate((el) => el.closest('[inert]') !== null)).toBe(true);
  await page.locator('#first_name').click({ force: true });
  await page.keyboard.type('early');
  await expect(page.locator('#first_name')).toHaveValue('');
  const before = await boxes(page);
  expect(Object.keys(before)).toEqual(expect.arrayContaining(
    ['vouch-title', 'first_name', 'email', 'receipt-status', 'receipt-error', 'receipt div.drop', 'receipt summary.secondary', 'terms']));

  wasm.release();
  await expect(page.locator(live)).toBeVisible({ timeout: 20_000 });
  expect(await boxes(page), 'every field where it was drawn').toEqual(before);
  // The receipt chunk replaces its placeholder in the same boxes too.
  await page.locator('#first_name').focus();
  await expect(page.locator('#receipt')).toBeAttached();
  expect(await withoutInputs(page), 'the loaded picker where it was drawn').toEqual(before);
  await page.waitForTimeout(300);
  expect(await shifts(), 'layout shifts while the page loaded').toEqual([]);
  await page.fill('#first_name', 'Zoë');
  await expect(page.locator('#first_name')).toHaveValue('Zoë');
  await page.fill('#email', 'zoe@');
  await page.press('#email', 'Tab');
  await expect(page.locator('#email-error')).not.toBeEmpty();
  expect(gets.map((r) => r.url()), 'the page carried the config: no request for it').toEqual([]);
});

// In every language (the picker's words differ in length) and on a desktop and a phone (where the
// drop hint is not shown): the first-paint copy, the placeholder and the loaded field draw the
// same boxes.
const ADD_PHOTO = { en: 'Add a photo', de: 'Foto hinzufügen', es: 'Añadir una foto' };
for (const lang of ['en', 'de', 'es'] as const) {
  for (const [device, width] of [['desktop', 1280], ['phone', 360]] as const) {
    test(`in ${lang} on a ${width} px ${device}, the first-paint form, the placeholder and the picker share their boxes`, async ({ browser }) => {
      const phone = device === 'phone';
      const context = await browser.newContext({ viewport: { width, height: phone ? 740 : 720 }, isMobile: phone, hasTouch: phone });
      const page = await context.newPage();
      const wasm = await holdWasm(page);
      const shifts = await watchShifts(page);
      await page.goto(`${bff()}/c/demo?lang=${lang}`);
      await expect(page.locator('.receipt summary .add')).toHaveText(ADD_PHOTO[lang]);
      await expect.poll(wasm.asked).toBeGreaterThan(0);
      const before = await boxes(page);
      expect(Object.keys(before)).toEqual(expect.arrayContaining(['receipt-status', 'receipt div.drop']));

      wasm.release();
      await expect(page.locator(live)).toBeVisible({ timeout: 20_000 });
      expect(await boxes(page), 'the placeholder where the first-paint form drew the field').toEqual(before);
      await page.locator('#first_name').focus();
      await expect(page.locator('#receipt')).toBeAttached();
      await expect(page.locator('.receipt summary .add')).toHaveText(ADD_PHOTO[lang]);
      expect(await withoutInputs(page), 'the loaded picker where the first-paint form drew it').toEqual(before);
      await page.waitForTimeout(300);
      expect(await shifts(), 'layout shifts while the page loaded').toEqual([]);
      await context.close();
    });
  }
}

test('on a merchant page the config is asked for beside the wasm, once, and handed to the widget', async ({ page }) => {
  const wasm = await holdWasm(page);
  const shifts = await watchShifts(page);
  const gets = campaignGets(page, 'demo');
  await page.goto('/');
  // The config's answer is in while the wasm is still held back.
  await expect.poll(async () => {
    const done = await Promise.all(gets.map((r) => r.response()));
    return done.filter((res) => res?.ok()).length;
  }).toBe(1);
  expect(wasm.asked()).toBeGreaterThan(0);
  await expect(page.locator('#first_name')).toHaveCount(0);

  wasm.release();
  await expect(page.locator(live)).toBeVisible({ timeout: 20_000 });
  await page.waitForTimeout(300);
  expect(await shifts(), 'layout shifts while the page loaded').toEqual([]);
  await page.fill('#first_name', 'Zoë');
  await expect(page.locator('#first_name')).toHaveValue('Zoë');
  expect(gets, 'the widget used the answer the loader got').toHaveLength(1);
});

test('when the early request fails, the widget asks again itself', async ({ page }) => {
  let failed = 0;
  await page.route(/\/v1\/campaigns\/demo\?/, (route) => (failed++ === 0 ? route.abort('connectionreset') : route.continue()));
  const gets = campaignGets(page, 'demo');
  await page.goto('/');
  await expect(page.locator(live)).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('button.submit')).toHaveText('Enter the draw');
  expect(gets).toHaveLength(2);
});
