// The operator console at /admin (issue 16) against the real admin API: the page boots under its
// strict CSP, the login form works by keyboard, and an owner (made with `vouch operators add`)
// finds an entry, moderates by keyboard, draws, redrives a dead message, exports CSV and logs out
// without leaving anything private behind the back button; a viewer gets no write buttons.
import { test, expect, Page } from '@playwright/test';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bff } from './helpers';
import { addOperator, enter, entryStatus, logIn, processed, receiptJpeg } from './console_helpers';

const CAMPAIGN = 'e2e-console';
const run = Date.now();

const console_ = () => `${bff()}/admin`;

/** Fails the test on a CSP violation or a script error: the console must run under its policy. */
function watchForErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

test('the console boots under its CSP and shows the login form', async ({ page }) => {
  const errors = watchForErrors(page);
  const res = await page.goto(console_());
  expect(res?.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(res?.headers()['cache-control']).toBe('no-store');
  await expect(page.getByRole('heading', { name: 'Vouch console' })).toBeVisible();
  await expect(page.getByLabel('E-mail')).toBeVisible();
  await expect(page.getByLabel('Password')).toBeVisible();
  // The wasm ran (the form is rendered by it) without the policy blocking anything.
  expect(errors).toEqual([]);
});

test('a deep link shows the login form too, and nothing of the page behind it', async ({ page }) => {
  await page.goto(`${console_()}/c/demo/entries`);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Entries' })).toHaveCount(0);
});

test('the login form works with the keyboard alone', async ({ page }) => {
  await page.goto(console_());
  const email = page.getByLabel('E-mail');
  await expect(email).toBeFocused();
  await page.keyboard.type('nobody@example.com');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type('not-the-password');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Log in' })).toBeFocused();
  // Enter submits; whatever the server says is read out (role=alert) next to the form.
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByRole('alert')).not.toBeEmpty();
  // Focus is visible: the focused control has an outline.
  await email.focus();
  const outline = await email.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
});

test('bad credentials get one clear answer, for an unknown e-mail and a wrong password alike', async ({ page }) => {
  addOperator(`known.${run}@example.com`, 'viewer', ['demo']);
  for (const email of ['nobody@example.com', `known.${run}@example.com`]) {
    await page.goto(console_());
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('wrong password, long enough');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The e-mail or the password is wrong.');
  }
});

