"""Large values (issue 14, item 1): a step output far over the log's 16 MiB record limit must
neither wedge the store nor disturb another tenant, before or after SIGKILL and restart.

Seen on main: a `transform` step returning ~24 MB made the run log refuse every later write
("record payload of 25165949 bytes is over the limit of 16777216"), so every tenant's next run
failed with FAILED_PRECONDITION, and still did after a restart. Now values over
--value-blob-bytes live in content-addressed blobs beside the log, carried by reference, and
read back transparently by GetRun, WatchRun and downstream steps; a value over
--max-value-bytes fails only its own step.
"""
import os
import re
import shutil
import tempfile
import threading

import grpc
import pytest

import conftest
from conftest import mint
from spindle_proc import Spindle
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
RS = rpb.RunStatus
# A stock grpcio client receives at most 4 MiB unless told otherwise; the server sends as much
# as a message holds, so the client raises its own limit for the big answers.
CLIENT_OPTIONS = [("grpc.max_receive_message_length", 256 << 20)]

# One string of 60000 numbers joined by 11 dashes: 60000 * 11 + 288890 digits = 948879 bytes,
# under the expression language's 1 MiB string limit.
PIECE_EXPR = 'join(range(60000), "-----------")'
PIECE_BYTES = 60000 * 11 - 11 + sum(len(str(i)) for i in range(60000))


def connect(server, tenant):
    """conftest.Api on a channel of its own, with the larger receive limit."""
    channel = grpc.insecure_channel(server.addr, options=CLIENT_OPTIONS)
    api = conftest.Api(channel, mint(server, tenant))
    api.channel = channel
    api.workflow = lambda name, steps: api.CreateWorkflow(ws.CreateWorkflowRequest(
        workflow=wf.Workflow(name=name, definition=wf.WorkflowDefinition(steps=steps)))).id
    api.run = lambda workflow_id: api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=workflow_id), timeout=300)
    api.get = lambda run_id: api.GetRun(rs.GetRunRequest(run_id=run_id), timeout=120)
    api.close = channel.close
    return api


def step(sid, type_, config, after=()):
    s = wf.Step(id=sid, type=type_, depends_on=list(after))
    s.config.update(config)
    return s


def big_workflow(api, copies):
    """piece (~0.95 MB) -> big (COPIES pieces in an array) -> size (reads big back) -> echo."""
    return api.workflow(f"big-{copies}", [
        step("piece", "transform", {"expression": PIECE_EXPR}),
        step("big", "transform", {"expression": "[" + ", ".join(["steps.piece"] * copies) + "]"}, after=["piece"]),
        step("size", "transform", {"expression": "len(steps.big) * len(steps.big[0]) + len(steps.big[" + str(copies - 1) + "])"},
             after=["big"]),
        step("tail", "template", {"template": "{{ substring(steps.big[" + str(copies - 1) + "], 0, 12) }}"}, after=["big"]),
    ])


def small_workflow(api):
    return api.workflow("small", [step("hello", "template", {"template": "hi {{ 1 + 2 }}"})])


def check_big_run(api, run_id, copies):
    run = api.get(run_id)
    assert run.status == RS.RUN_STATUS_COMPLETED, (RS.Name(run.status), run.error)
    by_id = {s.step_id: s for s in run.steps}
    big = by_id["big"].output.list_value.values
    assert len(big) == copies
    assert all(len(v.string_value) == PIECE_BYTES for v in big)
    assert big[copies - 1].string_value.startswith("0-----------1")
    # The downstream steps saw the real value, not a reference.
    assert by_id["size"].output.number_value == copies * PIECE_BYTES + PIECE_BYTES
    assert by_id["tail"].output.string_value == "0-----------"
    return run


