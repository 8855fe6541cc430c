"""Workflow and run ids against the live server (issue 14, item 5).

Ids are "<prefix>_" + a ULID: 48 bits of milliseconds, then 80 bits. On main the 80 bits were
random only for the first id in a millisecond and counted up by one after that, server-wide, so
another tenant's id made in the same millisecond was one increment away, and the gap between two
ids told how many were made in between. Now every tail is unpredictable and tenants' tails are
independent; ids still sort by time and List still answers newest first across page tokens.
"""
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from conftest import Api, mint
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def split(id_):
    """(milliseconds, 80-bit tail) of a generated id."""
    value = 0
    for c in id_.split("_", 1)[1]:
        value = value * 32 + CROCKFORD.index(c)
    return value >> 80, value & ((1 << 80) - 1)


def same_millisecond_pairs(made):
    """Pairs of ids of different tenants in one millisecond, from [(tenant, id)]."""
    by_ms = {}
    for tenant, id_ in made:
        by_ms.setdefault(split(id_)[0], []).append((tenant, id_))
    return [(x, y) for group in by_ms.values() for i, (tx, x) in enumerate(group)
            for ty, y in group[i + 1:] if tx != ty]


def assert_unrelated(pairs):
    assert pairs, "no two tenants' ids landed in the same millisecond: nothing was checked"
    for x, y in pairs:
        tx, ty = split(x)[1], split(y)[1]
        assert abs(tx - ty) > 1 << 40, f"{x} and {y} (another tenant's, same millisecond) are {abs(tx - ty)} apart"
        assert bin(tx ^ ty).count("1") >= 10, f"{x} and {y} differ in only {bin(tx ^ ty).count('1')} of 80 bits"


def interleaved(calls, rounds=30):
    """Runs CALLS (a list of (tenant, fn)) concurrently, again until some ids of two tenants
    share a millisecond (at most ROUNDS times); returns every (tenant, id) made."""
    made = []
    with ThreadPoolExecutor(max_workers=16) as pool:
        for _ in range(rounds):
            made += [(tenant, f.result()) for tenant, f in [(t, pool.submit(fn)) for t, fn in calls]]
            if len(same_millisecond_pairs(made)) >= 8:
                break
    return made


@pytest.fixture
def tenants(target, channel):
    return Api(channel, mint(target.server, "ids-a")), Api(channel, mint(target.server, "ids-b"))


def test_workflow_ids_of_two_tenants_in_one_millisecond_are_unrelated(tenants):
    a, b = tenants
    create = lambda api: lambda: api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=wf.Workflow(name="id-probe"))).id
    made = interleaved([("a", create(a)), ("b", create(b))] * 16)
    assert_unrelated(same_millisecond_pairs(made))


def test_run_ids_of_two_tenants_in_one_millisecond_are_unrelated(tenants):
    a, b = tenants
    steps = [wf.Step(id="s", type="template")]
    steps[0].config.update({"template": "x"})
    flows = {name: api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=wf.Workflow(
        name="id-runs", definition=wf.WorkflowDefinition(steps=steps)))).id for name, api in (("a", a), ("b", b))}
    start = lambda api, wid: lambda: api.StartRun(rs.StartRunRequest(workflow_id=wid)).id
    made = interleaved([("a", start(a, flows["a"])), ("b", start(b, flows["b"]))] * 16)
    assert_unrelated(same_millisecond_pairs(made))


def test_lists_stay_newest_first_across_page_tokens(tenants):
    a, b = tenants
    made = {"a": [], "b": []}
    for i in range(12):
        for name, api in (("a", a), ("b", b)):
            made[name].append(api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=wf.Workflow(name=f"order-{i}"))).id)
    for name, api in (("a", a), ("b", b)):
        seen, token = [], ""
        while True:
            page = api.ListWorkflows(ws.ListWorkflowsRequest(page_size=5, page_token=token, name_contains="order-"))
            seen += [w.id for w in page.workflows]
            token = page.next_page_token
            if not token:
                break
        assert seen[:12] == list(reversed(made[name])), f"tenant {name}: not newest first"
        assert not set(seen) & set(made["b" if name == "a" else "a"]), "another tenant's workflow listed"
    # Runs, both tenants interleaved and one after the other: ListRuns newest first.
    steps = [wf.Step(id="s", type="template")]
    steps[0].config.update({"template": "x"})
    flows = {name: api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=wf.Workflow(
        name="order-runs", definition=wf.WorkflowDefinition(steps=steps)))).id for name, api in (("a", a), ("b", b))}
    runs = {"a": [], "b": []}
    for _ in range(8):
        for name, api in (("a", a), ("b", b)):
            runs[name].append(api.StartRun(rs.StartRunRequest(workflow_id=flows[name])).id)
    for name, api in (("a", a), ("b", b)):
        seen, token = [], ""
        while True:
            page = api.ListRuns(rs.ListRunsRequest(workflow_id=flows[name], page_size=3, page_token=token))
            seen += [r.id for r in page.runs]
            token = page.next_page_token
            if not token:
                break
        assert seen == list(reversed(runs[name])), f"tenant {name}: runs not newest first"
