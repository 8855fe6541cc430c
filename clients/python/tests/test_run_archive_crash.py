"""Finished runs go to the run archive; SIGKILL at any moment must not lose or double one.

Writers run workflows (blocking RunWorkflow: the answer means the run and its events are
durable), a deleter deletes finished runs, a resumer resumes failed ones, while the server is
SIGKILLed at random moments: between a run's terminal fsync and its archive write, during the
archive write, after it and before the next snapshot (snapshots are frequent here, so the log is
compacted under the archive too). After every restart each acknowledged run is there exactly
once with all its events (1..n, ending with its terminal event), each acknowledged delete
stays deleted, and each acknowledged resume is in the run's history.
"""
import random
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from google.protobuf import struct_pb2

from conftest import Api, mint
from spindle_proc import Spindle
from test_runs import step
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
RS = rpb.RunStatus
# Small segments and frequent snapshots: the log is compacted under the archive during the test.
ARGS = ["--snapshot-every", "300", "--log-segment-bytes", "131072"]


def connect(server):
    """A channel to `server` and the API on it, with a token of the test's tenant."""
    channel = grpc.insecure_channel(server.addr)
    return channel, Api(channel, mint(server, "archive"))


class Acked:
    """What the server acknowledged, across rounds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.runs = {}        # run id -> (expected status, last_seq when acknowledged)
        self.deleted = set()
        self.deleting = set()  # asked to delete: gone or not, if the server died meanwhile
        self.resumes = {}     # run id -> acknowledged resumes


def delete(api, acked, rid):
    """Deletes the run, noting it as being deleted first; False if the call failed."""
    with acked.lock:
        acked.deleting.add(rid)
    try:
        api.DeleteRun(rs.DeleteRunRequest(run_id=rid), timeout=5)
    except grpc.RpcError:
        return False
    with acked.lock:
        acked.deleted.add(rid)
    return True


def load(api, acked, wids, stop, rng_seed):
    """Writers, a deleter and a resumer until the server dies under them."""
    def writer(i):
        rng = random.Random(rng_seed * 100 + i)
        while not stop.is_set():
            failing = rng.random() < 0.25
            req = rs.RunWorkflowRequest(workflow_id=wids["fail" if failing else "chain"])
            if failing:
                req.inputs.update({"d": 0})
            try:
                run = api.RunWorkflow(req, timeout=5)
            except grpc.RpcError:
                return
            with acked.lock:
                acked.runs[run.id] = (run.status, run.last_seq)

    def deleter():  # completed runs only (the resumer takes the failed ones)
        rng = random.Random(rng_seed)
        while not stop.is_set():
            with acked.lock:
                pick = [r for r, (st, _) in acked.runs.items() if st == RS.RUN_STATUS_COMPLETED and r not in acked.deleted]
                rid = rng.choice(pick) if len(pick) > 20 else None
            if rid is None:
                time.sleep(0.01)
                continue
            if not delete(api, acked, rid):
                return

    def resumer():
        rng = random.Random(rng_seed + 1)
        while not stop.is_set():
            with acked.lock:
                pick = [r for r, (st, _) in acked.runs.items() if st == RS.RUN_STATUS_FAILED and r not in acked.deleted]
                rid = rng.choice(pick) if pick else None
            if rid is None:
                time.sleep(0.01)
                continue
            try:
                api.ResumeRun(rs.ResumeRunRequest(run_id=rid, from_step_id="b"), timeout=5)
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.FAILED_PRECONDITION:  # still running its last resume
                    continue
                return
            with acked.lock:
                acked.resumes[rid] = acked.resumes.get(rid, 0) + 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
    threads += [threading.Thread(target=deleter), threading.Thread(target=resumer)]
    for t in threads:
        t.start()
    return threads


def check(api, acked):
    """Every acknowledged run once, with all its events; deletes stay deleted."""
    listed = []
    token = ""
    while True:
        page = api.ListRuns(rs.ListRunsRequest(page_size=200, page_token=token))
        listed += [r.id for r in page.runs]
        token = page.next_page_token
        if not token:
            break
    assert len(listed) == len(set(listed)), "a run is listed twice"
    listed = set(listed)
    with acked.lock:
        runs = dict(acked.runs)
        deleted = set(acked.deleted)
        unsure = acked.deleting - acked.deleted
        resumes = dict(acked.resumes)
    for rid in deleted:
        assert rid not in listed, f"deleted run {rid} came back"
        with pytest.raises(grpc.RpcError) as e:
            api.GetRun(rs.GetRunRequest(run_id=rid))
        assert e.value.code() == grpc.StatusCode.NOT_FOUND

    def one(rid):
        status, last_seq = runs[rid]
        assert rid in listed, f"acknowledged run {rid} is missing"
        # A resumed failed run may be mid-way again after the restart: wait for its end.
        deadline = time.monotonic() + 20
        while True:
            run = api.GetRun(rs.GetRunRequest(run_id=rid))
            if run.status in (RS.RUN_STATUS_COMPLETED, RS.RUN_STATUS_FAILED):
                break
            assert time.monotonic() < deadline, f"{rid} stays {RS.Name(run.status)}"
            time.sleep(0.02)
        assert run.status == status, (rid, RS.Name(run.status))
        assert run.last_seq >= last_seq
        events = list(api.WatchRun(rs.WatchRunRequest(run_id=rid), timeout=20))
        assert [e.seq for e in events] == list(range(1, run.last_seq + 1)), rid
        assert events[-1].type in (rpb.RUN_EVENT_TYPE_RUN_COMPLETED, rpb.RUN_EVENT_TYPE_RUN_FAILED)
        resumed = sum(1 for e in events if e.type == rpb.RUN_EVENT_TYPE_RUN_RESUMED)
        assert resumed >= resumes.get(rid, 0), (rid, resumed, resumes.get(rid))
        if status == RS.RUN_STATUS_COMPLETED:
            assert dict(run.outputs) == {"d": "D"}

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, [r for r in runs if r not in deleted and r not in unsure]))
    # A delete cut off by the kill either happened or not; the next delete settles it.
    for rid in unsure:
        if rid in listed:
            api.DeleteRun(rs.DeleteRunRequest(run_id=rid))
    with acked.lock:
        acked.deleted |= unsure
    return len(runs) - len(deleted)


def clean_restart(server, args, data_dir, acked):
    """A clean stop and start: the same checks again; returns the stopped server."""
    assert server.stop() == 0
    server = Spindle(args, data_dir=data_dir)
    channel, api = connect(server)
    check(api, acked)
    channel.close()
    assert server.stop() == 0
    return server


def workflows(api):
    """The load's two workflows: "chain" (four steps, completes) and "fail" (fails when d is 0)."""
    def create(name, steps):
        w = wf.Workflow(name=name, definition=wf.WorkflowDefinition(steps=steps))
        return api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w)).id

    return {
        "chain": create("chain", [step("a", "template", {"template": "A"}),
                                  step("b", "template", {"template": "B"}, after=["a"]),
                                  step("c", "template", {"template": "C"}, after=["b"]),
                                  step("d", "template", {"template": "D"}, after=["c"])]),
        "fail": create("fail", [step("a", "template", {"template": "A"}),
                                step("b", "transform", {"expression": "1 / inputs.d"}, after=["a"])]),
    }


def test_every_acknowledged_run_survives_sigkill_around_the_archive():
    data_dir = tempfile.mkdtemp(prefix="spindle-archivecrash-")
    rng = random.Random(11)
    acked = Acked()
    server = Spindle(ARGS, data_dir=data_dir)
    try:
        channel, api = connect(server)
        wids = workflows(api)
        channel.close()
        archived_seen = 0
        for round_ in range(6):
            channel, api = connect(server)
            stop = threading.Event()
            threads = load(api, acked, wids, stop, round_)
            time.sleep(rng.uniform(0.4, 1.2))
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            channel.close()
            server = Spindle(ARGS, data_dir=data_dir)
            opened = next(l for l in server.lines if "event=store_open" in l)
            archived_seen = max(archived_seen, int(opened.split("archived_runs=")[1].split()[0]))
            assert "snapshot_lsn=none" not in opened or round_ == 0
            channel, api = connect(server)
            assert check(api, acked) > 0
            channel.close()
        assert archived_seen > 0, "no run ever reached the archive"
        assert acked.deleted and acked.resumes, "the load deleted or resumed nothing"
        server = clean_restart(server, ARGS, data_dir, acked)
    finally:
        server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
