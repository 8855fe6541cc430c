"""spindle.v1.RunService through the generated Python client, against the live server.

Runs, their steps and their event streams: blocking and async runs, partial runs, pauses and
the three decisions, cancel, resume, paging, WatchRun replay + live, WatchRuns with resume
tokens, and the error statuses. Concurrency is shown by step timestamps, not by sleeps.
"""
import queue
import subprocess
import threading
import time
import uuid

import grpc
import pytest
from google.protobuf import struct_pb2, duration_pb2

from conftest import Api, mint, start_spindle, stop_and_check
from spindle_client.google.rpc import error_details_pb2, status_pb2
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
C = grpc.StatusCode
RS = rpb.RunStatus
SS = rpb.StepStatus
ET = rpb.RunEventType


@pytest.fixture(scope="module")
def server():
    s = start_spindle()
    yield s
    stop_and_check(s)


@pytest.fixture(scope="module")
def chan(server):
    with grpc.insecure_channel(server.addr) as ch:
        yield ch


@pytest.fixture(scope="module")
def alice(server, chan):
    return Api(chan, mint(server, "alice"))


@pytest.fixture(scope="module")
def bob(server, chan):
    return Api(chan, mint(server, "bob"))


def S(**kw):
    s = struct_pb2.Struct()
    s.update(kw)
    return s


def step(sid, type_, config=None, after=(), **kw):
    st = wf.Step(id=sid, type=type_, depends_on=list(after), **kw)
    if config:
        st.config.update(config)
    return st


def make_workflow(client, steps, inputs=(), name=None):
    w = wf.Workflow(name=name or f"wf-{uuid.uuid4().hex[:8]}", inputs=list(inputs),
                    definition=wf.WorkflowDefinition(steps=steps))
    return client.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w)).id


def wait_status(client, run_id, statuses, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        run = client.GetRun(rs.GetRunRequest(run_id=run_id))
        if run.status in statuses:
            return run
        assert time.monotonic() < deadline, f"run {run_id} still {RS.Name(run.status)}"
        time.sleep(0.01)


def js(value):
    """A google.protobuf.Value as plain Python."""
    from google.protobuf.json_format import MessageToDict
    return MessageToDict(value)


def error_of(excinfo):
    return excinfo.value.code(), excinfo.value.details()


def bad_request_fields(err):
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            st = status_pb2.Status.FromString(value)
            br = error_details_pb2.BadRequest()
            st.details[0].Unpack(br)
            return [v.field for v in br.field_violations]
    return []


# ---------------------------------------------------------------------------------------------


def test_run_workflow_blocks_and_returns_outputs(alice):
    wid = make_workflow(alice, [
        step("greet", "template", {"template": "Hello {{inputs.name}}!"}),
        step("shout", "transform", {"expression": "upper(steps.greet)"}, after=["greet"]),
        step("size", "transform", {"expression": "len(input.text)"}, after=["greet"],
             input_mappings=[wf.InputMapping(from_step="greet", to_field="text")]),
    ], inputs=[wf.InputDeclaration(name="name", type=wf.INPUT_TYPE_STRING, required=True)])
    run = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid, inputs=S(name="Ada")))
    assert run.status == RS.RUN_STATUS_COMPLETED, run
    assert run.id.startswith("run_") and run.workflow_version == 1
    assert dict(run.outputs) == {"shout": "HELLO ADA!", "size": 10.0}
    assert run.progress_percent == 100 and list(run.current_steps) == []
    assert [s.step_id for s in run.steps] == ["greet", "shout", "size"]
    for s in run.steps:
        assert s.status == SS.STEP_STATUS_COMPLETED and s.attempts == 1
        assert s.started_at.ToNanoseconds() <= s.finished_at.ToNanoseconds()
    got = alice.GetRun(rs.GetRunRequest(run_id=run.id))
    assert got.steps[2].input == struct_pb2.Value(struct_value=S(text="Hello Ada!"))
    assert got.last_seq >= 8


