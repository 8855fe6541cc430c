"""The HTTP/1.1 face of `spindle serve` (--http-port): JSON routes, errors, auth, SSE with resume,
gRPC-Web, /metrics, /healthz, /readyz, the dashboard's files and the HTTP/1.1 transport's limits.

Everything runs against a live server on loopback; requests and raw sockets speak HTTP, grpcio
is the reference the JSON is checked against (google.protobuf.json_format on the same message).
"""
import base64
import json
import re
import socket
import struct
import threading
import time

import grpc
import pytest
import requests
from google.protobuf import json_format

from conftest import Api, mint, start_spindle, stop_and_check
from spindle_client.spindle.v1 import run_pb2, run_service_pb2 as rs, workflow_pb2 as wf, workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
HTTP_ADDR = re.compile(r"\bhttp_addr=(\S+)")


class Face:
    """The server, its HTTP base URL, and tokens for two tenants."""

    def __init__(self, server):
        self.server = server
        line = next(l for l in server.lines if "event=listening" in l)
        self.http = HTTP_ADDR.search(line).group(1)
        self.host, port = self.http.rsplit(":", 1)
        self.port = int(port)
        self.base = f"http://{self.http}"
        self.alice = mint(server, "alice")
        self.bob = mint(server, "bob")
        self.session = requests.Session()

    def call(self, method, path, token="alice", **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {getattr(self, token)}"
        return self.session.request(method, self.base + path, headers=headers, timeout=30, **kw)

    def grpc_api(self, token="alice"):
        return Api(grpc.insecure_channel(self.server.addr), getattr(self, token))


@pytest.fixture(scope="module")
def face():
    server = start_spindle("--http-head-timeout-ms", "1500")
    try:
        yield Face(server)
    finally:
        stop_and_check(server)


STEPS = [
    {"id": "a", "type": "transform", "config": {"expression": "inputs.n * 2"}},
    {"id": "b", "type": "template", "depends_on": ["a"], "config": {"template": "n2={{steps.a}}"}},
]


def create(face, name="etl", steps=STEPS, token="alice"):
    r = face.call("POST", "/api/v1/workflows", token=token, json={"name": name, "definition": {"steps": steps}})
    assert r.status_code == 201, r.text
    return r.json()


def raw(face, data, read_until_close=True, timeout=10):
    """Sends DATA on a fresh socket, returns everything read until the server closes."""
    with socket.create_connection((face.host, face.port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            chunks.append(b)
            if not read_until_close:
                break
        return b"".join(chunks)


# --- operational endpoints and the dashboard's files ---------------------------------------

def test_healthz_readyz_and_listening_line(face):
    assert face.port > 0
    r = face.call("GET", "/healthz", token=None)
    assert r.status_code == 200 and r.text == "ok\n"
    r = face.call("GET", "/readyz", token=None)
    assert r.status_code == 200 and r.text == "ready\n"
    assert face.call("POST", "/healthz", token=None).status_code == 405


def test_dashboard_index_etag_304_and_gzip(face):
    r = face.call("GET", "/", token=None, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>Spindle</title>" in r.text
    assert "Content-Encoding" not in r.headers
    etag = r.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert r.headers["Cache-Control"] == "no-cache"
    same = face.call("GET", "/index.html", token=None, headers={"Accept-Encoding": "identity"})
    assert same.content == r.content and same.headers["ETag"] == etag
    again = face.call("GET", "/", token=None, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    zipped = face.call("GET", "/", token=None, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.content == r.content  # requests inflates it
    assert int(zipped.headers["Content-Length"]) < len(r.content)


def test_unknown_route_404_and_wrong_method_405_with_allow(face):
    r = face.call("GET", "/api/v1/nothing/here")
    assert r.status_code == 404 and r.json()["code"] == 5
    r = face.call("GET", "/no-such-file.js", token=None)
    assert r.status_code == 404
    r = face.call("PUT", "/api/v1/workflows/wf_x")
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) == {"GET", "PATCH", "DELETE"}
    assert r.json()["code"] == 12


def test_every_openapi_operation_is_routed(face):
    """docs/openapi.json (generated from proto/ and the route table) describes what the server routes."""
    import os
    doc = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "docs", "openapi.json")))
    operations = [(m.upper(), p) for p, ops in doc["paths"].items() for m in ops]
    assert len(operations) >= 40
    for method, template in operations:
        path = re.sub(r"\{[a-z_]+\}", "1", template)
        r = face.call(method, path, data=b"{}" if method in ("POST", "PATCH") else None, stream=True)
        body = r.raw.read(4096) if "event-stream" not in r.headers.get("Content-Type", "") else b""
        r.close()
        assert r.status_code != 405 and b"no route" not in body, (method, path, r.status_code, body)
    for name, schema in doc["components"]["schemas"].items():
        for ref in re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema)):
            assert ref in doc["components"]["schemas"], (name, ref)


