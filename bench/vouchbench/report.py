"""docs/benchmarks.md and docs/benchmarks.png from bench/results.json."""

import os
import platform
import re
import subprocess
from pathlib import Path

from .common import BENCH, BUNDLE_STEMS, CONNECTIONS, DURATION, REPEATS
from .events import DRAIN_SESSIONS, EVENTS_PER_BATCH


def int_keys(d):
    """JSON object keys that were connection counts come back as ints."""
    return {int(k) if k.isdigit() else k: v for k, v in d.items()}


def machine():
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {"cpus": os.cpu_count(), "cpu": cpu.group(1) if cpu else "?", "kernel": platform.release(),
            "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0].strip(),
            "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()}


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (lat, rps) = plt.subplots(1, 2, figsize=(11, 4.2))
    series = [("GET /healthz (ceiling)", results["accept"]["by_connections"], "healthz"),
              ("POST entries (accept path)", results["accept"]["by_connections"], "accept"),
              ("POST uploads (Vouch grant)", results["grants"]["by_connections"], "vouch"),
              ("Companion /s3/params", results["grants"]["by_connections"], "companion")]
    for label, data, key in series:
        p99 = [data[c][key]["p99_ms"]["median"] for c in CONNECTIONS]
        p50 = [data[c][key]["p50_ms"]["median"] for c in CONNECTIONS]
        line, = lat.plot(CONNECTIONS, p99, marker="o", label=f"{label} p99")
        lat.plot(CONNECTIONS, p50, marker=".", linestyle="--", color=line.get_color(), alpha=0.6)
        rps.plot(CONNECTIONS, [data[c][key]["rps"]["median"] for c in CONNECTIONS], marker="o", label=label)
    lat.set(xlabel="connections", ylabel="latency, ms (p99 solid, p50 dashed)", yscale="log", xticks=CONNECTIONS,
            title="Latency vs connections")
    rps.set(xlabel="connections", ylabel="requests/s", yscale="log", xticks=CONNECTIONS, title="Throughput")
    lat.legend(fontsize=7)
    rps.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def fmt(s, unit="", digits=1):
    return f"{s['min']:.{digits}f} / **{s['median']:.{digits}f}** / {s['max']:.{digits}f}{unit}"


def kb(n):
    return f"{n / 1024:.1f} kB"


def report(r):
    m = r["machine"]
    out = [
        "# Benchmarks",
        "",
        "Made by `cargo xtask bench` (bench/run.py); this page is generated, edit the script instead.",
        f"Machine: {m['cpus']} × {m['cpu']}, Linux {m['kernel']}, {m['wrk']}, Node {m['node']}.",
        f"Each load figure: `wrk -t2 -cN -d{DURATION}` from a second process on loopback, {REPEATS} runs, shown as",
        "min / **median** / max. Load generator and server share the 2 cores, so absolute numbers are",
        "low and noisy; the ratios, taken in the same run, are the point.",
        "",
        "![Latency and throughput vs connections](benchmarks.png)",
        "",
        "## 1. Accept path: `POST /v1/campaigns/{c}/entries` vs the bare `GET /healthz`",
        "",
        "| connections | healthz rps | accept rps | accept/ceiling | accept p50 ms | accept p99 ms | healthz p99 ms | server CPU µs/req (accept / healthz) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in CONNECTIONS:
        d = r["accept"]["by_connections"][c]
        out.append(f"| {c} | {fmt(d['healthz']['rps'], '', 0)} | {fmt(d['accept']['rps'], '', 0)} | {d['ratio']:.2f} | "
                   f"{fmt(d['accept']['p50_ms'])} | {fmt(d['accept']['p99_ms'])} | {fmt(d['healthz']['p99_ms'])} | "
                   f"{d['accept']['server_cpu_us_per_req']['median']:.0f} / {d['healthz']['server_cpu_us_per_req']['median']:.0f} |")
    a = r["accept"]
    out += ["", f"Server RSS: idle {a['rss_idle_kb'] / 1024:.1f} MB, peak under load {a['rss_peak_kb'] / 1024:.1f} MB. "
                f"Cold start to first 200: {a['cold_start_s'] * 1000:.0f} ms.", ""]
    out += ["## 2. Upload grants: Vouch `POST …/uploads` vs Uppy Companion `GET /s3/params`", "",
            "| connections | Vouch rps | Companion rps | ratio | Vouch p99 ms | Companion p99 ms |", "|---|---|---|---|---|---|"]
    for c in CONNECTIONS:
        d = r["grants"]["by_connections"][c]
        out.append(f"| {c} | {fmt(d['vouch']['rps'], '', 0)} | {fmt(d['companion']['rps'], '', 0)} | {d['ratio']:.1f}× | "
                   f"{fmt(d['vouch']['p99_ms'])} | {fmt(d['companion']['p99_ms'])} |")
    g = r["grants"]
    out += ["", f"Companion RSS: idle {g['companion_rss_idle_kb'] / 1024:.0f} MB, peak {g['companion_rss_peak_kb'] / 1024:.0f} MB; "
                f"cold start to first 200: {fmt(g['companion_cold_start_s'], ' s', 2)}.", ""]
    w = r["drain"]
    out += ["## 3. Worker drain", "",
            f"{w['entries']} entries, each with a real {w['receipt_bytes'] // 1024} kB 800×600 JPEG receipt, queued first; then "
            "`vouch worker` starts and the clock runs until the queue is empty (every entry verified, decoded, re-encoded, "
            "stored, mailed).", "",
            f"- time: {fmt(w['seconds'], ' s', 2)}",
            f"- entries (= receipts verified) per second: {fmt(w['entries_per_s'], '', 0)}", ""]
    wid = r["widget"]
    out += ["## 4. Widget weight and page impact", "", "| file | raw | gzip | brotli |", "|---|---|---|---|"]
    for name, s in list(wid["ours"].items()) + [(f"peer: {k}", v) for k, v in wid["peer"].items()]:
        out.append(f"| {name} | {kb(s['raw'])} | {kb(s['gzip'])} | {kb(s['brotli'])} |")
    bundle_br = {stem: wid["ours"][f"{stem}.js"]["brotli"] + wid["ours"][f"{stem}_bg.wasm"]["brotli"]
                 for stem in BUNDLE_STEMS if f"{stem}.js" in wid["ours"]}
    loader_br = wid["ours"]["loader.js"]["brotli"]
    uppy_br = wid["peer"]["uppy.js"]["brotli"] + wid["peer"]["uppy.css"]["brotli"]
    out += ["", "Everything a page downloads for the widget, brotli (loader + its bundle's js + wasm, CSS inside): "
                f"Vouch giveaway form {kb(loader_br + bundle_br['vouch_entry'])}, Vouch referral panel "
                f"{kb(loader_br + bundle_br['vouch_referral'])}"
                + (f", Vouch friend's offer on a shop page {kb(loader_br + bundle_br['vouch_offer'])} (only for a visitor "
                   "who carries a friend's code; others download the loader alone)" if "vouch_offer" in bundle_br else "")
                + f"; Uppy Dashboard {kb(uppy_br)} (js + css).", "",
            "Chromium, CPU throttled 4×, fresh context per run. Shown: the form's fields are on screen (the hosted "
            "page draws them, inert, at first paint); usable: the widget runs them. Longest task: the longest "
            "main-thread task of the load, page's own included (the bare page's row). Widget's longest task: the "
            "longest of the tasks that end after the loader asks for the wasm, so Vouch's start-up without the "
            "page's own parsing and layout (Uppy's bundle runs in one task, its longest); the page's first layout "
            "still counts when it comes after that. Widget's longest script: the longest run of the widget's own "
            "script files (loader, glue and wasm; Uppy's bundle) that Chromium reports in a long animation frame, "
            "so without the page's layout or the browser's layout of what they add; 0 when none ran in a frame "
            "over 50 ms.", "",
            "| page | form shown after (ms) | form usable after (ms) | usable ÷ Uppy's | long tasks | long-task time (ms) "
            "| longest task (ms) | widget's longest task (ms) | widget's longest script (ms) | CLS |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    uppy_ready = wid["impact"].get("Uppy Dashboard", {}).get("readyMs", {}).get("median")
    for name, s in wid["impact"].items():
        ratio = f"{s['readyMs']['median'] / uppy_ready:.2f}" if uppy_ready and name.startswith(("Vouch", "Leptos")) else ""
        shown = fmt(s['shownMs'], '', 0) if "shownMs" in s else ""
        longest = fmt(s['longestTaskMs'], '', 0) if "longestTaskMs" in s else ""
        own = fmt(s['widgetLongestTaskMs'], '', 0) if "widgetLongestTaskMs" in s else ""
        script = fmt(s['widgetScriptMs'], '', 0) if "widgetScriptMs" in s and name != "merchant page, no widget" else ""
        out.append(f"| {name} | {shown} | {fmt(s['readyMs'], '', 0)} | {ratio} | {fmt(s['longTasks'], '', 0)} | "
                   f"{fmt(s['longTaskMs'], '', 0)} | {longest} | {own} | {script} | {fmt(s['cls'], '', 3)} |")
    if "Leptos floor" in wid["impact"]:
        out += ["", "Row \"Leptos floor\": `bench/floor`, the least a Leptos 0.8 CSR app can be (one input, a signal and "
                "a `<Show>`), built like the widget's bundles and loaded the way Uppy is, as a module script on the same "
                "page: what Leptos costs before any of Vouch's own work."]
    if any(name.endswith("build before") for name in wid["impact"]):
        out += ["", "Rows marked \"build before\": another build of the widget (`BENCH_WIDGET_BEFORE`), "
                "loaded in the same rounds as this one; the analysis below says which."]
    if "widget_before" in r:
        b = r["widget_before"]["impact"]
        out += ["", "Before issue 19's first part (the same section on the same machine, an earlier run of the build "
                "before it; the config was then asked for by the widget after it started, and the hosted page drew "
                "nothing before the wasm):", "",
                "| page | form usable after (ms) | usable ÷ Uppy's | long tasks | long-task time (ms) | CLS |",
                "|---|---|---|---|---|---|"]
        for name, s in b.items():
            ratio = f"{s['readyMs']['median'] / b['Uppy Dashboard']['readyMs']['median']:.2f}" if name.startswith("Vouch") else ""
            out.append(f"| {name} | {fmt(s['readyMs'], '', 0)} | {ratio} | {fmt(s['longTasks'], '', 0)} | "
                       f"{fmt(s['longTaskMs'], '', 0)} | {fmt(s['cls'], '', 3)} |")
    if "lighthouse" in wid:
        out += ["", "Lighthouse 12.2.3, performance category, its default mobile profile (simulated slow 4G, 4× CPU):", "",
                "| page | score | LCP (ms) | total blocking time (ms) | CLS |", "|---|---|---|---|---|"]
        for name, s in wid["lighthouse"].items():
            out.append(f"| {name} | {fmt(s['score'], '', 0)} | {fmt(s['lcp_ms'], '', 0)} | {fmt(s['tbt_ms'], '', 0)} | "
                       f"{fmt(s['cls'], '', 3)} |")
    if "beacon" in r:
        b = r["beacon"]
        added = {name: v["after"] - v["before"] for name, v in b.items()}
        per_page = {stem: added["loader.js"] + added[f"{stem}.js"] + added[f"{stem}_bg.wasm"] for stem in BUNDLE_STEMS}
        out += ["", "What the funnel beacon adds (issue 17; goal: at most 2 kB brotli per bundle), brotli bytes, built "
                    "without it and with it: the loader batches and sends, the bundles only hand their events to it.", "",
                "| page downloads | loader | bundle js | bundle wasm | total added |", "|---|---|---|---|---|"]
        for stem in BUNDLE_STEMS:
            out.append(f"| loader + {stem} | {added['loader.js']:+d} B | {added[f'{stem}.js']:+d} B | "
                       f"{added[f'{stem}_bg.wasm']:+d} B | **{per_page[stem]:+d} B** |")
    out += ["", "## 5. Footprint", "",
            f"- Vouch RSS idle {a['rss_idle_kb'] / 1024:.1f} MB, under load {a['rss_peak_kb'] / 1024:.1f} MB; "
            f"Companion {g['companion_rss_idle_kb'] / 1024:.0f} MB idle, {g['companion_rss_peak_kb'] / 1024:.0f} MB under load.",
            f"- Cold start to first 200: Vouch {a['cold_start_s'] * 1000:.0f} ms (opens SQLite, starts the S3 endpoint and "
            f"the worker), Companion {g['companion_cold_start_s']['median'] * 1000:.0f} ms.", ""]
    if "draw" in r:
        d = r["draw"]
        out += ["## 6. Draw over a million entries (embedded store)", "",
                f"`vouch draw --winners {d['winners']} --alternates {d['alternates']} --force` over {d['entries']:,} "
                "confirmed entries in SQLite, timed as a whole process: start, read the pool, sort it, draw, store "
                "the record with its webhook, mail the winners. Then `vouch draw verify` on the same draw.", "",
                f"- draw: {fmt(d['seconds'], ' s', 2)}, peak RSS {fmt(d['rss_mb'], ' MB', 0)}",
                f"- verify: {fmt(d['verify_seconds'], ' s', 2)}, peak RSS {fmt(d['verify_rss_mb'], ' MB', 0)}", ""]
    if "codes" in r:
        c = r["codes"]
        out += ["## 7. Worker drain with code assignment on and off", "",
                f"As in 3 ({c['entries']} entries with receipts), alternating in one run between the campaign without "
                "code pools and with an `entry` pool holding a code for each entry (each confirmed entry claims its "
                "code before its confirmation mail, which carries it).", "",
                "| code assignment | time (s) | entries per second |", "|---|---|---|",
                f"| off | {fmt(c['off']['seconds'], '', 2)} | {fmt(c['off']['entries_per_s'], '', 0)} |",
                f"| on | {fmt(c['on']['seconds'], '', 2)} | {fmt(c['on']['entries_per_s'], '', 0)} |", ""]
    if "entries" in r:
        e = r["entries"]
        out += ["## 8. The console's Entries page and CSV export over a million entries (embedded store)", "",
                f"{e['entries']:,} entries of one campaign in SQLite (85 % confirmed, 5 % pending review), one every "
                "3 s, 20 first and 20 last names. Each figure is a whole `vouch entries list --json --limit "
                f"{e['page']}` process (the same search function the admin API calls), {e['samples']} runs: start, "
                "open the database, one keyset page, print it. The start-up row is the process alone (an empty "
                "campaign), so a page served by the running BFF costs about the difference. Goals (issue 16): a page's "
                "p95 ≤ 100 ms; the export ≥ 100K rows/s in constant memory.", "",
                "| page | p50 ms | p95 ms | rows |", "|---|---|---|---|"]
        out += [f"| {name} | {p['p50_ms']:.1f} | **{p['p95_ms']:.1f}** | {p['rows']} |" for name, p in e["pages"].items()]
        out += ["", f"Counts by status (`vouch entries counts`, `GROUP BY status` over the status index): p50 "
                f"{e['counts_p50_ms']:.0f} ms, p95 {e['counts_p95_ms']:.0f} ms.", "",
                "`vouch entries export --output /dev/null` (CSV, streamed 1,000 entries a page, newest first):", "",
                "| entries | time (s) | rows per second | peak RSS (MB) |", "|---|---|---|---|"]
        out += [f"| {count:,} | {fmt(x['seconds'], '', 2)} | {fmt(x['rows_per_s'], '', 0)} | {fmt(x['rss_mb'], '', 0)} |"
                for count, x in sorted(e["exports"].items(), key=lambda kv: int(kv[0]))]
        out += [""]
    if "admin" in r:
        a = r["admin"]
        out += ["## 9. The admin API and the console over a million entries (embedded store)", "",
                f"The same {a['entries']:,} entries as in 8 (release `vouch serve`, its SQLite store), now through "
                "the admin API over HTTP as the console calls it: an owner API token, `GET "
                f"/admin/v1/campaigns/bench/entries?limit={a['page']}&…`, {a['samples']} requests each over one "
                "kept-alive connection after one warm-up, timed from sending to the last byte of the JSON. Goal "
                "(issue 16): p95 ≤ 100 ms. For an operator: the time from a click (next page, a filter, a search) to "
                "the rows being there, before the browser draws them.", "",
                "| page | p50 ms | p95 ms | rows |", "|---|---|---|---|"]
        out += [f"| {name} | {p['p50_ms']:.1f} | **{p['p95_ms']:.1f}** | {p['rows']} |" for name, p in a["pages"].items()]
        out += ["", "The pages the console turns through cost about a millisecond at any depth (keyset, over an index): "
                "the wait an operator sees is the browser's. The one that grows is a name prefix: it reads every name "
                "that matches and sorts them by time (here \"mü\", 5 % of the campaign, 50,000 names); in a trial "
                "with half as many surnames (10 % matching) its p95 was 128 ms, over the goal, so a very common prefix "
                "on a very large campaign is the slow search (an e-mail address is always fast)."]
        x = a["export"]
        out += ["", f"`GET …/entries.csv` (every entry, streamed 1,000 a page), read to the end by the client while the "
                "server's RSS is sampled every 20 ms (min / **median** / max of "
                f"{len(x['seconds']['runs'])} runs). For an operator: how long the download of the whole campaign "
                "takes, and that the server's memory does not grow with the number of entries (goal: ≥ 100K rows/s, "
                "constant memory).", "",
                "| entries | time (s) | rows per second | server RSS before (MB) | server RSS peak while streaming (MB) |",
                "|---|---|---|---|---|",
                f"| {a['entries']:,} | {fmt(x['seconds'], '', 2)} | {fmt(x['rows_per_s'], '', 0)} | "
                f"{fmt(x['idle_rss_mb'], '', 0)} | {fmt(x['peak_rss_mb'], '', 0)} |", "",
                "The server's RSS while it streams a million rows stays within a few MB of what it holds idle after "
                "the first export (the allocator keeps that page's buffers): memory is one page, not the campaign.", ""]
        if "console_bytes" in a:
            total = sum(f["brotli"] for f in a["console_bytes"].values())
            out += ["The console (`dist/console`, built by `cargo xtask console`), brotli -q 11 as `cargo xtask sizes` "
                    "measures it. For an operator: what the first visit downloads (later visits hit the cache: "
                    "the files are content-hashed).", "",
                    "| file | raw (kB) | brotli (kB) |", "|---|---|---|"]
            out += [f"| {name} | {f['raw'] / 1024:.1f} | {f['brotli'] / 1024:.1f} |" for name, f in a["console_bytes"].items()]
            load = a["console_load_ms"]
            out += [f"| **total** | | **{total / 1024:.1f}** |", "",
                    f"First load of `/admin` in Debian's Chromium (headless, CPU slowed 4× as in 4, loopback network, "
                    f"cold cache, {len(load['runs'])} runs), from navigation to the login form usable (the e-mail "
                    f"field rendered and focused): min {load['min']:.0f} / **median {load['median']:.0f}** / max "
                    f"{load['max']:.0f} ms, {a['console_transfer_kb']:.0f} kB transferred. For an operator: the wait "
                    "before typing the e-mail on a slow laptop; on a fast desktop it is about a quarter.", ""]
    if "events" in r:
        e = r["events"]
        alone, beside = e["accept_alone"], e["accept_beside_events"]
        rps_change = beside["rps"]["median"] / alone["rps"]["median"] - 1
        p99_change = beside["p99_ms"]["median"] / alone["p99_ms"]["median"] - 1
        drain = e.get("drain")
        out += ["## 10. Funnel events: ingest, and the accept path beside it (embedded store)", "",
                f"`POST /v1/events` with batches of {EVENTS_PER_BATCH} events as the loader's beacon sends them (`text/plain`, "
                "the shop's `Origin`, a fresh batch id each), validated and queued on the events lane, on the embedded "
                f"default without its worker (as in 1). Goal (issue 17): at least 20,000 events/s. Flat out, {e['connections']} "
                "connections:", "",
                f"- batches per second: {fmt(e['ingest']['rps'], '', 0)}; events per second: "
                f"{fmt(e['ingest_events_per_s'], '', 0)}",
                f"- p50 {fmt(e['ingest']['p50_ms'])} ms, p99 {fmt(e['ingest']['p99_ms'])} ms; non-2xx answers: "
                f"{e['ingest']['non_2xx']['max']:.0f}", "",
                f"The entries' accept path (`POST …/entries`, {e['connections']} connections, as in 1) alone, and with a steady flow "
                f"of events beside it ({e['flow_settings']['connections']} more connections, each pausing "
                f"{e['flow_settings']['delay_ms']} ms between batches), alternating in the same run, "
                f"{e.get('runs', REPEATS)} runs each. Goal: within ±10 %.", "",
                "| | accept rps | accept p50 ms | accept p99 ms | events/s beside it |", "|---|---|---|---|---|",
                f"| without events | {fmt(alone['rps'], '', 0)} | {fmt(alone['p50_ms'])} | {fmt(alone['p99_ms'])} | – |",
                f"| with events | {fmt(beside['rps'], '', 0)} | {fmt(beside['p50_ms'])} | {fmt(beside['p99_ms'])} | "
                f"{fmt(e['flow']['events_per_s'], '', 0)} |", "",
                f"Medians with events against without: accept rps {rps_change:+.1%}, accept p99 {p99_change:+.1%}."
                + (f" The machine's load average (1 min) was {e['loadavg'][0]:.1f} before the run and "
                   f"{e['loadavg'][1]:.1f} after it, on 2 cores." if "loadavg" in e else ""), "",
                "Where the two paths meet: on the embedded default both lanes are tables of one SQLite file written by "
                "one writer thread (the events' 20,000/s are 400 batch rows/s beside the entries' rows; the BFF folds a "
                "page's events into one count per kind, detail and day before queueing them, so a row of this "
                "benchmark's batches carries 10 counts, not 50 events), and the server, both load generators and the "
                "writer share the 2 cores (the flow's load generator builds its 50 events once per thread, so its own "
                "work stays small). The p99 figures of single runs spread widely (see min/max); a p99 outside "
                "±10 % here is reported as measured, not explained away. On the distributed backends the events lane is its own SQS queue.", "",
                ("Drain of the events lane by `vouch worker`, on a fresh server holding only events (no entries to "
                 f"give way to): {drain['batches']} batches of {EVENTS_PER_BATCH} queued first, drained in "
                 f"{drain['seconds']:.1f} s, {drain['events_per_s']:.0f} events/s. `vouch stats` then shows "
                 f"{drain['session_counts']:,} session counts over its steps, of {drain['session_counts_sent']:,} sent "
                 f"({DRAIN_SESSIONS:,} sessions, each reaching every step), with {drain['left']} batches left on the lane."
                 if drain else "Drain of the events lane: not measured in this run."), ""]
    if "upload" in r:
        u = r["upload"]
        p = u["pages"]
        ratio = p["vouch"]["ms"]["median"] / p["raw"]["ms"]["median"]
        out += ["## 11. A receipt photo over a mobile uplink: raw, downscaled, and Uppy with @uppy/compressor", "",
                f"One 12 MP photo (4032×3024, {u['photo_bytes'] / 1e6:.1f} MB, drawn by the benchmark: a receipt on a "
                "table with grain like a phone camera's), chosen in Debian's Chromium (headless, 412 px wide) with "
                f"network emulation of {u['up_kbps'] / 1000:.1f} Mbit/s up and {u['rtt_ms']} ms RTT, timed from "
                "choosing the file to the page saying it is uploaded (the grant, the downscale and the store's answer "
                f"included); {REPEATS} runs, min / **median** / max. \"Raw\" is the widget with `OffscreenCanvas` "
                "taken away, so it sends the photo as chosen (what it did before, and what it still does in a browser "
                "that cannot downscale). Uppy (@uppy/core 6.3, @uppy/compressor 4.0, @uppy/aws-s3 6.3) is set to "
                "the same 2,560 px edge and 0.85 quality and posts to the same store with a grant from the same API. Goal (issue 19): downscaled "
                "≤ ¼ of raw. For a shopper: the wait between picking the photo and being able to send the form.", "",
                "| page | uploaded bytes | time to uploaded (s) |", "|---|---|---|"]
        names = {"raw": "Vouch, photo as chosen (before)", "vouch": "Vouch, downscaled in the browser",
                 "uppy": "Uppy + @uppy/compressor"}
        for key, label in names.items():
            ms = p[key]["ms"]
            out.append(f"| {label} | {p[key]['bytes'] / 1e6:.2f} MB | {ms['min'] / 1000:.1f} / **{ms['median'] / 1000:.1f}** / "
                       f"{ms['max'] / 1000:.1f} |")
        out += ["", f"Downscaled takes {ratio:.2f}× the time of raw (goal ≤ 0.25).", ""]
    out += [Path(BENCH / "analysis.md").read_text()] if (BENCH / "analysis.md").exists() else []
    return "\n".join(out) + "\n"
