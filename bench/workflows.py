#!/usr/bin/env python3
"""workflows.py [--threads N] [--workflows 100000] — WorkflowService figures on the release build.

Starts the release spindle (SPINDLE_BIN, else .build/release/spindle; `serve --port 0` with a temp
data dir, via scripts/spindle_proc.py) on loopback and prints, with no assertions:
  - durable CreateWorkflow/s with 1 and with 64 concurrent clients (each create is acknowledged
    only after its fsync), with the client's and the server's CPU use, so a saturated client
    shows up;
  - the time to store --workflows workflows in one tenant (64 clients; 1 in 100 tagged "rare");
  - GetWorkflow and ListWorkflows (first page of 50, no filter; and tag=rare, ~1% match) p50/p99
    latency seen by one synchronous Python client (its own overhead included);
  - restart after SIGTERM: time from exec to the listening line, the server's store_open line,
    and VmRSS with everything loaded;
  - bytes on disk per workflow (allocated blocks under <data>/store / workflows).
Clients are grpc.aio tasks in CLIENT_PROCS spawned processes, so the Python client is not one
GIL. RATE_SECONDS (default 4) sets the creates/s phases. Every phase has a time limit; the whole run stops by itself in under 5 minutes.
"""
import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "scripts"))
sys.path.insert(0, os.path.join(REPO, "clients", "python"))
from spindle_proc import Spindle  # noqa: E402

CLIENT_PROCS = 2
TENANT = "bench"
RATE_SECONDS = float(os.environ.get("RATE_SECONDS", 4.0))
POPULATE_LIMIT_S = 150.0
LATENCY_CALLS = {"get": 2000, "list": 500, "list_tag": 300}


def definition(wf, struct_pb2, n):
    cfg = struct_pb2.Struct()
    cfg.update({"template": f"bench {n}"})
    return wf.WorkflowDefinition(steps=[wf.Step(id="render", type="template", config=cfg)])


def create_worker(addr, token, tasks, channels, seconds, count, first, keep_ids):
    """One client process: TASKS aio tasks over CHANNELS channels doing CreateWorkflow until
    SECONDS pass or COUNT creates (numbered from FIRST) are done. Returns (done, errors, cpu_s,
    up to KEEP_IDS ids)."""
    import grpc
    from google.protobuf import struct_pb2
    from spindle_client.spindle.v1 import workflow_pb2 as wf
    from spindle_client.spindle.v1 import workflow_service_pb2 as ws
    from spindle_client.spindle.v1 import workflow_service_pb2_grpc as wsg

    md = (("authorization", f"Bearer {token}"),)

    async def run():
        chans = [grpc.aio.insecure_channel(addr) for _ in range(channels)]
        stubs = [wsg.WorkflowServiceStub(c) for c in chans]
        deadline = time.monotonic() + seconds
        state = {"next": 0, "done": 0, "errors": 0, "ids": []}

        async def task(i):
            stub = stubs[i % channels]
            while time.monotonic() < deadline and state["next"] < count:
                n = first + state["next"]
                state["next"] += 1
                w = wf.Workflow(name=f"bench {n}", tags=["rare" if n % 100 == 0 else "common"],
                                definition=definition(wf, struct_pb2, n))
                try:
                    got = await stub.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w), metadata=md, timeout=30)
                    state["done"] += 1
                    if len(state["ids"]) < keep_ids:
                        state["ids"].append(got.id)
                except grpc.RpcError:
                    state["errors"] += 1

        await asyncio.gather(*(task(i) for i in range(tasks)))
        for c in chans:
            await c.close()
        return state

    state = asyncio.run(run())
    return state["done"], state["errors"], time.process_time(), state["ids"]