test.describe('logged in', () => {
  test.describe.configure({ mode: 'serial' });
  const owner = `owner.${run}@example.com`;
  const viewer = `viewer.${run}@example.com`;
  test.beforeAll(() => {
    addOperator(owner, 'owner');
    addOperator(viewer, 'viewer', ['e2e-console', 'e2e-review']);
  });

  test('find an entry by e-mail, open it with its receipt, export the filter as CSV', async ({ page }) => {
    const errors = watchForErrors(page);
    await page.goto(console_());
    const ada = { first: 'Ada', last: 'Lovelace', email: `ada.${run}@example.com` };
    const { entry_id } = await enter(CAMPAIGN, ada, await receiptJpeg(page, 'KAFFEEHAUS', '22.47'));
    await enter(CAMPAIGN, { first: 'Alan', last: 'Turing', email: `alan.${run}@example.com` },
      await receiptJpeg(page, 'BÄCKEREI', '9.10'));
    expect(await processed(CAMPAIGN, entry_id)).toBe('confirmed');

    await logIn(page, owner, `/c/${CAMPAIGN}/entries`);
    await expect(page.getByRole('heading', { name: 'Entries' })).toBeVisible();
    await page.getByLabel('E-mail or name').fill(ada.email);
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('table.grid tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(ada.email);
    await expect(rows.first()).toContainText('Ada Lovelace');

    // The CSV of the current filter: the header and exactly this entry.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(entry_id);
    expect(csv[1]).toContain(ada.email);

    await page.getByRole('link', { name: entry_id }).click();
    await expect(page.getByRole('heading', { name: `Entry ${entry_id}` })).toBeVisible();
    await expect(page.getByText(ada.email)).toBeVisible();
    const thumb = page.getByRole('img', { name: 'Receipt (thumbnail)' });
    await expect(thumb).toBeVisible();
    // The signed link loaded: the browser decoded a real image (a thumbnail, 320 px at most).
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(320);
    const full = page.getByRole('link', { name: /Full image/ });
    expect((await page.request.get((await full.getAttribute('href'))!)).status()).toBe(200);
    expect(errors).toEqual([]);
  });

  test('moderate receipts with the keyboard: a approves, r 2 rejects as wrong store', async ({ page }) => {
    await page.goto(console_());
    const first = { first: 'Mia', last: 'Keller', email: `mia.${run}@example.com` };
    const second = { first: 'Noah', last: 'Berg', email: `noah.${run}@example.com` };
    const a = await enter('e2e-review', first, await receiptJpeg(page, 'GREENGROCER', '12.30'));
    const b = await enter('e2e-review', second, await receiptJpeg(page, 'PETROL STATION', '61.05'));
    expect(await processed('e2e-review', a.entry_id)).toBe('pending_review');
    expect(await processed('e2e-review', b.entry_id)).toBe('pending_review');

    await logIn(page, owner, '/c/e2e-review/moderation');
    const review = page.getByRole('region', { name: 'Receipt under review' });
    await expect(review).toContainText(first.email);
    const receipt = review.getByRole('img', { name: 'Receipt under review' });
    await expect.poll(() => receipt.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(300);
    await page.keyboard.press('a');
    await expect(page.getByText(`Entry ${a.entry_id} approved.`)).toBeVisible();
    // The next one is there at once.
    await expect(review).toContainText(second.email);
    await page.keyboard.press('r');
    await expect(page.getByRole('button', { name: '2 Wrong store' })).toBeVisible();
    await page.keyboard.press('2');
    await expect(page.getByText(`Entry ${b.entry_id} rejected (wrong store).`)).toBeVisible();
    await expect(page.getByText('Nothing waits for review.')).toBeVisible();
    expect(await entryStatus('e2e-review', a.entry_id)).toBe('approved');
    expect(await entryStatus('e2e-review', b.entry_id)).toBe('rejected');
  });

  test('run a draw and verify it', async ({ page }) => {
    await page.goto(console_());
    const people = ['Lena', 'Omar', 'Ida'].map((first) => ({ first, last: 'Draw', email: `${first.toLowerCase()}.draw.${run}@example.com` }));
    for (const [i, who] of people.entries()) {
      const { entry_id } = await enter(CAMPAIGN, who, await receiptJpeg(page, `SHOP ${i + 1}`, `${10 + i}.00`));
      await processed(CAMPAIGN, entry_id);
    }
    await logIn(page, owner, `/c/${CAMPAIGN}/draw`);
    await page.getByLabel('Winners').fill('1');
    await page.getByLabel('Alternates').fill('1');
    await page.getByLabel(/^Beacon/).fill('drand round 4242: 5f2c9a7e1b3d');
    // The campaign is still open: without force the server refuses, as `vouch draw` does.
    await page.getByRole('button', { name: 'Run draw' }).click();
    await expect(page.locator('.notice.error')).toContainText(/open|closes/i);
    await page.getByLabel('Draw although the campaign is still open').check();
    await page.getByRole('button', { name: 'Run draw' }).click();
    await expect(page.getByText(/Draw .* done: 1 winners\./)).toBeVisible();
    const draw = page.locator('section.card').first();
    await expect(draw).toContainText('drand round 4242: 5f2c9a7e1b3d');
    await expect(draw.locator('tbody tr')).toHaveCount(1);
    await expect(draw.locator('tbody tr')).toContainText(/winner, (mailed|not mailed yet)/);
    await draw.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByText(/verified: the winners follow from its inputs/)).toBeVisible();
  });

  test('redrive a dead message', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto(console_());
    await logIn(page, owner, '/queues');
    const entriesRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'entries' }) });
    // Held in the queue while its upload is broken, so the worker cannot win the race.
    await entriesRow.getByRole('button', { name: 'Pause' }).click();
    await expect(entriesRow).toContainText('paused');
    const who = { first: 'Dora', last: 'Dead', email: `dora.${run}@example.com` };
    const { entry_id } = await enter(CAMPAIGN, who, await receiptJpeg(page, 'LOST & FOUND', '3.33'));
    const broken = breakUploads(CAMPAIGN);
    await entriesRow.getByRole('button', { name: 'Resume' }).click();
    await expect(entriesRow).toContainText('running');
    // Five attempts with a doubling backoff from one second.
    await expect.poll(async () => {
      await page.reload();
      return (await entriesRow.locator('td').nth(2).textContent())?.trim();
    }, { timeout: 60_000, intervals: [2_000] }).toBe('1');
    await entriesRow.getByRole('button', { name: 'Dead letters' }).click();
    const dead = page.locator('section[aria-labelledby="h-dead"] tbody tr');
    await expect(dead).toHaveCount(1);
    await expect(dead).toContainText(CAMPAIGN);
    await expect(dead).toContainText('object store');
    await expect(page.locator('section[aria-labelledby="h-dead"]')).not.toContainText(who.email);
    repair(broken);
    await dead.getByRole('button', { name: 'Redrive' }).click();
    await expect(page.getByText('Redriven: 1 message(s) back in the queue.')).toBeVisible();
    await expect(page.getByText('No dead letters.')).toBeVisible();
    expect(await processed(CAMPAIGN, entry_id)).toBe('confirmed');
  });

  test('the embed page shows the snippet and the campaign live in a frame', async ({ page }) => {
    await logIn(page, owner, `/c/${CAMPAIGN}/embed`);
    await expect(page.getByLabel("Paste this into the merchant's page")).toHaveValue(/data-vouch-campaign="e2e-console"/);
    // The hosted page lets the BFF's own pages frame it as a preview: the widget runs inside.
    const preview = page.frameLocator('iframe.preview');
    await expect(preview.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  });

  test('a viewer sees no write buttons', async ({ page }) => {
    await logIn(page, viewer, '/c/e2e-review/moderation');
    await expect(page.getByText('Read only: your role cannot decide.')).toBeVisible();
    await expect(page.getByRole('button', { name: /Approve/ })).toHaveCount(0);
    await page.getByRole('link', { name: 'Draw', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Draws' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Run draw' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Forfeit' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Queues' })).toHaveCount(0);
  });

  test('after logout the back button shows nothing private', async ({ page }) => {
    await logIn(page, owner, `/c/${CAMPAIGN}/entries`);
    await expect(page.locator('table.grid tbody tr').first()).toBeVisible();
    const shown = await page.locator('table.grid tbody').textContent();
    expect(shown).toContain('@example.com');
    // Pages visited in the console are entries in the browser's history.
    await page.getByRole('link', { name: 'Draw', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Draws' })).toBeVisible();
    await page.getByRole('link', { name: 'Entries', exact: true }).click();
    await expect(page.locator('table.grid tbody tr').first()).toBeVisible();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    await page.goBack();
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
    await expect(page.getByRole('table')).toHaveCount(0);
    expect(await page.content()).not.toContain('@example.com');
    // And the API says the session is over, not only the page.
    expect((await page.request.get(`${bff()}/admin/v1/session`)).status()).toBe(401);
  });
});

/** Turns each pending upload of `campaign` into a folder, so the worker cannot read it. */
function breakUploads(campaign: string): [string, Buffer][] {
  const dir = join(process.env.VOUCH_DATA_DIR!, 'objects', 'receipts', 'uploads', campaign);
  const saved: [string, Buffer][] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    saved.push([path, readFileSync(path)]);
    rmSync(path);
    mkdirSync(path);
  }
  expect(saved.length).toBeGreaterThan(0);
  return saved;
}

function repair(saved: [string, Buffer][]) {
  for (const [path, bytes] of saved) {
    rmSync(path, { recursive: true });
    writeFileSync(path, bytes);
  }
}
