"""The worker's drain (with and without code assignment) and the draw over a million entries."""

import concurrent.futures
import io
import json
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from .common import BENCH, REPEATS, VOUCH, Vouch, post_json, summarise, timed


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
