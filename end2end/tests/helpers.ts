import { Page, expect } from '@playwright/test';
import { PHONE } from './personal';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '../..');
export const bff = () => `http://127.0.0.1:${process.env.VOUCH_PORT}`;

/** A real JPEG made by the browser's canvas: noisy, so it is large enough to show upload progress. */
export async function makeJpeg(page: Page, side = 1200): Promise<Buffer> {
  const dataUrl = await page.evaluate((side) => {
    const c = document.createElement('canvas');
    c.width = side; c.height = side;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(side, side);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 2654435761) % 251;
    ctx.putImageData(img, 0, 0);
    return c.toDataURL('image/jpeg', 0.95);
  }, side);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

/** The form once the widget runs it (the hosted page draws an inert copy before). */
export const liveForm = '.vouch:not([inert]) #first_name';

/** Fills every text field and the terms box with valid values. */
export async function fillForm(page: Page, email: string) {
  await expect(page.locator(liveForm)).toBeVisible({ timeout: 20_000 });
  await page.fill('#first_name', 'Zoë');
  await page.fill('#last_name', "O'Brien");
  await page.fill('#email', email);
  if (await page.locator('#phone').count()) await page.fill('#phone', PHONE);
  await page.fill('#postal_code', '10115');
  await page.check('#terms');
}

export async function uploadReceipt(page: Page, jpeg: Buffer) {
  await page.setInputFiles('#receipt', { name: 'receipt.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await expect(page.locator('.upload-status .done')).toContainText('Uploaded', { timeout: 20_000 });
}

/** Runs the `vouch` CLI against the test server's data folder. */
export function cli(args: string[]): string {
  const bin = process.env.VOUCH_BIN ?? join(root, 'target/debug/vouch');
  return execFileSync(bin, args, { cwd: root, env: process.env }).toString().trim();
}

type Entry = { entry_id: string; email: string; status: string; receipt_key: string | null };

/** The operator's view: entries as `vouch entries export` prints them. */
export function exportedEntries(campaign = 'demo'): Entry[] {
  return JSON.parse(cli(['entries', 'export', '--campaign', campaign, '--format', 'json']));
}
