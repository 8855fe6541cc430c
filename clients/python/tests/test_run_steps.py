"""The step types with side effects, for real, against local peers: http_request and webhook
against a local HTTP server, script as a subprocess, agent_task against a fake
OpenAI-compatible endpoint, the workflow webhook told of finished runs, and cancel reaching
a running subprocess and a hanging HTTP call.
"""
import json
import os
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
from google.protobuf import struct_pb2

from conftest import Api, mint, start_spindle, stop_and_check
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
C = grpc.StatusCode
RS = rpb.RunStatus
SS = rpb.StepStatus


class Peer:
    """A local HTTP server: records every request; answers by path."""

    def __init__(self):
        self.requests = []
        self.hang = threading.Event()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _body(self):
                n = int(self.headers.get("content-length") or 0)
                return self.rfile.read(n) if n else b""

            def _send(self, status, body, ctype="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def handle_any(self):
                body = self._body()
                peer.requests.append((self.command, self.path, dict(self.headers), body))
                if self.path.startswith("/items"):
                    self._send(200, {"items": [{"id": 7, "name": "seven"}], "query": self.path})
                elif self.path == "/text":
                    self._send(200, b"plain words", "text/plain")
                elif self.path == "/fail":
                    self._send(503, {"error": "busy"})
                elif self.path == "/hang":
                    peer.hang.wait(30)
                    self._send(200, {})
                elif self.path == "/v1/chat/completions":
                    req = json.loads(body)
                    content = "echo: " + req["messages"][-1]["content"]
                    self._send(200, {"model": req["model"], "choices": [{"message": {"role": "assistant", "content": content},
                                                                          "finish_reason": "stop"}],
                                     "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})
                else:
                    self._send(200, {"ok": True})

            do_GET = do_POST = do_PUT = do_DELETE = handle_any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.hang.set()
        self.server.shutdown()


@pytest.fixture(scope="module")
def peer():
    p = Peer()
    yield p
    p.close()


@pytest.fixture(scope="module")
def server(peer):
    s = start_spindle("--allow-scripts", "--llm-endpoint", peer.url + "/v1", "--llm-model", "test-model")
    yield s
    stop_and_check(s)


@pytest.fixture(scope="module")
def api(server):
    with grpc.insecure_channel(server.addr) as ch:
        yield Api(ch, mint(server, "steps"))


def step(sid, type_, config, after=(), **kw):
    s = wf.Step(id=sid, type=type_, depends_on=list(after), **kw)
    s.config.update(config)
    return s


def workflow(api, steps, webhook_url=""):
    w = wf.Workflow(name=f"fx-{uuid.uuid4().hex[:8]}", webhook_url=webhook_url,
                    definition=wf.WorkflowDefinition(steps=steps))
    return api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w)).id


def run(api, steps, **inputs):
    s = struct_pb2.Struct()
    s.update(inputs)
    return api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=workflow(api, steps), inputs=s))


def out(run_, sid):
    from google.protobuf.json_format import MessageToDict
    return MessageToDict({s.step_id: s for s in run_.steps}[sid].output)


def test_http_request_feeds_downstream_steps(api, peer):
    r = run(api, [
        step("fetch", "http_request", {"url": peer.url + "/items?q={{inputs.q}}", "headers": {"x-trace": "t1"}}),
        step("first", "transform", {"expression": "steps.fetch.body.items[0].name"}, after=["fetch"]),
        step("post", "http_request", {"method": "POST", "url": peer.url + "/echo", "body": {"id": "{{steps.fetch.body.items[0].id}}"}},
             after=["fetch"]),
    ], q="abc")
    assert r.status == RS.RUN_STATUS_COMPLETED, r.error
    fetched = out(r, "fetch")
    assert fetched["status"] == 200 and fetched["body"]["query"] == "/items?q=abc"
    assert fetched["headers"]["content-type"] == "application/json"
    assert dict(r.outputs)["first"] == "seven"
    method, path, headers, body = [q for q in peer.requests if q[1] == "/echo"][-1]
    assert method == "POST" and json.loads(body) == {"id": 7}
    assert any(k.lower() == "x-trace" for k in [q for q in peer.requests if q[1].startswith("/items")][-1][2])


def test_http_failures_retry_then_fail_with_their_code(api, peer):
    before = len([q for q in peer.requests if q[1] == "/fail"])
    r = run(api, [step("call", "http_request", {"url": peer.url + "/fail"},
                       retry=wf.RetryPolicy(max_attempts=3, initial_backoff={"nanos": 10_000_000}))])
    assert r.status == RS.RUN_STATUS_FAILED and r.error.code == "HTTP_STATUS" and "503" in r.error.message
    assert {s.step_id: s for s in r.steps}["call"].attempts == 3
    assert len([q for q in peer.requests if q[1] == "/fail"]) - before == 3
    r = run(api, [step("call", "http_request", {"url": "http://127.0.0.1:1/"})])
    assert r.status == RS.RUN_STATUS_FAILED and r.error.code == "CONNECTION"
    r = run(api, [step("call", "http_request", {"url": peer.url + "/fail"},
                       fallback=wf.Fallback(type="template", config=struct_pb2.Struct(fields={"template": struct_pb2.Value(string_value="cached")})))])
    assert r.status == RS.RUN_STATUS_COMPLETED and dict(r.outputs) == {"call": "cached"}
    assert {s.step_id: s for s in r.steps}["call"].used_fallback


