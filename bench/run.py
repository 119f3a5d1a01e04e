#!/usr/bin/env python3
"""Vouch benchmarks, measured beside their peers in the same run on this machine.

Run with `cargo xtask bench` (it builds the release server and the widget and installs what is
missing). Every figure is repeated (BENCH_REPEATS, default 3) and reported as min/median/max;
nothing here passes or fails. Writes docs/benchmarks.md, docs/benchmarks.png and
bench/results.json.
"""

import concurrent.futures
import gzip
import io
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
VOUCH = TARGET / "release" / "vouch"
# The widget's bundles, as `cargo xtask widget` names them (xtask/src/build.rs).
BUNDLE_STEMS = ["vouch_entry", "vouch_referral", "vouch_offer"]
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
DURATION = os.environ.get("BENCH_DURATION", "8s")
CONNECTIONS = [64, 256]
ORIGIN = "http://bench.local"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def post_json(url, body, headers=None):
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json", "Origin": ORIGIN, **(headers or {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read() or b"null")


def wait_for_200(url, started, timeout=30.0):
    """Seconds from `started` until `url` first answers 200."""
    while time.monotonic() - started < timeout:
        try:
            if get(url, timeout=1)[0] == 200:
                return time.monotonic() - started
        except Exception:
            time.sleep(0.005)
    raise RuntimeError(f"{url} never answered 200")


def proc_stat(pid):
    """(rss_kb, peak_rss_kb, cpu_seconds) of a process."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, hwm, (int(fields[11]) + int(fields[12])) / ticks


def spread(values):
    values = sorted(values)
    return {"min": values[0], "median": statistics.median(values), "max": values[-1], "runs": values}


# ---------------------------------------------------------------------------------------------
# Processes under test


class Vouch:
    def __init__(self, demo=False, worker=True, data_dir=None, campaigns_dir=None):
        self.dir = Path(tempfile.mkdtemp(prefix="vouch-bench-"))
        self.data_dir = Path(data_dir) if data_dir else self.dir / "data"
        self.port, self.s3_port, self.demo_port = free_port(), free_port(), free_port()
        self.metrics_port = free_port()
        config = f"""
data_dir = "{self.data_dir}"
campaigns_dir = "{campaigns_dir or BENCH / 'campaigns'}"
widget_dir = "{ROOT / 'dist' / 'widget'}"
console_dir = "{ROOT / 'dist' / 'console'}"
[http]
port = {self.port}
metrics_addr = "127.0.0.1:{self.metrics_port}"
[objects]
port = {self.s3_port}
[demo]
enabled = {str(demo).lower()}
port = {self.demo_port}
campaign = "bench"
[worker]
embedded = {str(worker).lower()}
"""
        self.config = self.dir / "vouch.toml"
        self.config.write_text(config)
        self.url = f"http://127.0.0.1:{self.port}"
        self.started = time.monotonic()
        env = {**os.environ, "RUST_LOG": "error"}
        self.proc = subprocess.Popen([str(VOUCH), "--config", str(self.config), "serve"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.cold_start = wait_for_200(self.url + "/healthz", self.started)

    def worker(self):
        return subprocess.Popen([str(VOUCH), "--config", str(self.config), "worker"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "RUST_LOG": "error"})

    def queue_idle(self):
        metrics = get(f"http://127.0.0.1:{self.metrics_port}/metrics")[1].decode()
        busy = re.findall(r'vouch_queue_(?:ready|in_flight)\{queue="entries"\} (\d+)', metrics)
        return all(int(n) == 0 for n in busy)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Companion:
    """Uppy Companion 6, its S3 presign route pointed at the same loopback S3 endpoint."""

    def __init__(self, s3_url):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="companion-")
        env = {**os.environ,
               "NODE_ENV": "production", "COMPANION_PORT": str(self.port),
               "COMPANION_SECRET": uuid.uuid4().hex, "COMPANION_PREAUTH_SECRET": uuid.uuid4().hex,
               "COMPANION_DOMAIN": f"127.0.0.1:{self.port}", "COMPANION_PROTOCOL": "http",
               "COMPANION_DATADIR": self.dir, "COMPANION_CLIENT_ORIGINS": ORIGIN,
               "COMPANION_UPLOAD_URLS": r"^http://127\.0\.0\.1:9/",
               "COMPANION_AWS_KEY": "bench", "COMPANION_AWS_SECRET": "bench-secret",
               "COMPANION_AWS_BUCKET": "receipts", "COMPANION_AWS_REGION": "us-east-1",
               "COMPANION_AWS_ENDPOINT": s3_url, "COMPANION_AWS_FORCE_PATH_STYLE": "true"}
        self.url = f"http://127.0.0.1:{self.port}"
        started = time.monotonic()
        self.proc = subprocess.Popen(["node", str(BENCH / "companion.mjs")], cwd=BENCH, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.cold_start = wait_for_200(self.url + "/s3/params?filename=a.jpg&type=image%2Fjpeg", started)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def wrk(url, connections, script=None, headers=()):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{DURATION}", "--latency", "--timeout", "5s"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", str(BENCH / script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(pct):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * unit[m.group(2)]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": latency(50), "p99_ms": latency(99), "non_2xx": int(errors.group(1)) if errors else 0}


def load(target_pid, url, connections, script=None, headers=()):
    """A wrk run plus the server's CPU time per request during it."""
    _, _, cpu_before = proc_stat(target_pid)
    result = wrk(url, connections, script, headers)
    _, _, cpu_after = proc_stat(target_pid)
    seconds = float(DURATION.rstrip("s"))
    result["server_cpu_us_per_req"] = (cpu_after - cpu_before) / max(result["rps"] * seconds, 1) * 1e6
    return result


