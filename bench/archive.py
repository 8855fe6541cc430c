#!/usr/bin/env python3
"""archive.py [--runs 100000] [--archived 1000000] [--before BINARY] — what finished runs cost.

For each server binary (this tree's release build, and --before, e.g. a build from before the
run archive, if given): start it pinned to CPU 0 on a fresh data dir, run 10-step no-op DAG runs
with clients/go/bin/spindle-runbench (-only runs) pinned to CPU 1 until --runs have completed,
and read the server's VmRSS twice: after the first tenth of the runs (the event ring and caches
are full by then) and at the end. The growth between the two, per run, is the memory each
finished run keeps. Then the sizes on disk, the snapshots the server logged (bytes, time), and
a restart on the same data (store_open and runs_recovered durations, VmRSS).

With --archived, the store of this tree's run is grown to that many archived runs by
bench/archivegen.go (index entries copying real ones; see there) and the server restarted on
it: start-up time and VmRSS with a million archived runs. Asserts nothing; prints a table.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BENCH = os.path.join(REPO, "clients", "go", "bin", "spindle-runbench")
SERVE = ["--threads", "1", "--max-runs-per-workflow", "100000", "--max-running-runs", "100000"]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def du_kib(path):
    return int(subprocess.run(["du", "-sk", path], capture_output=True, text=True).stdout.split()[0]) if os.path.exists(path) else 0


class Server:
    def __init__(self, binary, data):
        self.data = data
        self.log = open(os.path.join(data, "server.log"), "a+")
        self.start_offset = self.log.seek(0, 2)
        self.proc = subprocess.Popen(["taskset", "-c", "0", binary, "serve", "--port", "0", "--data-dir", data, *SERVE],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.addr = self.wait_for(r"event=listening addr=(\S+)", 600).group(1)
        self.token = subprocess.run([binary, "token", "--tenant", "bench", "--data-dir", data], check=True,
                                    capture_output=True, text=True).stdout.strip().splitlines()[-1]

    def text(self):
        self.log.flush()
        with open(self.log.name) as f:
            f.seek(self.start_offset)
            return f.read()

    def wait_for(self, pattern, seconds):
        for _ in range(int(seconds * 20)):
            m = re.search(pattern, self.text())
            if m:
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        sys.exit("spindle did not start:\n" + self.text()[-3000:])

    def field(self, event, name):
        m = re.search(rf"event={event}\b.*?\b{name}=(\S+)", self.text())
        return m.group(1) if m else "-"

    def runs(self, seconds):
        out = subprocess.run(["taskset", "-c", "1", BENCH, "-addr", self.addr, "-token", self.token,
                              "-only", "runs", "-seconds", str(seconds)], capture_output=True, text=True, timeout=3600)
        if out.returncode != 0:
            sys.exit("spindle-runbench failed:\n" + out.stdout + out.stderr)
        figures = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
        return int(figures["runs_completed"]), float(figures["runs_per_s"])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(120)


def measure(name, binary, runs, keep):
    data = tempfile.mkdtemp(prefix="spindle-archivebench-")
    s = Server(binary, data)
    # Runs/s decides how long the phases take: a short probe first.
    probe, per_s = s.runs(2)
    warm, _ = s.runs(max(1.0, runs / 10 / per_s))
    rss_warm = rss_kib(s.proc.pid)
    done, per_s = s.runs(max(1.0, (runs - probe - warm) / per_s))
    rss_end = rss_kib(s.proc.pid)
    total = probe + warm + done
    snaps = re.findall(r"event=snapshot .*", s.text())
    s.stop()
    store = os.path.join(data, "store")
    row = {
        "binary": name, "runs": total, "runs_per_s": f"{per_s:.0f}",
        "rss_end_mib": f"{rss_end / 1024:.0f}",
        "kib_per_finished_run": f"{(rss_end - rss_warm) / max(done, 1):.2f}",
        "log_kib": du_kib(os.path.join(store, "log")), "snap_kib": du_kib(os.path.join(store, "snap")),
        "archive_kib": du_kib(os.path.join(store, "archive")),
        "snapshots": len(snaps),
    }
    if snaps:
        last = snaps[-1]
        row["last_snapshot_bytes"] = re.search(r"bytes=(\d+)", last).group(1)
        row["snapshot_ms_max"] = max(int(re.search(r"duration_ms=(\d+)", l).group(1)) for l in snaps)
    s = Server(binary, data)
    row["restart_store_open_ms"] = s.field("store_open", "duration_ms")
    row["restart_runs_recovered_ms"] = s.field("runs_recovered", "duration_ms")
    row["restart_rss_mib"] = f"{rss_kib(s.proc.pid) / 1024:.0f}"
    s.stop()
    if not keep:
        shutil.rmtree(data, ignore_errors=True)
    return row, data


def million(binary, data, archived):
    gen = subprocess.run(["go", "run", os.path.join(HERE, "archivegen.go"), "-store", os.path.join(data, "store"),
                          "-runs", str(archived)], capture_output=True, text=True, timeout=600)
    if gen.returncode != 0:
        sys.exit("archivegen failed:\n" + gen.stdout + gen.stderr)
    t0 = time.monotonic()
    s = Server(binary, data)
    ready_s = time.monotonic() - t0
    row = {"binary": "this tree", "archived_runs": s.field("store_open", "archived_runs"),
           "store_open_ms": s.field("store_open", "duration_ms"),
           "runs_recovered_ms": s.field("runs_recovered", "duration_ms"),
           "listening_after_s": f"{ready_s:.1f}", "rss_mib": f"{rss_kib(s.proc.pid) / 1024:.0f}",
           "archive_kib": du_kib(os.path.join(data, "store", "archive"))}
    s.stop()
    return row


def table(rows):
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    print("| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for r in rows:
        print("| " + " | ".join(str(r.get(k, "")) for k in keys) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100000)
    ap.add_argument("--archived", type=int, default=0)
    ap.add_argument("--before", help="a spindle binary to compare with")
    args = ap.parse_args()
    binary = os.environ.get("SPINDLE_BIN")
    if not binary:
        binary = subprocess.run([os.path.join(REPO, "scripts", "build-release.sh")], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.strip()
    subprocess.run([os.path.join(REPO, "clients", "go", "build.sh")], check=True, capture_output=True)
    rows = []
    if args.before:
        rows.append(measure("before", args.before, args.runs, keep=False)[0])
    row, data = measure("this tree", binary, args.runs, keep=True)
    rows.append(row)
    table(rows)
    if args.archived:
        print()
        table([million(binary, data, args.archived)])
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