def test_inputs_are_checked_with_field_violations(alice):
    wid = make_workflow(alice, [step("a", "transform", {"expression": "inputs.n"})],
                        inputs=[wf.InputDeclaration(name="n", type=wf.INPUT_TYPE_INTEGER, required=True)])
    with pytest.raises(grpc.RpcError) as e:
        alice.StartRun(rs.StartRunRequest(workflow_id=wid))
    assert e.value.code() == C.INVALID_ARGUMENT and "input \"n\" is required" in e.value.details()
    assert bad_request_fields(e.value) == ["inputs.n"]
    with pytest.raises(grpc.RpcError) as e:
        alice.StartRun(rs.StartRunRequest(workflow_id=wid, inputs=S(n=1.5)))
    assert e.value.code() == C.INVALID_ARGUMENT and "must be an integer" in e.value.details()
    assert alice.ListRuns(rs.ListRunsRequest(workflow_id=wid)).runs == []  # nothing was made


def test_runs_are_tenant_scoped_and_unknown_ids_not_found(alice, bob):
    wid = make_workflow(alice, [step("a", "template", {"template": "x"})])
    run = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))
    for call, req in [("GetRun", rs.GetRunRequest(run_id=run.id)),
                      ("CancelRun", rs.CancelRunRequest(run_id=run.id)),
                      ("GetPauseHistory", rs.GetPauseHistoryRequest(run_id=run.id)),
                      ("StartRun", rs.StartRunRequest(workflow_id=wid))]:
        with pytest.raises(grpc.RpcError) as e:
            getattr(bob, call)(req)
        assert e.value.code() == C.NOT_FOUND, call
    assert run.id not in [r.id for r in bob.ListRuns(rs.ListRunsRequest()).runs]
    with pytest.raises(grpc.RpcError) as e:
        list(bob.WatchRun(rs.WatchRunRequest(run_id=run.id)))
    assert e.value.code() == C.NOT_FOUND
    with pytest.raises(grpc.RpcError) as e:
        alice.GetRun(rs.GetRunRequest(run_id=""))
    assert e.value.code() == C.INVALID_ARGUMENT and bad_request_fields(e.value) == ["run_id"]


def test_independent_steps_run_concurrently_by_their_timestamps(alice):
    wid = make_workflow(alice, [
        step("x", "wait", {"duration": "400ms"}), step("y", "wait", {"duration": "400ms"}),
        step("z", "wait", {"duration": "400ms"}),
        step("join", "template", {"template": "done"}, after=["x", "y", "z"]),
    ])
    run = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))
    assert run.status == RS.RUN_STATUS_COMPLETED
    s = {st.step_id: st for st in run.steps}
    starts = [s[k].started_at.ToNanoseconds() for k in "xyz"]
    ends = [s[k].finished_at.ToNanoseconds() for k in "xyz"]
    # Every wait started before any of them finished: they overlapped.
    assert max(starts) < min(ends)
    assert s["join"].started_at.ToNanoseconds() >= max(ends)


def test_start_run_is_idempotent_and_watch_run_replays_then_follows_live(alice):
    wid = make_workflow(alice, [step("nap", "wait", {"duration": "300ms"}),
                                step("after", "template", {"template": "{{steps.nap.woke_at}}"}, after=["nap"])])
    key = uuid.uuid4().hex
    first = alice.StartRun(rs.StartRunRequest(workflow_id=wid, idempotency_key=key))
    again = alice.StartRun(rs.StartRunRequest(workflow_id=wid, idempotency_key=key))
    assert first.id == again.id
    assert first.status in (RS.RUN_STATUS_QUEUED, RS.RUN_STATUS_RUNNING)
    events = list(alice.WatchRun(rs.WatchRunRequest(run_id=first.id)))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    types = [e.type for e in events]
    assert types[0] == ET.RUN_EVENT_TYPE_RUN_QUEUED and types[1] == ET.RUN_EVENT_TYPE_RUN_STARTED
    assert types[-1] == ET.RUN_EVENT_TYPE_RUN_COMPLETED and events[-1].run_status == RS.RUN_STATUS_COMPLETED
    done = [e for e in events if e.type == ET.RUN_EVENT_TYPE_STEP_COMPLETED]
    assert [e.step_id for e in done] == ["nap", "after"]
    # A finished run replays from any point and ends.
    tail = list(alice.WatchRun(rs.WatchRunRequest(run_id=first.id, after_seq=3)))
    assert [e.seq for e in tail] == [e.seq for e in events[3:]]
    assert tail == events[3:]