# --- JSON routes ----------------------------------------------------------------------------

def test_queue_routes_answer_as_worker_service(face):
    """GET /api/v1/queues and /api/v1/queues/{queue} are WorkerService's ListQueues / DescribeQueue."""
    listed = face.call("GET", "/api/v1/queues")
    assert listed.status_code == 200, listed.text
    assert isinstance(listed.json().get("queues", []), list)
    missing = face.call("GET", "/api/v1/queues/never-used-queue")
    assert missing.status_code == 404 and missing.json()["code"] == 5, missing.text
    assert "never-used-queue" in missing.json()["message"]
    assert face.call("GET", "/api/v1/queues", token=None).status_code == 401


def test_create_get_list_workflow_camel_and_snake_names(face):
    w = create(face, "names-snake")
    assert w["id"].startswith("wf_") and w["name"] == "names-snake"
    assert w["definition"]["steps"][1]["dependsOn"] == ["a"]  # snake in, lowerCamel out
    camel = face.call("POST", "/api/v1/workflows", json={"name": "names-camel", "definition": {"steps": [
        STEPS[0], {"id": "b", "type": "template", "dependsOn": ["a"], "config": {"template": "x"}}]}})
    assert camel.status_code == 201, camel.text
    assert camel.json()["definition"]["steps"][1]["dependsOn"] == ["a"]
    got = face.call("GET", f"/api/v1/workflows/{w['id']}")
    assert got.status_code == 200 and got.json() == w
    listed = face.call("GET", "/api/v1/workflows", params={"name_contains": "names-", "pageSize": "10"})
    assert listed.status_code == 200
    assert {x["name"] for x in listed.json()["workflows"]} >= {"names-snake", "names-camel"}
    # Enums by name from the query string.
    drafts = face.call("GET", "/api/v1/workflows", params={"status": "WORKFLOW_STATUS_DRAFT", "name_contains": "names-"})
    assert {x["name"] for x in drafts.json()["workflows"]} >= {"names-snake", "names-camel"}
    archived = face.call("GET", "/api/v1/workflows", params={"status": "WORKFLOW_STATUS_ARCHIVED", "name_contains": "names-"})
    assert archived.json().get("workflows", []) == []


def test_json_matches_the_reference_json_format_for_the_same_messages(face):
    """The transcoder's output equals google.protobuf.json_format's for the message grpcio gets."""
    w = create(face, "golden")
    run = face.call("POST", f"/api/v1/workflows/{w['id']}/run", json={"inputs": {"n": 21}})
    assert run.status_code == 200, run.text
    api = face.grpc_api()
    ref_w = api.GetWorkflow(ws.GetWorkflowRequest(workflow_id=w["id"]))
    ref_r = api.GetRun(rs.GetRunRequest(run_id=run.json()["id"]))
    assert face.call("GET", f"/api/v1/workflows/{w['id']}").json() == json_format.MessageToDict(ref_w)
    http_run = face.call("GET", f"/api/v1/workflows/runs/{ref_r.id}").json()
    assert http_run == json_format.MessageToDict(ref_r)
    assert http_run["outputs"] == {"b": "n2=42"}
    assert isinstance(http_run["lastSeq"], str)  # uint64 as a string
    # And back: the reference parser reads our JSON into the same message.
    assert json_format.Parse(json.dumps(http_run), run_pb2.Run()) == ref_r


