"""WatchRuns behind its in-memory ring: the events come from the log on disk, with no gap and
no duplicate. A stream resumed with a token older than the ring (a slow or disconnected
dashboard, or any stream after a server restart) gets every event after its token; only a
token older than what the log keeps (--watch-retain-records) starts from a snapshot.

Each test starts its own spindle with a tiny ring (--watch-ring-events 16), small log segments
and frequent snapshots, so compaction runs while the tests work."""
import os
import time

import grpc
import pytest

from conftest import Api, mint
from spindle_proc import Spindle
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
SMALL = ["--watch-ring-events", "16", "--log-segment-bytes", "65536", "--snapshot-every", "40"]
EVENTS_PER_RUN = 9  # queued, started, 3 x (step started, step completed), completed


class Watcher:
    """conftest's Api on its own channel, with the steps these tests repeat."""

    def __init__(self, server):
        self.channel = grpc.insecure_channel(server.addr)
        self.api = Api(self.channel, mint(server, "watcher"))

    def workflow(self):
        steps = []
        for sid, after in (("a", []), ("b", ["a"]), ("c", ["b"])):
            s = wf.Step(id=sid, type="template", depends_on=after)
            s.config.update({"template": sid})
            steps.append(s)
        w = wf.Workflow(name="watched", definition=wf.WorkflowDefinition(steps=steps))
        return self.api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w), timeout=15).id

    def run(self, wid, n):
        ids = []
        for _ in range(n):
            r = self.api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid), timeout=15)
            assert r.status == rpb.RUN_STATUS_COMPLETED
            ids.append(r.id)
        return ids

    def watch(self, wid, token, count, timeout=20):
        """The first COUNT messages of WatchRuns(wid, token)."""
        stream = self.api.WatchRuns(rs.WatchRunsRequest(workflow_id=wid, resume_token=token), timeout=timeout)
        out = []
        for m in stream:
            out.append(m)
            if len(out) == count:
                break
        stream.cancel()
        return out

    def start_token(self, wid):
        """A token at the current end of the log: a fresh stream's snapshot_end (no runs active)."""
        [end] = self.watch(wid, "", 1)
        assert end.WhichOneof("item") == "snapshot_end"
        return end.resume_token

    def close(self):
        self.channel.close()


def check_every_event(msgs, run_ids):
    """MSGS are exactly the events of RUN_IDS, each run's 1..N in order, runs in log order."""
    assert all(m.WhichOneof("item") == "event" for m in msgs), [m.WhichOneof("item") for m in msgs][:5]
    for r in run_ids:
        seqs = [m.event.seq for m in msgs if m.event.run_id == r]
        assert seqs == list(range(1, EVENTS_PER_RUN + 1)), (r, seqs)
    assert {m.event.run_id for m in msgs} == set(run_ids)
    # RunWorkflow ran them one after another: the log holds them run by run.
    assert [m.event.run_id for m in msgs[::EVENTS_PER_RUN]] == run_ids
    tokens = [m.resume_token for m in msgs]
    assert len(set(tokens)) == len(tokens)


@pytest.fixture
def data_dir(tmp_path):
    return str(tmp_path)


def test_a_stream_behind_the_ring_gets_every_event_from_the_log(data_dir):
    server = Spindle(SMALL, data_dir=data_dir)
    watcher = Watcher(server)
    try:
        wid = watcher.workflow()
        token = watcher.start_token(wid)
        runs = watcher.run(wid, 40)  # 360 events: the ring keeps 16
        msgs = watcher.watch(wid, token, len(runs) * EVENTS_PER_RUN)
        check_every_event(msgs, runs)
        # From any token in the middle: exactly the rest, then live events from the ring.
        middle = msgs[100]
        rest = watcher.watch(wid, middle.resume_token, len(msgs) - 101)
        assert [(m.event.run_id, m.event.seq) for m in rest] == [(m.event.run_id, m.event.seq) for m in msgs[101:]]
        stream = watcher.api.WatchRuns(rs.WatchRunsRequest(workflow_id=wid, resume_token=msgs[-3].resume_token),
                                       timeout=20)
        it = iter(stream)
        assert [next(it).event.seq for _ in range(2)] == [EVENTS_PER_RUN - 1, EVENTS_PER_RUN]
        [live] = watcher.run(wid, 1)
        tail = [next(it) for _ in range(EVENTS_PER_RUN)]
        stream.cancel()
        check_every_event(tail, [live])
        assert any("event=snapshot " in l for l in server.lines), "the test means to run with snapshots going on"
    finally:
        watcher.close()
        assert server.stop() == 0


def test_a_stream_resumes_across_a_sigkill_without_gap_or_duplicate(data_dir):
    server = Spindle(SMALL, data_dir=data_dir)
    watcher = Watcher(server)
    wid = watcher.workflow()
    token = watcher.start_token(wid)
    before = watcher.run(wid, 10)
    seen = watcher.watch(wid, token, 25)  # part of the way through the fourth run
    watcher.close()
    server.kill()

    server = Spindle(SMALL, data_dir=data_dir)
    watcher = Watcher(server)
    try:
        after = watcher.run(wid, 5)
        rest = watcher.watch(wid, seen[-1].resume_token, (len(before) + len(after)) * EVENTS_PER_RUN - len(seen))
        check_every_event(seen + rest, before + after)
    finally:
        watcher.close()
        assert server.stop() == 0


def test_a_token_older_than_the_log_keeps_gets_a_snapshot_not_an_error(data_dir):
    server = Spindle(SMALL + ["--watch-retain-records", "0"], data_dir=data_dir)
    watcher = Watcher(server)
    try:
        wid = watcher.workflow()
        token = watcher.start_token(wid)
        watcher.run(wid, 150)  # 1,350 events (~100 bytes each): three 64 KiB segments, and snapshots
        # Snapshots are written in the background: wait for the one that compacts the first
        # segment (the one holding the token's records) away.
        first_segment = os.path.join(data_dir, "store", "log", "%016x.seg" % 1)
        deadline = time.monotonic() + 10
        while os.path.exists(first_segment):
            assert time.monotonic() < deadline, "the first log segment was never compacted away"
            time.sleep(0.05)
        # Nothing is running: the snapshot is empty, then live events follow.
        stream = watcher.api.WatchRuns(rs.WatchRunsRequest(workflow_id=wid, resume_token=token), timeout=20)
        it = iter(stream)
        first = next(it)
        assert first.WhichOneof("item") == "snapshot_end"
        [live] = watcher.run(wid, 1)
        tail = [next(it) for _ in range(EVENTS_PER_RUN)]
        stream.cancel()
        check_every_event(tail, [live])
    finally:
        watcher.close()
        assert server.stop() == 0