def summarise(runs):
    return {k: spread([r[k] for r in runs]) for k in runs[0]}


# ---------------------------------------------------------------------------------------------
# The benchmarks


def bench_accept_path():
    # The accept path alone: the worker runs as its own process at scale (`vouch serve
    # --no-worker` + `vouch worker`); drain speed is measured separately below.
    vouch = Vouch(worker=False)
    idle_rss = proc_stat(vouch.proc.pid)[0]
    results = {}
    for c in CONNECTIONS:
        healthz, accept = [], []
        for _ in range(REPEATS):
            healthz.append(load(vouch.proc.pid, vouch.url + "/healthz", c))
            accept.append(load(vouch.proc.pid, vouch.url + "/v1/campaigns/bench/entries", c, "entries.lua"))
        results[c] = {"healthz": summarise(healthz), "accept": summarise(accept)}
        results[c]["ratio"] = results[c]["accept"]["rps"]["median"] / results[c]["healthz"]["rps"]["median"]
    rss, peak, _ = proc_stat(vouch.proc.pid)
    vouch.stop()
    return {"by_connections": results, "rss_idle_kb": idle_rss, "rss_peak_kb": peak, "rss_after_kb": rss,
            "cold_start_s": vouch.cold_start}


def bench_grants():
    vouch = Vouch()
    companion = Companion(f"http://127.0.0.1:{vouch.s3_port}")
    companion_idle = proc_stat(companion.proc.pid)[0]
    results = {}
    origin = [f"Origin: {ORIGIN}"]
    for c in CONNECTIONS:
        ours, theirs = [], []
        for _ in range(REPEATS):
            ours.append(load(vouch.proc.pid, vouch.url + "/v1/campaigns/bench/uploads", c, "grants.lua"))
            theirs.append(load(companion.proc.pid, companion.url + "/s3/params?filename=receipt.jpg&type=image%2Fjpeg",
                               c, headers=origin))
        results[c] = {"vouch": summarise(ours), "companion": summarise(theirs)}
        results[c]["ratio"] = results[c]["vouch"]["rps"]["median"] / results[c]["companion"]["rps"]["median"]
    _, companion_peak, _ = proc_stat(companion.proc.pid)
    cold = [companion.cold_start]
    companion.stop()
    vouch.stop()
    for _ in range(REPEATS - 1):
        again = Companion(f"http://127.0.0.1:{vouch.s3_port}")
        cold.append(again.cold_start)
        again.stop()
    return {"by_connections": results, "companion_rss_idle_kb": companion_idle,
            "companion_rss_peak_kb": companion_peak, "companion_cold_start_s": spread(cold)}