def test_run_routes_start_get_list_cancel(face):
    w = create(face, "runs", steps=[{"id": "hold", "type": "human_approval", "config": {"message": "ok?"}}])
    started = face.call("POST", f"/api/v1/workflows/{w['id']}/runs", json={"inputs": {"k": "v"}, "idempotencyKey": "k1"})
    assert started.status_code == 201, started.text
    rid = started.json()["id"]
    again = face.call("POST", f"/api/v1/workflows/{w['id']}/runs", json={"idempotency_key": "k1", "inputs": {"k": "v"}})
    assert again.json()["id"] == rid  # the same call, so the same idempotency semantics
    listed = face.call("GET", f"/api/v1/workflows/{w['id']}/runs").json()
    assert [r["id"] for r in listed["runs"]] == [rid]
    also = face.call("GET", "/api/v1/workflows/runs", params={"workflow_id": w["id"]}).json()
    assert [r["id"] for r in also["runs"]] == [rid]
    deadline = time.time() + 10
    while face.call("GET", f"/api/v1/workflows/runs/{rid}").json()["status"] != "RUN_STATUS_PAUSED":
        assert time.time() < deadline
        time.sleep(0.05)
    paused = face.call("GET", "/api/v1/workflows/paused_runs", params={"workflow_id": w["id"]}).json()
    assert [r["id"] for r in paused["runs"]] == [rid]
    canceled = face.call("POST", f"/api/v1/workflows/runs/{rid}/cancel", json={"reason": "test"})
    assert canceled.status_code == 200 and canceled.json()["status"] == "RUN_STATUS_CANCELED"


def test_errors_bad_json_unknown_field_no_token_other_tenant(face):
    r = face.call("POST", "/api/v1/workflows", data=b'{"name": ')
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == 3 and "not valid JSON" in body["message"] and body["details"] == []
    r = face.call("POST", "/api/v1/workflows", json={"name": "x", "colour": "red"})
    assert r.status_code == 400 and "unknown field \"colour\"" in r.json()["message"]
    r = face.call("POST", "/api/v1/workflows", json={"name": "x"}, token=None)
    assert r.status_code == 401 and r.json()["code"] == 16
    r = face.call("GET", "/api/v1/workflows", headers={"Authorization": "Bearer not-a-token"}, token=None)
    assert r.status_code == 401
    w = create(face, "private")
    run = face.call("POST", f"/api/v1/workflows/{w['id']}/run", json={"inputs": {"n": 1}}).json()
    assert face.call("GET", f"/api/v1/workflows/{w['id']}", token="bob").status_code == 404
    theirs = face.call("GET", f"/api/v1/workflows/runs/{run['id']}", token="bob")
    assert theirs.status_code == 404 and theirs.json()["code"] == 5
    assert face.call("GET", f"/api/v1/workflows/runs/{run['id']}/stream", token="bob").status_code == 404


