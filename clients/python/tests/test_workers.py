"""External workers (WorkerService) through the live server with the real worker library:
task steps mixed with built-in ones, a worker killed mid-task, a stale result refused,
cancel reaching a sleeping task, heartbeats keeping a long task alive and their absence
failing it, two tenants isolated, backpressure, and the queue reads.
"""
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import grpc
import pytest
from google.protobuf import duration_pb2, json_format, struct_pb2

from conftest import mint, start_spindle, stop_and_check
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import run_service_pb2_grpc as rsg
from spindle_client.spindle.v1 import worker_service_pb2 as wpb
from spindle_client.spindle.v1 import worker_service_pb2_grpc as wsg
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws
from spindle_client.spindle.v1 import workflow_service_pb2_grpc as wfg
from spindle_worker import TaskError, Worker

pytestmark = pytest.mark.spindle_only
RS = rpb.RunStatus
SS = rpb.StepStatus
ET = rpb.RunEventType
HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)


@pytest.fixture(scope="module")
def server():
    s = start_spindle("--task-cancel-grace-ms", "1500")
    yield s
    stop_and_check(s)


class Api:
    def __init__(self, server, tenant):
        self.server = server
        self.token = mint(server, tenant)
        self.channel = grpc.insecure_channel(server.addr)
        self.md = [("authorization", f"Bearer {self.token}")]
        self.wf = wfg.WorkflowServiceStub(self.channel)
        self.runs = rsg.RunServiceStub(self.channel)
        self.workers = wsg.WorkerServiceStub(self.channel)

    def workflow(self, steps):
        w = wf.Workflow(name=f"w-{uuid.uuid4().hex[:8]}", definition=wf.WorkflowDefinition(steps=steps))
        return self.wf.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w), metadata=self.md, timeout=10).id

    def start(self, steps, **inputs):
        s = struct_pb2.Struct()
        s.update(inputs)
        wid = self.workflow(steps)
        return self.runs.StartRun(rs.StartRunRequest(workflow_id=wid, inputs=s), metadata=self.md, timeout=10).id

    def get(self, run_id):
        return self.runs.GetRun(rs.GetRunRequest(run_id=run_id), metadata=self.md, timeout=10)

    def wait(self, run_id, statuses=(RS.RUN_STATUS_COMPLETED, RS.RUN_STATUS_FAILED, RS.RUN_STATUS_CANCELED),
             timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            run = self.get(run_id)
            if run.status in statuses:
                return run
            assert time.monotonic() < deadline, f"{run_id} is {RS.Name(run.status)}: {run}"
            time.sleep(0.02)

    def events(self, run_id):
        return list(self.runs.WatchRun(rs.WatchRunRequest(run_id=run_id), metadata=self.md, timeout=10))

    def worker(self, queues, **kw):
        return Worker(self.server.addr, token=self.token, queues=queues, **kw)


def step(sid, type_, config, after=(), **kw):
    s = wf.Step(id=sid, type=type_, depends_on=list(after), **kw)
    s.config.update(config)
    return s


def task_step(sid, queue, after=(), task_type="", **config):
    c = {"queue": queue, **config}
    if task_type:
        c["task_type"] = task_type
    return step(sid, "task", c, after=after)


def output(run, sid):
    return json_format.MessageToDict({s.step_id: s for s in run.steps}[sid].output)


def by_step(run):
    return {s.step_id: s for s in run.steps}


def wait_for(cond, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def q(name):
    return f"{name}-{uuid.uuid4().hex[:6]}"


def test_task_steps_run_on_a_python_worker_between_built_in_steps(server):
    api = Api(server, "wk-mixed")
    queue = q("py")
    w = api.worker([queue], concurrency=2)

    @w.task("double")
    def double(payload, ctx):
        return {"n": payload["n"] * 2}

    w.start()
    try:
        run_id = api.start([
            step("a", "transform", {"expression": "{'n': inputs.x + 1}"}),
            task_step("b", queue, after=["a"], task_type="double", payload="{{steps.a}}"),
            step("c", "transform", {"expression": "steps.b.n * 10"}, after=["b"]),
        ], x=4)
        run = api.wait(run_id)
        assert run.status == RS.RUN_STATUS_COMPLETED, run
        assert output(run, "b") == {"n": 10}
        assert output(run, "c") == 100
        b = by_step(run)["b"]
        assert b.worker_id == w.worker_id and b.attempts == 1
        types = [e.type for e in api.events(run_id) if e.step_id == "b"]
        # The dispatch is an event of its own, between the step's start and its end.
        assert types == [ET.RUN_EVENT_TYPE_STEP_STARTED, ET.RUN_EVENT_TYPE_TASK_DISPATCHED,
                         ET.RUN_EVENT_TYPE_STEP_COMPLETED]
        assert w.acks and all(a[2] for a in w.acks)
    finally:
        w.stop(grace=1)


def test_a_failure_follows_the_retry_policy_and_a_permanent_one_does_not(server):
    api = Api(server, "wk-fail")
    queue = q("flaky")
    w = api.worker([queue])
    calls = {"n": 0}

    @w.task()
    def flaky(payload, ctx):
        calls["n"] += 1
        if payload.get("permanent"):
            raise TaskError("bad input", code="BAD_INPUT", retryable=False)
        if ctx.attempt < 3:
            raise RuntimeError("transient")
        return {"attempt": ctx.attempt}

    w.start()
    try:
        retry = wf.RetryPolicy(max_attempts=3, initial_backoff=duration_pb2.Duration(nanos=10_000_000))
        s = task_step("t", queue)
        s.retry.CopyFrom(retry)
        run = api.wait(api.start([s]))
        assert run.status == RS.RUN_STATUS_COMPLETED and output(run, "t") == {"attempt": 3}
        p = task_step("t", queue, payload={"permanent": True})
        p.retry.CopyFrom(retry)
        run = api.wait(api.start([p]))
        assert run.status == RS.RUN_STATUS_FAILED
        t = by_step(run)["t"]
        assert t.attempts == 1 and t.error.code == "BAD_INPUT" and "bad input" in t.error.message
    finally:
        w.stop(grace=1)


def test_progress_from_heartbeats_is_in_get_run_and_the_events(server):
    api = Api(server, "wk-progress")
    queue = q("prog")
    w = api.worker([queue])
    release = threading.Event()

    @w.task()
    def slow(payload, ctx):
        ctx.heartbeat({"done": 1, "of": 2})
        release.wait(20)
        return "ok"

    w.start()
    try:
        run_id = api.start([task_step("t", queue)])
        wait_for(lambda: by_step(api.get(run_id))["t"].HasField("progress"), what="progress on the step")
        assert json_format.MessageToDict(by_step(api.get(run_id))["t"].progress) == {"done": 1, "of": 2}
        release.set()
        run = api.wait(run_id)
        assert run.status == RS.RUN_STATUS_COMPLETED
        progress = [e for e in api.events(run_id) if e.type == ET.RUN_EVENT_TYPE_STEP_PROGRESS]
        assert len(progress) == 1 and json_format.MessageToDict(progress[0].task.details) == {"done": 1, "of": 2}
    finally:
        release.set()
        w.stop(grace=1)


def test_cancel_run_reaches_a_sleeping_python_task(server):
    api = Api(server, "wk-cancel")
    queue = q("sleepy")
    w = api.worker([queue])
    seen = {}
    began = threading.Event()

    @w.task()
    def sleeper(payload, ctx):
        began.set()
        stopped = ctx.cancelled.wait(30)
        seen["stopped_by_cancel"] = stopped
        seen["reason"] = ctx.cancel_reason
        seen["at"] = time.monotonic()
        return None

    w.start()
    try:
        run_id = api.start([task_step("t", queue)])
        assert began.wait(20)
        asked = time.monotonic()
        api.runs.CancelRun(rs.CancelRunRequest(run_id=run_id, reason="enough"), metadata=api.md, timeout=10)
        wait_for(lambda: "at" in seen, what="the task to see the cancel")
        # Woken by the cancel (not by its 30 s wait running out), with the server's reason.
        assert seen["stopped_by_cancel"] is True and seen["reason"]
        # The issue asks for "within a second"; measured here, bounded generously (a loaded
        # machine), the figure is printed.
        print(f"cancel reached the task after {seen['at'] - asked:.3f} s")
        assert seen["at"] - asked < 5.0
        run = api.get(run_id)
        assert run.status == RS.RUN_STATUS_CANCELED
        assert by_step(run)["t"].status == SS.STEP_STATUS_CANCELED
        # The worker's own answer to the cancel was not applied as a result.
        wait_for(lambda: any(a[0].endswith("/t/1") for a in w.acks), what="the ack")
        assert [a for a in w.acks if a[0].endswith("/t/1")][0][2] is False
    finally:
        w.stop(grace=1)


def test_async_task_is_cancelled_by_the_step_timeout(server):
    api = Api(server, "wk-async")
    queue = q("async")
    w = api.worker([queue])
    seen = {}

    @w.task()
    async def forever(payload, ctx):
        import asyncio
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            seen["cancelled"] = ctx.cancel_reason
            raise

    w.start()
    try:
        s = task_step("t", queue)
        s.timeout.CopyFrom(duration_pb2.Duration(nanos=300_000_000))
        run = api.wait(api.start([s]))
        assert run.status == RS.RUN_STATUS_FAILED
        assert by_step(run)["t"].error.code == "TIMEOUT"
        wait_for(lambda: "cancelled" in seen, what="the coroutine to be cancelled")
    finally:
        w.stop(grace=1)


def test_heartbeats_keep_a_long_task_alive_and_their_absence_fails_it(server):
    api = Api(server, "wk-hb")
    queue = q("hb")
    w = api.worker([queue])
    release = threading.Event()

    @w.task()
    def long(payload, ctx):
        release.wait(20)
        return "done"

    w.start()
    try:
        # Heartbeat timeout 1 s; the task runs three times as long, kept alive by the heartbeats.
        run_id = api.start([task_step("t", queue, heartbeat_timeout="1s")])
        wait_for(lambda: by_step(api.get(run_id))["t"].worker_id, what="dispatch")
        time.sleep(3)
        assert api.get(run_id).status == RS.RUN_STATUS_RUNNING
        release.set()
        run = api.wait(run_id)
        assert run.status == RS.RUN_STATUS_COMPLETED and by_step(run)["t"].attempts == 1
    finally:
        release.set()
        w.stop(grace=1)

    # A raw worker that takes the task and never heartbeats: WORKER_LOST.
    raw = RawWorker(api, [queue], concurrency=1)
    try:
        run_id = api.start([task_step("t", queue, heartbeat_timeout="300ms")])
        raw.task()
        run = api.wait(run_id)
        assert run.status == RS.RUN_STATUS_FAILED
        assert by_step(run)["t"].error.code == "WORKER_LOST"
        assert "heartbeat" in by_step(run)["t"].error.message
        # The worker is told to stop it.
        assert raw.next_kind("cancel").cancel.task_id.startswith(run_id)
    finally:
        raw.close()


class RawWorker:
    """A Connect stream driven by hand: what a buggy or stalled worker would send."""

    def __init__(self, api, queues, concurrency=1, credits=None, worker_id=None, held=()):
        self.out = __import__("queue").Queue()
        self.inbox = __import__("queue").Queue()
        self.worker_id = worker_id or f"raw-{uuid.uuid4().hex[:6]}"
        hello = wpb.WorkerHello(worker_id=self.worker_id, queues=queues, max_concurrent=concurrency,
                                credits=concurrency if credits is None else credits, held=list(held))
        self.out.put(wpb.WorkerMessage(hello=hello))

        def gen():
            while True:
                m = self.out.get()
                if m is None:
                    return
                yield m

        self.call = api.workers.Connect(gen(), metadata=api.md)
        self.error = None

        def pump():
            try:
                for m in self.call:
                    self.inbox.put(m)
            except grpc.RpcError as e:
                self.error = e
            self.inbox.put(None)

        threading.Thread(target=pump, daemon=True).start()
        assert self.next_kind("welcome")

    def next_kind(self, kind, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            m = self.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
            assert m is not None, f"stream ended: {self.error}"
            if m.WhichOneof("kind") == kind:
                return m

    def task(self, timeout=20):
        return self.next_kind("task", timeout).task

    def send(self, **kind):
        self.out.put(wpb.WorkerMessage(**kind))

    def keepalive(self, task):
        """Heartbeats `task` every 100 ms until the returned event is set."""
        stop = threading.Event()

        def beat():
            while not stop.wait(0.1):
                self.send(heartbeat=wpb.TaskHeartbeat(task_id=task.task_id, attempt=task.attempt))

        threading.Thread(target=beat, daemon=True).start()
        return stop

    def result(self, task, value):
        self.send(result=wpb.TaskResult(task_id=task.task_id, attempt=task.attempt, output=struct_pb2.Value(string_value=value)))

    def close(self):
        self.out.put(None)
        self.call.cancel()


def test_a_stale_result_is_refused_and_recorded_never_applied(server):
    api = Api(server, "wk-stale")
    queue = q("stale")
    stalled = RawWorker(api, [queue])
    retry = wf.RetryPolicy(max_attempts=2, initial_backoff=duration_pb2.Duration(nanos=10_000_000))
    s = task_step("t", queue, heartbeat_timeout="300ms")
    s.retry.CopyFrom(retry)
    run_id = api.start([s])
    first = stalled.task()
    assert first.attempt == 1
    # No heartbeat: attempt 1 is lost; attempt 2 goes to another worker, which waits.
    good = RawWorker(api, [queue])
    second = good.task()
    alive = good.keepalive(second)
    assert second.attempt == 2 and second.task_id != first.task_id
    stalled.result(first, "from the stalled worker")
    ack = stalled.next_kind("ack").ack
    assert ack.task_id == first.task_id and not ack.accepted
    assert "expired" in ack.reason or "not current" in ack.reason
    good.result(second, "from the good worker")
    alive.set()
    assert good.next_kind("ack").ack.accepted
    run = api.wait(run_id)
    assert run.status == RS.RUN_STATUS_COMPLETED
    assert output(run, "t") == "from the good worker"
    events = api.events(run_id)
    refused = [e for e in events if e.type == ET.RUN_EVENT_TYPE_TASK_RESULT_REFUSED]
    assert len(refused) == 1 and refused[0].attempt == 1 and refused[0].task.worker_id == stalled.worker_id
    retrying = [e for e in events if e.type == ET.RUN_EVENT_TYPE_STEP_RETRYING]
    assert retrying[0].error.code == "WORKER_LOST"
    # Exactly one outcome applied per attempt: one retry (attempt 1), one completion (attempt 2).
    assert [e.attempt for e in events if e.type in (ET.RUN_EVENT_TYPE_STEP_RETRYING, ET.RUN_EVENT_TYPE_STEP_COMPLETED)] == [1, 2]
    stalled.close()
    good.close()


def test_a_worker_of_one_tenant_never_sees_another_tenants_tasks(server):
    a, b = Api(server, "wk-iso-a"), Api(server, "wk-iso-b")
    queue = "shared-name"  # the same queue name in both tenants
    wa = RawWorker(a, [queue], concurrency=4)
    run_b = b.start([task_step("t", queue)])
    time.sleep(0.5)
    assert wa.inbox.empty(), "tenant A's worker received tenant B's task"
    wb = RawWorker(b, [queue], concurrency=4)
    t = wb.task()
    assert t.run_id == run_b
    wb.result(t, "b")
    assert wb.next_kind("ack").ack.accepted
    assert b.wait(run_b).status == RS.RUN_STATUS_COMPLETED
    # B's queue reads do not show A's worker; A's do not show B's.
    qa = a.workers.DescribeQueue(wpb.DescribeQueueRequest(queue=queue), metadata=a.md, timeout=5)
    qb = b.workers.DescribeQueue(wpb.DescribeQueueRequest(queue=queue), metadata=b.md, timeout=5)
    assert [x.worker_id for x in qa.workers] == [wa.worker_id]
    assert [x.worker_id for x in qb.workers] == [wb.worker_id] and qb.dispatched_total == 1
    with pytest.raises(grpc.RpcError) as e:
        a.workers.DescribeQueue(wpb.DescribeQueueRequest(queue="never-used"), metadata=a.md, timeout=5)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    # A's run on the shared name goes to A's worker only.
    run_a = a.start([task_step("t", queue)])
    ta = wa.task()
    assert ta.run_id == run_a
    assert wb.inbox.empty()
    wa.close()
    wb.close()


def test_a_worker_with_concurrency_two_never_holds_three(server):
    api = Api(server, "wk-bp")
    queue = q("bp")
    w = api.worker([queue], concurrency=2)
    lock = threading.Lock()
    now = {"n": 0, "max": 0}

    @w.task()
    def busy(payload, ctx):
        with lock:
            now["n"] += 1
            now["max"] = max(now["max"], now["n"])
        time.sleep(0.05)
        with lock:
            now["n"] -= 1
        return payload

    w.start()
    try:
        ids = [api.start([task_step("t", queue, payload=i)]) for i in range(12)]
        runs = [api.wait(i) for i in ids]
        assert all(r.status == RS.RUN_STATUS_COMPLETED for r in runs)
        assert now["max"] == 2
    finally:
        w.stop(grace=1)
    # On the wire: a worker granting credit for 2 gets exactly 2, and one more per credit.
    raw = RawWorker(api, [queue], concurrency=2)
    ids = [api.start([task_step("t", queue)]) for _ in range(4)]
    got = [raw.task(), raw.task()]
    time.sleep(0.5)
    assert raw.inbox.empty(), "a third task came with only two credits"
    info = api.workers.DescribeQueue(wpb.DescribeQueueRequest(queue=queue), metadata=api.md, timeout=5)
    assert info.backlog == 2 and info.in_flight == 2 and info.workers[0].in_flight == 2
    raw.result(got[0], "x")
    raw.next_kind("ack")
    time.sleep(0.3)
    assert raw.inbox.empty(), "a freed slot is not credit: none was granted"
    raw.send(credit=wpb.WorkerCredit(credits=1))
    got.append(raw.task())
    raw.close()


def test_fair_dispatch_round_robins_across_workflows(server):
    api = Api(server, "wk-fair")
    queue = q("fair")
    busy = api.workflow([task_step("t", queue, payload="busy")])
    quiet = api.workflow([task_step("t", queue, payload="quiet")])
    for _ in range(6):
        api.runs.StartRun(rs.StartRunRequest(workflow_id=busy), metadata=api.md, timeout=10)
    time.sleep(0.3)
    api.runs.StartRun(rs.StartRunRequest(workflow_id=quiet), metadata=api.md, timeout=10)
    wait_for(lambda: api.workers.DescribeQueue(wpb.DescribeQueueRequest(queue=queue), metadata=api.md,
                                               timeout=5).backlog == 7, what="the backlog")
    raw = RawWorker(api, [queue], concurrency=1)
    order = []
    for _ in range(3):
        t = raw.task()
        order.append(json_format.MessageToDict(t.payload))
        raw.result(t, "ok")
        raw.next_kind("ack")
        raw.send(credit=wpb.WorkerCredit(credits=1))
    # The quiet workflow's one task does not wait behind the busy workflow's six.
    assert order[:2] == ["busy", "quiet"] or order[:2] == ["quiet", "busy"], order
    raw.close()


def test_bad_hellos_get_precise_errors(server):
    api = Api(server, "wk-bad")

    def connect(*msgs):
        call = api.workers.Connect(iter(msgs), metadata=api.md, timeout=5)
        with pytest.raises(grpc.RpcError) as e:
            list(call)
        return e.value

    e = connect(wpb.WorkerMessage(credit=wpb.WorkerCredit(credits=1)))
    assert e.code() == grpc.StatusCode.FAILED_PRECONDITION and "hello" in e.details()
    e = connect(wpb.WorkerMessage(hello=wpb.WorkerHello(worker_id="w", queues=["q"], max_concurrent=0)))
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT and "max_concurrent" in e.details()
    e = connect(wpb.WorkerMessage(hello=wpb.WorkerHello(worker_id="w", max_concurrent=1)))
    assert e.code() == grpc.StatusCode.INVALID_ARGUMENT and "queues" in e.details()
    call = api.workers.Connect(iter([wpb.WorkerMessage(hello=wpb.WorkerHello(worker_id="w", queues=["q"], max_concurrent=1))]),
                               timeout=5)
    with pytest.raises(grpc.RpcError) as e:
        list(call)
    assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED


def go_worker_binary():
    repo = os.path.dirname(os.path.dirname(CLIENT_DIR))
    binary = os.path.join(repo, "clients", "go", "bin", "spindle-worker")
    if not os.path.exists(binary):
        subprocess.run([os.path.join(repo, "clients", "go", "build.sh")], check=True, cwd=repo, timeout=600)
    return binary


def test_a_dag_mixes_python_and_go_workers_with_built_in_steps(server):
    api = Api(server, "wk-polyglot")
    pyq, goq = q("py"), q("go")
    go = subprocess.Popen([go_worker_binary(), "-addr", server.addr, "-token", api.token, "-queue", goq,
                           "-concurrency", "2", "-id", "go-1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    w = api.worker([pyq], worker_id="py-1")

    @w.task("split")
    def split(payload, ctx):
        return {"words": payload["text"].split()}

    w.start()
    try:
        assert go.stdout.readline().startswith("worker go-1")
        run_id = api.start([
            step("text", "template", {"template": "{{inputs.s}}"}),
            task_step("words", pyq, after=["text"], task_type="split", payload={"text": "{{steps.text}}"}),
            task_step("shout", goq, after=["text"], task_type="upper", payload={"text": "{{steps.text}}"}),
            step("join", "transform", {"expression": "join(steps.words.words, '+') + ' ' + steps.shout.text"},
                 after=["words", "shout"]),
        ], s="hello task steps")
        run = api.wait(run_id)
        assert run.status == RS.RUN_STATUS_COMPLETED, run
        assert output(run, "join") == "hello+task+steps HELLO TASK STEPS"
        steps = by_step(run)
        assert steps["words"].worker_id == "py-1" and steps["shout"].worker_id == "go-1"
        assert output(run, "shout")["worker"] == "go-1"
    finally:
        w.stop(grace=1)
        go.send_signal(signal.SIGTERM)
        assert go.wait(timeout=15) == 0


def test_an_asyncio_program_serves_with_await_and_stops_on_cancel(server):
    import asyncio
    api = Api(server, "wk-aio")
    queue = q("aio")
    w = api.worker([queue])

    @w.task()
    async def add(payload, ctx):
        await asyncio.sleep(0.01)
        return payload["a"] + payload["b"]

    async def main():
        serving = asyncio.create_task(w.serve(grace=1))
        run_id = await asyncio.to_thread(api.start, [task_step("t", queue, payload={"a": 2, "b": 3})])
        run = await asyncio.to_thread(api.wait, run_id)
        serving.cancel()
        with pytest.raises(asyncio.CancelledError):
            await serving
        return run

    run = asyncio.run(main())
    assert run.status == RS.RUN_STATUS_COMPLETED and output(run, "t") == 5
    assert w._stopping.is_set()
