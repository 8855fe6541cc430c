"""A worker process for the crash tests: serves QUEUE, prints "started <task id> <attempt>"
for each task and then sleeps until killed (or "done" after SECONDS when given)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from spindle_worker import Worker  # noqa: E402

addr, token, queue = sys.argv[1:4]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 3600.0
w = Worker(addr, token=token, queues=[queue], concurrency=1, worker_id=f"proc-{os.getpid()}")


@w.task()
def sleepy(payload, ctx):
    print("started", ctx.task_id, ctx.attempt, flush=True)
    ctx.cancelled.wait(seconds)
    return {"by": w.worker_id}


w.run()
