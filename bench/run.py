#!/usr/bin/env python3
"""Vouch benchmarks, measured beside their peers in the same run on this machine.

Run with `cargo xtask bench` (it builds the release server and the widget and installs what is
missing). Every figure is repeated (BENCH_REPEATS, default 3) and reported as min/median/max;
nothing here passes or fails. Writes docs/benchmarks.md, docs/benchmarks.png and
bench/results.json. The sections live in `vouchbench/`, one module per kind of benchmark.
"""

import json
import sys
from pathlib import Path

from vouchbench.common import BENCH, ROOT, VOUCH
from vouchbench.drain import bench_drain_codes, bench_draw, bench_worker_drain
from vouchbench.entries import bench_admin, bench_entries
from vouchbench.events import bench_beacon, bench_events
from vouchbench.pages import bench_upload, bench_widget
from vouchbench.report import int_keys, machine, plot, report
from vouchbench.throughput import bench_accept_path, bench_grants


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