def receipt_jpeg():
    from PIL import Image
    img = Image.new("RGB", (800, 600))
    img.putdata([((x * 7) % 256, (y * 3) % 256, (x ^ y) % 256) for y in range(600) for x in range(800)])
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def multipart(fields, file_bytes):
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + file_bytes + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def drain_once(jpeg, n, codes=False):
    """Queues `n` entries with receipts, then times `vouch worker` until the queue is empty. With
    `codes`, the campaign has an `entry` pool holding a code for every entry."""
    campaigns = None
    if codes:
        campaigns = Path(tempfile.mkdtemp(prefix="vouch-bench-campaigns-"))
        (campaigns / "bench.toml").write_text((BENCH / "campaigns" / "bench.toml").read_text()
                                              + "\n[codes.entry]\nlow_water = 1\n")
    vouch = Vouch(worker=False, campaigns_dir=campaigns)
    cli = [str(VOUCH), "--config", str(vouch.config)]
    if codes:
        file = vouch.dir / "codes.txt"
        file.write_text("\n".join(f"BENCH-{i:06}" for i in range(n)) + "\n")
        subprocess.run(cli + ["codes", "import", "--campaign", "bench", "--pool", "entry", str(file)],
                       capture_output=True, check=True)

    def enqueue(i):
        _, grant = post_json(vouch.url + "/v1/campaigns/bench/uploads", {"content_type": "image/jpeg", "size": len(jpeg)})
        body, ctype = multipart(grant["fields"], jpeg)
        req = urllib.request.Request(grant["url"], data=body, method="POST", headers={"Content-Type": ctype})
        urllib.request.urlopen(req, timeout=10).read()
        entry = {"fields": {"first_name": "Drain", "last_name": "Test", "email": f"d{i}@example.com",
                            "postal_code": "10115"}, "consents": {"terms": True},
                 "receipt_upload_id": grant["upload_id"]}
        post_json(vouch.url + "/v1/campaigns/bench/entries", entry, {"Idempotency-Key": f"drain-{i}"})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(enqueue, range(n)))
    started = time.monotonic()
    worker = vouch.worker()
    while not vouch.queue_idle():
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    worker.terminate()
    worker.wait(timeout=10)
    confirmed = subprocess.run(cli + ["entries", "export", "--campaign", "bench", "--format", "json"],
                               capture_output=True, text=True, check=True).stdout
    assert sum(1 for e in json.loads(confirmed) if e["status"] == "confirmed") == n, "every entry confirmed"
    if codes:
        status = json.loads(subprocess.run(cli + ["codes", "status", "--campaign", "bench", "--format", "json"],
                                           capture_output=True, text=True, check=True).stdout)
        assert status[0]["assigned"] == n, f"every entry holds a code: {status}"
    vouch.stop()
    return {"seconds": elapsed, "entries_per_s": n / elapsed}


def queued(vouch, queue):
    """Messages on `queue` (ready or held by a worker), from the internal /metrics."""
    metrics = get(f"http://127.0.0.1:{vouch.metrics_port}/metrics")[1].decode()
    found = re.findall(rf'vouch_queue_(?:ready|in_flight)\{{queue="{queue}"\}} (\d+)', metrics)
    return sum(int(n) for n in found)


# The events flow the accept path is measured beside: 12 connections, each pausing 22 ms between
# batches of 50 (about 24,000 events/s on an idle machine; the run reports what it reached).
EVENT_FLOW = {"connections": 12, "delay_ms": 22}
# p99 is the figure compared here, and the noisiest: more runs than elsewhere.
EVENT_REPEATS = max(REPEATS, 5)
EVENTS_PER_BATCH = 50


