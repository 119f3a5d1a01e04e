// The console's Stats page (issue 17) against the real admin API and store: entries sent through
// the public API with receipts drawn by the browser are counted by the worker's events lane, and
// the page draws exactly those numbers, with the rate between steps, as labelled SVG bars.
import { test, expect } from '@playwright/test';
import { bff } from './helpers';
import { addOperator, enter, logIn, processed, receiptJpeg } from './console_helpers';

const CAMPAIGN = 'e2e-stats';
const run = Date.now();

test('the stats page shows the entries the store counted, with their rates', async ({ page }) => {
  const owner = `stats.${run}@example.com`;
  addOperator(owner, 'owner');
  await page.goto(`${bff()}/admin`);
  const ids = [];
  for (const [first, shop, total] of [['Ada', 'KAFFEEHAUS', '22.47'], ['Alan', 'BÄCKEREI', '9.10']]) {
    const who = { first, last: 'Stats', email: `${first.toLowerCase()}.${run}@example.com` };
    ids.push((await enter(CAMPAIGN, who, await receiptJpeg(page, shop, total))).entry_id);
  }
  for (const id of ids) expect(await processed(CAMPAIGN, id)).toBe('confirmed');

  await logIn(page, owner, `/c/${CAMPAIGN}/stats`);
  await expect(page.getByRole('heading', { name: 'Stats' })).toBeVisible();
  const giveaway = page.locator('figure.chart', { hasText: 'Giveaway funnel' });
  const bar = (name: string) => giveaway.locator(`g.bar[data-label="${name}"]`);
  // The events lane counts after the entries are decided: reload until it has.
  await expect(async () => {
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(bar('entry_confirmed').locator('text.n')).toHaveText('2', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(bar('entry_accepted').locator('text.n')).toHaveText('2');
  // No page events were sent: the form's steps are zero, and a rate after zero is a dash.
  await expect(bar('impression').locator('text.n')).toHaveText('0');
  await expect(bar('entry_accepted').locator('text.note')).toHaveText('– events');
  await expect(bar('entry_confirmed').locator('text.note')).toHaveText('100.0% events');
  // The chart says the same in words, for screen readers.
  await expect(giveaway.locator('svg')).toHaveAttribute('aria-label', /entry_accepted 2 – events; entry_confirmed 2 100\.0% events/);
  await expect(page.getByText('None in these days.')).toBeVisible();
  // Every channel is listed, zeros included.
  await expect(page.locator('figure.chart', { hasText: 'Shares by channel' }).locator('g.bar')).toHaveCount(8);
  // Today's row of the daily numbers, 30 days listed.
  const rows = page.locator('table.daily tbody tr');
  await expect(rows).toHaveCount(30);
  const today = new Date().toISOString().slice(0, 10);
  await page.getByText('Daily numbers').click();
  const cells = rows.filter({ hasText: today }).locator('td');
  // Columns in EventKind order: entry_accepted is the 9th event, entry_confirmed the 10th.
  await expect(cells.nth(8)).toHaveText('2');
  await expect(cells.nth(9)).toHaveText('2');

  // A range the server refuses is explained, naming the date at fault.
  await page.locator('#s-from').fill('2026-12-31');
  await page.locator('#s-to').fill('2026-01-01'); // by id: a chart's label also says "to"
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('alert')).toContainText('from must not be after to');
});