def test_conditions_skip_the_branch_not_taken(alice):
    wid = make_workflow(alice, [
        step("check", "condition", {"expression": "inputs.amount > 100", "if_true": ["review"], "if_false": ["auto"]}),
        step("review", "template", {"template": "manual"}, after=["check"]),
        step("auto", "template", {"template": "approved"}, after=["check"]),
        step("notify", "template", {"template": "sent"}, after=["auto"]),
    ])
    big = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid, inputs=S(amount=500)))
    small = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid, inputs=S(amount=5)))
    st = lambda run: {s.step_id: s.status for s in run.steps}
    assert st(big) == {"check": SS.STEP_STATUS_COMPLETED, "review": SS.STEP_STATUS_COMPLETED,
                       "auto": SS.STEP_STATUS_SKIPPED, "notify": SS.STEP_STATUS_SKIPPED}
    assert st(small)["review"] == SS.STEP_STATUS_SKIPPED and st(small)["notify"] == SS.STEP_STATUS_COMPLETED
    assert dict(big.outputs) == {"review": "manual"} and dict(small.outputs) == {"notify": "sent"}


def test_pause_approve_decline_override_and_history(alice):
    wid = make_workflow(alice, [
        step("draft", "template", {"template": "v1"}),
        step("review", "human_approval", {"message": "Ship {{steps.draft}}?", "on_decline": ["rework"]}, after=["draft"]),
        step("ship", "template", {"template": "shipped {{steps.review.note}}"}, after=["review"]),
        step("rework", "template", {"template": "back to drafting"}, after=["review"]),
    ])
    paused = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))
    assert paused.status == RS.RUN_STATUS_PAUSED
    assert paused.pause.step_id == "review" and paused.pause.message == "Ship v1?"
    assert paused.pause.paused_at.seconds > 0 and list(paused.current_steps) == ["review"]
    listed = alice.ListPausedRuns(rs.ListPausedRunsRequest(workflow_id=wid))
    assert [r.id for r in listed.runs] == [paused.id]
    with pytest.raises(grpc.RpcError) as e:
        alice.ResumeRun(rs.ResumeRunRequest(run_id=paused.id))
    assert e.value.code() == C.FAILED_PRECONDITION and "ProcessPauseAction" in e.value.details()
    with pytest.raises(grpc.RpcError) as e:
        alice.ProcessPauseAction(rs.ProcessPauseActionRequest(run_id=paused.id))
    assert e.value.code() == C.INVALID_ARGUMENT and bad_request_fields(e.value) == ["action"]

    done = alice.ProcessPauseAction(rs.ProcessPauseActionRequest(
        run_id=paused.id, action=rpb.PAUSE_ACTION_APPROVE, user_id="ann", comment="lgtm", inputs=S(note="today")))
    done = wait_status(alice, done.id, [RS.RUN_STATUS_COMPLETED])
    assert dict(done.outputs) == {"ship": "shipped today"}
    assert {s.step_id: s.status for s in done.steps}["rework"] == SS.STEP_STATUS_SKIPPED
    hist = alice.GetPauseHistory(rs.GetPauseHistoryRequest(run_id=paused.id)).records
    assert len(hist) == 1 and hist[0].action == rpb.PAUSE_ACTION_APPROVE and hist[0].user_id == "ann"
    assert hist[0].comment == "lgtm" and hist[0].decided_at.ToNanoseconds() >= hist[0].paused_at.ToNanoseconds()
    with pytest.raises(grpc.RpcError) as e:
        alice.ProcessPauseAction(rs.ProcessPauseActionRequest(run_id=paused.id, action=rpb.PAUSE_ACTION_APPROVE))
    assert e.value.code() == C.FAILED_PRECONDITION

    declined = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))
    alice.ProcessPauseAction(rs.ProcessPauseActionRequest(run_id=declined.id, action=rpb.PAUSE_ACTION_DECLINE,
                                                          user_id="bob"))
    declined = wait_status(alice, declined.id, [RS.RUN_STATUS_COMPLETED])
    assert dict(declined.outputs) == {"rework": "back to drafting"}

    overridden = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))
    alice.ProcessPauseAction(rs.ProcessPauseActionRequest(
        run_id=overridden.id, action=rpb.PAUSE_ACTION_OVERRIDE,
        output=struct_pb2.Value(struct_value=S(approved=True, note="by ops"))))
    overridden = wait_status(alice, overridden.id, [RS.RUN_STATUS_COMPLETED])
    assert dict(overridden.outputs) == {"ship": "shipped by ops"}


