#!/usr/bin/env python3
"""http.py [--requests 20000] [--clients 8] [--runs 20] — the HTTP face next to gRPC.

Starts the release spindle (SPINDLE_BIN, else scripts/build-release.sh) pinned to CPU 0 with
--threads 1 and a fresh data dir, load on CPU 1, and prints:
  - unary requests/s: GetWorkflow as JSON over HTTP/1.1 (`h2load --h1`, keep-alive, one request
    in flight per connection) next to the same call over gRPC (h2load, h2c, -m 1 and -m 16);
  - delivery lag: for runs of --steps wait steps, each run event's arrival at an SSE reader and
    at a WatchRun reader, both on the same run at once, minus the event's own `time`;
  - /metrics: bytes and the time of one scrape.
It asserts nothing. With OLD_BIN=path it also runs gRPC unary against that binary, alternating
with SPINDLE_BIN (--passes times), so that "what /metrics costs per RPC" is a same-minute
comparison of two builds (e.g. main vs this branch).
"""
import argparse
import json
import os
import re
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "clients", "python"))


class Server:
    def __init__(self, binary):
        self.data = tempfile.mkdtemp(prefix="spindle-httpbench-")
        self.log = open(os.path.join(self.data, "server.log"), "w+")
        self.proc = subprocess.Popen(["taskset", "-c", "0", binary, "serve", "--port", "0", "--http-port", "0",
                                      "--data-dir", self.data, "--threads", "1"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(400):
            self.log.seek(0)
            text = self.log.read()
            m = re.search(r"event=listening addr=(\S+)", text)
            if m:
                self.addr = m.group(1)
                h = re.search(r"http_addr=(\S+)", text)
                self.http = h.group(1) if h and h.group(1) != "none" else None
                break
            time.sleep(0.05)
        else:
            sys.exit("spindle did not start:\n" + open(self.log.name).read())
        out = subprocess.run([binary, "token", "--tenant", "bench", "--data-dir", self.data],
                             capture_output=True, text=True, check=True)
        self.token = out.stdout.strip().splitlines()[-1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


def h2load(args):
    out = subprocess.run(["taskset", "-c", "1", "h2load", *args], capture_output=True, text=True).stdout
    m = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    ok = re.search(r"(\d+) succeeded", out)
    return float(m.group(1)) if m else 0.0, int(ok.group(1)) if ok else 0


def grpc_body(message_bytes, path):
    with open(path, "wb") as f:
        f.write(b"\0" + struct.pack(">I", len(message_bytes)) + message_bytes)
    return path


def http_json(server, method, path, body=None):
    req = urllib.request.Request(f"http://{server.http}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": f"Bearer {server.token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def unary(server, args):
    from spindle_client.spindle.v1 import workflow_service_pb2 as ws
    w = http_json(server, "POST", "/api/v1/workflows", {"name": "bench", "definition": {"steps": [
        {"id": "a", "type": "template", "config": {"template": "x"}}]}})
    body = grpc_body(ws.GetWorkflowRequest(workflow_id=w["id"]).SerializeToString(), os.path.join(server.data, "get.bin"))
    auth = ["-H", f"authorization: Bearer {server.token}"]
    n, c = str(args.requests), str(args.clients)
    rows = {}
    rows["json_h1_c%s" % c] = h2load(["--h1", "-n", n, "-c", c, *auth, f"http://{server.http}/api/v1/workflows/{w['id']}"])
    grpc = ["-d", body, "-H", "content-type: application/grpc", "-H", "te: trailers", *auth,
            f"http://{server.addr}/spindle.v1.WorkflowService/GetWorkflow"]
    rows["grpc_h2_c%s_m1" % c] = h2load(["-n", n, "-c", c, "-m", "1", *grpc])
    rows["grpc_h2_c%s_m16" % c] = h2load(["-n", n, "-c", c, "-m", "16", *grpc])
    rows["healthz_h1_c%s" % c] = h2load(["--h1", "-n", n, "-c", c, f"http://{server.http}/healthz"])
    return rows


def lag(server, args):
    """Per event: arrival at an SSE reader and at a gRPC WatchRun reader, minus event.time."""
    import grpc
    from spindle_client.spindle.v1 import run_service_pb2 as rs, run_service_pb2_grpc
    steps = [{"id": f"s{i}", "type": "wait", "config": {"duration": "20ms"},
              **({"dependsOn": [f"s{i-1}"]} if i else {})} for i in range(args.steps)]
    w = http_json(server, "POST", "/api/v1/workflows", {"name": "lag", "definition": {"steps": steps}})
    stub = run_service_pb2_grpc.RunServiceStub(grpc.insecure_channel(server.addr))
    md = [("authorization", f"Bearer {server.token}")]
    sse_lags, grpc_lags = [], []
    host, port = server.http.rsplit(":", 1)
    for _ in range(args.runs):
        run = http_json(server, "POST", f"/api/v1/workflows/{w['id']}/runs", {})
        rid = run["id"]

        def sse():
            s = socket.create_connection((host, int(port)))
            s.sendall((f"GET /api/v1/workflows/runs/{rid}/stream HTTP/1.1\r\nHost: x\r\n"
                       f"Authorization: Bearer {server.token}\r\n\r\n").encode())
            buf = b""
            while b"run_completed" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                now = time.time()
                buf += chunk
                for t in re.findall(rb'"time":"([^"]+)"', chunk):
                    sse_lags.append(now - parse_time(t.decode()))
            s.close()

        def watch():
            for ev in stub.WatchRun(rs.WatchRunRequest(run_id=rid), metadata=md):
                grpc_lags.append(time.time() - (ev.time.seconds + ev.time.nanos / 1e9))

        threads = [threading.Thread(target=sse), threading.Thread(target=watch)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    # The first events of a run were written before either reader connected: replayed, not live.
    return {"sse": summarize(sse_lags), "watchrun": summarize(grpc_lags)}


def parse_time(text):
    from google.protobuf import timestamp_pb2
    ts = timestamp_pb2.Timestamp()
    ts.FromJsonString(text)
    return ts.seconds + ts.nanos / 1e9


def summarize(values):
    live = sorted(v for v in values if v < 1.0)  # replayed events (older than the reader) left out
    if not live:
        return {}
    return {"events": len(live), "p50_ms": round(1000 * live[len(live) // 2], 3),
            "p99_ms": round(1000 * live[min(len(live) - 1, int(len(live) * 0.99))], 3)}


def metrics_cost(server):
    t0 = time.perf_counter()
    n = 50
    size = 0
    for _ in range(n):
        with urllib.request.urlopen(f"http://{server.http}/metrics", timeout=30) as r:
            size = len(r.read())
    return {"bytes": size, "scrape_ms": round(1000 * (time.perf_counter() - t0) / n, 3)}


def grpc_unary_benchmark(binary, args):
    """BenchmarkService.UnaryCall (no auth, no storage): the RPC path alone."""
    server = Server(binary)
    try:
        body = grpc_body(b"", os.path.join(server.data, "empty.bin"))
        rps, ok = h2load(["-n", str(args.requests * 2), "-c", "4", "-m", "32", "-d", body, "-H", "content-type: application/grpc",
                          "-H", "te: trailers", f"http://{server.addr}/grpc.testing.BenchmarkService/UnaryCall"])
        return rps
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    binary = os.environ.get("SPINDLE_BIN") or subprocess.run(
        [os.path.join(REPO, "scripts", "build-release.sh")], check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    server = Server(binary)
    try:
        print("== unary GetWorkflow (req/s, succeeded)")
        for name, (rps, ok) in unary(server, args).items():
            print(f"  {name:24s} {rps:10.0f}  {ok}")
        print("== delivery lag per event (live events only)")
        for name, row in lag(server, args).items():
            print(f"  {name:24s} {row}")
        print("== /metrics", metrics_cost(server))
    finally:
        server.stop()
    old = os.environ.get("OLD_BIN")
    if old:
        print(f"== BenchmarkService.UnaryCall req/s, alternating (-c 4 -m 32, {args.passes} passes)")
        results = {"old": [], "new": []}
        for _ in range(args.passes):
            results["old"].append(grpc_unary_benchmark(old, args))
            results["new"].append(grpc_unary_benchmark(binary, args))
        for name, values in results.items():
            print(f"  {name:4s} median {statistics.median(values):10.0f}  all {[round(v) for v in values]}")


if __name__ == "__main__":
    main()
