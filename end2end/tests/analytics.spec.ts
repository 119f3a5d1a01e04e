import { test, expect, BrowserContext, Page } from '@playwright/test';
import { cli, fillForm, makeJpeg, uploadReceipt } from './helpers';

/** One funnel event as the beacon sends it. */
type Sent = { type: string; channel?: string; at: number };
type Batch = { campaign: string; batch: string; session: string; events: Sent[] };

/**
 * Every beacon the browser sends to `POST /v1/events`, collected in one place: the requests as
 * they left the page and the answers they got (and whether any answer set a cookie). Later checks
 * (the stats the worker counted) can compare against `counts()`.
 */
class Beacons {
  batches: Batch[] = [];
  answers: number[] = [];
  setCookie = false;

  watch(context: BrowserContext) {
    context.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/v1/events') {
        this.batches.push(JSON.parse(req.postDataBuffer()!.toString('utf8')));
      }
    });
    context.on('response', async (res) => {
      if (new URL(res.url()).pathname === '/v1/events') {
        this.answers.push(res.status());
        this.setCookie ||= (await res.allHeaders())['set-cookie'] !== undefined;
      }
    });
    return this;
  }

  events(): Sent[] {
    return this.batches.flatMap((b) => b.events);
  }

  /** `type` or `type:channel` → how many were sent. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.events()) {
      const key = e.channel ? `${e.type}:${e.channel}` : e.type;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }
}

/**
 * The tab goes to the background (as when the shopper switches tabs): the page sends what it
 * holds. Headless Chromium never hides a tab, so the page is told so; Playwright does not see
 * the beacons a page sends while it unloads (`pagehide`), which the test below counts on the
 * server instead. Waits until every beacon sent so far is answered.
 */
async function hide(page: Page, beacons: Beacons) {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.waitForTimeout(500);
  await expect.poll(() => beacons.answers.length === beacons.batches.length, { timeout: 10_000 }).toBeTruthy();
  await page.goto('about:blank');
}

/** Batches the server queued so far (its internal metrics). */
async function acceptedBatches(): Promise<number> {
  const text = await (await fetch(`http://${process.env.VOUCH_METRICS_ADDR}/metrics`)).text();
  return Number(text.match(/^vouch_event_batches_accepted_total (\d+)$/m)![1]);
}

/** What `vouch stats` counted for the demo campaign: events of each kind, shares by channel. */
function counted(): Record<string, number> {
  const stats = JSON.parse(cli(['stats', '--campaign', 'demo', '--format', 'json']));
  const out: Record<string, number> = {};
  for (const day of stats.daily) {
    for (const [kind, n] of Object.entries(day.counts as Record<string, number>)) out[kind] = (out[kind] ?? 0) + n;
  }
  delete out.share; // by channel below, as the beacons are counted
  for (const c of stats.shares) out[`share:${c.channel}`] = c.shares;
  return out;
}

/** The counts that grew from `before` to `after`, by how much. */
function grown(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)]).filter(([, n]) => n !== 0));
}