def test_cancel_stops_a_waiting_run_and_finished_runs_refuse(alice):
    wid = make_workflow(alice, [step("long", "wait", {"duration": "1h"}),
                                step("never", "template", {"template": "x"}, after=["long"])])
    run = alice.StartRun(rs.StartRunRequest(workflow_id=wid))
    wait_status(alice, run.id, [RS.RUN_STATUS_RUNNING])
    canceled = alice.CancelRun(rs.CancelRunRequest(run_id=run.id, reason="not needed"))
    assert canceled.status == RS.RUN_STATUS_CANCELED and canceled.error.message == "not needed"
    assert {s.step_id: s.status for s in canceled.steps} == {"long": SS.STEP_STATUS_CANCELED,
                                                            "never": SS.STEP_STATUS_CANCELED}
    assert alice.CancelRun(rs.CancelRunRequest(run_id=run.id)).status == RS.RUN_STATUS_CANCELED
    events = list(alice.WatchRun(rs.WatchRunRequest(run_id=run.id)))
    assert events[-1].type == ET.RUN_EVENT_TYPE_RUN_CANCELED
    done = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=make_workflow(alice, [step("a", "template", {"template": "x"})])))
    with pytest.raises(grpc.RpcError) as e:
        alice.CancelRun(rs.CancelRunRequest(run_id=done.id))
    assert e.value.code() == C.FAILED_PRECONDITION and "COMPLETED" in e.value.details()
    with pytest.raises(grpc.RpcError) as e:
        alice.ResumeRun(rs.ResumeRunRequest(run_id=done.id))
    assert e.value.code() == C.FAILED_PRECONDITION


def test_a_failed_run_resumes_from_a_step(alice):
    wid = make_workflow(alice, [
        step("a", "template", {"template": "A"}),
        step("b", "transform", {"expression": "1 / inputs.d"}, after=["a"]),
        step("c", "transform", {"expression": "steps.b"}, after=["b"]),
    ])
    run = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid, inputs=S(d=0)))
    assert run.status == RS.RUN_STATUS_FAILED and run.error.code == "EXPRESSION"
    st = {s.step_id: s for s in run.steps}
    assert st["b"].status == SS.STEP_STATUS_FAILED and st["c"].status == SS.STEP_STATUS_PENDING
    assert "division by zero" in st["b"].error.message.lower() or "zero" in st["b"].error.message
    # Resuming runs the failed step again (it fails the same way: same inputs), and the
    # completed upstream step keeps its output.
    again = alice.ResumeRun(rs.ResumeRunRequest(run_id=run.id, from_step_id="b"))
    again = wait_status(alice, again.id, [RS.RUN_STATUS_FAILED])
    assert {s.step_id: s for s in again.steps}["a"].output == struct_pb2.Value(string_value="A")
    with pytest.raises(grpc.RpcError) as e:
        alice.ResumeRun(rs.ResumeRunRequest(run_id=run.id, from_step_id="nope"))
    assert e.value.code() == C.NOT_FOUND


