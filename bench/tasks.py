#!/usr/bin/env python3
"""tasks.py [--workers 8] [--concurrency 64] [--clients 64] [--seconds 5] [--latency-runs 300] — task steps.

Builds (unless SPINDLE_BIN is set) and starts the release spindle pinned to CPU 0 (`--threads 1`,
a fresh data dir: every dispatch and result is durable on real files), starts --workers
clients/go/bin/spindle-worker processes (no-op tasks) pinned to CPU 1, and runs
clients/go/bin/spindle-taskbench on CPU 1: steps/s of a 10-step workflow whose steps are all
`task` steps, next to the same workflow with built-in template steps; then one-task runs one at
a time for the dispatch latency (the step's start, as GetRun reports it, to the worker
receiving the task; both clocks are this machine's). Prints a table; asserts nothing.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

import benchlib

GO = benchlib.GO_BIN
AIMS = {"task_steps_per_s": ">= 20000", "dispatch_p50_ms": "< 1"}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--latency-runs", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    binary = benchlib.binaries()
    figures = {}
    server, data, addr = benchlib.start_server(binary, args.threads, "spindle-taskbench-")
    workers = []
    try:
        token = benchlib.token(binary, data)
        stats = [os.path.join(data, f"worker-{i}.json") for i in range(args.workers)]
        for i in range(args.workers):
            workers.append(subprocess.Popen(["taskset", "-c", "1", os.path.join(GO, "spindle-worker"), "-addr", addr,
                                             "-token", token, "-queue", "bench", "-concurrency", str(args.concurrency),
                                             "-id", f"bench-{i}", "-stats", stats[i]],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
        time.sleep(0.5)

        def bench(kind, latency):
            out = subprocess.run(["taskset", "-c", "1", os.path.join(GO, "spindle-taskbench"), "-addr", addr,
                                  "-token", token, "-kind", kind, "-clients", str(args.clients),
                                  "-seconds", str(args.seconds), "-latency-runs", str(latency)],
                                 capture_output=True, text=True, timeout=600)
            if out.returncode != 0:
                sys.exit(f"spindle-taskbench -kind {kind} failed:\n" + out.stdout + out.stderr)
            return out.stdout.splitlines()

        lines = bench("task", args.latency_runs)
        kv = dict(l.split("=", 1) for l in lines if "=" in l)
        figures["task_steps_per_s"] = kv["steps_per_s"]
        started = {p[1]: int(p[2]) for p in (l.split() for l in lines if l.startswith("started "))}
        kv = dict(l.split("=", 1) for l in bench("builtin", 0) if "=" in l)
        figures["builtin_steps_per_s"] = kv["steps_per_s"]
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
        received = {}
        for f in stats:
            received.update(json.load(open(f)))
        lat = [(received[t] - s) / 1e6 for t, s in started.items() if t in received]
        figures["dispatch_samples"] = str(len(lat))
        figures["dispatch_p50_ms"] = f"{pct(lat, 50):.3f}"
        figures["dispatch_p99_ms"] = f"{pct(lat, 99):.3f}"
        print(f"spindle {binary} --threads {args.threads} on CPU 0; {args.workers} spindle-worker "
              f"(concurrency {args.concurrency}) and spindle-taskbench ({args.clients} clients) on CPU 1")
        print("| figure | value | aim |\n|---|---|---|")
        for key, value in figures.items():
            print(f"| {key} | {value} | {AIMS.get(key, '')} |")
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        benchlib.stop_server(server, data)

if __name__ == "__main__":
    main()
