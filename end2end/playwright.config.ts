// Playwright drives Debian's Chromium against a real `vouch serve` on free loopback ports, with a
// fresh data folder per run. Ports are picked once in the main process and inherited by workers.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function freePort(): string {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return execFileSync(process.execPath, ['-e', script]).toString().trim();
}

const root = resolve(__dirname, '..');
if (!process.env.VOUCH_PORT) {
  process.env.VOUCH_PORT = freePort();
  process.env.VOUCH_DEMO_PORT = freePort();
  process.env.VOUCH_S3_PORT = freePort();
  process.env.VOUCH_METRICS_ADDR = `127.0.0.1:${freePort()}`;
  process.env.VOUCH_DATA_DIR = mkdtempSync(join(tmpdir(), 'vouch-e2e-'));
}
// The repo's campaigns plus two with a schedule (schedule.spec.ts): one long closed, one not yet
// open; and the demo campaign again with one entry per person (eligibility.spec.ts), for adults
// from two countries (entrant_conditions.spec.ts), with duplicate receipts rejected, and with
// moderation.
if (!process.env.VOUCH_CAMPAIGNS_DIR) {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-e2e-campaigns-'));
  cpSync(join(root, 'campaigns'), dir, { recursive: true });
  writeFileSync(join(dir, 'e2e-ended.toml'),
    'id = "e2e-ended"\nname = "Ended"\nopens_at = "2021-01-01T00:00:00Z"\ncloses_at = "2021-02-01T00:00:00Z"\n');
  writeFileSync(join(dir, 'e2e-soon.toml'),
    'id = "e2e-soon"\nname = "Soon"\nlocale = "de"\ntimezone = "Europe/Berlin"\n' +
    'opens_at = "2099-06-01T00:30:00+02:00"\ncloses_at = "2099-07-01T00:00:00+02:00"\n');
  const demo = readFileSync(join(root, 'campaigns/demo.toml'), 'utf8');
  const once = demo.replace('id = "demo"', 'id = "e2e-once"\nentries_per_person = 1')
    .replace(/page_ids = \[[^\]]*\]/, 'page_ids = []'); // the Facebook page stays the demo's
  writeFileSync(join(dir, 'e2e-once.toml'), once);
  const adults = demo.replace('id = "demo"', 'id = "e2e-adults"')
    .replace('[form]\n', '[form]\nmin_age = 18\ncountries = ["DE", "AT"]\n')
    .replace(/page_ids = \[[^\]]*\]/, 'page_ids = []');
  writeFileSync(join(dir, 'e2e-adults.toml'), adults);
  // The demo again: rejecting duplicate receipts (duplicates.spec.ts), and with every entry
  // waiting for a person (review.spec.ts).
  const variant = (id: string, settings: string) => demo.replace('id = "demo"', `id = "${id}"\n${settings}`)
    .replace(/page_ids = \[[^\]]*\]/, 'page_ids = []');
  writeFileSync(join(dir, 'e2e-dup.toml'), variant('e2e-dup', 'duplicates = "reject"'));
  writeFileSync(join(dir, 'e2e-review.toml'), variant('e2e-review', 'moderation = "all"'));
  // And with a pool of entry codes (codes.spec.ts), filled by the test itself.
  writeFileSync(join(dir, 'e2e-codes.toml'), `${variant('e2e-codes', '')}\n[codes.entry]\nlow_water = 1\n`);
  // The console's own campaign (console.spec.ts): its entries, draws and dead letters are the
  // test's alone.
  writeFileSync(join(dir, 'e2e-console.toml'), variant('e2e-console', ''));
  // The Stats page's (stats.spec.ts): its counts are the test's alone.
  writeFileSync(join(dir, 'e2e-stats.toml'), variant('e2e-stats', ''));
  process.env.VOUCH_CAMPAIGNS_DIR = dir;
}
// The Facebook tab test signs its requests with this app secret.
process.env.VOUCH_FACEBOOK_APP_SECRET ||= 'e2e-facebook-app-secret';
const bin = process.env.VOUCH_BIN ?? join(root, 'target/debug/vouch');

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    baseURL: `http://127.0.0.1:${process.env.VOUCH_DEMO_PORT}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
  },
  // The server's log goes to the data folder, at `info`, and is searched for personal data after
  // the run (logs.teardown.ts).
  globalTeardown: './logs.teardown.ts',
  webServer: {
    command: `exec "${bin}" serve >>"${process.env.VOUCH_DATA_DIR}/server.log" 2>&1`,
    cwd: root,
    url: `http://127.0.0.1:${process.env.VOUCH_PORT}/healthz`,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: { ...process.env, RUST_LOG: 'info' } as Record<string, string>,
  },
});