def test_delete_run_only_when_finished(alice):
    wid = make_workflow(alice, [step("long", "wait", {"duration": "1h"})])
    run = alice.StartRun(rs.StartRunRequest(workflow_id=wid))
    with pytest.raises(grpc.RpcError) as e:
        alice.DeleteRun(rs.DeleteRunRequest(run_id=run.id))
    assert e.value.code() == C.FAILED_PRECONDITION and "cancel it" in e.value.details()
    alice.CancelRun(rs.CancelRunRequest(run_id=run.id))
    out = alice.DeleteRun(rs.DeleteRunRequest(run_id=run.id))
    assert out.run_id == run.id and out.events_removed >= 4
    with pytest.raises(grpc.RpcError) as e:
        alice.GetRun(rs.GetRunRequest(run_id=run.id))
    assert e.value.code() == C.NOT_FOUND


def test_list_runs_newest_first_with_filters_and_paging(alice):
    wid = make_workflow(alice, [step("a", "template", {"template": "x"})])
    other = make_workflow(alice, [step("a", "human_approval")])
    ids = [alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid)).id for _ in range(5)]
    paused = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=other)).id
    seen, token = [], ""
    while True:
        page = alice.ListRuns(rs.ListRunsRequest(workflow_id=wid, page_size=2, page_token=token))
        assert len(page.runs) <= 2
        seen += [r.id for r in page.runs]
        token = page.next_page_token
        if not token:
            break
    assert seen == list(reversed(ids))
    only_paused = alice.ListRuns(rs.ListRunsRequest(status=RS.RUN_STATUS_PAUSED))
    assert paused in [r.id for r in only_paused.runs]
    assert all(r.status == RS.RUN_STATUS_PAUSED for r in only_paused.runs)
    for bad in [rs.ListRunsRequest(page_size=201), rs.ListRunsRequest(page_size=-1),
                rs.ListRunsRequest(page_token="bm9wZQ=="),
                rs.ListRunsRequest(workflow_id=other, page_token=page.next_page_token or "eHh4")]:
        with pytest.raises(grpc.RpcError) as e:
            alice.ListRuns(bad)
        assert e.value.code() == C.INVALID_ARGUMENT


def test_partial_runs_start_at_a_step(alice):
    wid = make_workflow(alice, [
        step("fetch", "wait", {"duration": "1h"}),
        step("shape", "transform", {"expression": "steps.fetch.rows * 2"}, after=["fetch"]),
    ])
    with pytest.raises(grpc.RpcError) as e:
        alice.RunPartial(rs.RunPartialRequest(workflow_id=wid, from_step_id="shape"))
    assert e.value.code() == C.INVALID_ARGUMENT and "fetch" in e.value.details()
    run = alice.RunPartial(rs.RunPartialRequest(workflow_id=wid, from_step_id="shape",
                                                step_outputs=S(fetch={"rows": 21})))
    run = wait_status(alice, run.id, [RS.RUN_STATUS_COMPLETED])
    assert run.trigger == rpb.RUN_TRIGGER_PARTIAL and dict(run.outputs) == {"shape": 42.0}
    with pytest.raises(grpc.RpcError) as e:
        alice.RunPartial(rs.RunPartialRequest(workflow_id=wid, from_step_id="nope"))
    assert e.value.code() == C.NOT_FOUND


def test_subworkflows_and_loops(alice):
    child = make_workflow(alice, [step("twice", "transform", {"expression": "inputs.n * 2"})],
                          inputs=[wf.InputDeclaration(name="n", type=wf.INPUT_TYPE_NUMBER, required=True)])
    parent = make_workflow(alice, [
        step("one", "subworkflow", {"workflow_id": child, "inputs": {"n": "{{inputs.start}}"}}),
        step("each", "loop", {"items": "{{inputs.list}}", "concurrency": 2,
                              "step": {"type": "transform", "config": {"expression": "item * 10"}}}),
        step("children", "loop", {"items": [1, 2], "workflow_id": child, "inputs": {"n": "{{item}}"}}),
    ])
    run = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=parent, inputs=S(start=4, list=[1, 2, 3])))
    assert run.status == RS.RUN_STATUS_COMPLETED, run.error
    out = js(run.outputs)
    assert out["one"] == {"twice": 8}
    assert out["each"] == {"results": [10, 20, 30], "count": 3}
    assert out["children"] == {"results": [{"twice": 2}, {"twice": 4}], "count": 2}
    child_run = alice.GetRun(rs.GetRunRequest(run_id={s.step_id: s for s in run.steps}["one"].child_run_id))
    assert child_run.parent_run_id == run.id and child_run.trigger == rpb.RUN_TRIGGER_SUBWORKFLOW