def test_script_runs_a_subprocess_with_args_env_and_stdin(api):
    r = run(api, [step("sh", "script", {"command": "sh", "args": ["-c", 'read x; echo "$GREETING $x $1"', "sh", "{{inputs.who}}"],
                                        "env": {"GREETING": "hello"}, "stdin": "there\n"})], who="you")
    assert r.status == RS.RUN_STATUS_COMPLETED, r.error
    o = out(r, "sh")
    assert o["exit_code"] == 0 and o["stdout"] == "hello there you\n"
    r = run(api, [step("json", "script", {"command": "sh", "args": ["-c", 'echo \'{"n": 41}\''], "parse_json": True}),
                  step("inc", "transform", {"expression": "steps.json.json.n + 1"}, after=["json"])])
    assert dict(r.outputs) == {"inc": 42.0}
    r = run(api, [step("bad", "script", {"command": "sh", "args": ["-c", "echo oops >&2; exit 3"]})])
    assert r.status == RS.RUN_STATUS_FAILED and r.error.code == "EXIT_CODE" and "3" in r.error.message


def test_scripts_are_refused_without_allow_scripts(peer):
    s = start_spindle()
    try:
        with grpc.insecure_channel(s.addr) as ch:
            a = Api(ch, mint(s, "t"))
            r = run(a, [step("sh", "script", {"command": "true"})])
            assert r.status == RS.RUN_STATUS_FAILED and r.error.code == "SCRIPTS_DISABLED"
            r = run(a, [step("ai", "agent_task", {"prompt": "hi"})])
            assert r.error.code == "INVALID_CONFIG" and "--llm-endpoint" in r.error.message
    finally:
        stop_and_check(s)


def test_agent_task_calls_the_configured_endpoint(api, peer):
    r = run(api, [step("ask", "agent_task", {"prompt": "summarise {{inputs.doc}}", "system": "be brief"})], doc="the doc")
    assert r.status == RS.RUN_STATUS_COMPLETED, r.error
    o = out(r, "ask")
    assert o["content"] == "echo: summarise the doc" and o["model"] == "test-model" and o["finish_reason"] == "stop"
    req = json.loads([q for q in peer.requests if q[1] == "/v1/chat/completions"][-1][3])
    assert req["messages"][0] == {"role": "system", "content": "be brief"}


def test_webhook_step_and_the_workflow_webhook(api, peer):
    wid = workflow(api, [step("hook", "webhook", {"url": peer.url + "/hook", "payload": {"n": "{{inputs.n}}"}})],
                   webhook_url=peer.url + "/finished")
    s = struct_pb2.Struct()
    s.update({"n": 5})
    r = api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid, inputs=s))
    assert r.status == RS.RUN_STATUS_COMPLETED, r.error
    assert json.loads([q for q in peer.requests if q[1] == "/hook"][-1][3]) == {"n": 5}
    deadline = time.monotonic() + 10
    while not [q for q in peer.requests if q[1] == "/finished"]:
        assert time.monotonic() < deadline, "the workflow webhook was not called"
        time.sleep(0.02)
    doc = json.loads([q for q in peer.requests if q[1] == "/finished"][-1][3])
    assert doc["run_id"] == r.id and doc["status"] == "COMPLETED" and doc["workflow_id"] == wid


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(")")[-1].split()[0] != "Z"


def test_cancel_kills_a_running_script_and_aborts_a_hanging_http_call(api, peer, tmp_path):
    pidfile = tmp_path / "pid"
    wid = workflow(api, [step("sleepy", "script", {"command": "sh", "args": ["-c", f"echo $$ > {pidfile}; sleep 60"]}),
                         step("hung", "http_request", {"url": peer.url + "/hang", "timeout": "60s"})])
    r = api.StartRun(rs.StartRunRequest(workflow_id=wid))
    deadline = time.monotonic() + 10
    while not (pidfile.exists() and pidfile.read_text().strip()) or not [q for q in peer.requests if q[1] == "/hang"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    pid = int(pidfile.read_text())
    assert pid_alive(pid)
    t0 = time.monotonic()
    canceled = api.CancelRun(rs.CancelRunRequest(run_id=r.id))
    assert canceled.status == RS.RUN_STATUS_CANCELED
    while pid_alive(pid):
        assert time.monotonic() - t0 < 5, "the script's process outlived the cancel"
        time.sleep(0.02)
    st = {s.step_id: s.status for s in api.GetRun(rs.GetRunRequest(run_id=r.id)).steps}
    assert st == {"sleepy": SS.STEP_STATUS_CANCELED, "hung": SS.STEP_STATUS_CANCELED}


def test_step_timeout_stops_a_slow_script(api):
    r = run(api, [wf.Step(id="slow", type="script", timeout={"nanos": 300_000_000},
                          config=struct_pb2.Struct(fields={"command": struct_pb2.Value(string_value="sleep"),
                                                           "args": struct_pb2.Value(list_value=struct_pb2.ListValue(
                                                               values=[struct_pb2.Value(string_value="30")]))}))])
    assert r.status == RS.RUN_STATUS_FAILED and r.error.code == "TIMEOUT"
    slow = r.steps[0]
    assert slow.finished_at.ToNanoseconds() - slow.started_at.ToNanoseconds() < 10e9
