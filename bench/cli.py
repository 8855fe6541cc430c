#!/usr/bin/env python3
"""cli.py [--binary B] [--rounds 30] — what the `spindle` command line costs a user.

Starts `B serve` (default: this tree's release build) on a fresh data dir, applies a one-step
workflow (a transform) with the CLI, then alternates, --rounds times each:
  cli-watch     `spindle run start W --watch` as a process: start, connect, resolve the
                workflow, StartRun, GetRun, WatchRun to the end, GetRun, exit
  py-process    the same calls from a Python grpcio script started as a process
  py-in-proc    StartRun + WatchRun to the end from an already running grpcio channel
                (no process start, no connect)
and the CLI's own start-up: `spindle help` (no network) and `spindle run list --limit 1`
(connect + one unary call). Prints median / p90 in milliseconds. Asserts nothing.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "clients", "python"))
sys.path.insert(0, os.path.join(REPO, "scripts"))

PY_CLIENT = r'''
import sys, grpc
sys.path.insert(0, sys.argv[1])
from spindle_client.spindle.v1 import run_service_pb2 as rs, run_service_pb2_grpc, workflow_service_pb2 as ws
from spindle_client.spindle.v1 import workflow_service_pb2_grpc
md = [("authorization", "Bearer " + sys.argv[3])]
ch = grpc.insecure_channel(sys.argv[2])
wf = workflow_service_pb2_grpc.WorkflowServiceStub(ch).GetWorkflow(ws.GetWorkflowRequest(workflow_id=sys.argv[4]), metadata=md)
runs = run_service_pb2_grpc.RunServiceStub(ch)
run = runs.StartRun(rs.StartRunRequest(workflow_id=wf.id), metadata=md)
for e in runs.WatchRun(rs.WatchRunRequest(run_id=run.id), metadata=md):
    pass
print(runs.GetRun(rs.GetRunRequest(run_id=run.id), metadata=md).status)
'''


def timed(fn):
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def summary(name, samples):
    s = sorted(samples)
    p90 = s[min(len(s) - 1, int(len(s) * 0.9))]
    print(f"{name:<22} median {statistics.median(s):7.1f} ms   p90 {p90:7.1f} ms   (n={len(s)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(REPO, ".build", "release", "spindle"))
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()

    from spindle_proc import Spindle
    import grpc
    from spindle_client.spindle.v1 import run_service_pb2 as rs, run_service_pb2_grpc

    server = Spindle(["--threads", "1"], binary=args.binary)
    try:
        token = subprocess.run([args.binary, "token", "--tenant", "bench", "--data-dir", server.data_dir],
                               check=True, capture_output=True, text=True).stdout.strip()
        env = dict(os.environ, SPINDLE_TOKEN=token)
        cli = [args.binary]
        tail = ["--server", server.addr]
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("name: bench-one\nsteps:\n  - {id: a, type: transform, config: {expression: \"1 + 1\"}}\n")
        out = subprocess.run(cli + ["workflow", "apply", "-f", f.name, "--output", "json"] + tail, env=env,
                             check=True, capture_output=True, text=True).stdout
        import json
        wid = json.loads(out)["id"]
        channel = grpc.insecure_channel(server.addr)
        runs = run_service_pb2_grpc.RunServiceStub(channel)
        md = [("authorization", f"Bearer {token}")]

        def cli_watch():
            subprocess.run(cli + ["run", "start", wid, "--watch"] + tail, env=env, check=True, capture_output=True)

        def py_process():
            subprocess.run([sys.executable, "-c", PY_CLIENT, os.path.join(REPO, "clients", "python"), server.addr,
                            token, wid], check=True, capture_output=True)

        def py_in_proc():
            run = runs.StartRun(rs.StartRunRequest(workflow_id=wid), metadata=md)
            for _ in runs.WatchRun(rs.WatchRunRequest(run_id=run.id), metadata=md):
                pass

        def cli_help():
            subprocess.run(cli + ["help"], check=True, capture_output=True)

        def cli_list():
            subprocess.run(cli + ["run", "list", "--limit", "1"] + tail, env=env, check=True, capture_output=True)

        cases = {"cli-watch": cli_watch, "py-process": py_process, "py-in-proc": py_in_proc,
                 "cli-startup (help)": cli_help, "cli run list": cli_list}
        for fn in cases.values():  # warm up: page cache, first connections
            fn()
        samples = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, fn in cases.items():  # alternated, so load changes hit every case alike
                samples[name].append(timed(fn))
        print(f"binary {args.binary}, server --threads 1, {args.rounds} rounds alternated")
        for name, s in samples.items():
            summary(name, s)
        channel.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
