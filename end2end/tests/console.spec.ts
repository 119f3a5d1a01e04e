// The operator console at /admin (issue 16). What runs today: the page boots under its strict CSP
// and the login form is usable by keyboard alone. The flows behind a session are `test.fixme`
// until the admin API routes they call are on main (each names its routes).
import { test, expect, Page } from '@playwright/test';
import { bff } from './helpers';

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

// Needs POST /admin/v1/session (401 invalid_credentials).
test.fixme('bad credentials get one clear answer, for an unknown e-mail and a wrong password alike', async ({ page }) => {
  await page.goto(console_());
  await page.getByLabel('E-mail').fill('nobody@example.com');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The e-mail or the password is wrong.');
});

// Needs `vouch operators add` and POST/GET/DELETE /admin/v1/session, GET /admin/v1/campaigns,
// GET /admin/v1/campaigns/{campaign}/entries: log in, open entries, log out, go back.
test.fixme('after logout the back button shows nothing private', async ({ page }) => {
  await page.goto(console_());
  await page.getByLabel('E-mail').fill('owner@example.com');
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Campaigns' }).click();
  await page.getByRole('link', { name: 'Demo' }).first().click();
  await expect(page.getByRole('heading', { name: 'Entries' })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
});

// Needs the entries routes: GET /admin/v1/campaigns/{campaign}/entries?q=…,
// GET …/entries/{entry_id} and GET …/entries.csv.
test.fixme('find an entry by e-mail, open it, export the filter as CSV', async () => {});

// Needs GET /admin/v1/campaigns/{campaign}/review and POST …/entries/{entry_id}/decision.
test.fixme('moderate receipts with the keyboard: a approves, r 2 rejects as wrong store', async () => {});

// Needs GET/POST /admin/v1/campaigns/{campaign}/draws and POST …/draws/{draw_id}/verify.
test.fixme('run a draw and verify it', async () => {});

// Needs GET /admin/v1/queues, GET /admin/v1/queues/{queue}/dead, POST …/dead/{id}/redrive.
test.fixme('redrive a dead message', async () => {});
