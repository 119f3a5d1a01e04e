"""What every benchmark shares: settings, HTTP helpers, the processes under test (Vouch, Uppy
Companion) and the load generator (wrk)."""

import gzip
import json
import os
import re
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
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


class Vouch:
    def __init__(self, demo=False, worker=True, data_dir=None, campaigns_dir=None, widget_dir=None, binary=None):
        self.dir = Path(tempfile.mkdtemp(prefix="vouch-bench-"))
        self.data_dir = Path(data_dir) if data_dir else self.dir / "data"
        self.port, self.s3_port, self.demo_port = free_port(), free_port(), free_port()
        self.metrics_port = free_port()
        config = f"""
data_dir = "{self.data_dir}"
campaigns_dir = "{campaigns_dir or BENCH / 'campaigns'}"
widget_dir = "{widget_dir or ROOT / 'dist' / 'widget'}"
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
        self.binary = binary or VOUCH
        self.proc = subprocess.Popen([str(self.binary), "--config", str(self.config), "serve"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.cold_start = wait_for_200(self.url + "/healthz", self.started)

    def worker(self):
        return subprocess.Popen([str(self.binary), "--config", str(self.config), "worker"],
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


def queued(vouch, queue):
    """Messages on `queue` (ready or held by a worker), from the internal /metrics."""
    metrics = get(f"http://127.0.0.1:{vouch.metrics_port}/metrics")[1].decode()
    found = re.findall(rf'vouch_queue_(?:ready|in_flight)\{{queue="{queue}"\}} (\d+)', metrics)
    return sum(int(n) for n in found)


def timed(cmd):
    """Runs `cmd`; its wall time in seconds, its peak RSS in kB and its standard output."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "RUST_LOG": "error"})
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0, f"{cmd} failed"
    return time.monotonic() - started, usage.ru_maxrss, out


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def sizes(path):
    raw = Path(path).read_bytes()
    br = subprocess.run(["brotli", "-q", "11", "-c", str(path)], capture_output=True, check=True).stdout
    return {"raw": len(raw), "gzip": len(gzip.compress(raw, 9)), "brotli": len(br)}
