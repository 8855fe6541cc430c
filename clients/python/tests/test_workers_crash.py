"""External workers across kills: a worker SIGKILLed mid-task (its attempt is lost and re-run
once by another worker), and the server SIGKILLed with tasks in flight (the worker that still
holds a task reclaims its lease on reconnect and its result is accepted; a task whose worker
never comes back is lost after its heartbeat timeout and re-run)."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest
from google.protobuf import duration_pb2, json_format

from conftest import mint
from spindle_proc import Spindle
from test_workers import RS, ET, Api, by_step, task_step, wait_for
from spindle_client.spindle.v1 import workflow_pb2 as wf

pytestmark = pytest.mark.spindle_only
HERE = os.path.dirname(os.path.abspath(__file__))


def retry(n):
    return wf.RetryPolicy(max_attempts=n, initial_backoff=duration_pb2.Duration(nanos=10_000_000))


def start_worker_proc(addr, token, queue):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "worker_proc.py"), addr, token, queue],
                         stdout=subprocess.PIPE, text=True)
    return p


def test_a_worker_killed_mid_task_is_replaced_and_the_task_runs_once_more(tmp_path):
    server = Spindle([])
    try:
        api = Api(server, "crash-worker")
        queue = f"k-{uuid.uuid4().hex[:6]}"
        proc = start_worker_proc(server.addr, api.token, queue)
        s = task_step("t", queue)
        s.retry.CopyFrom(retry(3))
        run_id = api.start([s])
        line = proc.stdout.readline().split()
        assert line[0] == "started" and line[1].startswith(run_id) and line[2] == "1"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ran = []
        w = api.worker([queue])

        @w.task()
        def again(payload, ctx):
            ran.append((ctx.task_id, ctx.attempt))
            return "second worker"

        w.start()
        try:
            run = api.wait(run_id)
            assert run.status == RS.RUN_STATUS_COMPLETED
            assert json_format.MessageToDict(by_step(run)["t"].output) == "second worker"
            assert ran == [(f"{run_id}/t/2", 2)]  # re-run once, as the next attempt
            events = api.events(run_id)
            retrying = [e for e in events if e.type == ET.RUN_EVENT_TYPE_STEP_RETRYING]
            assert len(retrying) == 1 and retrying[0].error.code == "WORKER_LOST"
            dispatched = [e.task.worker_id for e in events if e.type == ET.RUN_EVENT_TYPE_TASK_DISPATCHED]
            assert dispatched == [f"proc-{proc.pid}", w.worker_id]
        finally:
            w.stop(grace=1)
    finally:
        server.stop()


def test_server_killed_with_tasks_in_flight():
    data_dir = tempfile.mkdtemp(prefix="spindle-wk-crash-")
    try:
        server = Spindle([], data_dir=data_dir)
        api = Api(server, "crash-server")
        queue = f"s-{uuid.uuid4().hex[:6]}"
        release = threading.Event()
        ran = []
        w = api.worker([queue], concurrency=1, max_backoff=0.2)

        @w.task()
        def held(payload, ctx):
            ran.append(ctx.task_id)
            release.wait(30)
            return {"kept": ctx.task_id}

        w.start()
        # Run 1 goes to the library worker, which keeps it across the crash.
        kept = api.start([task_step("t", queue, heartbeat_timeout="5s")])
        wait_for(lambda: len(ran) == 1, what="the first task to start")
        # Run 2 goes to a raw worker that will never come back.
        orphan_q = queue + "-orphan"
        proc = start_worker_proc(server.addr, api.token, orphan_q)
        s = task_step("t", orphan_q, heartbeat_timeout="1s")
        s.retry.CopyFrom(retry(2))
        orphan = api.start([s])
        assert proc.stdout.readline().split()[0] == "started"
        server.kill()  # SIGKILL, leases in flight
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        server = Spindle([], data_dir=data_dir)
        api = Api(server, "crash-server")
        w.target = server.addr  # the worker reconnects (with backoff) to the new address
        wait_for(lambda: any(x.worker_id == w.worker_id for q in api.workers.ListQueues(
            __import__("spindle_client.spindle.v1.worker_service_pb2", fromlist=["x"]).ListQueuesRequest(),
            metadata=api.md, timeout=5).queues for x in q.workers), what="the worker to reconnect")
        release.set()
        run = api.wait(kept)
        assert run.status == RS.RUN_STATUS_COMPLETED
        t = by_step(run)["t"]
        # Accepted from the worker that held it: one attempt, run once.
        assert t.attempts == 1 and ran == [f"{kept}/t/1"]
        assert json_format.MessageToDict(t.output) == {"kept": f"{kept}/t/1"}
        assert [a[2] for a in w.acks if a[0] == f"{kept}/t/1"] == [True]

        # The orphan's worker is gone: lost after its heartbeat timeout, re-run elsewhere.
        w2 = api.worker([orphan_q])

        @w2.task()
        def rerun(payload, ctx):
            return "rerun"

        w2.start()
        try:
            run = api.wait(orphan)
            assert run.status == RS.RUN_STATUS_COMPLETED
            o = by_step(run)["t"]
            assert o.attempts == 2 and json_format.MessageToDict(o.output) == "rerun"
            retrying = [e for e in api.events(orphan) if e.type == ET.RUN_EVENT_TYPE_STEP_RETRYING]
            assert retrying[0].error.code == "WORKER_LOST"
        finally:
            w2.stop(grace=1)
            w.stop(grace=1)
            server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