def test_create_workflow_can_start_a_run(alice):
    w = wf.Workflow(name=f"cs-{uuid.uuid4().hex[:6]}", definition=wf.WorkflowDefinition(
        steps=[step("a", "transform", {"expression": "inputs.x + 1"})]))
    rid = uuid.uuid4().hex
    created = alice.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w, start=True, start_inputs=S(x=1), request_id=rid))
    assert created.started_run_id.startswith("run_")
    again = alice.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w, start=True, start_inputs=S(x=1), request_id=rid))
    assert again.id == created.id and again.started_run_id == created.started_run_id
    run = wait_status(alice, created.started_run_id, [RS.RUN_STATUS_COMPLETED])
    assert dict(run.outputs) == {"a": 2.0}


class Reader:
    """Reads a server stream on one thread, so the test can take messages with a timeout."""

    def __init__(self, stream):
        self.stream = stream
        self.q = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        try:
            for m in self.stream:
                self.q.put(m)
        except grpc.RpcError as e:
            self.q.put(e)

    def take(self, n, timeout=10):
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < n:
            m = self.q.get(timeout=max(0.01, deadline - time.monotonic()))
            if isinstance(m, grpc.RpcError):
                raise m
            out.append(m)
        return out

    def cancel(self):
        self.stream.cancel()


def test_watch_runs_snapshot_then_live_and_resume_without_gap_or_duplicate(alice, bob):
    wid = make_workflow(alice, [step("hold", "human_approval"), step("a", "template", {"template": "x"}, after=["hold"])])
    waiting = alice.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))  # paused: in the snapshot
    stream = Reader(alice.WatchRuns(rs.WatchRunsRequest(workflow_id=wid), timeout=30))
    first = stream.take(2)
    assert first[0].WhichOneof("item") == "run" and first[0].run.id == waiting.id
    assert first[1].WhichOneof("item") == "snapshot_end"
    bob_wid = make_workflow(bob, [step("a", "template", {"template": "x"})])
    bob.RunWorkflow(rs.RunWorkflowRequest(workflow_id=bob_wid))  # another tenant: never seen
    runs = [alice.StartRun(rs.StartRunRequest(workflow_id=wid)).id for _ in range(3)]
    for r in runs:
        wait_status(alice, r, [RS.RUN_STATUS_PAUSED])
    # Each run: queued, started, step_paused, run_paused = 4 events.
    live = stream.take(12)
    stream.cancel()
    assert all(m.WhichOneof("item") == "event" for m in live)
    assert {m.event.run_id for m in live} == set(runs)
    for r in runs:
        seqs = [m.event.seq for m in live if m.event.run_id == r]
        assert seqs == [1, 2, 3, 4]
    # Resume from the 5th message: the rest comes again exactly, then what happens next.
    resumed = Reader(alice.WatchRuns(rs.WatchRunsRequest(workflow_id=wid, resume_token=live[4].resume_token), timeout=30))
    alice.ProcessPauseAction(rs.ProcessPauseActionRequest(run_id=runs[0], action=rpb.PAUSE_ACTION_APPROVE))
    more = resumed.take(7 + 6)  # the rest of live, then pause_action, resumed, hold done, a started, a done, run done
    resumed.cancel()
    assert [(m.event.run_id, m.event.seq) for m in more[:7]] == [(m.event.run_id, m.event.seq) for m in live[5:]]
    after = [m.event for m in more[7:]]
    assert [e.seq for e in after] == [5, 6, 7, 8, 9, 10] and {e.run_id for e in after} == {runs[0]}
    assert after[-1].type == ET.RUN_EVENT_TYPE_RUN_COMPLETED
    # Tokens this server did not give out are refused.
    with pytest.raises(grpc.RpcError) as e:
        list(alice.WatchRuns(rs.WatchRunsRequest(resume_token="garbage!"), timeout=5))
    assert e.value.code() == C.INVALID_ARGUMENT


