"""Sections 1 and 2: the BFF's accept path and upload grants under wrk, beside Uppy Companion."""



from .common import CONNECTIONS, Companion, ORIGIN, REPEATS, Vouch, load, proc_stat, spread, summarise


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