def drain_events(vouch, timeout=60.0):
    """The hook for the events lane's drain: starts `vouch worker` and times it until the events
    queue is empty. None while no worker drains that lane (it stays full: nothing to time)."""
    before = queued(vouch, "events")
    worker = vouch.worker()
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            left = queued(vouch, "events")
            if left == 0:
                return {"batches": before, "seconds": time.monotonic() - started,
                        "events_per_s": before * EVENTS_PER_BATCH / (time.monotonic() - started)}
            if time.monotonic() - started > 10 and left >= before:
                return None
            time.sleep(0.05)
        return None
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def bench_events():
    """Funnel events as pages send them (`POST /v1/events`, 50 a batch, text/plain): the accept
    of batches flat out, then the entries' accept path with a steady flow of events beside it and
    without, alternating in the same run. The BFF runs without its worker, as in section 1."""
    vouch = Vouch(worker=False)
    load_before = os.getloadavg()[0]
    ingest, alone, beside, flows = [], [], [], []
    c = CONNECTIONS[0]
    for _ in range(EVENT_REPEATS):
        ingest.append(load(vouch.proc.pid, vouch.url + "/v1/events", c, "events.lua"))
        alone.append(load(vouch.proc.pid, vouch.url + "/v1/campaigns/bench/entries", c, "entries.lua"))
        flow_cmd = ["wrk", "-t1", f"-c{EVENT_FLOW['connections']}", f"-d{int(DURATION.rstrip('s')) + 2}s", "--latency",
                    "-s", str(BENCH / "events.lua"), vouch.url + "/v1/events"]
        flow = subprocess.Popen(flow_cmd, stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "EVENTS_DELAY_MS": str(EVENT_FLOW["delay_ms"])})
        time.sleep(1)
        beside.append(load(vouch.proc.pid, vouch.url + "/v1/campaigns/bench/entries", c, "entries.lua"))
        out = flow.communicate(timeout=60)[0]
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        flows.append({"events_per_s": rps * EVENTS_PER_BATCH, "non_2xx": int(errors.group(1)) if errors else 0})
    result = {"connections": c, "runs": EVENT_REPEATS, "loadavg": [load_before, os.getloadavg()[0]], "ingest": summarise(ingest), "accept_alone": summarise(alone),
              "accept_beside_events": summarise(beside), "flow": summarise(flows), "flow_settings": EVENT_FLOW,
              "events_queued": queued(vouch, "events") * EVENTS_PER_BATCH}
    result["ingest_events_per_s"] = {k: v * EVENTS_PER_BATCH if isinstance(v, float) else v
                                     for k, v in result["ingest"]["rps"].items() if k != "runs"}
    vouch.stop()
    # Hook: once a worker drains the events lane, this times it on a server holding only events
    # (no entries to compete with); until then it reports None.
    fresh = Vouch(worker=False)
    try:
        wrk(fresh.url + "/v1/events", 16, "events.lua")
        result["drain"] = drain_events(fresh)
    finally:
        fresh.stop()
    return result


def bench_beacon():
    """What the beacon adds to what a page downloads, brotli: the loader and each bundle's js +
    wasm built without it (BEACON_BEFORE, a `dist/widget` saved from a build of the commit
    before) and with it (dist/widget). Without BEACON_BEFORE the last measurement is kept."""
    before_dir = os.environ.get("BEACON_BEFORE")
    if not before_dir:
        saved = BENCH / "results.json"
        kept = json.loads(saved.read_text()).get("beacon") if saved.exists() else None
        if kept is None:
            sys.exit("beacon: set BEACON_BEFORE to a dist/widget built without the beacon")
        return kept
    after_dir = ROOT / "dist" / "widget"
    files = ["loader.js"] + [f"{stem}{suffix}" for stem in BUNDLE_STEMS for suffix in (".js", "_bg.wasm")]
    return {name: {"before": sizes(Path(before_dir) / name)["brotli"], "after": sizes(after_dir / name)["brotli"]}
            for name in files}


def bench_drain_codes(n=300):
    """The worker's drain with code assignment off and on, alternating in one run."""
    jpeg = receipt_jpeg()
    off, on = [], []
    for i in range(REPEATS):
        for codes in ([False, True] if i % 2 == 0 else [True, False]):
            (on if codes else off).append(drain_once(jpeg, n, codes))
    return {"entries": n, "off": summarise(off), "on": summarise(on)}


def bench_worker_drain(n=300):
    jpeg = receipt_jpeg()
    runs = [drain_once(jpeg, n) for _ in range(REPEATS)]
    return {"entries": n, "receipt_bytes": len(jpeg), **summarise(runs)}


