"""spindle_worker: run Spindle `task` steps in your own Python code.

    from spindle_worker import Worker

    worker = Worker("127.0.0.1:50051", token=TOKEN, queues=["images"], concurrency=4)

    @worker.task("resize")                 # task_type "resize" (no argument: any type)
    def resize(payload, ctx):              # a thread of the worker's pool
        ctx.heartbeat({"done": 0.5})       # progress, shown on the step in GetRun
        if ctx.cancelled.wait(1.0):        # CancelRun / the step's timeout reach the code here
            return None
        return {"ok": True}

    @worker.task("fetch")
    async def fetch(payload, ctx):         # a coroutine runs on the worker's asyncio loop;
        await asyncio.sleep(3)             # a cancel cancels it (CancelledError)
        return payload

    worker.run()                           # or worker.start() ... worker.stop(),
                                           # or `await worker.serve()` in an asyncio program

One bidirectional `WorkerService.Connect` stream per worker. The worker grants the server one
credit per free slot, so it never holds more than `concurrency` tasks; heartbeats go out on
their own; a lost connection is retried with exponential backoff, and the reconnect's hello
names the tasks still held (their results, if they finished meanwhile, are sent again and
kept until the server acks them). `stop()` takes no new task, lets running ones finish for
`grace` seconds, then hands the rest back (a retryable failure, code WORKER_SHUTDOWN).
"""
import asyncio
import inspect
import os
import queue
import socket
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import grpc
from google.protobuf import json_format, struct_pb2

from spindle_client.spindle.v1 import worker_service_pb2 as wpb
from spindle_client.spindle.v1 import worker_service_pb2_grpc as wsg

__all__ = ["Worker", "TaskContext", "TaskError"]


def to_value(obj):
    return json_format.ParseDict(obj, struct_pb2.Value())


def from_value(value):
    return json_format.MessageToDict(value) if value.WhichOneof("kind") else None


class TaskError(Exception):
    """Raise from a task to fail it with a code; retryable=False skips the step's retries."""

    def __init__(self, message, code="TASK_FAILED", retryable=True, details=None):
        super().__init__(message)
        self.code, self.retryable, self.details = code, retryable, details


class TaskContext:
    """What a task's code sees: the task, a cancel signal, heartbeats with progress."""

    def __init__(self, worker, task):
        self.task = task
        self.task_id, self.attempt, self.run_id, self.step_id = task.task_id, task.attempt, task.run_id, task.step_id
        self.cancelled = threading.Event()
        self.cancel_reason = ""
        self._worker = worker
        self._async_task = None
        self._loop = None
        self._last_beat = time.monotonic()

    def heartbeat(self, details=None):
        """Renews the lease now; `details` (any JSON value) is the step's progress."""
        self._last_beat = time.monotonic()
        hb = wpb.TaskHeartbeat(task_id=self.task_id, attempt=self.attempt)
        if details is not None:
            hb.details.CopyFrom(to_value(details))
        self._worker._send(wpb.WorkerMessage(heartbeat=hb))

    def _cancel(self, reason):
        self.cancel_reason = reason
        self.cancelled.set()
        if self._async_task is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._async_task.cancel)


