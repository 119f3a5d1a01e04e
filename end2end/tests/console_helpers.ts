// What the console's tests and the README's screenshots set up: operators made with the real
// `vouch operators add`, entries sent through the public API with a receipt drawn by the
// browser, and a login through the console's own form.
import { Page, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { bff, root } from './helpers';
import { PHONE } from './personal';

export const PASSWORD = 'correct horse battery staple';

/** Adds an operator with the CLI (the password piped on stdin, as an operator would). */
export function addOperator(email: string, role: 'owner' | 'moderator' | 'viewer', campaigns: string[] = []) {
  const bin = process.env.VOUCH_BIN ?? join(root, 'target/debug/vouch');
  const args = ['operators', 'add', email, '--role', role];
  if (campaigns.length) args.push('--campaigns', campaigns.join(','));
  execFileSync(bin, args, { cwd: root, env: process.env, input: `${PASSWORD}\n` });
}

/** A receipt-like JPEG drawn by the browser: a shop, a few lines, a total. The shop's name
 * shapes the layout (paper width, logo, number of lines), so two shops' receipts are not
 * near-duplicates of each other, while the same shop twice is. */
export async function receiptJpeg(page: Page, shop: string, total: string): Promise<Buffer> {
  const dataUrl = await page.evaluate(([shop, total]) => {
    let seed = [...shop].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const c = document.createElement('canvas');
    c.width = 480; c.height = 720;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#8a8f98'; ctx.fillRect(0, 0, c.width, c.height);
    const paper = 300 + Math.floor(rand() * 170);
    const left = Math.floor(rand() * (480 - paper));
    ctx.fillStyle = '#fdfcf7'; ctx.fillRect(left, 0, paper, 720);
    ctx.fillStyle = `hsl(${Math.floor(rand() * 360)}, 60%, 35%)`;
    const logo = 40 + rand() * 50;
    ctx.beginPath(); ctx.arc(left + 20 + logo + rand() * (paper - 2 * logo - 40), 30 + logo, logo, 0, 2 * Math.PI); ctx.fill();
    ctx.fillStyle = '#222'; ctx.textAlign = 'center'; ctx.font = 'bold 26px monospace';
    let y = 70 + 2 * logo;
    ctx.fillText(shop, left + paper / 2, y);
    ctx.textAlign = 'left'; ctx.font = '20px monospace';
    const items = ['Coffee beans', 'Oat milk', 'Croissant', 'Chocolate', 'Espresso', 'Muffin', 'Tea', 'Bagel'];
    const lines = 2 + Math.floor(rand() * 6);
    for (let i = 0; i < lines; i++) {
      y += 36;
      ctx.fillText(items[(i + Math.floor(rand() * 8)) % 8], left + 20, y);
      ctx.fillText((1 + rand() * 9).toFixed(2), left + paper - 80, y);
    }
    y += 24; ctx.fillRect(left + 20, y, paper - 40, 3);
    y += 40; ctx.font = 'bold 26px monospace';
    ctx.fillText('TOTAL', left + 20, y); ctx.fillText(total, left + paper - 110, y);
    ctx.font = '16px monospace'; ctx.fillText('28.11.2026 14:32', left + 20, y + 50);
    for (let x = left + 20; x < left + paper - 20; x += 6) ctx.fillRect(x, y + 80, Math.floor(rand() * 4) + 1, 90);
    return c.toDataURL('image/jpeg', 0.9);
  }, [shop, total]);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

/** The hosted page's origin (the BFF's own): the public API takes writes from it for any campaign. */
const shopOrigin = bff;

export type Entrant = { first: string; last: string; email: string };

/** Uploads `jpeg` and enters `who` in `campaign` through the public API; the upload and entry ids. */
export async function enter(campaign: string, who: Entrant, jpeg: Buffer): Promise<{ upload_id: string; entry_id: string }> {
  const grantRes = await fetch(`${bff()}/v1/campaigns/${campaign}/uploads`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: shopOrigin() },
    body: JSON.stringify({ content_type: 'image/jpeg', size: jpeg.length }),
  });
  expect(grantRes.status, await grantRes.clone().text()).toBe(201);
  const grant = await grantRes.json();
  const form = new FormData();
  for (const [k, v] of Object.entries(grant.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([jpeg], { type: 'image/jpeg' }), 'receipt.jpg');
  const put = await fetch(grant.url, { method: grant.method, body: form });
  expect(put.ok, await put.clone().text()).toBe(true);
  const res = await fetch(`${bff()}/v1/campaigns/${campaign}/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `console-${who.email}`, origin: shopOrigin() },
    body: JSON.stringify({
      fields: { first_name: who.first, last_name: who.last, email: who.email, phone: PHONE, postal_code: '10115' },
      consents: { terms: true, marketing: true },
      receipt_upload_id: grant.upload_id,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return { upload_id: grant.upload_id, entry_id: (await res.json()).entry_id };
}

/** The entry's status as the shopper's page polls it. */
export async function entryStatus(campaign: string, entryId: string): Promise<string> {
  const res = await fetch(`${bff()}/v1/campaigns/${campaign}/entries/${entryId}`);
  return (await res.json()).status;
}

/** Waits until the worker has decided the entry (it is no longer `accepted`). */
export async function processed(campaign: string, entryId: string, timeout = 30_000): Promise<string> {
  let status = '';
  await expect.poll(async () => (status = await entryStatus(campaign, entryId)), { timeout }).not.toBe('accepted');
  return status;
}

/** Logs in through the console's form. */
export async function logIn(page: Page, email: string, path = '') {
  await page.goto(`${bff()}/admin${path}`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
}
