"""Runs across SIGKILL: the server is killed mid-run and restarted on the same data directory.

What must hold after the restart: every run a client was told about exists; runs in progress
go on (a wait step's durable timer still fires, at its time); paused runs stay paused and
can be decided; queued runs keep their order; and a watcher that reconnects with the last
sequence number it saw gets the rest with no gap and no duplicate.
"""
import random
import shutil
import subprocess
import tempfile
import threading
import time

import grpc
import pytest
from google.protobuf import struct_pb2

from conftest import mint
from spindle_proc import Spindle
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import run_service_pb2_grpc as rsg
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws
from spindle_client.spindle.v1 import workflow_service_pb2_grpc as wsg

pytestmark = pytest.mark.spindle_only
RS = rpb.RunStatus
FINAL = (RS.RUN_STATUS_COMPLETED, RS.RUN_STATUS_FAILED, RS.RUN_STATUS_CANCELED)




class Api:
    def __init__(self, server):
        self.channel = grpc.insecure_channel(server.addr)
        self.md = [("authorization", f"Bearer {mint(server, 'crash')}")]
        self.wf = wsg.WorkflowServiceStub(self.channel)
        self.runs = rsg.RunServiceStub(self.channel)

    def call(self, stub, rpc, req, timeout=15):
        return getattr(getattr(self, stub), rpc)(req, metadata=self.md, timeout=timeout)

    def workflow(self, name, steps):
        w = wf.Workflow(name=name, definition=wf.WorkflowDefinition(steps=steps))
        return self.call("wf", "CreateWorkflow", ws.CreateWorkflowRequest(workflow=w)).id

    def get(self, run_id):
        return self.call("runs", "GetRun", rs.GetRunRequest(run_id=run_id))

    def wait(self, run_id, statuses, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            run = self.get(run_id)
            if run.status in statuses:
                return run
            assert time.monotonic() < deadline, f"{run_id} is {RS.Name(run.status)}"
            time.sleep(0.02)

    def close(self):
        self.channel.close()


def step(sid, type_, config, after=()):
    s = wf.Step(id=sid, type=type_, depends_on=list(after))
    s.config.update(config)
    return s


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="spindle-runcrash-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_runs_timers_pauses_queues_and_watchers_survive_sigkill(data_dir):
    server = Spindle(["--max-runs-per-workflow", "1"], data_dir=data_dir)
    api = Api(server)
    timer_wf = api.workflow("timer", [step("nap", "wait", {"duration": "3s"}),
                                      step("after", "template", {"template": "woke"}, after=["nap"])])
    approval_wf = api.workflow("approval", [step("ask", "human_approval", {"message": "go?"}),
                                            step("go", "template", {"template": "went"}, after=["ask"])])
    queue_wf = api.workflow("queue", [step("hold", "wait", {"duration": "1500ms"})])
    timer = api.call("runs", "StartRun", rs.StartRunRequest(workflow_id=timer_wf))
    paused = api.call("runs", "RunWorkflow", rs.RunWorkflowRequest(workflow_id=approval_wf))
    assert paused.status == RS.RUN_STATUS_PAUSED
    queued = [api.call("runs", "StartRun", rs.StartRunRequest(workflow_id=queue_wf)).id for _ in range(3)]
    assert [api.get(q).status for q in queued[1:]] == [RS.RUN_STATUS_QUEUED] * 2
    # A watcher reads the timer run's first events, then the server dies under it.
    seen = []
    for e in api.call("runs", "WatchRun", rs.WatchRunRequest(run_id=timer.id), timeout=30):
        seen.append(e)
        if e.type == rpb.RUN_EVENT_TYPE_STEP_STARTED:
            break
    wake_at = api.get(timer.id).steps[0].wake_at.ToNanoseconds()
    api.close()
    server.kill()

    server = Spindle(["--max-runs-per-workflow", "1"], data_dir=data_dir)
    try:
        api = Api(server)
        recovered = [l for l in server.lines if "event=runs_recovered" in l]
        assert recovered and "unfinished=" in recovered[0]
        # The watcher goes on from the last sequence number it saw: nothing missing, nothing twice.
        rest = list(api.call("runs", "WatchRun", rs.WatchRunRequest(run_id=timer.id, after_seq=seen[-1].seq), timeout=30))
        seqs = [e.seq for e in seen + rest]
        assert seqs == list(range(1, len(seqs) + 1))
        assert rest[-1].type == rpb.RUN_EVENT_TYPE_RUN_COMPLETED
        done = api.get(timer.id)
        nap = done.steps[0]
        assert nap.wake_at.ToNanoseconds() == wake_at
        assert nap.finished_at.ToNanoseconds() >= wake_at  # the timer fired at its time, not at restart
        assert dict(done.outputs) == {"after": "woke"}
        # The paused run is still paused and can be decided.
        assert api.get(paused.id).status == RS.RUN_STATUS_PAUSED
        api.call("runs", "ProcessPauseAction", rs.ProcessPauseActionRequest(run_id=paused.id,
                                                                            action=rpb.PAUSE_ACTION_APPROVE))
        assert dict(api.wait(paused.id, FINAL).outputs)["go"] == "went"
        # The queued runs ran one at a time, in the order they were started.
        finished = [api.wait(q, FINAL, timeout=30) for q in queued]
        assert all(r.status == RS.RUN_STATUS_COMPLETED for r in finished)
        starts = [r.started_at.ToNanoseconds() for r in finished]
        ends = [r.finished_at.ToNanoseconds() for r in finished]
        assert starts == sorted(starts)
        assert starts[1] >= ends[0] and starts[2] >= ends[1]
    finally:
        api.close()
        assert server.stop() == 0


def test_acknowledged_runs_survive_random_kills(data_dir):
    """Writers start runs of a 6-step chain while the server is SIGKILLed at random moments;
    after each restart every run a writer was told about exists and completes, with its
    events numbered 1..n."""
    rng = random.Random(7)
    acked = []
    lock = threading.Lock()
    server = Spindle([], data_dir=data_dir)
    api = Api(server)
    chain = [step(f"s{i}", "template", {"template": f"{i}"}, after=[f"s{i-1}"] if i else []) for i in range(6)]
    wid = api.workflow("chain", chain)
    api.close()
    for round_ in range(3):
        api = Api(server)
        stop = threading.Event()

        def writer():
            while not stop.is_set():
                try:
                    r = api.call("runs", "StartRun", rs.StartRunRequest(workflow_id=wid), timeout=5)
                except grpc.RpcError:
                    return
                with lock:
                    acked.append(r.id)

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.0))
        server.kill()
        stop.set()
        for t in threads:
            t.join()
        api.close()
        server = Spindle([], data_dir=data_dir)
        api = Api(server)
        with lock:
            ids = list(acked)
        assert ids, "no run was acknowledged before the kill"
        for rid in ids:
            run = api.wait(rid, FINAL, timeout=30)
            assert run.status == RS.RUN_STATUS_COMPLETED, (rid, run.error)
            assert dict(run.outputs) == {"s5": "5"}
        sample = rng.sample(ids, min(5, len(ids)))
        for rid in sample:
            events = list(api.call("runs", "WatchRun", rs.WatchRunRequest(run_id=rid), timeout=30))
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
        api.close()
    assert server.stop() == 0
