"""The admin side over a million entries written straight into SQLite: entry pages, CSV export
and the console."""

import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from .common import BENCH, REPEATS, ROOT, VOUCH, Vouch, p95, proc_stat, spread, summarise, timed
from .pages import calendar_ms


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
