#!/usr/bin/env python3
"""runs.py [--clients 64] [--seconds 5] [--watchers-one 1000] [--watchers-many 10000] — RunService figures.

Builds (unless SPINDLE_BIN is set) and starts the release spindle pinned to CPU 0 (`--threads 1`,
a fresh data dir, so every run is durable on real files), and runs clients/go/bin/spindle-runbench
pinned to CPU 1. Prints the figures as a table, with the aims of the run issue beside them; it
asserts nothing. The Go client is used because a Python client cannot start runs as fast as the
server finishes them.
"""
import argparse
import os
import subprocess
import sys

import benchlib

AIMS = {
    "runs_per_s": ">= 5000", "latency_p50_ms": "< 2", "lag_one_p99_ms": "< 50", "lag_many_p99_ms": "< 50",
    "kib_per_paused_run": "< 20",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--latency-runs", type=int, default=500)
    ap.add_argument("--watchers-one", type=int, default=1000)
    ap.add_argument("--watchers-many", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    binary = benchlib.binaries()
    bench = os.path.join(benchlib.GO_BIN, "spindle-runbench")
    server, data, addr = benchlib.start_server(binary, args.threads, "spindle-runbench-")
    try:
        token = benchlib.token(binary, data)
        out = subprocess.run(["taskset", "-c", "1", bench, "-addr", addr, "-token", token, "-pid", str(server.pid),
                              "-clients", str(args.clients), "-seconds", str(args.seconds),
                              "-latency-runs", str(args.latency_runs), "-watchers-one", str(args.watchers_one),
                              "-watchers-many", str(args.watchers_many)],
                             capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            sys.exit("spindle-runbench failed:\n" + out.stdout + out.stderr)
        figures = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
        print(f"spindle {binary} --threads {args.threads} on CPU 0; spindle-runbench on CPU 1")
        print(f"| figure | value | aim |\n|---|---|---|")
        for key, value in figures.items():
            print(f"| {key} | {value} | {AIMS.get(key, '')} |")
    finally:
        benchlib.stop_server(server, data)


if __name__ == "__main__":
    main()
