"""What shoppers wait for: the widget's bundles and start-up beside Uppy Dashboard, and a receipt
photo over a mobile uplink."""

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import (
    BENCH,
    BUNDLE_STEMS,
    REPEATS,
    ROOT,
    Vouch,
    free_port,
    sizes,
    spread,
    summarise,
    wait_for_200,
)


def calendar_ms(d):
    import calendar
    return calendar.timegm(time.strptime(d, "%Y-%m-%d")) * 1000


# Lighthouse's simulated load varies little from run to run, and each takes about 10 s.
LIGHTHOUSE_RUNS = 3


def bench_widget():
    dist = ROOT / "dist" / "widget"
    ours = {"loader.js": sizes(dist / "loader.js")}
    for stem in BUNDLE_STEMS:
        ours[f"{stem}.js"] = sizes(dist / f"{stem}.js")
        ours[f"{stem}_bg.wasm"] = sizes(dist / f"{stem}_bg.wasm")
        # A split bundle (xtask/src/split.rs): its pieces come later (their loaders are in the glue).
        for piece in sorted(dist.glob(f"{stem}_*")):
            if re.fullmatch(rf"{stem}_[0-9a-f]{{16}}_.+\.wasm", piece.name):
                ours[re.sub(r"_[0-9a-f]{16}_", "_<build>_", piece.name) + " (lazy)"] = sizes(piece)
    ours["widget.css (in each wasm)"] = sizes(ROOT / "style" / "widget.css")
    # The peer: the same page with an Uppy Dashboard, bundled the way its docs suggest.
    site = Path(tempfile.mkdtemp(prefix="uppy-page-"))
    subprocess.run([str(BENCH / "node_modules" / ".bin" / "esbuild"), str(BENCH / "uppy" / "entry.js"), "--bundle", "--minify",
                    "--format=esm", f"--outdir={site}"], check=True, capture_output=True)
    merchant = (ROOT / "public" / "demo.html").read_text()
    (site / "uppy.html").write_text(merchant.replace("<!-- VOUCH_SNIPPET -->",
                                                     '<link rel="stylesheet" href="/entry.css"><div id="uppy"></div>'
                                                     '<script type="module" src="/entry.js"></script>'))
    (site / "bare.html").write_text(merchant.replace("<!-- VOUCH_SNIPPET -->", ""))
    # The floor: the least a Leptos app can be (bench/floor, built like the widget's bundles by
    # `cargo xtask bench`), loaded the way Uppy is, as a module script.
    floor = ROOT / "dist" / "floor"
    if (floor / "leptos_floor.js").exists():
        for f in ("leptos_floor.js", "leptos_floor_bg.wasm"):
            (site / f).write_bytes((floor / f).read_bytes())
        (site / "floor.js").write_text('import init from "./leptos_floor.js";\ninit();\n')
        (site / "floor.html").write_text(merchant.replace("<!-- VOUCH_SNIPPET -->",
                                                          '<div id="floor" style="min-height:700px"></div>'
                                                          '<script type="module" src="/floor.js"></script>'))
        js, wasm = sizes(floor / "leptos_floor.js"), sizes(floor / "leptos_floor_bg.wasm")
        ours["Leptos floor, js + wasm (bench/floor)"] = {k: js[k] + wasm[k] for k in js}
    peer = {"uppy.js": sizes(site / "entry.js"), "uppy.css": sizes(site / "entry.css")}
    port = free_port()
    static = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    vouch = Vouch(demo=True)
    # BENCH_WIDGET_BEFORE: another build's dist/widget, measured in the same run beside this one
    # (served by BENCH_VOUCH_BEFORE, that build's server, when the two builds' files differ).
    before = os.environ.get("BENCH_WIDGET_BEFORE")
    old = Vouch(demo=True, widget_dir=before, binary=os.environ.get("BENCH_VOUCH_BEFORE")) if before else None
    try:
        wait_for_200(f"http://127.0.0.1:{port}/bare.html", time.monotonic())
        # Usable: the widget's own form, not the inert copy the hosted page draws before it.
        form = "document.querySelector('[data-vouch-campaign]').shadowRoot.querySelector"
        ready_vouch = f"{form}('.vouch:not([inert]) #first_name')"
        shown_vouch = f"{form}('#first_name')"
        ready_uppy = "document.querySelector('.uppy-Dashboard-browse')"
        pages = {
            "merchant page, no widget": (f"http://127.0.0.1:{port}/bare.html", "document.body"),
            "Vouch widget": (f"http://127.0.0.1:{vouch.demo_port}/", ready_vouch),
            "Vouch hosted page": (f"{vouch.url}/c/bench", ready_vouch),
            "Uppy Dashboard": (f"http://127.0.0.1:{port}/uppy.html", ready_uppy),
        }
        if (site / "floor.html").exists():
            pages["Leptos floor"] = (f"http://127.0.0.1:{port}/floor.html", "document.querySelector('#first_name')")
        if old:
            pages["Vouch widget, build before"] = (f"http://127.0.0.1:{old.demo_port}/", ready_vouch)
            pages["Vouch hosted page, build before"] = (f"{old.url}/c/bench", ready_vouch)
        # One load of each page in turn, round after round: a machine that slows down for a while
        # slows every page alike instead of the ones measured then. The order changes from round
        # to round (the same orders every run): in a fixed order each page always follows the
        # same one, so whatever a load leaves running (its widget's deferred fetches, its beacon,
        # its browser's exit) always falls on the same page.
        runs = {name: [] for name in pages}
        order = random.Random(19)
        for _ in range(max(REPEATS, 3)):
            for name in order.sample(list(pages), len(pages)):
                url, ready = pages[name]
                shown = shown_vouch if name.startswith("Vouch") else ready
                out = subprocess.run(["node", str(BENCH / "page_impact.mjs"), url, ready, "1", shown],
                                     cwd=BENCH, capture_output=True, text=True, check=True).stdout
                runs[name] += [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        impact = {name: summarise(page_runs) for name, page_runs in runs.items()}
        lighthouse = {name: summarise([lighthouse_run(url) for _ in range(LIGHTHOUSE_RUNS)])
                      for name, (url, _) in pages.items() if not name.endswith("build before") and name != "Leptos floor"}
    finally:
        vouch.stop()
        if old:
            old.stop()
        static.terminate()
    return {"ours": ours, "peer": peer, "impact": impact, "lighthouse": lighthouse}


def bench_upload():
    """Choosing a 12 MP phone photo to "uploaded" over an emulated mobile uplink: the widget as it
    ships (downscaled), the widget without OffscreenCanvas (the photo as chosen, as before), and
    Uppy with @uppy/compressor at the same edge and quality, all to the same store."""
    site = Path(tempfile.mkdtemp(prefix="upload-page-"))
    subprocess.run([str(BENCH / "node_modules" / ".bin" / "esbuild"), str(BENCH / "uppy" / "compress.js"), "--bundle", "--minify",
                    "--format=esm", f"--outdir={site}"], check=True, capture_output=True)
    (site / "uppy.html").write_text('<!doctype html><meta name="viewport" content="width=device-width">'
                                    '<input type="file" id="pick" accept="image/*"><script type="module" src="/compress.js"></script>')
    port = free_port()
    # The bench campaign, taking receipts from the Uppy page's origin too and up to 16 MB raw.
    campaigns = Path(tempfile.mkdtemp(prefix="upload-campaigns-"))
    text = (BENCH / "campaigns" / "bench.toml").read_text()
    text = text.replace('allowed_origins = ["http://bench.local"]', f'allowed_origins = ["http://bench.local", "http://127.0.0.1:{port}"]')
    (campaigns / "bench.toml").write_text(text.replace("required = false", "required = false\nmax_bytes = 16777216"))
    static = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    vouch = Vouch(demo=True, campaigns_dir=campaigns)
    photo = site / "IMG_4032x3024.jpg"
    try:
        wait_for_200(f"http://127.0.0.1:{port}/uppy.html", time.monotonic())
        widget = f"http://127.0.0.1:{vouch.demo_port}/"
        out = subprocess.run(["node", str(BENCH / "upload_time.mjs"), str(photo), str(REPEATS), f"raw={widget}",
                              f"vouch={widget}", f"uppy=http://127.0.0.1:{port}/uppy.html?api={vouch.url}"],
                             cwd=BENCH, capture_output=True, text=True, check=True).stdout
    finally:
        vouch.stop()
        static.terminate()
    runs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    by = {name: [r for r in runs if r["name"] == name] for name in ("raw", "vouch", "uppy")}
    return {"photo_bytes": photo.stat().st_size, "up_kbps": 1600, "rtt_ms": 150,
            "pages": {name: {"ms": spread([r["ms"] for r in rs]), "bytes": rs[0]["bytes"]} for name, rs in by.items()}}


def lighthouse_run(url):
    """One Lighthouse 12.2.3 performance run (its default mobile profile, simulated throttling)."""
    out = Path(tempfile.mkdtemp(prefix="lighthouse-")) / "report.json"
    subprocess.run([str(BENCH / "node_modules" / ".bin" / "lighthouse"), url, "--only-categories=performance",
                    "--output=json", f"--output-path={out}", "--quiet",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                   env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, check=True, capture_output=True)
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {"score": report["categories"]["performance"]["score"] * 100,
            "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
            "tbt_ms": audits["total-blocking-time"]["numericValue"],
            "cls": audits["cumulative-layout-shift"]["numericValue"]}