@pytest.fixture
def data_dir():
    d = tempfile.mkdtemp(prefix="spindle-bigvalues-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.timeout(600)
def test_oversized_output_does_not_wedge_other_tenants_across_sigkill(data_dir):
    """The bug case: ~24 MB from a transform, then tenant B's next run must still succeed."""
    server = Spindle([], data_dir=data_dir)
    a, b = connect(server, "tenant-a"), connect(server, "tenant-b")
    try:
        big_wf = big_workflow(a, 26)
        small_wf = small_workflow(b)
        big = a.run(big_wf)
        assert big.status == RS.RUN_STATUS_COMPLETED, (RS.Name(big.status), big.error)
        after = b.run(small_wf)
        assert after.status == RS.RUN_STATUS_COMPLETED, (RS.Name(after.status), after.error)
        assert dict(after.outputs) == {"hello": "hi 3"}
        check_big_run(a, big.id, 26)
        a.close(), b.close()
        server.kill()

        server = Spindle([], data_dir=data_dir)
        a, b = connect(server, "tenant-a"), connect(server, "tenant-b")
        again = b.run(small_wf)
        assert again.status == RS.RUN_STATUS_COMPLETED, (RS.Name(again.status), again.error)
        check_big_run(a, big.id, 26)
        # And the same large value can be made again after the restart.
        twice = a.run(big_wf)
        assert twice.status == RS.RUN_STATUS_COMPLETED, (RS.Name(twice.status), twice.error)
    finally:
        a.close(), b.close()
        server.kill()


@pytest.mark.timeout(600)
def test_50mb_output_flows_to_next_step_getrun_and_watchrun_while_others_run(data_dir):
    server = Spindle([], data_dir=data_dir)
    a, b = connect(server, "tenant-a"), connect(server, "tenant-b")
    try:
        copies = 53  # 53 * 948879 bytes: 50.3 MB of output
        big_wf = big_workflow(a, copies)
        small_wf = small_workflow(b)
        # Tenant B keeps running small runs the whole time; every one must complete.
        stop = threading.Event()
        results = []

        def other_tenant():
            while not stop.is_set():
                r = b.run(small_wf)
                results.append((r.status, dict(r.outputs)))

        worker = threading.Thread(target=other_tenant)
        worker.start()
        try:
            started = a.StartRun(rs.StartRunRequest(workflow_id=big_wf))
            events = list(a.WatchRun(rs.WatchRunRequest(run_id=started.id), timeout=300))
        finally:
            stop.set()
            worker.join()
        assert events[-1].type == rpb.RUN_EVENT_TYPE_RUN_COMPLETED
        done = [e for e in events if e.type == rpb.RUN_EVENT_TYPE_STEP_COMPLETED and e.step_id == "big"]
        assert len(done) == 1
        watched = done[0].output.list_value.values
        assert len(watched) == copies and all(len(v.string_value) == PIECE_BYTES for v in watched)
        run = check_big_run(a, started.id, copies)
        assert sum(len(v.string_value) for v in run.steps[1].output.list_value.values) > 50_000_000
        assert results and all(s == RS.RUN_STATUS_COMPLETED and o == {"hello": "hi 3"} for s, o in results)
        # A stock client left at grpcio's 4 MiB receive limit is told so by its own library; the
        # server sends whatever the message holds, and goes on serving.
        with grpc.insecure_channel(server.addr) as stock:
            api = conftest.Api(stock, mint(server, "tenant-a"))
            with pytest.raises(grpc.RpcError) as refused:
                api.GetRun(rs.GetRunRequest(run_id=started.id))
            assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert b.run(small_wf).status == RS.RUN_STATUS_COMPLETED
        a.close(), b.close()
        server.kill()

        # Across SIGKILL: the run, its watch history and its downstream values read back whole.
        server = Spindle([], data_dir=data_dir)
        a, b = connect(server, "tenant-a"), connect(server, "tenant-b")
        check_big_run(a, started.id, copies)
        replay = list(a.WatchRun(rs.WatchRunRequest(run_id=started.id), timeout=300))
        assert [e.seq for e in replay] == [e.seq for e in events]
        big_again = [e for e in replay if e.type == rpb.RUN_EVENT_TYPE_STEP_COMPLETED and e.step_id == "big"]
        assert big_again[0].output == done[0].output
        assert b.run(small_wf).status == RS.RUN_STATUS_COMPLETED
    finally:
        a.close(), b.close()
        server.kill()


def test_value_over_max_value_bytes_fails_only_that_step(data_dir):
    server = Spindle(["--max-value-bytes", str(8 << 20)], data_dir=data_dir)
    a, b = connect(server, "tenant-a"), connect(server, "tenant-b")
    try:
        big_wf = big_workflow(a, 12)  # 11.4 MB, over the 8 MiB limit
        run = a.run(big_wf)
        assert run.status == RS.RUN_STATUS_FAILED
        by_id = {s.step_id: s for s in run.steps}
        assert by_id["piece"].status == rpb.STEP_STATUS_COMPLETED
        assert by_id["big"].status == rpb.STEP_STATUS_FAILED
        assert by_id["big"].error.code == "RESOURCE_EXHAUSTED"
        message = by_id["big"].error.message
        assert "output" in message and str(8 << 20) in message, message
        size = int(re.search(r"(\d+) bytes, over", message).group(1))
        assert 12 * PIECE_BYTES < size < 12 * PIECE_BYTES + 100, message
        assert run.error.code == "RESOURCE_EXHAUSTED"
        assert run.error.message.startswith("step big: ") and str(size) in run.error.message, run.error.message
        assert by_id["size"].status != rpb.STEP_STATUS_COMPLETED
        small = b.run(small_workflow(b))
        assert small.status == RS.RUN_STATUS_COMPLETED
        # The same tenant's other workflows are not disturbed either.
        fits = a.run(big_workflow(a, 4))
        assert fits.status == RS.RUN_STATUS_COMPLETED, fits.error
    finally:
        a.close(), b.close()
        server.kill()


def test_purge_removes_value_blobs_but_keeps_shared_ones(data_dir):
    server = Spindle([], data_dir=data_dir)
    a = connect(server, "tenant-a")
    blobs = os.path.join(data_dir, "store", "blobs")

    def values():
        return sorted(n for n in os.listdir(blobs) if n.endswith(".value"))

    try:
        first = big_workflow(a, 3)
        second = big_workflow(a, 3)  # the same values: the same content-addressed blobs
        assert a.run(first).status == RS.RUN_STATUS_COMPLETED
        made = values()
        assert made, os.listdir(blobs)
        assert a.run(second).status == RS.RUN_STATUS_COMPLETED
        assert values() == made  # deduplicated
        a.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=first))
        assert values() == made  # still referenced by the second workflow's run
        kept = a.run(second)
        check_big_run(a, kept.id, 3)
        a.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=second))
        assert values() == []
        assert [n for n in os.listdir(blobs) if n.endswith(".ref")] == []
    finally:
        a.close()
        server.kill()