def server_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def creates(pool, server, token, clients, seconds, count, first, keep_ids=0):
    """Runs CLIENTS concurrent creators split over the pool's processes."""
    procs = 1 if clients == 1 else CLIENT_PROCS
    per = [clients // procs + (i < clients % procs) for i in range(procs)]
    counts = [count // procs + (i < count % procs) for i in range(procs)]
    starts = [first + sum(counts[:i]) for i in range(procs)]
    cpu0, t0 = server_cpu_s(server.pid), time.monotonic()
    results = pool.starmap(create_worker, [(server.addr, token, per[i], max(1, per[i] // 8), seconds, counts[i],
                                            starts[i], keep_ids // procs) for i in range(procs)])
    wall = time.monotonic() - t0
    done = sum(r[0] for r in results)
    return {"done": done, "errors": sum(r[1] for r in results), "wall_s": wall, "per_s": done / wall,
            "client_cpu": sum(r[2] for r in results) / wall, "server_cpu": (server_cpu_s(server.pid) - cpu0) / wall,
            "ids": [i for r in results for i in r[3]]}


def percentiles(samples_s):
    s = sorted(samples_s)
    return s[len(s) // 2] * 1000, s[min(len(s) - 1, int(len(s) * 0.99))] * 1000


def latencies(addr, token, ids):
    import grpc
    from spindle_client.spindle.v1 import workflow_service_pb2 as ws
    from spindle_client.spindle.v1 import workflow_service_pb2_grpc as wsg

    md = (("authorization", f"Bearer {token}"),)
    out = {}
    with grpc.insecure_channel(addr) as ch:
        stub = wsg.WorkflowServiceStub(ch)
        calls = {
            "get": lambda: stub.GetWorkflow(ws.GetWorkflowRequest(workflow_id=random.choice(ids)), metadata=md, timeout=10),
            "list": lambda: stub.ListWorkflows(ws.ListWorkflowsRequest(page_size=50), metadata=md, timeout=10),
            "list_tag": lambda: stub.ListWorkflows(ws.ListWorkflowsRequest(page_size=50, tag="rare"), metadata=md, timeout=10),
        }
        for name, call in calls.items():
            for _ in range(20):  # warm-up
                call()
            samples, deadline = [], time.monotonic() + 20
            for _ in range(LATENCY_CALLS[name]):
                t = time.perf_counter()
                resp = call()
                samples.append(time.perf_counter() - t)
                if time.monotonic() > deadline:
                    break
            out[name] = percentiles(samples) + (len(samples),)
            if name != "get":
                out[name + "_n"] = len(resp.workflows)
    return out


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=None, help="spindle --threads")
    ap.add_argument("--workflows", type=int, default=100_000, help="workflows stored for the latency phase")
    a = ap.parse_args()
    binary = os.environ.get("SPINDLE_BIN") or os.path.join(REPO, ".build", "release", "spindle")
    args = ["--threads", str(a.threads)] if a.threads else []
    data_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"spindle-wfbench-{os.getpid()}")
    os.makedirs(data_dir)
    ctx = multiprocessing.get_context("spawn")
    rows = []
    server = None
    try:
        server = Spindle(args, binary=binary, data_dir=data_dir)
        token = mint(binary, data_dir)
        print(f"spindle {binary} {' '.join(args)} pid {server.pid} at {server.addr}, data {data_dir}", flush=True)
        with ctx.Pool(CLIENT_PROCS) as pool:
            pool.starmap(create_worker, [(server.addr, token, 1, 1, 5, 10, -10 * (i + 1), 0)
                                         for i in range(CLIENT_PROCS)])  # warm-up: imports, connections
            stored = 2 * CLIENT_PROCS * 10
            for clients in (1, 64):
                r = creates(pool, server, token, clients, RATE_SECONDS, 10**9, 10**8 * clients)
                stored += r["done"]
                print(f"durable creates, {clients} clients: {r['per_s']:.0f}/s ({r['done']} in {r['wall_s']:.1f} s, "
                      f"{r['errors']} errors); client CPU {r['client_cpu']:.2f} cores, server CPU "
                      f"{r['server_cpu']:.2f} cores", flush=True)
                rows.append((f"durable CreateWorkflow/s, {clients} client{'s' * (clients > 1)}", f"{r['per_s']:.0f}",
                             f"client CPU {r['client_cpu']:.2f}, server CPU {r['server_cpu']:.2f} cores"))
            want = max(0, a.workflows - stored)
            r = creates(pool, server, token, 64, POPULATE_LIMIT_S, want, 0, keep_ids=4000)
            stored += r["done"]
            print(f"stored {r['done']} workflows in {r['wall_s']:.1f} s ({r['per_s']:.0f}/s, 64 clients, "
                  f"{r['errors']} errors); {stored} in the tenant", flush=True)
            rows.append((f"time to store {r['done']} workflows (64 clients)", f"{r['wall_s']:.1f} s",
                         f"{r['per_s']:.0f}/s" + ("" if r["done"] == want else f"; stopped at the {POPULATE_LIMIT_S:.0f} s limit")))
            ids = r["ids"]
        lat = latencies(server.addr, token, ids)
        for key, label in (("get", "GetWorkflow"), ("list", "ListWorkflows page 50, no filter"),
                           ("list_tag", "ListWorkflows page 50, tag ~1%")):
            p50, p99, n = lat[key]
            extra = f"{n} calls" + (f", {lat[key + '_n']} per page" if key != "get" else "")
            print(f"{label} with {stored} workflows: p50 {p50:.2f} ms, p99 {p99:.2f} ms ({extra})", flush=True)
            rows.append((f"{label} p50 / p99", f"{p50:.2f} / {p99:.2f} ms", extra))

        rss_before = vm_rss_mib(server.pid)
        rc = server.stop(timeout_s=60)
        print(f"SIGTERM: exit {rc}; RSS before stop {rss_before:.0f} MiB", flush=True)
        allocated, apparent = disk_bytes(os.path.join(data_dir, "store"))
        t0 = time.monotonic()
        server = Spindle(args, binary=binary, data_dir=data_dir, timeout_s=120)
        recovery_s = time.monotonic() - t0
        open_line = next((line for line in server.lines if "event=store_open " in line), "")
        time.sleep(1.0)
        rss = vm_rss_mib(server.pid)
        print(f"restart: listening after {recovery_s:.2f} s; RSS {rss:.0f} MiB; {open_line}", flush=True)
        rows.append((f"restart with {stored} workflows (exec to listening)", f"{recovery_s:.2f} s", open_line.split("store ", 1)[-1]))
        rows.append((f"RSS after restart, {stored} workflows", f"{rss:.0f} MiB", f"{rss_before:.0f} MiB before the stop"))
        print(f"disk: {allocated} bytes allocated ({apparent} apparent) under store/ for {stored} workflows", flush=True)
        rows.append(("bytes on disk per workflow", f"{allocated / stored:.0f}", f"{apparent / stored:.0f} apparent; log + snapshots"))
        rc = server.stop(timeout_s=60)
        server = None
        if rc != 0:
            print(f"spindle exit status after SIGTERM: {rc}", file=sys.stderr)
    finally:
        if server:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    self_cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\nbench process CPU {self_cpu.ru_utime + self_cpu.ru_stime:.1f} s; 1M-record recovery not measured "
          f"(storing 1M workflows at these rates takes longer than the 5-minute budget)\n")
    print("| measure | value | notes |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
