"""Section 10: funnel events (ingest, the accept path beside them, the worker's drain) and what
the beacon adds to each bundle."""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .common import (
    BENCH,
    BUNDLE_STEMS,
    CONNECTIONS,
    DURATION,
    ORIGIN,
    REPEATS,
    ROOT,
    VOUCH,
    Vouch,
    load,
    queued,
    sizes,
    summarise,
)


# The events flow the accept path is measured beside: 12 connections, each pausing 22 ms between
# batches of 50 (about 24,000 events/s on an idle machine; the run reports what it reached).
EVENT_FLOW = {"connections": 12, "delay_ms": 22}

# p99 is the figure compared here, and the noisiest: more runs than elsewhere.
EVENT_REPEATS = max(REPEATS, 5)
EVENTS_PER_BATCH = 50

# Batches the drain is timed on: 200,000 events, a busy day of a large campaign.
DRAIN_BATCHES = 4000
DRAIN_SESSIONS = 1000
DRAIN_KINDS = ["impression", "form_start", "upload_started", "upload_done", "submit", "panel_open", "link_landing"]


def post_batch(url, i):
    """One page batch as the loader sends it, under its own id and one of 1,000 sessions."""
    at = int(time.time() * 1000)
    events = [{"type": DRAIN_KINDS[(i + k) % len(DRAIN_KINDS)], "at": at} for k in range(EVENTS_PER_BATCH)]
    body = json.dumps({"campaign": "bench", "batch": f"drain-batch-{i}", "session": f"session-{i % DRAIN_SESSIONS}", "events": events})
    req = urllib.request.Request(url + "/v1/events", data=body.encode(), method="POST",
                                 headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": ORIGIN})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 204, r.status


def drain_events(timeout=600.0):
    """`vouch worker` draining the events lane of a server holding only events (no entries to
    compete with): DRAIN_BATCHES page batches queued first, then timed until the lane is empty,
    and the sessions counted checked against `vouch stats`."""
    vouch = Vouch(worker=False)
    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: post_batch(vouch.url, i), range(DRAIN_BATCHES)))
        before = queued(vouch, "events")
        worker = vouch.worker()
        started = time.monotonic()
        try:
            while queued(vouch, "events") and time.monotonic() - started < timeout:
                time.sleep(0.05)
            seconds = time.monotonic() - started
        finally:
            worker.terminate()
            worker.wait(timeout=10)
        stats = json.loads(subprocess.run([str(VOUCH), "--config", str(vouch.config), "stats", "--campaign", "bench",
                                           "--format", "json"], capture_output=True, text=True, check=True).stdout)
        # Page steps count sessions: every batch holds every kind, so each kind counts all of them.
        counted = sum(sum(day["counts"].values()) for day in stats["daily"])
        left = queued(vouch, "events")
        return {"batches": before, "seconds": seconds, "left": left, "session_counts": counted,
                "session_counts_sent": len(DRAIN_KINDS) * min(DRAIN_BATCHES, DRAIN_SESSIONS),
                "events_per_s": (before - left) * EVENTS_PER_BATCH / seconds}
    finally:
        vouch.stop()


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
    result["drain"] = drain_events()
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
