"""The crash test of issue 4: SIGKILL under concurrent writes, many times, on one data dir.

Each round starts spindle on the SAME data dir, runs WRITERS threads (each with its own channel
and a token for one of two tenants) doing CreateWorkflow (unique request_id) and UpdateWorkflow
(a changed definition, so a new version), kills the server with SIGKILL after a random
0.3-1.5 s, restarts it and checks that
  - every acknowledged create exists, with at least the acknowledged version: ListVersions lists
    versions current..1 with no gap, GetVersion works for each, each acknowledged version holds the
    definition that was sent, its hash matches ListVersions and never changes between rounds, and
    when no later version landed the etag is the acknowledged one;
  - creates that were in flight at the kill, retried with their request_id, give one workflow
    each, so each tenant's List holds exactly the acknowledged ids (no duplicates, no extras);
  - nothing crosses tenants: every listed workflow has the caller's tenant, and the other
    tenant's GetWorkflow of it is NOT_FOUND.
What was acknowledged is kept across rounds. One round appends a partial record to the newest
log segment after the kill (the server must truncate it and report torn_tail on its
event=store_open line); one flips a byte in the middle of that segment (the server must refuse to
start, exit 1, event=store_open_failed naming the file and the frame's offset), then restores it.
SPINDLE_CRASH_SEED=N replays a run's random choices (not the kill's timing against the server).
"""
import glob
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from google.protobuf import struct_pb2

from spindle_proc import Spindle, default_binary
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws
from spindle_client.spindle.v1 import workflow_service_pb2_grpc as wsg

pytestmark = pytest.mark.spindle_only
C = grpc.StatusCode

ROUNDS = 10
TORN_ROUND, FLIP_ROUND = 3, 6
WRITERS = 8
TENANTS = ("crash-a", "crash-b")
RPC_TIMEOUT_S = 10
FRAME_HEADER_BYTES = 9  # [u32 length][u32 crc][u8 type], Sources/Storage/Record.swift
CHECKERS = 4  # threads reading back after a restart
OLD_SAMPLE = 40  # workflows from earlier rounds re-checked in full each round (all in the last)