def timed(cmd):
    """Runs `cmd`; its wall time in seconds, its peak RSS in kB and its standard output."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "RUST_LOG": "error"})
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0, f"{cmd} failed"
    return time.monotonic() - started, usage.ru_maxrss, out


def bench_draw(n=1_000_000, winners=10, alternates=10):
    """`vouch draw` over n confirmed entries in SQLite, as an operator runs it: process start,
    reading the pool, sorting, drawing, storing the record and mailing the winners."""
    import sqlite3
    runs = []
    for r in range(REPEATS):
        home = Path(tempfile.mkdtemp(prefix="vouch-draw-"))
        config = home / "vouch.toml"
        config.write_text(f'data_dir = "{home / "data"}"\ncampaigns_dir = "{BENCH / "campaigns"}"\n')
        vouch = [str(VOUCH), "--config", str(config)]
        subprocess.run(vouch + ["draw", "list", "--campaign", "bench"], check=True, capture_output=True)  # the schema
        db = sqlite3.connect(home / "data" / "vouch.db")
        db.executemany(
            "INSERT INTO entries (entry_id, campaign, idem_key, first_name, last_name, email, marketing_consent, "
            "status, accepted_ms, processed_ms) VALUES (?, 'bench', ?, 'Draw', 'Bench', ?, 0, 'confirmed', ?, ?)",
            ((f"ent_{i:08d}", f"k{i}", f"d{i}@example.com", i, i) for i in range(n)))
        db.commit()
        db.close()
        seconds, rss_kb, out = timed(vouch + ["draw", "--campaign", "bench", "--winners", str(winners), "--alternates",
                                              str(alternates), "--beacon", f"bench-{r}", "--force"])
        draw = json.loads(out)
        assert draw["eligible"] == n and len(draw["winners"]) == winners, "the whole pool drawn"
        verify_s, verify_rss_kb, _ = timed(vouch + ["draw", "verify", draw["draw_id"]])
        runs.append({"seconds": seconds, "rss_mb": rss_kb / 1024, "verify_seconds": verify_s,
                     "verify_rss_mb": verify_rss_kb / 1024})
        subprocess.run(["rm", "-rf", str(home)], check=True)
    return {"entries": n, "winners": winners, "alternates": alternates, **summarise(runs)}


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# The benchmarks' entries, written straight into SQLite (a million through the API would take an
# hour): 20 first and 20 last names, a status mix with 5 % pending review, one entry every 3 s.
FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Klara", "Leon",
               "Marie", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
              "García", "López", "Martín", "Sánchez", "Pérez", "Smith", "Jones", "Brown", "Taylor", "Wilson"]
SEED_BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def seeded_status(i):
    r = i % 100
    return "pending_review" if r < 5 else "rejected" if r < 12 else "approved" if r < 15 else "confirmed"


def seed_entries(db_path, campaigns):
    """Writes `count` entries for each (campaign, count) into the database Vouch created at
    `db_path`; returns the open connection, for `entry_cursor`."""
    import sqlite3
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA synchronous = OFF")
    for campaign, count in campaigns:
        db.executemany(
            "INSERT INTO entries (entry_id, campaign, idem_key, first_name, last_name, email, marketing_consent, "
            "status, accepted_ms, processed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((f"ent_{campaign}_{i:08d}", campaign, f"k{i}", FIRST_NAMES[i % 20], LAST_NAMES[(i // 20) % 20],
              f"Shopper{i}@example.com", i % 2, seeded_status(i), SEED_BASE_MS + i * 3000, SEED_BASE_MS + i * 3000 + 40)
             for i in range(count)))
    db.commit()
    return db


def entry_cursor(db, where, args, skip):
    """The cursor a client holds after `skip` entries of a filter of campaign `bench` (base64url of
    ms:id, as the server hands it out)."""
    import base64
    ms, entry_id = db.execute(f"SELECT accepted_ms, entry_id FROM entries WHERE campaign = 'bench' {where} "
                              "ORDER BY accepted_ms DESC, entry_id DESC LIMIT 1 OFFSET ?", (*args, skip - 1)).fetchone()
    return base64.urlsafe_b64encode(f"{ms}:{entry_id}".encode()).decode().rstrip("=")


def seeded_window(n):
    """The filtered cases' window over n seeded entries: from the day of the quarter mark to the day
    of the half (a quarter of the entries, whole UTC days), as dates and as the SQL the cursors use."""
    day = lambda ms: time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))
    from_day, to_day = day(SEED_BASE_MS + n // 4 * 3000), day(SEED_BASE_MS + n // 2 * 3000)
    filter_sql = ("AND status = 'pending_review' AND accepted_ms >= ? AND accepted_ms < ?",
                  (calendar_ms(from_day), calendar_ms(to_day) + 86_400_000))
    return from_day, to_day, filter_sql


def bench_entries(n=1_000_000, small=100_000, page=50, samples=40):
    """The console's Entries page and CSV export over n entries in SQLite, through the commands
    that call the same functions as the admin API (`vouch entries list|counts|export`), each timed
    as a whole process. The p95 of an empty campaign's page is the process's own start-up."""
    home = Path(tempfile.mkdtemp(prefix="vouch-entries-"))
    config = home / "vouch.toml"
    config.write_text(f'data_dir = "{home / "data"}"\ncampaigns_dir = "{BENCH / "campaigns"}"\n')
    vouch = [str(VOUCH), "--config", str(config)]
    subprocess.run(vouch + ["entries", "list", "--campaign", "bench"], check=True, capture_output=True)  # the schema
    db = seed_entries(home / "data" / "vouch.db", (("bench", n), ("bench_small", small)))
    from_day, to_day, filter_sql = seeded_window(n)
    filtered = ["--status", "pending_review", "--from", from_day, "--to", to_day]
    cursor = lambda where, args, skip: entry_cursor(db, where, args, skip)
    deep = 5_000
    cases = {
        "start-up (empty campaign)": ["--campaign", "nobody"],
        "first page": ["--campaign", "bench"],
        f"page {deep:,} (cursor)": ["--campaign", "bench", "--cursor", cursor("", (), (deep - 1) * page)],
        "pending_review + date range, first page": ["--campaign", "bench", *filtered],
        "pending_review + date range, page 100": ["--campaign", "bench", *filtered,
                                                  "--cursor", cursor(*filter_sql, 99 * page)],
        "e-mail search": ["--campaign", "bench", "--q", f"shopper{n // 3}@Example.com"],
        "name prefix search (\"mü\")": ["--campaign", "bench", "--q", "mü"],
    }
    db.close()
    pages = {}
    for name, args in cases.items():
        times = []
        for _ in range(samples):
            seconds, _, out = timed(vouch + ["entries", "list", "--json", "--limit", str(page), *args])
            times.append(seconds * 1000)
        found = len(json.loads(out)["entries"])
        assert name.startswith("start-up") or found > 0, f"{name}: nothing found"
        pages[name] = {"p50_ms": statistics.median(times), "p95_ms": p95(times), "rows": found}
    counts_ms = []
    for _ in range(samples // 4):
        seconds, _, out = timed(vouch + ["entries", "counts", "--campaign", "bench"])
        counts_ms.append(seconds * 1000)
    assert sum(json.loads(out).values()) == n
    exports = {}
    for campaign, count in (("bench_small", small), ("bench", n)):
        runs = []
        for _ in range(REPEATS):
            seconds, rss_kb, _ = timed(vouch + ["entries", "export", "--campaign", campaign, "--output", "/dev/null"])
            runs.append({"rows_per_s": count / seconds, "seconds": seconds, "rss_mb": rss_kb / 1024})
        exports[count] = summarise(runs)
    subprocess.run(["rm", "-rf", str(home)], check=True)
    return {"entries": n, "page": page, "samples": samples, "pages": pages,
            "counts_p95_ms": p95(counts_ms), "counts_p50_ms": statistics.median(counts_ms), "exports": exports}


def bench_admin(n=1_000_000, page=50, samples=40, load_runs=5):
    """The admin API as the console calls it: a running release `vouch serve` over n entries in
    SQLite (seeded as in `bench_entries`), an owner API token, each page a GET over one kept-alive
    HTTP connection; the streamed `entries.csv` with the server's RSS sampled while it streams;
    the console's bundle (brotli) and its first load in Chromium."""
    import http.client
    import threading
    home = Path(tempfile.mkdtemp(prefix="vouch-admin-"))
    data = home / "data"
    config = home / "cli.toml"
    config.write_text(f'data_dir = "{data}"\ncampaigns_dir = "{BENCH / "campaigns"}"\n')
    cli = [str(VOUCH), "--config", str(config)]
    subprocess.run(cli + ["entries", "list", "--campaign", "bench"], check=True, capture_output=True)  # the schema
    # The entries of `bench_entries`, so the two sections compare.
    db = seed_entries(data / "vouch.db", (("bench", n),))
    from_day, to_day, filter_sql = seeded_window(n)
    filtered = f"status=pending_review&from={from_day}&to={to_day}"
    cursor = lambda where, args, skip: entry_cursor(db, where, args, skip)
    deep = 5_000
    cases = {
        "first page": "",
        f"page {deep:,} (cursor)": f"cursor={cursor('', (), (deep - 1) * page)}",
        "pending_review + date range, first page": filtered,
        "pending_review + date range, page 100": f"{filtered}&cursor={cursor(*filter_sql, 99 * page)}",
        "e-mail search": f"q=shopper{n // 3}%40Example.com",
        "name prefix search (\"mü\")": "q=m%C3%BC",
    }
    db.close()
    out = subprocess.run(cli + ["operators", "token", "create", "--name", "bench", "--role", "owner"],
                         check=True, capture_output=True, text=True).stdout
    auth = {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}
    vouch = Vouch(worker=False, data_dir=data)
    result = {"entries": n, "page": page, "samples": samples}
    try:
        host = vouch.url.removeprefix("http://")
        conn = http.client.HTTPConnection(host, timeout=120)

        def fetch(path):
            conn.request("GET", path, headers=auth)
            res = conn.getresponse()
            body = res.read()
            assert res.status == 200, f"{path}: {res.status} {body[:300]!r}"
            return body

        listing = f"/admin/v1/campaigns/bench/entries?limit={page}"
        pages = {}
        for name, query in cases.items():
            fetch(f"{listing}&{query}")  # warm: the first request of a kind pays for the page cache
            times = []
            for _ in range(samples):
                started = time.perf_counter()
                body = fetch(f"{listing}&{query}")
                times.append((time.perf_counter() - started) * 1000)
            found = len(json.loads(body)["entries"])
            assert found > 0, f"{name}: nothing found"
            pages[name] = {"p50_ms": statistics.median(times), "p95_ms": p95(times), "rows": found}
        result["pages"] = pages

        def export():
            idle_kb = proc_stat(vouch.proc.pid)[0]
            peak = [idle_kb]
            done = threading.Event()

            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], proc_stat(vouch.proc.pid)[0])
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            stream = http.client.HTTPConnection(host, timeout=300)
            started = time.perf_counter()
            stream.request("GET", "/admin/v1/campaigns/bench/entries.csv", headers=auth)
            res = stream.getresponse()
            assert res.status == 200, res.status
            lines = 0
            while chunk := res.read(1 << 16):
                lines += chunk.count(b"\n")
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
            stream.close()
            assert lines == n + 1, f"{lines} lines for {n} entries"
            return {"seconds": seconds, "rows_per_s": n / seconds, "idle_rss_mb": idle_kb / 1024,
                    "peak_rss_mb": peak[0] / 1024}

        result["export"] = summarise([export() for _ in range(REPEATS)])
        console = ROOT / "dist" / "console"
        files = ["vouch_console.js", "vouch_console_bg.wasm", "console.css"]
        if all((console / f).exists() for f in files):
            brotli = lambda f: len(subprocess.run(["brotli", "-q", "11", "-c", str(console / f)], check=True,
                                                  capture_output=True).stdout)
            result["console_bytes"] = {f: {"raw": (console / f).stat().st_size, "brotli": brotli(f)} for f in files}
            ready = ("document.querySelector('#login-email') && "
                     "!document.querySelector('#login-email').disabled && document.activeElement && "
                     "document.activeElement.id === 'login-email'")
            runs = subprocess.run(["node", str(BENCH / "page_impact.mjs"), vouch.url + "/admin", ready, str(load_runs)],
                                  check=True, capture_output=True, text=True, cwd=BENCH).stdout
            loads = [json.loads(line) for line in runs.splitlines() if line.strip()]
            result["console_load_ms"] = spread([x["readyMs"] for x in loads])
            result["console_transfer_kb"] = statistics.median(x["transferBytes"] for x in loads) / 1024
    finally:
        vouch.stop()
        subprocess.run(["rm", "-rf", str(home), str(vouch.dir)], check=True)
    return result


