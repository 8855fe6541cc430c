"""The run archive's compaction under SIGKILL: no live history lost, no deleted run back.

The load of test_run_archive_crash (writers, a deleter of completed runs, a resumer of failed
ones) plus a second deleter that takes the oldest completed runs, on an archive of small data
files (64 KiB) that is compacted as soon as a sealed file is less than 60% live, looked for
every 100 ms. So files are rewritten and removed all the time, and the random kills land
before, during and after compactions. After every restart the checks are those of the
archive crash test: each acknowledged run once with all its events, each acknowledged delete
still deleted, each acknowledged resume in its run's history.
"""
import os
import random
import shutil
import tempfile
import threading
import time

import pytest

from spindle_proc import Spindle
from test_run_archive_crash import ARGS as CRASH_ARGS, Acked, check, clean_restart, connect, delete, load, workflows
from spindle_client.spindle.v1 import run_pb2 as rpb

pytestmark = pytest.mark.spindle_only
ARGS = CRASH_ARGS + ["--archive-file-bytes", "65536", "--archive-compact-percent", "60",
                     "--archive-compact-interval-ms", "100"]


def oldest_deleter(api, acked, stop):
    """Deletes the oldest acknowledged completed runs, so whole old files empty out."""
    def run():
        while not stop.is_set():
            with acked.lock:
                done = sorted(r for r, (st, _) in acked.runs.items()
                              if st == rpb.RunStatus.RUN_STATUS_COMPLETED and r not in acked.deleted
                              and r not in acked.deleting)
                rid = done[0] if len(done) > 40 else None
            if rid is None:
                time.sleep(0.01)
            elif not delete(api, acked, rid):
                return
    t = threading.Thread(target=run)
    t.start()
    return t


def data_files(data_dir):
    archive = os.path.join(data_dir, "store", "archive")
    return sorted(n for n in os.listdir(archive) if n.endswith(".data"))


def test_compaction_loses_no_live_history_and_brings_back_no_deleted_run_across_sigkill():
    data_dir = tempfile.mkdtemp(prefix="spindle-compactcrash-")
    rng = random.Random(23)
    acked = Acked()
    server = Spindle(ARGS, data_dir=data_dir)
    compactions = 0
    removed_files = set()
    try:
        channel, api = connect(server)
        wids = workflows(api)
        channel.close()
        for round_ in range(8):
            channel, api = connect(server)
            stop = threading.Event()
            before = set(data_files(data_dir))
            threads = load(api, acked, wids, stop, round_ + 100) + [oldest_deleter(api, acked, stop)]
            time.sleep(rng.uniform(0.6, 1.6))
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            channel.close()
            compactions += sum(1 for l in server.lines if "event=archive_compacted" in l)
            removed_files |= before - set(data_files(data_dir))
            server = Spindle(ARGS, data_dir=data_dir)
            channel, api = connect(server)
            assert check(api, acked) > 0
            channel.close()
        assert compactions > 0 and removed_files, "no archive file was ever compacted away"
        assert acked.deleted and acked.resumes, "the load deleted or resumed nothing"
        server = clean_restart(server, ARGS, data_dir, acked)
    finally:
        server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