def test_validation_error_carries_the_same_details_as_grpc(face):
    bad = {"name": "cyclic", "definition": {"steps": [
        {"id": "a", "type": "template", "dependsOn": ["b"], "config": {"template": "x"}},
        {"id": "b", "type": "template", "dependsOn": ["a"], "config": {"template": "y"}}]}}
    r = face.call("POST", "/api/v1/workflows", json=bad)
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == 3
    with pytest.raises(grpc.RpcError) as e:
        face.grpc_api().CreateWorkflow(ws.CreateWorkflowRequest(workflow=json_format.ParseDict(bad, wf.Workflow())))
    assert body["message"] == e.value.details()
    assert body["details"] and body["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    assert body["details"][0]["fieldViolations"]
    trailer = dict(e.value.trailing_metadata())["grpc-status-details-bin"]
    from spindle_client.google.rpc import error_details_pb2, status_pb2  # noqa: F401 (registers BadRequest)
    assert json_format.MessageToDict(status_pb2.Status.FromString(trailer))["details"] == body["details"]


def test_path_variables_override_and_int64_strings_accepted(face):
    w = create(face, "versions")
    upd = face.call("PATCH", f"/api/v1/workflows/{w['id']}", json={
        "definition": {"steps": STEPS + [{"id": "c", "type": "template", "depends_on": ["b"], "config": {"template": "c"}}]},
        "changeSummary": "add c"})
    assert upd.status_code == 200, upd.text
    assert upd.json()["currentVersion"] == 2
    versions = face.call("GET", f"/api/v1/workflows/{w['id']}/versions").json()["versions"]
    assert sorted(v["number"] for v in versions) == [1, 2]
    one = face.call("GET", f"/api/v1/workflows/{w['id']}/versions/1")
    assert one.status_code == 200 and one.json()["number"] == 1
    assert [s["id"] for s in one.json()["definition"]["steps"]] == ["a", "b"]
    diff = face.call("GET", f"/api/v1/workflows/{w['id']}/diff", params={"from_version": "1", "toVersion": "2"})
    assert diff.status_code == 200 and diff.json()["operations"], diff.text
    steps = face.call("GET", f"/api/v1/workflows/{w['id']}/steps").json()["steps"]
    assert [s["id"] for s in steps] == ["a", "b", "c"]
    rolled = face.call("POST", f"/api/v1/workflows/{w['id']}/rollback", json={"toVersion": 1})
    assert rolled.status_code == 200 and rolled.json()["currentVersion"] == 3
    assert face.call("GET", f"/api/v1/workflows/{w['id']}/versions/x1").status_code == 400


# --- SSE ------------------------------------------------------------------------------------

def read_sse(resp, until=None, limit=100):
    """Parses SSE events from a streaming requests response: [(id, event, data)]."""
    events, cur = [], {}
    for line in resp.iter_lines(decode_unicode=True):
        if line == "":
            if "event" in cur:
                events.append((cur.get("id"), cur["event"], json.loads(cur["data"])))
                if until and until(events[-1]) or len(events) >= limit:
                    return events
            cur = {}
            continue
        if line.startswith(":"):
            continue
        key, _, value = line.partition(": ")
        cur[key] = value
    return events


def test_sse_full_stream_then_resume_after_disconnect_without_gap_or_repeat(face):
    w = create(face, "sse", steps=[
        {"id": "first", "type": "template", "config": {"template": "one"}},
        {"id": "gate", "type": "human_approval", "dependsOn": ["first"], "config": {"message": "go?"}},
        {"id": "last", "type": "template", "dependsOn": ["gate"], "config": {"template": "two"}}])
    run = face.call("POST", f"/api/v1/workflows/{w['id']}/run", json={}).json()
    assert run["status"] == "RUN_STATUS_PAUSED"
    rid = run["id"]
    s1 = face.call("GET", f"/api/v1/workflows/runs/{rid}/stream", stream=True)
    assert s1.status_code == 200 and s1.headers["Content-Type"] == "text/event-stream"
    first = read_sse(s1, until=lambda e: e[1] == "step_paused")
    s1.close()  # the client goes away mid-run
    names = [e[1] for e in first]
    assert names[:4] == ["run_queued", "run_started", "step_started", "step_completed"]
    assert "step_paused" in names
    last_id = first[-1][0]
    act = face.call("POST", f"/api/v1/workflows/runs/{rid}/pause_action",
                    json={"stepId": "gate", "action": "PAUSE_ACTION_APPROVE", "comment": "fine"})
    assert act.status_code == 200, act.text
    s2 = face.call("GET", f"/api/v1/workflows/runs/{rid}/stream", stream=True, headers={"Last-Event-ID": last_id})
    rest = read_sse(s2)  # the stream ends after the terminal event
    s2.close()
    seqs = [int(e[0]) for e in first + rest]
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # no gap, no repeat
    assert rest[-1][1] == "run_completed" and rest[-1][2]["runStatus"] == "RUN_STATUS_COMPLETED"
    assert all(int(e[2]["seq"]) == int(e[0]) for e in rest)
    grpc_seqs = [ev.seq for ev in face.grpc_api().WatchRun(rs.WatchRunRequest(run_id=rid))]
    assert grpc_seqs == seqs
    # ?after_seq= does the same as the header.
    s3 = face.call("GET", f"/api/v1/workflows/runs/{rid}/stream", params={"after_seq": str(seqs[-2])}, stream=True)
    assert [int(e[0]) for e in read_sse(s3)] == [seqs[-1]]


def test_sse_watch_runs_follows_the_tenant(face):
    w = create(face, "sse-all")
    s = face.call("GET", "/api/v1/workflows/runs/stream", params={"workflow_id": w["id"]}, stream=True)
    assert s.status_code == 200
    got = []

    def reader():
        got.extend(read_sse(s, until=lambda e: e[1] == "run_completed"))

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(0.3)
    face.call("POST", f"/api/v1/workflows/{w['id']}/run", json={"inputs": {"n": 2}})
    t.join(20)
    s.close()
    names = [e[1] for e in got]
    assert "snapshot_end" in names and names[-1] == "run_completed"
    assert all(e[0] for e in got if e[1] != "snapshot_end")  # resume tokens as ids


# --- gRPC-Web -------------------------------------------------------------------------------

def grpc_web_frames(body):
    frames, i = [], 0
    while i < len(body):
        flag, length = body[i], struct.unpack(">I", body[i + 1:i + 5])[0]
        frames.append((flag, body[i + 5:i + 5 + length]))
        i += 5 + length
    return frames


def test_grpc_web_unary_with_trailer_frame(face):
    w = create(face, "web")
    msg = ws.GetWorkflowRequest(workflow_id=w["id"]).SerializeToString()
    r = face.call("POST", "/spindle.v1.WorkflowService/GetWorkflow", data=b"\0" + struct.pack(">I", len(msg)) + msg,
                  headers={"Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/grpc-web+proto"
    frames = grpc_web_frames(r.content)
    assert [f[0] for f in frames] == [0, 0x80]
    assert wf.Workflow.FromString(frames[0][1]).id == w["id"]
    trailers = dict(line.split(": ", 1) for line in frames[1][1].decode().strip().split("\r\n"))
    assert trailers["grpc-status"] == "0"
    # Errors: the status in the trailer frame, no message frame.
    r = face.call("POST", "/spindle.v1.WorkflowService/GetWorkflow", data=b"\0" + struct.pack(">I", len(msg)) + msg,
                  headers={"Content-Type": "application/grpc-web+proto"}, token="bob")
    frames = grpc_web_frames(r.content)
    assert [f[0] for f in frames] == [0x80] and b"grpc-status: 5" in frames[0][1]


def test_grpc_web_text_server_streaming(face):
    w = create(face, "web-text")
    run = face.call("POST", f"/api/v1/workflows/{w['id']}/run", json={"inputs": {"n": 3}}).json()
    msg = rs.WatchRunRequest(run_id=run["id"]).SerializeToString()
    body = base64.b64encode(b"\0" + struct.pack(">I", len(msg)) + msg)
    r = face.call("POST", "/spindle.v1.RunService/WatchRun", data=body,
                  headers={"Content-Type": "application/grpc-web-text+proto"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/grpc-web-text+proto"
    decoded = b"".join(base64.b64decode(part + b"=" * (-len(part) % 4)) for part in re.findall(rb"[A-Za-z0-9+/]+=*", r.content))
    frames = grpc_web_frames(decoded)
    events = [run_pb2.RunEvent.FromString(f[1]) for f in frames if f[0] == 0]
    assert [e.seq for e in events] == list(range(1, len(events) + 1)) and len(events) == int(run["lastSeq"])
    assert frames[-1][0] == 0x80 and b"grpc-status: 0" in frames[-1][1]


# --- /metrics -------------------------------------------------------------------------------

def scrape(face):
    from prometheus_client.parser import text_string_to_metric_families
    r = face.call("GET", "/metrics", token=None)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    return families


def sample(families, name, **labels):
    for family in families.values():
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return None


def test_metrics_parse_and_counters_move(face):
    before = scrape(face)
    for name in ["spindle_rpc_requests", "spindle_rpc_duration_seconds", "spindle_runs", "spindle_connections",
                 "spindle_run_events",
                 "spindle_process_resident_memory_bytes", "spindle_log_fsync_duration_seconds",
                 "spindle_log_group_commit_records", "spindle_watchers"]:
        assert name in before, f"{name} missing from /metrics: {sorted(before)}"
    labels = dict(service="spindle.v1.WorkflowService", method="GetWorkflow", code="OK")
    n0 = sample(before, "spindle_rpc_requests_total", **labels) or 0
    w = create(face, "metrics")
    for _ in range(3):
        assert face.call("GET", f"/api/v1/workflows/{w['id']}").status_code == 200
    face.grpc_api().GetWorkflow(ws.GetWorkflowRequest(workflow_id=w["id"]))
    after = scrape(face)
    assert sample(after, "spindle_rpc_requests_total", **labels) == n0 + 4
    nf = dict(service="spindle.v1.WorkflowService", method="GetWorkflow", code="NOT_FOUND")
    m0 = sample(after, "spindle_rpc_requests_total", **nf) or 0
    face.call("GET", "/api/v1/workflows/wf_missing")
    assert sample(scrape(face), "spindle_rpc_requests_total", **nf) == m0 + 1
    count = sample(after, "spindle_rpc_duration_seconds_count", service="spindle.v1.WorkflowService", method="GetWorkflow")
    inf = sample(after, "spindle_rpc_duration_seconds_bucket", service="spindle.v1.WorkflowService",
                 method="GetWorkflow", le="+Inf")
    assert count == inf and count >= 4
    assert sample(after, "spindle_process_resident_memory_bytes") > 1 << 20


# --- HTTP/1.1 transport ---------------------------------------------------------------------

def test_keep_alive_and_pipelined_requests_answered_in_order(face):
    reqs = b"".join(f"GET /{p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for p in ["healthz", "readyz", "nope", "healthz"])
    reqs += b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    out = raw(face, reqs)
    statuses = re.findall(rb"HTTP/1.1 (\d+)", out)
    assert statuses == [b"200", b"200", b"404", b"200", b"200"]
    assert out.index(b"ok\n") < out.index(b"ready\n") < out.index(b"no route") < out.rindex(b"ready\n")
    # One requests.Session reuses its connection across many calls.
    s = requests.Session()
    peers = set()
    for _ in range(5):
        r = s.get(face.base + "/healthz", stream=True)
        peers.add(r.raw._connection.sock.getsockname())
        r.content
    assert len(peers) == 1


def test_chunked_request_body_and_expect_continue(face):
    body = json.dumps({"name": "chunky", "definition": {"steps": STEPS}}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7)) + b"0\r\n\r\n"
    head = (f"POST /api/v1/workflows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {face.alice}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    out = raw(face, head + chunks)
    assert out.startswith(b"HTTP/1.1 201 "), out[:200]
    assert b'"name":"chunky"' in out
    with socket.create_connection((face.host, face.port), timeout=10) as s:
        s.sendall((f"POST /api/v1/workflows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {face.alice}\r\n"
                   f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").encode())
        interim = s.recv(100)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        rest = b""
        while chunk := s.recv(65536):
            rest += chunk
        assert rest.startswith(b"HTTP/1.1 201 ")


def test_limits_431_413_414_and_bad_requests(face):
    big_header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    assert raw(face, big_header).startswith(b"HTTP/1.1 431 ")
    many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n"
    assert raw(face, many).startswith(b"HTTP/1.1 431 ")
    huge_body = b"POST /api/v1/workflows HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n"
    assert raw(face, huge_body).startswith(b"HTTP/1.1 413 ")
    long_uri = b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert raw(face, long_uri).startswith(b"HTTP/1.1 414 ")
    assert raw(face, b"GET /healthz HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 400 ")  # no Host
    smuggle = b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    assert raw(face, smuggle).startswith(b"HTTP/1.1 400 ")
    assert raw(face, b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 505 ")
    assert raw(face, b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
    # The server still answers afterwards.
    assert face.call("GET", "/healthz", token=None).status_code == 200


def test_slow_headers_get_408_and_the_connection_closes(face):
    with socket.create_connection((face.host, face.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished (slowloris)
        t0 = time.monotonic()
        out = b""
        while chunk := s.recv(4096):
            out += chunk
        assert out.startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - t0 < 8  # --http-head-timeout-ms 1500, not the 60 s idle timeout
    assert face.call("GET", "/healthz", token=None).status_code == 200


def test_client_that_disconnects_mid_stream_does_not_disturb_others(face):
    w = create(face, "hold", steps=[{"id": "gate", "type": "human_approval"}])
    run = face.call("POST", f"/api/v1/workflows/{w['id']}/run", json={}).json()
    for _ in range(20):
        with socket.create_connection((face.host, face.port), timeout=10) as s:
            s.sendall((f"GET /api/v1/workflows/runs/{run['id']}/stream HTTP/1.1\r\nHost: x\r\n"
                       f"Authorization: Bearer {face.alice}\r\n\r\n").encode())
            assert s.recv(100).startswith(b"HTTP/1.1 200 ")
    assert face.call("GET", f"/api/v1/workflows/runs/{run['id']}").json()["status"] == "RUN_STATUS_PAUSED"
    assert face.call("GET", "/healthz", token=None).status_code == 200


def test_tls_http_port_serves_json_and_sse(certs):
    """With --tls-cert the HTTP port is HTTPS (same certificate, ALPN http/1.1)."""
    server = start_spindle("--tls-cert", certs["cert"], "--tls-key", certs["key"])
    try:
        face = Face(server)
        s = requests.Session()
        s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify=
        s.verify = certs["ca"]
        base = f"https://localhost:{face.port}"
        assert s.get(base + "/healthz").text == "ok\n"
        auth = {"Authorization": f"Bearer {face.alice}"}
        w = s.post(base + "/api/v1/workflows", headers=auth, json={"name": "tls", "definition": {"steps": STEPS}})
        assert w.status_code == 201, w.text
        run = s.post(base + f"/api/v1/workflows/{w.json()['id']}/run", headers=auth, json={"inputs": {"n": 4}}).json()
        assert run["outputs"] == {"b": "n2=8"}
        stream = s.get(base + f"/api/v1/workflows/runs/{run['id']}/stream", headers=auth, stream=True)
        events = read_sse(stream)
        assert [int(e[0]) for e in events] == list(range(1, int(run["lastSeq"]) + 1))
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"http://localhost:{face.port}/healthz", timeout=5)  # no cleartext on a TLS port
    finally:
        stop_and_check(server)


def test_http10_client_gets_a_close_delimited_event_stream(face):
    w = create(face, "ten")
    run = face.call("POST", f"/api/v1/workflows/{w['id']}/run", json={"inputs": {"n": 1}}).json()
    out = raw(face, (f"GET /api/v1/workflows/runs/{run['id']}/stream HTTP/1.0\r\n"
                     f"Authorization: Bearer {face.alice}\r\n\r\n").encode())
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"transfer-encoding" not in head.lower()
    assert b"connection: close" in head.lower()
    assert body.count(b"\nevent: ") + body.startswith(b"event: ") == int(run["lastSeq"])
    assert body.rstrip().endswith(b"}")  # the last event whole, then the close