def calendar_ms(d):
    import calendar
    return calendar.timegm(time.strptime(d, "%Y-%m-%d")) * 1000


def sizes(path):
    raw = Path(path).read_bytes()
    br = subprocess.run(["brotli", "-q", "11", "-c", str(path)], capture_output=True, check=True).stdout
    return {"raw": len(raw), "gzip": len(gzip.compress(raw, 9)), "brotli": len(br)}


def bench_widget():
    dist = ROOT / "dist" / "widget"
    ours = {"loader.js": sizes(dist / "loader.js")}
    for stem in BUNDLE_STEMS:
        ours[f"{stem}.js"] = sizes(dist / f"{stem}.js")
        ours[f"{stem}_bg.wasm"] = sizes(dist / f"{stem}_bg.wasm")
        # A split bundle (xtask/src/split.rs): its loaders' module comes with it, its pieces later.
        for piece in sorted(dist.glob(f"{stem}_*")):
            if re.fullmatch(rf"{stem}_[0-9a-f]{{16}}_(split\.js|.+\.wasm)", piece.name):
                label = re.sub(r"_[0-9a-f]{16}_", "_<build>_", piece.name)
                ours[label + (" (lazy)" if piece.suffix == ".wasm" else "")] = sizes(piece)
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
    peer = {"uppy.js": sizes(site / "entry.js"), "uppy.css": sizes(site / "entry.css")}
    port = free_port()
    static = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    vouch = Vouch(demo=True)
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
        impact = {}
        for name, (url, ready) in pages.items():
            shown = shown_vouch if name.startswith("Vouch") else ready
            out = subprocess.run(["node", str(BENCH / "page_impact.mjs"), url, ready, str(max(REPEATS, 3)), shown],
                                 cwd=BENCH, capture_output=True, text=True, check=True).stdout
            runs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
            impact[name] = summarise(runs)
        lighthouse = {name: summarise([lighthouse_run(url) for _ in range(max(REPEATS, 3))]) for name, (url, _) in pages.items()}
    finally:
        vouch.stop()
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


