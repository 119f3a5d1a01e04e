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

/** Every element with an id in the widget's shadow root, with its box. */
function boxes(page: Page) {
  return page.locator('[data-vouch-campaign]').evaluate((host) => {
    const out: Record<string, number[]> = {};
    host.shadowRoot!.querySelectorAll('[id]').forEach((el) => {
      const r = el.getBoundingClientRect();
      out[el.id] = [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10);
    });
    return out;
  });
}

// FIXME (issue 19, open): the first-paint copy (server/src/pages/prerender.rs) still draws the old
// receipt field; the live form now shows the lazy chunk's placeholder, then the new picker.
test.fixme('the hosted page shows its form before the wasm arrives; the widget takes it over in place', async ({ page }) => {
  const wasm = await holdWasm(page);
  const shifts = await watchShifts(page);
  const gets = campaignGets(page, 'demo');
  await page.goto(`${bff()}/c/demo`);
  await expect(page.locator('label[for="first_name"]')).toHaveText('First name');
  await expect(page.locator('#first_name')).toBeVisible();
  await expect(page.locator('#receipt')).toBeVisible();
  await expect(page.locator('button.submit')).toHaveText('Enter the draw');
  await expect.poll(wasm.asked).toBeGreaterThan(0);
  // Still waiting for the wasm: what shows is the server's markup, and it takes no input.
  expect(await page.locator('#first_name').evaluate((el) => el.closest('[inert]') !== null)).toBe(true);
  await page.locator('#first_name').click({ force: true });
  await page.keyboard.type('early');
  await expect(page.locator('#first_name')).toHaveValue('');
  const before = await boxes(page);
  expect(Object.keys(before)).toEqual(expect.arrayContaining(['vouch-title', 'first_name', 'email', 'receipt', 'terms']));

  wasm.release();
  await expect(page.locator(live)).toBeVisible({ timeout: 20_000 });
  expect(await boxes(page), 'every field where it was drawn').toEqual(before);
  await page.waitForTimeout(300);
  expect(await shifts(), 'layout shifts while the page loaded').toEqual([]);
  await page.fill('#first_name', 'Zoë');
  await expect(page.locator('#first_name')).toHaveValue('Zoë');
  await page.fill('#email', 'zoe@');
  await page.press('#email', 'Tab');
  await expect(page.locator('#email-error')).not.toBeEmpty();
  expect(gets.map((r) => r.url()), 'the page carried the config: no request for it').toEqual([]);
});

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