@pytest.mark.timeout(600)
def test_a_workflow_record_the_log_cannot_take_is_refused_before_the_state_changes(data_dir):
    """Requests may be larger than a log record (--max-recv-message-size): the definition is
    refused with RESOURCE_EXHAUSTED, nothing of it is kept, and every later write goes on."""
    server = Spindle(["--max-recv-message-size", str(40 << 20)], data_dir=data_dir)
    a = connect(server, "tenant-a")
    try:
        with pytest.raises(grpc.RpcError) as refused:
            huge = wf.Workflow(name="huge", definition=wf.WorkflowDefinition(
                steps=[step("t", "template", {"template": "x" * (20 << 20)})]))
            a.CreateWorkflow(ws.CreateWorkflowRequest(workflow=huge), timeout=300)
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, refused.value.details()
        assert "over the limit of 16777216" in refused.value.details()
        names = [w.name for w in a.ListWorkflows(ws.ListWorkflowsRequest()).workflows]
        assert "huge" not in names
        ok = a.workflow("ok", [step("t", "template", {"template": "fine"})])
        assert a.run(ok).status == RS.RUN_STATUS_COMPLETED
        a.close()
        server.kill()
        server = Spindle([], data_dir=data_dir)
        a = connect(server, "tenant-a")
        assert [w.name for w in a.ListWorkflows(ws.ListWorkflowsRequest()).workflows] == ["ok"]
    finally:
        a.close()
        server.kill()