# ---------------------------------------------------------------------------------------------
# Report


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
                 + wid["ours"].get(f"{stem}_<build>_split.js", {}).get("brotli", 0)
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
            "main-thread task of the load, page's own included (the bare page's row).", "",
            "| page | form shown after (ms) | form usable after (ms) | usable ÷ Uppy's | long tasks | long-task time (ms) "
            "| longest task (ms) | CLS |", "|---|---|---|---|---|---|---|---|"]
    uppy_ready = wid["impact"].get("Uppy Dashboard", {}).get("readyMs", {}).get("median")
    for name, s in wid["impact"].items():
        ratio = f"{s['readyMs']['median'] / uppy_ready:.2f}" if uppy_ready and name.startswith("Vouch") else ""
        shown = fmt(s['shownMs'], '', 0) if "shownMs" in s else ""
        longest = fmt(s['longestTaskMs'], '', 0) if "longestTaskMs" in s else ""
        out.append(f"| {name} | {shown} | {fmt(s['readyMs'], '', 0)} | {ratio} | {fmt(s['longTasks'], '', 0)} | "
                   f"{fmt(s['longTaskMs'], '', 0)} | {longest} | {fmt(s['cls'], '', 3)} |")
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
                "one writer thread (the events' 20,000/s are 400 batch rows/s beside the entries' rows, but each row "
                "about ten times an entry message's bytes), and the server, both load generators and the writer "
                "share the 2 cores. The p99 figures of single runs spread widely (see min/max) and the machine ran "
                "other builds during the measured run; a p99 outside ±10 % here is reported as measured, not "
                "explained away. On the distributed backends the events lane is its own SQS queue.", "",
                ("Drain of the events lane by `vouch worker`: "
                 + (f"{drain['batches']} batches in {drain['seconds']:.2f} s, {drain['events_per_s']:.0f} events/s."
                    if drain else "not measured: no worker drains the events lane in this build (the hook in "
                                  "`drain_events` times it once one does).")), ""]
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


