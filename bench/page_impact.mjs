// Page impact of a widget, measured in Debian's Chromium with the CPU throttled 4x:
// time from navigation to the form being usable, long tasks, and cumulative layout shift.
// Usage: node page_impact.mjs URL READY_EXPRESSION RUNS [SHOWN_EXPRESSION] → one JSON object per run
// on stdout. SHOWN: when the form is on screen, if that comes before it is usable (default READY).
import { launch, readyLogged, READY_MARK, throttledPage } from './chromium.mjs';

const [url, ready, runs = '5', shown = ready] = process.argv.slice(2);
const browser = await launch();

// Runs in the page before anything else: watches long tasks and layout shifts, and notes the
// first frame at which READY holds.
const probe = `
  window.__impact = { longTasks: 0, longTaskMs: 0, longestTaskMs: 0, cls: 0, readyMs: null, shownMs: null };
  window.__tasks = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => {
    __impact.longTasks++; __impact.longTaskMs += e.duration;
    __impact.longestTaskMs = Math.max(__impact.longestTaskMs, e.duration);
    __tasks.push([e.startTime, e.duration]);
  })).observe({ type: 'longtask', buffered: true });
  // A wasm widget starts when it asks for its wasm (Vouch's loader does so in its first task):
  // the long tasks that end after that are its own start-up's, not the page's.
  const compile = WebAssembly.compileStreaming;
  if (compile) WebAssembly.compileStreaming = function (source) {
    if (window.__wasmAskedMs === undefined) window.__wasmAskedMs = performance.now();
    return compile.call(WebAssembly, source);
  };
  new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) __impact.cls += e.value; }))
    .observe({ type: 'layout-shift', buffered: true });
  // Long animation frames name the scripts that ran in them: the widget's own (any script file
  // but the page's) without the browser's layout of what they add, which a long task includes.
  window.__widgetScriptMs = 0;
  new PerformanceObserver((l) => l.getEntries().forEach((f) => f.scripts.forEach((s) => {
    if (s.sourceURL && s.sourceURL.split('#')[0] !== location.href.split('#')[0])
      __widgetScriptMs = Math.max(__widgetScriptMs, s.duration);
  }))).observe({ type: 'long-animation-frame', buffered: true });
  (function poll() {
    try {
      if (__impact.shownMs === null && (${shown})) __impact.shownMs = performance.now();
      if (${ready}) { __impact.readyMs = performance.now(); console.debug('${READY_MARK}'); return; }
    } catch (e) {}
    requestAnimationFrame(poll);
  })();
`;

for (let i = 0; i < Number(runs); i++) {
  const { context, page } = await throttledPage(browser);
  await page.addInitScript(probe);
  const usable = readyLogged(page);
  await page.goto(url, { waitUntil: 'load' });
  await usable;
  await page.waitForTimeout(1000); // late shifts and tasks still count
  const impact = await page.evaluate(() => {
    const asked = window.__wasmAskedMs;
    const scripts = { widgetScriptMs: window.__widgetScriptMs };
    if (asked === undefined) return { ...window.__impact, ...scripts };
    const own = __tasks.filter(([start, length]) => start + length >= asked).map(([, length]) => length);
    return { ...window.__impact, widgetLongestTaskMs: Math.max(0, ...own), ...scripts };
  });
  const transfer = await page.evaluate(() => performance.getEntriesByType('resource')
    .reduce((sum, r) => sum + (r.transferSize || 0), 0));
  console.log(JSON.stringify({ ...impact, transferBytes: transfer }));
  await context.close();
}
await browser.close();