def test_a_slow_watcher_does_not_slow_a_run(alice):
    """A WatchRun stream nobody reads: the run still completes, and the events are all there."""
    wid = make_workflow(alice, [step(f"s{i}", "template", {"template": "x" * 2000}, after=[f"s{i-1}"] if i else [])
                                for i in range(30)])
    run = alice.StartRun(rs.StartRunRequest(workflow_id=wid))
    stalled = alice.WatchRun(rs.WatchRunRequest(run_id=run.id), timeout=60)
    first = next(stalled)  # open the stream, then stop reading
    assert first.seq == 1
    done = wait_status(alice, run.id, [RS.RUN_STATUS_COMPLETED], timeout=20)
    rest = list(stalled)
    assert [e.seq for e in [first] + rest] == list(range(1, done.last_seq + 1))


def upload(client, workflow_id, data, name="rows.csv"):
    reqs = [ws.UploadFilesRequest(metadata=ws.UploadFileMetadata(workflow_id=workflow_id, file_name=name,
                                                                 purpose=wf.FILE_PURPOSE_DATASET))]
    reqs += [ws.UploadFilesRequest(chunk=data[i:i + 65536]) for i in range(0, len(data), 65536)]
    return client.UploadFiles(iter(reqs)).file_id


def test_batch_runs_one_run_per_row_and_writes_a_results_file(alice, bob):
    import hashlib
    import json
    wid = make_workflow(alice, [step("total", "transform", {"expression": "inputs.qty * inputs.price"})],
                        inputs=[wf.InputDeclaration(name="qty", type=wf.INPUT_TYPE_INTEGER, required=True),
                                wf.InputDeclaration(name="price", type=wf.INPUT_TYPE_NUMBER, required=True)])
    csv = b'item,count,cost\r\n"apple, red",2,0.5\npear,3,1.25\nbad,x,1\nplum,4,2\n'
    fid = upload(alice, wid, csv)
    batch = alice.StartBatchRun(rs.StartBatchRunRequest(workflow_id=wid, file_id=fid, mini_batch_size=2,
                                                        column_mapping={"qty": "count", "price": "cost"}))
    assert batch.id.startswith("bat_") and batch.total_rows == 4
    deadline = time.monotonic() + 20
    while batch.status != rpb.BATCH_STATUS_COMPLETED:
        assert time.monotonic() < deadline, batch
        time.sleep(0.05)
        batch = alice.GetBatchRun(rs.GetBatchRunRequest(batch_id=batch.id))
    assert batch.completed_rows == 3 and batch.failed_rows == 1
    rows = {r.row: r for r in batch.rows}
    assert rows[2].status == RS.RUN_STATUS_FAILED and "integer" in rows[2].error.message and rows[2].run_id == ""
    run0 = alice.GetRun(rs.GetRunRequest(run_id=rows[0].run_id))
    assert run0.batch_id == batch.id and run0.batch_row == 0 and run0.trigger == rpb.RUN_TRIGGER_BATCH
    chunks = list(alice.DownloadFile(rs.DownloadFileRequest(file_id=batch.output_file_id)))
    data = b"".join(c.chunk for c in chunks)
    assert chunks[0].size == len(data) and chunks[0].sha256 == hashlib.sha256(data).hexdigest()
    lines = [json.loads(l) for l in data.decode().splitlines()]
    assert [l["row"] for l in lines] == [0, 1, 2, 3]
    assert [l.get("outputs", {}).get("total") for l in lines] == [1.0, 3.75, None, 8.0]
    assert lines[2]["status"] == "FAILED"
    # JSON lines datasets work too, with every key an input when there is no mapping.
    fid2 = upload(alice, wid, b'{"qty": 1, "price": 10}\n{"qty": 2, "price": 10}\n', name="rows.jsonl")
    b2 = alice.StartBatchRun(rs.StartBatchRunRequest(workflow_id=wid, file_id=fid2))
    assert b2.total_rows == 2
    # Errors.
    for req, code in [(rs.StartBatchRunRequest(workflow_id=wid, file_id="file_nope"), C.NOT_FOUND),
                      (rs.StartBatchRunRequest(workflow_id=wid, file_id=fid, column_mapping={"qty": "missing"}), C.INVALID_ARGUMENT),
                      (rs.StartBatchRunRequest(workflow_id=wid, file_id=upload(alice, wid, b'a,b\n"unclosed,1\n')), C.INVALID_ARGUMENT),
                      (rs.StartBatchRunRequest(workflow_id=wid, file_id=fid, mini_batch_size=1001), C.INVALID_ARGUMENT)]:
        with pytest.raises(grpc.RpcError) as e:
            alice.StartBatchRun(req)
        assert e.value.code() == code, (req, e.value.details())
    with pytest.raises(grpc.RpcError) as e:
        bob.GetBatchRun(rs.GetBatchRunRequest(batch_id=batch.id))
    assert e.value.code() == C.NOT_FOUND
    with pytest.raises(grpc.RpcError) as e:
        list(bob.DownloadFile(rs.DownloadFileRequest(file_id=batch.output_file_id)))
    assert e.value.code() == C.NOT_FOUND


