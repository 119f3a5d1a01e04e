// Takes docs/console-entries.png, docs/console-moderation.png and docs/console-draw.png from a real
// server with real data: entries sent through the public API, one of them a near-copy of an
// earlier receipt (waiting for review beside it), and a draw run through the console.
import { test, expect, Page } from '@playwright/test';
import { join } from 'node:path';
import { root } from '../tests/helpers';
import { addOperator, enter, logIn, processed, receiptJpeg } from '../tests/console_helpers';

const CAMPAIGN = 'coffee';
const people: [string, string][] = [
  ['Sofia', 'Martínez'], ['Jonas', 'Becker'], ['Amara', 'Okafor'], ['Lukas', 'Schmidt'], ['Chloé', 'Dubois'],
  ['Mateo', 'García'], ['Hannah', 'Weber'], ['Yuki', 'Tanaka'],
];
const shops = ['KAFFEEHAUS MITTE', 'BEAN & LEAF', 'ROASTERY 21', 'CAFÉ NORD', 'THE DAILY GRIND',
  'MOKKA BAR', 'KORNBLUME', 'CREMA & CO', 'HAFENCAFÉ', 'SCHWARZ'];

async function shot(page: Page, name: string, fullPage = false) {
  await page.screenshot({ path: join(root, 'docs', `console-${name}.png`), fullPage });
}

test('console screenshots', async ({ page }) => {
  const run = Date.now();
  const owner = `owner.${run}@northwind.example`;
  addOperator(owner, 'owner');
  await page.goto(`http://127.0.0.1:${process.env.VOUCH_PORT}/admin`);
  const ids: string[] = [];
  for (const [i, [first, last]] of people.entries()) {
    const email = `${first.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${last.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}@example.com`;
    const jpeg = await receiptJpeg(page, shops[i], `${(7.5 + i * 3.15).toFixed(2)}`);
    ids.push((await enter(CAMPAIGN, { first, last, email }, jpeg)).entry_id);
    await processed(CAMPAIGN, ids[i]);
  }
  // The first receipt again, as another shopper: a near-duplicate, waiting for a person.
  const copy = await enter(CAMPAIGN, { first: 'Max', last: 'Mustermann', email: 'max.mustermann@example.com' },
    await receiptJpeg(page, shops[0], '7.50'));
  expect(await processed(CAMPAIGN, copy.entry_id)).toBe('pending_review');

  await logIn(page, owner, `/c/${CAMPAIGN}/entries`);
  await expect(page.locator('table.grid tbody tr')).toHaveCount(people.length + 1);
  await shot(page, 'entries');

  await page.getByRole('link', { name: 'Moderation', exact: true }).click();
  const images = page.locator('section.review img.receipt');
  await expect(images).toHaveCount(2);
  for (const img of await images.all()) {
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  }
  await page.keyboard.press('r');
  await expect(page.getByRole('button', { name: /^4 Duplicate/ })).toBeVisible();
  await shot(page, 'moderation');
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'Draw', exact: true }).click();
  await page.getByLabel('Winners').fill('2');
  await page.getByLabel('Alternates').fill('2');
  await page.getByLabel(/^Beacon/).fill('8f3a1c5e9d0b7264a1e3c9f5b2d8e6a4');
  await page.getByLabel('Where the beacon comes from (optional)').fill('drand mainnet round 5120000');
  await page.getByLabel('Draw although the campaign is still open').check();
  await page.getByRole('button', { name: 'Run draw' }).click();
  await expect(page.getByText(/Draw .* done/)).toBeVisible();
  await page.locator('section.card').first().getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText(/verified/)).toBeVisible();
  // The whole page: the form, the verdict and the winners below.
  await shot(page, 'draw', true);
});