def main():
    sections = {"accept": bench_accept_path, "grants": bench_grants, "drain": bench_worker_drain, "widget": bench_widget,
                "draw": bench_draw, "codes": bench_drain_codes, "entries": bench_entries, "admin": bench_admin,
                "events": bench_events, "beacon": bench_beacon,
                "upload": bench_upload}
    # `run.py accept drain` re-measures those sections and keeps the others from the last run.
    wanted = [] if sys.argv[1:] == ["report"] else sys.argv[1:] or list(sections)
    for tool in [VOUCH] + ([ROOT / "dist" / "widget" / "vouch_entry_bg.wasm"] if "widget" in wanted else []):
        if not Path(tool).exists() and wanted:
            sys.exit(f"{tool} is missing: run `cargo xtask bench`, which builds it")
    saved = BENCH / "results.json"
    results = json.loads(saved.read_text(), object_hook=int_keys) if sys.argv[1:] and saved.exists() else {}
    # The drain sections need neither wrk nor node: re-measuring only them keeps the machine line.
    if not set(wanted) <= {"drain", "codes", "draw", "entries", "admin", "upload"} or "machine" not in results:
        results["machine"] = machine()
    for name in wanted:
        print(f"{name} …", flush=True)
        results[name] = sections[name]()
    saved.write_text(json.dumps(results, indent=2))
    if {"accept", "grants"} & set(wanted) or not sys.argv[1:]:
        plot(results, ROOT / "docs" / "benchmarks.png")
    (ROOT / "docs" / "benchmarks.md").write_text(report(results))
    print((ROOT / "docs" / "benchmarks.md").read_text())


if __name__ == "__main__":
    main()
