// The README's console screenshots (`npx playwright test -c screenshots.config.ts`): not a test,
// a script run by Playwright against the same real server as the tests, with a campaign of its own
// whose near-duplicate receipts wait for a person (so the moderation shot shows both receipts).
import { defineConfig } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import base from './playwright.config';

const dir = process.env.VOUCH_CAMPAIGNS_DIR!;
const demo = readFileSync(join(__dirname, '../campaigns/demo.toml'), 'utf8');
writeFileSync(join(dir, 'coffee.toml'), demo
  .replace('id = "demo"', 'id = "coffee"\nduplicates = "review"')
  .replace(/^name = .*$/m, 'name = "Summer Coffee Giveaway"')
  .replace(/page_ids = \[[^\]]*\]/, 'page_ids = []'));

export default defineConfig({
  ...base,
  testDir: './screenshots',
  testMatch: '*.shots.ts',
  timeout: 180_000,
  use: { ...base.use, viewport: { width: 1280, height: 800 } },
});
