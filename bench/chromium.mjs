// The browser every page benchmark drives: Debian's Chromium, headless, with its background
// traffic (updates, sync, QUIC probes) off so that only the page under test uses the network.
import { chromium } from 'playwright-core';

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args });
}

/** A fresh context and page on a desktop-sized viewport, its CPU throttled 4x (a mid-range
 *  phone's speed); `cdp` is the page's DevTools session, for tracing. */
export async function throttledPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return { context, page, cdp };
}

/** What a page's probe logs (console.debug) once its READY expression holds. */
export const READY_MARK = '__vouchbench_ready';

/** Resolves when `page` logs READY_MARK. Waiting this way runs nothing in the page: Playwright's
 *  waitForFunction would first compile its own injected script there, a task of 50–65 ms at 4x
 *  that landed in the middle of a widget's start-up, delayed it and counted as its long task. */
export function readyLogged(page, timeout = 60_000) {
  return page.waitForEvent('console', { predicate: (m) => m.text() === READY_MARK, timeout });
}