def mint(binary, data_dir, tenant):
    out = subprocess.run([binary, "token", "--tenant", tenant, "--data-dir", data_dir],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def definition(tag):
    cfg = struct_pb2.Struct()
    cfg.update({"template": f"crash {tag}"})
    return wf.WorkflowDefinition(steps=[wf.Step(id="render", type="template", config=cfg)])


class Acked:
    """What the server acknowledged for one workflow."""

    def __init__(self, tenant, owner):
        self.tenant, self.owner = tenant, owner
        self.versions = {}  # number -> definition sent
        self.etags = {}  # number -> etag acknowledged with it
        self.hashes = {}  # number -> definition_hash seen at an earlier check
        self.touched = True  # written since the last check


class Ledger:
    def __init__(self):
        self.lock = threading.Lock()
        self.workflows = {}  # id -> Acked
        self.pending = {}  # request_id -> (tenant, owner, CreateWorkflowRequest) sent, not acked
        self.errors = []  # RPC failures while the server was meant to be up

    def ack_create(self, rid, owner, w, d):
        with self.lock:
            tenant = self.pending.pop(rid)[0]
            a = self.workflows.get(w.id) or Acked(tenant, owner)
            self.workflows[w.id] = a
            a.versions[w.current_version], a.etags[w.current_version] = d, w.etag
            a.touched = True

    def ack_update(self, w, d):
        with self.lock:
            a = self.workflows[w.id]
            a.versions[w.current_version], a.etags[w.current_version] = d, w.etag
            a.touched = True

    def owned(self, owner):
        with self.lock:
            return [i for i, a in self.workflows.items() if a.owner == owner]


def writer(addr, token, tenant, owner, ledger, killed, rng):
    md = [("authorization", f"Bearer {token}")]
    counter = 0
    with grpc.insecure_channel(addr) as ch:
        stub = wsg.WorkflowServiceStub(ch)
        mine = ledger.owned(owner)
        while True:
            counter += 1
            tag = f"{owner}-{uuid.uuid4().hex[:8]}-{counter}"
            d = definition(tag)
            try:
                if not mine or rng.random() < 0.35:
                    rid = uuid.uuid4().hex
                    req = ws.CreateWorkflowRequest(workflow=wf.Workflow(name=f"crash {tag}", definition=d),
                                                   request_id=rid)
                    with ledger.lock:
                        ledger.pending[rid] = (tenant, owner, req)
                    w = stub.CreateWorkflow(req, metadata=md, timeout=RPC_TIMEOUT_S)
                    ledger.ack_create(rid, owner, w, d)
                    mine.append(w.id)
                else:
                    wid = rng.choice(mine)
                    w = stub.UpdateWorkflow(ws.UpdateWorkflowRequest(workflow_id=wid, definition=d,
                                                                     change_summary=tag),
                                            metadata=md, timeout=RPC_TIMEOUT_S)
                    ledger.ack_update(w, d)
            except grpc.RpcError as e:
                if not killed.is_set():
                    with ledger.lock:
                        ledger.errors.append(f"{owner}: {e.code()} {e.details()}")
                return


def frame_starts(path):
    """Offsets of the frames in a segment, found by following the length fields, and where the
    last whole frame ends: at a header of zeros (the server writes zeros ahead of its records),
    else the file size unless the file has a partial record at the end."""
    data = open(path, "rb").read()
    starts, offset = [], 0
    while offset + FRAME_HEADER_BYTES <= len(data):
        if data[offset:offset + FRAME_HEADER_BYTES] == bytes(FRAME_HEADER_BYTES):
            break
        length = struct.unpack_from("<I", data, offset)[0]
        if offset + FRAME_HEADER_BYTES + length > len(data):
            break
        starts.append(offset)
        offset += FRAME_HEADER_BYTES + length
    return starts, offset


def newest_segment(data_dir):
    segments = sorted(glob.glob(os.path.join(data_dir, "store", "log", "*.seg")))
    assert segments, f"no log segments under {data_dir}/store/log"
    return segments[-1]


def tear_tail(data_dir, rng):
    """Writes the start of a record after the last whole one in the newest segment, as a write
    cut short leaves it: part of a header, or a header promising more payload than follows.
    It goes into the zeros the server wrote ahead, or at the end of the file if there are none.
    Returns (path, offset the server must truncate at, bytes it must drop: to the file's end)."""
    path = newest_segment(data_dir)
    _, valid_end = frame_starts(path)
    payload = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    # An honest length (a torn write is a prefix of a real frame), its low byte nonzero.
    header = struct.pack("<IIB", len(payload) + rng.randint(17, 200), rng.getrandbits(32), 1)
    if rng.random() < 0.5:
        garbage = header[:rng.randint(1, FRAME_HEADER_BYTES - 1)]
    else:
        garbage = header + payload
    with open(path, "r+b") as f:
        f.seek(valid_end)
        f.write(garbage)
    return path, valid_end, os.path.getsize(path) - valid_end


def flip_middle_byte(data_dir):
    """Flips one byte in the middle of the newest segment. Returns (path, byte offset, old byte,
    start of the frame holding it)."""
    path = newest_segment(data_dir)
    starts, _ = frame_starts(path)
    assert len(starts) >= 8, f"{path} has only {len(starts)} records: not enough for a mid-log flip"
    frame = starts[len(starts) // 2]
    offset = frame + FRAME_HEADER_BYTES  # first payload byte: a checksum mismatch, not a bad length
    with open(path, "r+b") as f:
        f.seek(offset)
        old = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([old ^ 0x5A]))
    return path, offset, old, frame


def restore_byte(path, offset, old):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(bytes([old]))


def write_then_kill(server, tokens, ledger, rng):
    """Runs the writers against SERVER and SIGKILLs it under them after 0.3-1.5 s."""
    killed = threading.Event()
    threads = [threading.Thread(target=writer, args=(server.addr, tokens[i % 2], TENANTS[i % 2], i, ledger, killed,
                                                     random.Random(rng.random())))
               for i in range(WRITERS)]
    for t in threads:
        t.start()
    time.sleep(rng.uniform(0.3, 1.5))
    killed.set()
    server.kill()
    for t in threads:
        t.join(RPC_TIMEOUT_S + 5)
    assert not any(t.is_alive() for t in threads), "a writer is still running after the kill"
    assert not ledger.errors, f"RPCs failed before the kill: {ledger.errors[:5]}"


def refuses_to_start(binary, data_dir, path, offset, frame):
    proc = subprocess.run([binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir],
                          capture_output=True, text=True, timeout=30)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, f"flipped byte at {path}:{offset}, exit {proc.returncode}:\n{out}"
    failed = [line for line in out.splitlines() if "event=store_open_failed" in line]
    assert failed and path in failed[0] and f"offset {frame}:" in failed[0], \
        f"flipped {path}:{offset} (frame at {frame}), got:\n{out}"


def store_open_line(server):
    lines = [line for line in server.lines if "event=store_open " in line]
    assert len(lines) == 1, f"expected one event=store_open line, got: {server.lines[:10]}"
    return lines[0]


def check(addr, tokens, ledger, rng, full):
    """After a restart: settles in-flight creates by request_id, then checks every tenant's list
    and the workflows written since the last check (plus a sample of older ones, or all)."""
    chans = [grpc.insecure_channel(addr) for _ in TENANTS]
    try:
        stubs = {t: (wsg.WorkflowServiceStub(ch), [("authorization", f"Bearer {tok}")])
                 for t, ch, tok in zip(TENANTS, chans, tokens)}

        def call(tenant, rpc, req):
            stub, md = stubs[tenant]
            return getattr(stub, rpc)(req, metadata=md, timeout=RPC_TIMEOUT_S)

        # A create in flight at the kill may or may not have landed: its retry must give one workflow.
        for rid, (tenant, owner, req) in list(ledger.pending.items()):
            w = call(tenant, "CreateWorkflow", req)
            ledger.ack_create(rid, owner, w, req.workflow.definition)

        for tenant in TENANTS:
            listed, token = [], ""
            while True:
                page = call(tenant, "ListWorkflows", ws.ListWorkflowsRequest(page_size=200, page_token=token))
                listed += page.workflows
                token = page.next_page_token
                if not token:
                    break
            ids = [w.id for w in listed]
            assert all(w.tenant_id == tenant for w in listed), f"{tenant}'s list holds another tenant's workflow"
            assert len(ids) == len(set(ids)), f"{tenant}'s list repeats ids"
            expected = {i for i, a in ledger.workflows.items() if a.tenant == tenant}
            assert set(ids) == expected, (f"{tenant}: listed {len(ids)}, acknowledged {len(expected)}; "
                                          f"missing {sorted(expected - set(ids))[:5]}, "
                                          f"extra {sorted(set(ids) - expected)[:5]}")
            by_id = {w.id: w for w in listed}
            chosen = [wid for wid in sorted(expected) if full or ledger.workflows[wid].touched
                      or rng.random() < OLD_SAMPLE / len(ledger.workflows)]
            with ThreadPoolExecutor(CHECKERS) as pool:
                for f in [pool.submit(check_workflow, call, wid, ledger.workflows[wid], by_id[wid], full)
                          for wid in chosen]:
                    f.result()
    finally:
        for ch in chans:
            ch.close()


def check_workflow(call, wid, a, listed, full):
    """ListVersions checks every version's number and hash each time; GetVersion reads the
    versions not read before, the current one, and (when full) all of them."""
    w = call(a.tenant, "GetWorkflow", ws.GetWorkflowRequest(workflow_id=wid))
    assert w == listed, f"{wid}: GetWorkflow and ListWorkflows disagree"
    top = max(a.versions)
    assert w.current_version >= top, f"{wid}: current_version {w.current_version}, acknowledged {top}"
    if w.current_version == top:
        assert w.etag == a.etags[top], f"{wid}: etag {w.etag}, acknowledged {a.etags[top]} with v{top}"
    versions, token = [], ""
    while True:
        page = call(a.tenant, "ListVersions", ws.ListVersionsRequest(workflow_id=wid, page_size=200, page_token=token))
        versions += page.versions
        token = page.next_page_token
        if not token:
            break
    numbers = [v.number for v in versions]
    assert numbers == list(range(w.current_version, 0, -1)), f"{wid}: versions {numbers}, current {w.current_version}"
    current = None
    for v in versions:
        if v.number in a.hashes:
            assert v.definition_hash == a.hashes[v.number], f"{wid} v{v.number}: hash changed across a restart"
        if not full and v.number in a.hashes and v.number != w.current_version:
            continue
        got = call(a.tenant, "GetVersion", ws.GetVersionRequest(workflow_id=wid, version=v.number))
        assert got.number == v.number and got.definition_hash == v.definition_hash, f"{wid} v{v.number}: hash differs"
        if v.number in a.versions:
            assert got.definition == a.versions[v.number], f"{wid} v{v.number}: not the acknowledged definition"
        a.hashes[v.number] = v.definition_hash
        if v.number == w.current_version:
            current = got.definition
    assert current == w.definition, f"{wid}: the current definition is not v{w.current_version}'s"
    other = TENANTS[1 - TENANTS.index(a.tenant)]
    with pytest.raises(grpc.RpcError) as e:
        call(other, "GetWorkflow", ws.GetWorkflowRequest(workflow_id=wid))
    assert e.value.code() == C.NOT_FOUND, f"{other} reading {a.tenant}'s {wid}: {e.value.code()}"
    a.touched = False


def test_acknowledged_writes_survive_sigkill_torn_tails_and_refuse_flipped_bytes():
    seed = int(os.environ.get("SPINDLE_CRASH_SEED") or time.time_ns() % 1_000_000)
    rng = random.Random(seed)
    data_dir = tempfile.mkdtemp(prefix="spindle-crash-")
    binary = default_binary()
    ledger = Ledger()
    server = None
    try:
        first = Spindle([], binary=binary, data_dir=data_dir)  # makes the data dir's signing secret
        assert first.stop() == 0
        tokens = [mint(binary, data_dir, t) for t in TENANTS]
        # The server that recovered and was checked takes the next round's writes.
        server = Spindle([], binary=binary, data_dir=data_dir)
        for n in range(ROUNDS):
            try:
                write_then_kill(server, tokens, ledger, rng)
                torn = tear_tail(data_dir, rng) if n == TORN_ROUND else None
                if n == FLIP_ROUND:
                    path, offset, old, frame = flip_middle_byte(data_dir)
                    refuses_to_start(binary, data_dir, path, offset, frame)
                    restore_byte(path, offset, old)
                server = Spindle([], binary=binary, data_dir=data_dir)
                line = store_open_line(server)
                if torn:
                    path, at, dropped = torn
                    assert re.search(rf'torn_tail="{re.escape(path)} at {at}: {dropped} bytes dropped"', line), \
                        f"appended a partial record to {path} (valid end {at}, {dropped} bytes), got: {line}"
                check(server.addr, tokens, ledger, rng, full=n == ROUNDS - 1)
            except AssertionError as e:
                raise AssertionError(f"seed {seed}, round {n}: {e}") from None
            print(f"round {n}: {len(ledger.workflows)} workflows acknowledged; {line}")
        assert server.stop() == 0, "spindle exit status after SIGTERM: " + "\n".join(server.lines[-20:])
        versions = sum(len(a.versions) for a in ledger.workflows.values())
        print(f"seed {seed}: {ROUNDS} rounds, {len(ledger.workflows)} workflows, {versions} acknowledged versions")
    finally:
        if server:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
