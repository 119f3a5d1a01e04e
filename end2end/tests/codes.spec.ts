// Fulfilment: a campaign that hands every confirmed entry a code from the merchant's pool
// (`e2e-codes`). With the pool still empty the shopper is told the code follows by e-mail; the
// operator imports codes, the waiting entry gets the first one, and the next shopper sees the
// second right on the confirmation. Codes appear in the export only when asked for.
import { test, expect } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bff, cli, fillForm, makeJpeg, uploadReceipt } from './helpers';

async function enter(page: import('@playwright/test').Page, email: string) {
  await page.goto(`${bff()}/c/e2e-codes`);
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 300));
  await page.click('button.submit');
  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
}

test('a confirmed entry shows its code, or that it follows once the pool is filled', async ({ browser }) => {
  const stamp = Date.now();
  const first = await browser.newPage();
  await enter(first, `codes.a.${stamp}@example.com`);
  await expect(first.locator('[data-code="pending"]')).toBeVisible();
  await expect(first.locator('[data-code="entry"]')).toHaveCount(0);

  const file = join(mkdtempSync(join(tmpdir(), 'vouch-codes-')), 'codes.csv');
  writeFileSync(file, `code\nSPRING-${stamp}-1\nSPRING-${stamp}-2\n`);
  const imported = cli(['codes', 'import', '--campaign', 'e2e-codes', '--pool', 'entry', file]);
  expect(imported).toContain('new 2');

  const second = await browser.newPage();
  await enter(second, `codes.b.${stamp}@example.com`);
  await expect(second.locator('[data-code="entry"]')).toContainText(`SPRING-${stamp}-2`);

  type Row = { email: string; code?: string | null };
  const exported = (extra: string[]): Row[] =>
    JSON.parse(cli(['entries', 'export', '--campaign', 'e2e-codes', '--format', 'json', ...extra]));
  const withCodes = exported(['--include-codes']);
  expect(withCodes.find((e) => e.email === `codes.a.${stamp}@example.com`)?.code).toBe(`SPRING-${stamp}-1`);
  expect(JSON.stringify(exported([]))).not.toContain('SPRING-');
});
