// Where a widget page's start-up time goes, in Debian's Chromium with the CPU throttled 4x as in
// page_impact.mjs: each long task (start, length) beside the moments that explain it — the wasm
// and the campaign config arriving, the form showing and the form usable — and, from a Chromium
// trace, what ran inside each long task (wasm compile, instantiate, our start, layout, and how many
// wasm functions were compiled on first call).
// Usage: node startup.mjs URL READY_EXPRESSION [RUNS] → one JSON object per run on stdout.
import { launch, readyLogged, READY_MARK, throttledPage } from './chromium.mjs';

const [url, ready, runs = '3'] = process.argv.slice(2);
const browser = await launch();

const probe = `
  window.__startup = { longTasks: [], readyMs: null, shownMs: null };
  new PerformanceObserver((l) => l.getEntries().forEach((e) => __startup.longTasks.push([Math.round(e.startTime), Math.round(e.duration)])))
    .observe({ type: 'longtask', buffered: true });
  (function poll() {
    try {
      const root = document.querySelector('[data-vouch-campaign]')?.shadowRoot;
      if (__startup.shownMs === null && root && root.querySelector('#first_name')) __startup.shownMs = performance.now();
      if (${ready}) { __startup.readyMs = performance.now(); console.debug('${READY_MARK}'); return; }
    } catch (e) {}
    requestAnimationFrame(poll);
  })();
`;

for (let i = 0; i < Number(runs); i++) {
  const { context, page, cdp } = await throttledPage(browser);
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { categories: 'toplevel,devtools.timeline,v8,v8.wasm,blink,loading,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await page.addInitScript(probe);
  const readyNow = readyLogged(page);
  await page.goto(url, { waitUntil: 'load' });
  await readyNow;
  await page.waitForTimeout(1000);
  await cdp.send('Tracing.end');
  await done;
  const s = await page.evaluate(() => {
    const at = (re) => performance.getEntriesByType('resource').filter((r) => re.test(r.name))
      .map((r) => [Math.round(r.startTime), Math.round(r.responseEnd)]);
    return { ...window.__startup, wasm: at(/\.wasm/), config: at(/\/v1\/campaigns\/[^/?]+(\?|$)/),
      fcp: Math.round(performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1) };
  });
  // Inside each long task of the trace (a main-thread `RunTask` of 50 ms or more): the work in it
  // by name, in ms, where an event takes 5 ms or more.
  const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.dur >= 50_000);
  const inside = tasks.map((t) => {
    const sums = { total: Math.round(t.dur / 1000) };
    for (const e of events) {
      if (e.ph !== 'X' || e === t || e.pid !== t.pid || e.tid !== t.tid || e.ts < t.ts || e.ts > t.ts + t.dur) continue;
      const url = e.args?.data?.url ? ` ${e.args.data.url.replace(/^.*\//, '')}` : '';
      if ((e.dur || 0) >= 5_000) sums[e.name + url] = Math.round((sums[e.name + url] || 0) + e.dur / 1000);
      // V8 compiles a wasm function the first time it runs, on this thread: each is short, together
      // they are a good part of the widget's tasks.
      if (e.name === 'wasm.CompileLazy') {
        sums.lazyCompiles = (sums.lazyCompiles || 0) + 1;
        sums.lazyCompileMs = (sums.lazyCompileMs || 0) + (e.dur || 0) / 1000;
      }
    }
    if (sums.lazyCompileMs) sums.lazyCompileMs = Math.round(sums.lazyCompileMs);
    return sums;
  });
  console.log(JSON.stringify({ ...s, inside }));
  await context.close();
}
await browser.close();
