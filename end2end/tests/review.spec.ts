// Moderation: in a campaign where every entry waits for a person (`e2e-review`,
// `moderation = "all"`), the widget says the receipt is being checked until an operator approves
// it with `vouch review approve`, then shows the entry confirmed.
import { test, expect } from '@playwright/test';
import { bff, cli, exportedEntries, fillForm, makeJpeg, uploadReceipt } from './helpers';

test('an entry under review shows checking, then approved after vouch review approve', async ({ page }) => {
  const email = `review.${Date.now()}@example.com`;
  await page.goto(`${bff()}/c/e2e-review`);
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
  await fillForm(page, email);
  await uploadReceipt(page, await makeJpeg(page, 300));
  await page.click('button.submit');

  await expect(page.locator('[data-state="reviewing"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("We're checking your receipt.")).toBeVisible();

  const mine = () => exportedEntries('e2e-review').find((e) => e.email === email);
  expect(mine()?.status).toBe('pending_review');
  expect(cli(['review', 'list', '--campaign', 'e2e-review'])).toContain(mine()!.entry_id);
  expect(cli(['review', 'approve', mine()!.entry_id, '--by', 'e2e'])).toContain('approved');

  await expect(page.locator('[data-state="confirmed"]')).toBeVisible({ timeout: 30_000 });
  expect(mine()?.status).toBe('approved');
  expect(cli(['audit', 'list', '--campaign', 'e2e-review'])).toContain(`e2e  review.approve  ${mine()!.entry_id}`);
});