class Worker:
    def __init__(self, target, token=None, queues=("default",), concurrency=4, worker_id=None, labels=None,
                 credentials=None, max_backoff=5.0, heartbeat_interval=None, log=None):
        self.target, self.token, self.queues = target, token, list(queues)
        self.concurrency = concurrency
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{id(self) & 0xffff:x}"
        self.labels = dict(labels or {})
        self.credentials, self.max_backoff = credentials, max_backoff
        self.heartbeat_interval = heartbeat_interval  # None: a third of each task's timeout
        self.log = log or (lambda msg: None)
        self._handlers = {}
        self._lock = threading.Lock()
        self._running = {}       # task_id -> (TaskContext, lease_id)
        self._unacked = {}       # task_id -> (WorkerMessage, lease_id): sent, not acked yet
        self._out = None
        self._stopping = threading.Event()
        self._draining = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="spindle-task")
        self._loop = None
        self._thread = None
        self._call = None
        self.acks = []           # (task_id, attempt, accepted, reason), for whoever wants to look

    # ---- registration

    def task(self, task_type=""):
        def register(fn):
            self._handlers[task_type] = fn
            return fn
        return register

    # ---- life cycle

    def start(self):
        self._thread = threading.Thread(target=self.run, name="spindle-worker", daemon=True)
        self._thread.start()
        return self

    def run(self):
        """Connects, and reconnects with backoff, until stop()."""
        loop_ready = threading.Event()

        def loop_main():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            loop_ready.set()
            self._loop.run_forever()

        threading.Thread(target=loop_main, name="spindle-asyncio", daemon=True).start()
        loop_ready.wait()
        hb = threading.Thread(target=self._heartbeats, name="spindle-heartbeat", daemon=True)
        hb.start()
        backoff = 0.05
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                self._session()
            except grpc.RpcError as e:
                self.log(f"worker {self.worker_id}: stream ended: {e.code()} {e.details()}")
            except Exception as e:  # keep serving: a bug in one session must not end the worker
                self.log(f"worker {self.worker_id}: {e!r}")
            if self._stopping.is_set():
                break
            if time.monotonic() - started > 5:
                backoff = 0.05
            self._stopping.wait(backoff)
            backoff = min(self.max_backoff, backoff * 2)

    async def serve(self, grace=10.0):
        """For asyncio programs: serves until the awaiting task is cancelled, then stops
        gracefully (as stop(grace))."""
        loop = asyncio.get_running_loop()
        runner = loop.run_in_executor(None, self.run)
        try:
            await asyncio.shield(runner)
        except asyncio.CancelledError:
            await loop.run_in_executor(None, self.stop, grace)
            raise

    def stop(self, grace=10.0):
        """Takes no new task, waits up to `grace` s for running ones, hands the rest back."""
        self._draining.set()
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            with self._lock:
                if not self._running:
                    break
            time.sleep(0.01)
        with self._lock:
            left = list(self._running.values())
        for ctx, _ in left:
            ctx._cancel("worker shutting down")
            self._finish(ctx, failure=TaskError("the worker shut down", code="WORKER_SHUTDOWN", retryable=True))
        # Give the acks a moment, then close the stream.
        end = time.monotonic() + 2
        while time.monotonic() < end:
            with self._lock:
                if not self._unacked:
                    break
            time.sleep(0.01)
        self._stopping.set()
        self._close_stream()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def kill_stream(self):
        """Drops the connection without telling anyone (tests: a network cut)."""
        if self._call is not None:
            self._call.cancel()

    # ---- the stream

    def _send(self, msg):
        out = self._out
        if out is not None:
            out.put(msg)

    def _close_stream(self):
        out = self._out
        if out is not None:
            out.put(None)

    def _session(self):
        out = queue.Queue()
        with self._lock:
            held = [wpb.HeldTask(task_id=tid, attempt=c.attempt, lease_id=lease) for tid, (c, lease) in self._running.items()]
            held += [wpb.HeldTask(task_id=tid, attempt=m.result.attempt if m.HasField("result") else m.failure.attempt,
                                  lease_id=lease) for tid, (m, lease) in self._unacked.items()]
            free = 0 if self._draining.is_set() else max(0, self.concurrency - len(self._running) - len(self._unacked))
        hello = wpb.WorkerHello(worker_id=self.worker_id, queues=self.queues, max_concurrent=self.concurrency,
                                labels=self.labels, credits=free, held=held)
        out.put(wpb.WorkerMessage(hello=hello))

        def requests():
            while True:
                m = out.get()
                if m is None:
                    return
                yield m

        md = [("authorization", f"Bearer {self.token}")] if self.token else []
        channel = (grpc.secure_channel(self.target, self.credentials) if self.credentials
                   else grpc.insecure_channel(self.target))
        try:
            stub = wsg.WorkerServiceStub(channel)
            call = stub.Connect(requests(), metadata=md)
            self._call = call
            self._out = out
            for msg in call:
                kind = msg.WhichOneof("kind")
                if kind == "welcome":
                    with self._lock:
                        kept = set(msg.welcome.kept_task_ids)
                        resend = [m for tid, (m, _) in self._unacked.items() if tid in kept]
                        for tid in [t for t in self._unacked if t not in kept]:
                            del self._unacked[tid]
                        for tid in [t for t in self._running if t not in kept]:
                            self._running[tid][0]._cancel("the lease was lost while disconnected")
                    for m in resend:
                        out.put(m)
                elif kind == "task":
                    self._start(msg.task)
                elif kind == "cancel":
                    with self._lock:
                        entry = self._running.get(msg.cancel.task_id)
                    if entry is not None:
                        entry[0]._cancel(msg.cancel.reason)
                elif kind == "ack":
                    a = msg.ack
                    self.acks.append((a.task_id, a.attempt, a.accepted, a.reason))
                    with self._lock:
                        self._unacked.pop(a.task_id, None)
                    if not self._draining.is_set():
                        out.put(wpb.WorkerMessage(credit=wpb.WorkerCredit(credits=1)))
        finally:
            self._out = None
            self._call = None
            out.put(None)
            channel.close()

    # ---- tasks

    def _start(self, task):
        ctx = TaskContext(self, task)
        with self._lock:
            self._running[task.task_id] = (ctx, task.lease_id)
        if self._draining.is_set():
            self._finish(ctx, failure=TaskError("the worker is shutting down", code="WORKER_SHUTDOWN", retryable=True))
            return
        fn = self._handlers.get(task.task_type) or self._handlers.get("")
        if fn is None:
            self._finish(ctx, failure=TaskError(f"no handler for task type {task.task_type!r}", retryable=False))
            return
        payload = from_value(task.payload)
        if inspect.iscoroutinefunction(fn):
            async def main():
                ctx._async_task = asyncio.current_task()
                ctx._loop = self._loop
                if ctx.cancelled.is_set():
                    raise asyncio.CancelledError()
                return await fn(payload, ctx)

            fut = asyncio.run_coroutine_threadsafe(main(), self._loop)
            fut.add_done_callback(lambda f: self._done(ctx, f))
        else:
            fut = self._pool.submit(fn, payload, ctx)
            fut.add_done_callback(lambda f: self._done(ctx, f))

    def _done(self, ctx, fut):
        if fut.cancelled():
            self._finish(ctx, failure=TaskError(ctx.cancel_reason or "canceled", code="CANCELED", retryable=False))
            return
        err = fut.exception()
        if err is None:
            self._finish(ctx, output=fut.result())
        elif isinstance(err, asyncio.CancelledError):
            self._finish(ctx, failure=TaskError(ctx.cancel_reason or "canceled", code="CANCELED", retryable=False))
        elif isinstance(err, TaskError):
            self._finish(ctx, failure=err)
        elif ctx.cancelled.is_set():
            self._finish(ctx, failure=TaskError(ctx.cancel_reason or "canceled", code="CANCELED", retryable=False))
        else:
            tb = "".join(traceback.format_exception_only(type(err), err)).strip()
            self._finish(ctx, failure=TaskError(tb, code="TASK_FAILED", retryable=True))

    def _finish(self, ctx, output=None, failure=None):
        with self._lock:
            entry = self._running.pop(ctx.task_id, None)
            if entry is None:
                return
            lease = entry[1]
            if failure is None:
                msg = wpb.WorkerMessage(result=wpb.TaskResult(task_id=ctx.task_id, attempt=ctx.attempt, output=to_value(output)))
            else:
                f = wpb.TaskFailure(task_id=ctx.task_id, attempt=ctx.attempt, code=failure.code, message=str(failure),
                                    retryable=failure.retryable)
                if failure.details is not None:
                    f.details.CopyFrom(to_value(failure.details))
                msg = wpb.WorkerMessage(failure=f)
            self._unacked[ctx.task_id] = (msg, lease)
        self._send(msg)

    def _heartbeats(self):
        """Each running task's heartbeat every third of its timeout (or heartbeat_interval)."""
        while not self._stopping.is_set():
            now = time.monotonic()
            with self._lock:
                running = [c for c, _ in self._running.values()]
            for c in running:
                every = self.heartbeat_interval or max(0.02, c.task.heartbeat_timeout_ms / 3000.0)
                if now - c._last_beat >= every:
                    c._last_beat = now
                    self._send(wpb.WorkerMessage(heartbeat=wpb.TaskHeartbeat(task_id=c.task_id, attempt=c.attempt)))
            self._stopping.wait(0.02)
