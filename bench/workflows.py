#!/usr/bin/env python3
"""workflows.py [--threads N] [--no-pin] [--workflows 100000] [--records N] — WorkflowService figures on the release build.

Starts the release spindle (SPINDLE_BIN, else builds .build/release/spindle; `serve --port 0` with a
temp data dir, via scripts/spindle_proc.py) on loopback, pinned to CPU 0 with `--threads 1` unless
--no-pin (the client then runs pinned to CPU 1, as in bench/runs.py and bench/run.sh: the server's
figures are one core's, and the client's CPU does not come out of them; restarts are timed
unpinned, since a snapshot is decoded on every core), and drives it with the Go client
clients/go/bin/spindle-wfbench (built by clients/go/build.sh; WFBENCH_BIN overrides). A Python
client is not used: its per-call CPU capped the measured create rate well below the server's.
Prints, with no assertions:
  - durable CreateWorkflow/s with 1 and with 64 concurrent clients (each create is acknowledged
    only after its fsync), then durable UpdateWorkflow/s (one metadata field) the same way, with
    the client's and the server's CPU use, so a saturated client shows up;
  - the time to store --workflows workflows in one tenant (64 clients; 1 in 100 tagged "rare",
    1 in 100 trigger WEBHOOK, 1 in 100 ACTIVE);
  - GetWorkflow and ListWorkflows (page of 50, newest first: no filter; tag, status, trigger,
    name_contains; a second page by tag) p50/p99 latency seen by one Go caller, one call at a time;
  - restart after SIGTERM: time from exec to the listening line, the server's store_open line,
    and VmRSS with everything loaded; bytes on disk per workflow.
With --records N it instead seeds N log records offline (`spindle bench-seed`: workflows plus
metadata updates, through the engine and the real log) and measures only the restart.
RATE_SECONDS (default 4) sets the creates/s phases. The whole run stops by itself in a few minutes.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "scripts"))
from spindle_proc import Spindle  # noqa: E402

TENANT = "bench"
RATE_SECONDS = float(os.environ.get("RATE_SECONDS", 4.0))
POPULATE_LIMIT_S = 150.0
AIMS = {"creates_per_s_64": ">= 20000", "list_tag_p99_ms": "< 5", "list_status_p99_ms": "< 5",
        "list_trigger_p99_ms": "< 5", "list_name_p99_ms": "< 5", "restart_s": "< 3 (1M records)"}


def vm_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def disk_bytes(path):
    allocated = apparent = 0
    for root, _, files in os.walk(path):
        for f in files:
            st = os.stat(os.path.join(root, f))
            allocated += st.st_blocks * 512
            apparent += st.st_size
    return allocated, apparent


def mint(binary, data_dir):
    out = subprocess.run([binary, "token", "--tenant", TENANT, "--data-dir", data_dir],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def wfbench(bench, server, token, *args, timeout=300, pin=False):
    """Runs spindle-wfbench against SERVER (pinned to CPU 1 with PIN); returns its key=value figures."""
    cmd = (["taskset", "-c", "1"] if pin else []) + [bench, "-addr", server.addr, "-token", token,
                                                      "-pid", str(server.pid), *map(str, args)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        sys.exit(f"spindle-wfbench {' '.join(map(str, args))} failed:\n{out.stdout}{out.stderr}")
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def restart(binary, args, data_dir, rows, label):
    t0 = time.monotonic()
    server = Spindle(args, binary=binary, data_dir=data_dir, timeout_s=120)
    restart_s = time.monotonic() - t0
    open_line = next((line for line in server.lines if "event=store_open " in line), "")
    time.sleep(1.0)
    rss = vm_rss_mib(server.pid)
    print(f"restart: listening after {restart_s:.2f} s; RSS {rss:.0f} MiB; {open_line}", flush=True)
    rows.append(("restart_s", f"{restart_s:.2f}", f"exec to listening, {label}; " + open_line.split("store ", 1)[-1]))
    rows.append(("rss_after_restart_mib", f"{rss:.0f}", label))
    return server


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=None, help="spindle --threads (default 1 when pinned)")
    ap.add_argument("--no-pin", action="store_true",
                    help="leave the server and client unpinned (default: server on CPU 0, client on CPU 1, as bench/runs.py)")
    ap.add_argument("--workflows", type=int, default=100_000, help="workflows stored for the latency phase")
    ap.add_argument("--records", type=int, default=0, help="seed this many log records offline, then time a restart")
    a = ap.parse_args()
    binary = os.environ.get("SPINDLE_BIN")
    if not binary:
        binary = subprocess.run([os.path.join(REPO, "scripts", "build-release.sh")], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.strip()
    bench = os.environ.get("WFBENCH_BIN")
    if not bench:
        subprocess.run([os.path.join(REPO, "clients", "go", "build.sh")], check=True)
        bench = os.path.join(REPO, "clients", "go", "bin", "spindle-wfbench")
    pin = not a.no_pin
    threads = a.threads or (1 if pin else None)
    args = ["--threads", str(threads)] if threads else []
    data_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"spindle-wfbench-{os.getpid()}")
    os.makedirs(data_dir)
    rows = []
    server = None
    try:
        if a.records:
            t0 = time.monotonic()
            out = subprocess.run([binary, "bench-seed", "--data-dir", data_dir, "--records", str(a.records),
                                  "--tenant", TENANT], check=True, capture_output=True, text=True, timeout=600)
            print(out.stdout.strip(), flush=True)
            rows.append(("seeded_records", str(a.records), f"in {time.monotonic() - t0:.1f} s (offline)"))
            allocated, apparent = disk_bytes(os.path.join(data_dir, "store"))
            rows.append(("store_bytes", str(allocated), f"{apparent} apparent"))
            server = restart(binary, args, data_dir, rows, f"{a.records} records")
        else:
            server = Spindle(args, binary=binary, data_dir=data_dir)
            if pin:  # every thread of the server, and those it starts later, on CPU 0
                subprocess.run(["taskset", "-a", "-p", "-c", "0", str(server.pid)], check=True, capture_output=True)
            token = mint(binary, data_dir)
            print(f"spindle {binary} {' '.join(args)} pid {server.pid} at {server.addr}, data {data_dir}", flush=True)
            figures = wfbench(bench, server, token, "-mode", "rate", "-seconds", RATE_SECONDS, pin=pin)
            rows += [(k, v, "") for k, v in figures.items()]
            # The rate phases' workflows stay stored too (20 warm-up creates, then each phase's).
            rate_workflows = 20 + sum(int(v) for k, v in figures.items() if k.startswith("creates_done_"))
            print(figures, flush=True)
            figures = wfbench(bench, server, token, "-mode", "populate", "-count", a.workflows, "-clients", 64,
                              "-time-limit", POPULATE_LIMIT_S, pin=pin)
            rows += [(k, v, "") for k, v in figures.items()]
            print(figures, flush=True)
            figures = wfbench(bench, server, token, "-mode", "latency", "-calls", 1000, pin=pin)
            rows += [(k, v, "") for k, v in figures.items()]
            print(figures, flush=True)
            rss_before = vm_rss_mib(server.pid)
            rc = server.stop(timeout_s=60)
            print(f"SIGTERM: exit {rc}; RSS before stop {rss_before:.0f} MiB", flush=True)
            allocated, apparent = disk_bytes(os.path.join(data_dir, "store"))
            server = restart(binary, args, data_dir, rows, "after the latency phase")
            rows.append(("rss_before_stop_mib", f"{rss_before:.0f}", ""))
            stored = a.workflows + rate_workflows
            rows.append(("bytes_on_disk_per_workflow", f"{allocated / stored:.0f}",
                         f"{apparent / stored:.0f} apparent; {stored} workflows, with the rate phases' updates"))
        rc = server.stop(timeout_s=60)
        server = None
        if rc != 0:
            print(f"spindle exit status after SIGTERM: {rc}", file=sys.stderr)
    finally:
        if server:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    print("\n| figure | value | aim | notes |")
    print("|---|---|---|---|")
    for key, value, note in rows:
        print(f"| {key} | {value} | {AIMS.get(key, '')} | {note} |")


if __name__ == "__main__":
    main()