def test_schedules_are_created_listed_paused_and_deleted(alice, bob):
    import datetime
    wid = make_workflow(alice, [step("a", "template", {"template": "x"})])
    s = alice.CreateSchedule(rs.CreateScheduleRequest(workflow_id=wid, cron="30 9 * * MON-FRI",
                                                      time_zone="America/New_York", catch_up=rpb.CATCH_UP_POLICY_ALL))
    assert s.id.startswith("sch_") and not s.paused and s.catch_up == rpb.CATCH_UP_POLICY_ALL
    nxt = datetime.datetime.fromtimestamp(s.next_run_at.seconds, datetime.timezone.utc)
    # 09:30 in New York is 13:30 or 14:30 UTC depending on DST, on a weekday, in the future.
    assert (nxt.hour, nxt.minute) in ((13, 30), (14, 30)) and nxt.weekday() < 5
    assert nxt > datetime.datetime.now(datetime.timezone.utc)
    assert [x.id for x in alice.ListSchedules(rs.ListSchedulesRequest(workflow_id=wid)).schedules] == [s.id]
    assert s.id not in [x.id for x in bob.ListSchedules(rs.ListSchedulesRequest()).schedules]
    p = alice.PauseSchedule(rs.PauseScheduleRequest(schedule_id=s.id, paused=True))
    assert p.paused and not p.HasField("next_run_at")
    r = alice.PauseSchedule(rs.PauseScheduleRequest(schedule_id=s.id, paused=False))
    assert not r.paused and r.next_run_at.seconds == s.next_run_at.seconds
    for req, field in [(rs.CreateScheduleRequest(workflow_id=wid, cron="0 25 * * *"), "cron"),
                       (rs.CreateScheduleRequest(workflow_id=wid, cron="* * *"), "cron"),
                       (rs.CreateScheduleRequest(workflow_id=wid, cron="@daily", time_zone="Nowhere/City"), "time_zone"),
                       (rs.CreateScheduleRequest(workflow_id=wid, cron="@daily", time_zone="../etc/passwd"), "time_zone")]:
        with pytest.raises(grpc.RpcError) as e:
            alice.CreateSchedule(req)
        assert e.value.code() == C.INVALID_ARGUMENT and bad_request_fields(e.value) == [field], e.value.details()
    with pytest.raises(grpc.RpcError) as e:
        bob.DeleteSchedule(rs.DeleteScheduleRequest(schedule_id=s.id))
    assert e.value.code() == C.NOT_FOUND
    assert alice.DeleteSchedule(rs.DeleteScheduleRequest(schedule_id=s.id)).schedule_id == s.id
    assert alice.ListSchedules(rs.ListSchedulesRequest(workflow_id=wid)).schedules == []
