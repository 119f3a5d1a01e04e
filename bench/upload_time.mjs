// Time from choosing a phone photo to "uploaded", over an emulated mobile uplink (Chromium's
// network emulation: UP_KBPS up, RTT_MS round trip), for each page given.
// Usage: node upload_time.mjs PHOTO RUNS NAME=URL… → one JSON object per run on stdout:
// {"name", "ms", "bytes"} with the size of the file sent, as its upload grant asked for it.
// Each page exposes one <input type=file> to choose with and shows an element matching its
// DONE selector once the store has the file; "raw" pages are the Vouch widget with
// OffscreenCanvas taken away, the path a browser without it takes (the photo goes as chosen).
import { launch } from './chromium.mjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const UP_KBPS = 1600;
const RTT_MS = 150;
const [photo, runs, ...pages] = process.argv.slice(2);
const browser = await launch();
if (!existsSync(photo)) writeFileSync(photo, await phonePhoto());
const buffer = readFileSync(photo);
console.error(`photo: ${buffer.length} bytes`);

/** A 12 MP (4032×3024) photo of a receipt on a wooden table, as a phone stores it: real text,
 * soft light, grain over everything (what makes a camera's JPEG 4–8 MB), JPEG quality 0.92. */
async function phonePhoto() {
  const page = await browser.newPage();
  const b64 = await page.evaluate(async () => {
    const [w, h] = [4032, 3024];
    const c = new OffscreenCanvas(w, h);
    const ctx = c.getContext('2d');
    const wood = ctx.createLinearGradient(0, 0, w, h);
    wood.addColorStop(0, '#8a6240'); wood.addColorStop(0.5, '#a57a52'); wood.addColorStop(1, '#6f4c30');
    ctx.fillStyle = wood; ctx.fillRect(0, 0, w, h);
    for (let y = 0; y < h; y += 9) { ctx.fillStyle = `rgba(60,35,15,${0.05 + 0.1 * Math.abs(Math.sin(y / 37))})`; ctx.fillRect(0, y, w, 3); }
    ctx.save();
    ctx.translate(w / 2, h / 2); ctx.rotate(-0.06);
    ctx.shadowColor = 'rgba(0,0,0,.45)'; ctx.shadowBlur = 60; ctx.fillStyle = '#f4f1ea'; ctx.fillRect(-800, -1400, 1600, 2800);
    ctx.shadowBlur = 0; ctx.fillStyle = '#222'; ctx.font = 'bold 96px monospace'; ctx.fillText('CORNER GROCER', -560, -1200);
    ctx.font = '54px monospace';
    for (let i = 0; i < 34; i++) {
      const item = ['MILK 1L', 'BREAD RYE', 'APPLES 1KG', 'COFFEE 500G', 'EGGS x10', 'BUTTER'][i % 6];
      ctx.fillText(`${item.padEnd(22, '.')}${(1.19 + i * 0.73).toFixed(2).padStart(7)}`, -700, -1050 + i * 68);
    }
    ctx.font = 'bold 72px monospace'; ctx.fillText('TOTAL        87.45', -700, 1320);
    ctx.restore();
    const light = ctx.createRadialGradient(w * 0.3, h * 0.2, 100, w * 0.5, h * 0.5, w * 0.8);
    light.addColorStop(0, 'rgba(255,250,235,.18)'); light.addColorStop(1, 'rgba(0,0,0,.25)');
    ctx.fillStyle = light; ctx.fillRect(0, 0, w, h);
    const img = ctx.getImageData(0, 0, w, h);
    let seed = 12345;
    for (let i = 0; i < img.data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const n = ((seed >>> 16) % 29) - 14;
      img.data[i] += n; img.data[i + 1] += n; img.data[i + 2] += n;
    }
    ctx.putImageData(img, 0, 0);
    const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  await page.close();
  return Buffer.from(b64, 'base64');
}

const kinds = {
  vouch: { input: '#receipt', done: '.upload-status .done' },
  raw: { input: '#receipt', done: '.upload-status .done', init: 'delete globalThis.OffscreenCanvas;' },
  uppy: { input: '#pick', done: '#done' },
};

for (let i = 0; i < Number(runs); i++) {
  for (const spec of pages) {
    const [name, url] = spec.split(/=(.*)/s);
    const kind = kinds[name.split(':')[0]];
    const context = await browser.newContext({ viewport: { width: 412, height: 915 } });
    const page = await context.newPage();
    if (kind.init) await page.addInitScript(kind.init);
    page.on('pageerror', (e) => console.error(`${name}: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`${name}: ${m.text()}`));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector(kind.input, { state: 'attached', timeout: 60_000 });
    let bytes = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/uploads')) bytes = JSON.parse(r.postData()).size;
    });
    // Throttled only once the page is ready: the upload is measured, not the page load.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: RTT_MS, uploadThroughput: (UP_KBPS * 1000) / 8, downloadThroughput: (10_000 * 1000) / 8,
    });
    const started = Date.now();
    // By path: the browser reads the file itself, as from a phone's gallery (a buffer would first
    // cross the DevTools protocol as base64, inside the timing).
    await page.setInputFiles(kind.input, photo);
    await page.waitForSelector(kind.done, { timeout: 120_000 });
    console.log(JSON.stringify({ name, ms: Date.now() - started, bytes }));
    await context.close();
  }
}
await browser.close();
