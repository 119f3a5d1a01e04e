// The receipt picker and what it uploads: a large phone photo is downscaled upright (its EXIF
// orientation applied) before it leaves the browser, a small one goes as chosen, a drop works, a
// second photo replaces the first, and the menu works from the keyboard. What was uploaded is
// read from the object store's file, under the key of the grant the widget asked for.
import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportedEntries, fillForm, makeJpeg } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#first_name')).toBeVisible({ timeout: 20_000 });
});

/** A landscape photo as a phone camera stores it, `width`×`height` pixels, with EXIF orientation
 * 6 ("rotate 90° clockwise to show"): red on top and blue below, with noise like a photo's.
 * Shown upright it is portrait, red on the right. */
async function sidewaysPhoto(page: Page, width: number, height: number): Promise<Buffer> {
  const dataUrl = await page.evaluate(([w, h]) => {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    const ctx = c.getContext('2d')!;
    const img = ctx.createImageData(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4, n = ((x * 7919 + y * 104729) % 41) - 20;
        const red = y < h / 2;
        img.data[i] = (red ? 220 : 30) + n; img.data[i + 1] = 40 + n; img.data[i + 2] = (red ? 30 : 220) + n; img.data[i + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    return c.toDataURL('image/jpeg', 0.92);
  }, [width, height]);
  const jpeg = Buffer.from(dataUrl.split(',')[1], 'base64');
  // APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112, SHORT) = 6.
  const tiff = Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, payload.length + 2]), payload]);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]);
}

/** Width and height from a JPEG's frame header, as stored (before any EXIF orientation). */
function jpegSize(jpeg: Buffer): [number, number] {
  let i = 2;
  while (i < jpeg.length) {
    const marker = jpeg[i + 1];
    const length = jpeg.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return [jpeg.readUInt16BE(i + 7), jpeg.readUInt16BE(i + 5)];
    i += 2 + length;
  }
  throw new Error('no frame header');
}

/** The next upload grant: what the widget asked for (type and size of the file it will send)
 * and the object key the store keeps it under. */
function nextGrant(page: Page): Promise<{ type: string; size: number; key: string }> {
  return page.waitForResponse((r) => r.url().endsWith('/v1/campaigns/demo/uploads') && r.request().method() === 'POST')
    .then(async (r) => {
      const asked = JSON.parse(r.request().postData()!);
      return { type: asked.content_type, size: asked.size, key: (await r.json()).fields.key };
    });
}

/** The store's copy of an upload, as the worker will read it. */
const stored = (key: string) => readFileSync(join(process.env.VOUCH_DATA_DIR!, 'objects', 'receipts', key));

/** Red, green and blue of one pixel of `jpeg` as the browser shows it, at a fraction of its size. */
async function pixel(page: Page, jpeg: Buffer, fx: number, fy: number): Promise<number[]> {
  return page.evaluate(async ([b64, fx, fy]) => {
    const blob = await (await fetch(`data:image/jpeg;base64,${b64}`)).blob();
    const bitmap = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    return Array.from(ctx.getImageData(Math.floor(bitmap.width * fx), Math.floor(bitmap.height * fy), 1, 1).data.slice(0, 3));
  }, [jpeg.toString('base64'), fx, fy] as const);
}

test('a large sideways phone photo is uploaded downscaled and upright, and the entry goes through', async ({ page }) => {
  const photo = await sidewaysPhoto(page, 4000, 3000);
  const email = `photo.${Date.now()}@example.com`;
  await fillForm(page, email);
  const grant = nextGrant(page);
  await page.setInputFiles('#receipt', { name: 'IMG_0042.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(page.locator('img.preview')).toBeVisible();
  await expect(page.locator('.upload-status .done')).toContainText('IMG_0042.jpg', { timeout: 30_000 });

  // The grant was for the smaller file, and the store holds it: portrait at the campaign's
  // 2560 px edge, no orientation tag left to apply, and red on the right as the phone showed it.
  const asked = await grant;
  const sent = stored(asked.key);
  expect(asked).toMatchObject({ type: 'image/jpeg', size: sent.length });
  expect(sent.length).toBeLessThan(photo.length / 2);
  expect(jpegSize(photo)).toEqual([4000, 3000]);
  expect(jpegSize(sent)).toEqual([1920, 2560]);
  expect(sent.includes(Buffer.from('Exif\0\0', 'binary'))).toBe(false);
  const [right, left] = [await pixel(page, sent, 0.9, 0.5), await pixel(page, sent, 0.1, 0.5)];
  expect(right[0]).toBeGreaterThan(150);
  expect(right[2]).toBeLessThan(100);
  expect(left[2]).toBeGreaterThan(150);

  await page.click('button.submit');
  await expect(page.locator('[data-state="confirmed"]')).toContainText('Entry confirmed', { timeout: 30_000 });
  const mine = exportedEntries().filter((e) => e.email === email);
  expect(mine.map((e) => e.status)).toEqual(['confirmed']);
});

test('a small photo is uploaded exactly as chosen', async ({ page }) => {
  const photo = await makeJpeg(page, 500);
  expect(photo.length).toBeLessThan(1024 * 1024);
  const grant = nextGrant(page);
  await page.setInputFiles('#receipt', { name: 'small.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(page.locator('.upload-status .done')).toContainText('small.jpg', { timeout: 30_000 });
  const asked = await grant;
  expect(asked).toMatchObject({ type: 'image/jpeg', size: photo.length });
  expect(stored(asked.key).equals(photo)).toBe(true);
});

test('a photo dropped on the picker is previewed and uploaded', async ({ page }) => {
  const photo = await makeJpeg(page, 300);
  // The loaded picker's drop zone, not its placeholder's (inert, with nothing to take the file).
  const drop = page.locator('.receipt:not([aria-busy]) .drop');
  await expect(drop).toContainText('or drop it here');
  const transfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
    return dt;
  }, photo.toString('base64'));
  await drop.dispatchEvent('dragover', { dataTransfer: transfer });
  await drop.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.locator('img.preview')).toBeVisible();
  await expect(page.locator('.upload-status .done')).toContainText('dropped.jpg', { timeout: 30_000 });
});

test('the menu offers the camera or a file, works from the keyboard, and "change photo" replaces the photo', async ({ page }) => {
  const summary = page.locator('.receipt summary');
  await expect(summary.locator('.add')).toHaveText('Add a photo');
  await expect(summary.locator('.change')).toBeHidden();
  // The camera is a choice, not forced: its input asks for the rear camera, the file input does not.
  await expect(page.locator('#receipt-camera')).toHaveAttribute('capture', 'environment');
  await expect(page.locator('#receipt')).not.toHaveAttribute('capture');

  await summary.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Take a photo', exact: true })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Take a photo', exact: true })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Choose a file', exact: true })).toBeFocused();
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles({ name: 'first.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 240) });
  await expect(page.locator('.upload-status .done')).toContainText('first.jpg', { timeout: 30_000 });
  const first = await page.locator('img.preview').getAttribute('src');
  await expect(page.getByRole('button', { name: 'Choose a file', exact: true })).toBeHidden(); // the menu closed

  await expect(summary.locator('.change')).toHaveText('Change photo');
  await expect(summary.locator('.add')).toBeHidden();
  await summary.click();
  const again = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Choose a file', exact: true }).click();
  await (await again).setFiles({ name: 'second.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(page, 260) });
  await expect(page.locator('.upload-status .done')).toContainText('second.jpg', { timeout: 30_000 });
  await expect(page.locator('img.preview')).toHaveCount(1);
  expect(await page.locator('img.preview').getAttribute('src')).not.toBe(first);
});