test('the funnel of a shopper, a referrer and a friend is sent in a few batches, exactly once each', async ({ browser }) => {
  const before = counted();
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const beacons = new Beacons().watch(context);
  const page = await context.newPage();

  // The giveaway: seen, started, a receipt uploaded, sent.
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await page.focus('#first_name');
  await fillForm(page, `funnel.${Date.now()}@example.com`);
  await uploadReceipt(page, await makeJpeg(page, 400));
  await page.click('button.submit');
  await expect(page.locator('[data-state="confirmed"], [data-state="accepted"]')).toBeVisible({ timeout: 30_000 });
  await hide(page, beacons);

  // The referral page: the panel, then shares by copy, WhatsApp and the QR code.
  await page.goto('/refer');
  await page.fill('#ref_first_name', 'Fay');
  await page.fill('#ref_email', `fay.${Date.now()}@example.com`);
  await page.check('#ref_terms');
  await page.click('button.submit');
  const link = page.locator('#share-link');
  await expect(link).toHaveValue(/vouch_ref=/, { timeout: 15_000 });
  const url = await link.inputValue();
  await page.click('button.copy');
  await expect(page.locator('.copied')).toHaveText('Copied!');
  const [popup] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: 'WhatsApp', exact: true }).click()]);
  await popup.close();
  await page.locator('details.qr-toggle summary').click();
  await expect(page.locator('svg.qr')).toBeVisible();
  await hide(page, beacons);

  // A friend opens the link in a browser of their own.
  const friendContext = await browser.newContext();
  beacons.watch(friendContext);
  const friend = await friendContext.newPage();
  await friend.goto(url);
  await expect(friend.locator('.friend-offer')).toBeVisible({ timeout: 15_000 });
  await hide(friend, beacons);

  expect(beacons.counts()).toEqual({
    impression: 3, // the form, the referral panel, the friend's offer
    form_start: 1,
    upload_started: 1,
    upload_done: 1,
    submit: 1,
    panel_open: 1,
    'share:copy': 1,
    'share:whatsapp': 1,
    'share:qr': 1,
    link_landing: 1,
  });
  // Batched: fewer requests than events, none over the limit, each answered 204, each id once.
  expect(beacons.batches.length).toBeLessThan(beacons.events().length);
  expect(Math.max(...beacons.batches.map((b) => b.events.length))).toBeLessThanOrEqual(50);
  expect(beacons.answers.every((s) => s === 204)).toBeTruthy();
  expect(new Set(beacons.batches.map((b) => b.batch)).size).toBe(beacons.batches.length);
  expect(beacons.batches.every((b) => b.campaign === 'demo')).toBeTruthy();
  // One session per tab, kept across the tab's pages; the friend's tab has its own.
  expect(new Set(beacons.batches.map((b) => b.session)).size).toBe(2);
  // No cookie from the beacon: the shopper's browser holds none, the friend's only the referral code.
  expect(beacons.setCookie).toBeFalsy();
  expect(await context.cookies()).toEqual([]);
  expect((await friendContext.cookies()).map((c) => c.name)).toEqual(['vouch_ref']);
  await context.close();
  await friendContext.close();
  // The stats show exactly those events, and the server's own facts: the entry accepted and
  // confirmed, the referrer's sign-up.
  const facts = { entry_accepted: 1, entry_confirmed: 1, join: 1 };
  // Page steps count sessions: the form's and the panel's impressions are one tab's, so the
  // three impressions sent are two sessions seen (the shopper's tab and the friend's).
  const pages = { ...beacons.counts(), impression: 2 };
  await expect.poll(() => grown(counted(), before), { timeout: 30_000 }).toEqual({ ...pages, ...facts });
});

test('leaving a page sends what it holds', async ({ page }) => {
  const before = await acceptedBatches();
  await page.goto('/refer');
  await expect(page.locator('#ref_email')).toBeVisible({ timeout: 20_000 });
  await page.goto('about:blank'); // pagehide, well within the 5 s timer
  await expect.poll(acceptedBatches, { timeout: 10_000 }).toBe(before + 1);
});

test('with consent required, nothing is sent until the page says yes', async ({ browser }) => {
  const context = await browser.newContext();
  const beacons = new Beacons().watch(context);
  const page = await context.newPage();
  await page.goto('/shop?consent=required&vouch_ref=ABCDEFGH');
  await expect(page.locator('[data-vouch-mounted]')).toBeAttached({ timeout: 15_000 });
  await page.waitForTimeout(6_000); // past the beacon's timer
  expect(beacons.batches).toEqual([]);
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

  // Consent releases what waited in the page.
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(() => beacons.answers.length, { timeout: 10_000 }).toBe(1);
  expect(beacons.answers).toEqual([204]);
  expect(beacons.counts().link_landing).toBe(1);
  await context.close();
});

test('with Global Privacy Control on, nothing is sent at all', async ({ browser }) => {
  const context = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  const beacons = new Beacons().watch(context);
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await page.focus('#first_name');
  await page.fill('#first_name', 'Gus');
  await page.waitForTimeout(6_000);
  await page.goto('/refer');
  await expect(page.locator('#ref_email')).toBeVisible({ timeout: 20_000 });
  await page.goto('about:blank');
  await page.waitForTimeout(1_000);
  expect(beacons.batches).toEqual([]);
  await context.close();
});
