"""spindle.v1.WorkflowService through the generated Python client, against the live server.

Each test module run starts its own spindle (JWT auth, the default) and mints tokens for two
tenants with `spindle token`. Errors are checked by status code and message, and
INVALID_ARGUMENT details are decoded from grpc-status-details-bin with the generated
google.rpc stubs, as a stock client would.
"""
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import grpc
import pytest
from google.protobuf import field_mask_pb2, struct_pb2, duration_pb2, wrappers_pb2

from conftest import mint, start_spindle, stop_and_check
from spindle_proc import Spindle
from spindle_client.google.rpc import error_details_pb2, status_pb2
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws
from spindle_client.spindle.v1 import workflow_service_pb2_grpc as wsg

pytestmark = pytest.mark.spindle_only
C = grpc.StatusCode


class Client:
    """A WorkflowService stub that sends one tenant's token on every call."""

    def __init__(self, channel, token):
        self.stub = wsg.WorkflowServiceStub(channel)
        self.md = [("authorization", f"Bearer {token}")] if token is not None else []

    def __getattr__(self, rpc):
        method = getattr(self.stub, rpc)
        return lambda req, timeout=10, **kw: method(req, metadata=self.md, timeout=timeout, **kw)


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
def a(server, chan):
    return Client(chan, mint(server, "tenant-a"))


@pytest.fixture(scope="module")
def b(server, chan):
    return Client(chan, mint(server, "tenant-b"))


def rpc_error(fn, *args):
    with pytest.raises(grpc.RpcError) as e:
        fn(*args)
    return e.value


def details(err):
    """The BadRequest field violations of an INVALID_ARGUMENT, as [(field, description)]."""
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw, f"no grpc-status-details-bin on {err.code()}: {err.details()}"
    st = status_pb2.Status.FromString(raw)
    assert st.code == err.code().value[0]
    assert st.message == err.details()
    assert len(st.details) == 1 and st.details[0].type_url == "type.googleapis.com/google.rpc.BadRequest"
    br = error_details_pb2.BadRequest()
    assert st.details[0].Unpack(br)
    return [(v.field, v.description) for v in br.field_violations]


def uniq(prefix="wf"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def struct(d):
    s = struct_pb2.Struct()
    s.update(d)
    return s


def step(id, type, config, depends_on=(), **kw):
    return wf.Step(id=id, type=type, config=struct(config), depends_on=list(depends_on), **kw)


def linear_def():
    return wf.WorkflowDefinition(steps=[
        step("fetch", "http_request", {"url": "https://example.com/x", "method": "GET"},
             retry=wf.RetryPolicy(max_attempts=3, initial_backoff=duration_pb2.Duration(nanos=500_000_000),
                                  max_backoff=duration_pb2.Duration(seconds=10),
                                  backoff_multiplier=wrappers_pb2.DoubleValue(value=2.0),
                                  retryable_errors=["UNAVAILABLE"]),
             timeout=duration_pb2.Duration(seconds=30, nanos=250_000_000)),
        step("shape", "transform", {"expression": "data.items"}, ["fetch"],
             input_mappings=[wf.InputMapping(from_step="fetch", from_field="body.items.0", to_field="data")]),
        step("render", "template", {"template": "{{data}}", "outputs": ["text", "html"]}, ["shape"],
             fallback=wf.Fallback(type="script", config=struct({"command": "echo"}))),
    ])


def create(c, name=None, definition=None, **kw):
    w = wf.Workflow(name=name or uniq(), **kw)
    if definition is not None:
        w.definition.CopyFrom(definition)
    return c.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w))


# --- auth ---------------------------------------------------------------------------------

def test_unauthenticated_without_and_with_bad_token(chan, a):
    e = rpc_error(Client(chan, None).ListWorkflows, ws.ListWorkflowsRequest())
    assert e.code() == C.UNAUTHENTICATED
    e = rpc_error(Client(chan, "not-a-jwt").GetWorkflow, ws.GetWorkflowRequest(workflow_id="wf_x"))
    assert e.code() == C.UNAUTHENTICATED
    # A token signed with another secret.
    forged = mint_token_with_other_secret()
    e = rpc_error(Client(chan, forged).ListWorkflows, ws.ListWorkflowsRequest())
    assert e.code() == C.UNAUTHENTICATED


def mint_token_with_other_secret():
    import base64, hashlib as h, hmac, json, time
    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    head = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = enc(json.dumps({"tenant": "tenant-a", "exp": int(time.time()) + 600}).encode())
    sig = enc(hmac.new(b"x" * 32, f"{head}.{body}".encode(), h.sha256).digest())
    return f"{head}.{body}.{sig}"


# --- create / get -------------------------------------------------------------------------

def test_create_without_definition_gets_input_step(a):
    w = create(a, description="d", tags=["t1"])
    assert w.id.startswith("wf_") and len(w.id) == 29
    assert w.status == wf.WORKFLOW_STATUS_DRAFT and w.current_version == 1 and w.etag
    assert [s.id for s in w.definition.steps] == ["input"]
    assert w.tenant_id == "tenant-a"
    got = a.GetWorkflow(ws.GetWorkflowRequest(workflow_id=w.id))
    assert got == w


def test_create_with_definition_round_trips_every_field(a):
    d = linear_def()
    w = create(a, definition=d, trigger_type=wf.TRIGGER_TYPE_WEBHOOK, kind=wf.WORKFLOW_KIND_AGENT,
               webhook_url="https://hook", origin=wf.Origin(instance="i", zone="z", reference="r"),
               config=struct({"a": [1, "x", None, {"b": True}]}),
               test_inputs=[struct({"q": 1.5})],
               inputs=[wf.InputDeclaration(name="url", type=wf.INPUT_TYPE_STRING, required=True,
                                           default_value=struct_pb2.Value(string_value="u"), description="dd")])
    assert w.definition == d
    assert w.trigger_type == wf.TRIGGER_TYPE_WEBHOOK and w.kind == wf.WORKFLOW_KIND_AGENT
    assert w.origin.zone == "z" and w.config["a"][3]["b"] is True and w.test_inputs[0]["q"] == 1.5
    assert w.inputs[0].default_value.string_value == "u" and w.inputs[0].required
    assert w.created_at.seconds > 1_700_000_000 and w.updated_at == w.created_at


def test_create_name_clash_gets_suffix(a):
    name = uniq()
    assert create(a, name).name == name
    assert create(a, name).name == f"{name} (1)"
    assert create(a, name).name == f"{name} (2)"


def test_create_request_id_is_idempotent(a):
    req = ws.CreateWorkflowRequest(workflow=wf.Workflow(name=uniq()), request_id=uniq("req"))
    first = a.CreateWorkflow(req)
    again = a.CreateWorkflow(req)
    assert again.id == first.id and again.name == first.name


def test_create_errors(a):
    e = rpc_error(a.CreateWorkflow, ws.CreateWorkflowRequest(workflow=wf.Workflow(name="")))
    assert e.code() == C.INVALID_ARGUMENT and "name" in e.details()
    assert details(e)[0][0] == "workflow.name"
    bad = wf.WorkflowDefinition(steps=[step("a", "nope", {})])
    e = rpc_error(create, a, None, bad)
    assert e.code() == C.INVALID_ARGUMENT
    assert any(f == "steps[a].type" and d.startswith("UNKNOWN_STEP_TYPE: ") for f, d in details(e)), details(e)


def test_get_errors(a):
    e = rpc_error(a.GetWorkflow, ws.GetWorkflowRequest(workflow_id=""))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "workflow_id"
    e = rpc_error(a.GetWorkflow, ws.GetWorkflowRequest(workflow_id="wf_01JAAAAAAAAAAAAAAAAAAAAAAA"))
    assert e.code() == C.NOT_FOUND and "not found" in e.details()
    e = rpc_error(a.CreateWorkflow, ws.CreateWorkflowRequest(workflow=wf.Workflow(name="x", status=1, kind=99)))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "workflow.kind"


# --- list ---------------------------------------------------------------------------------

def test_list_newest_first_paging_and_filters(server, chan):
    c = Client(chan, mint(server, uniq("tenant")))
    made = [create(c, f"item {i}", tags=["even" if i % 2 == 0 else "odd"],
                   trigger_type=wf.TRIGGER_TYPE_SCHEDULE if i == 3 else wf.TRIGGER_TYPE_MANUAL) for i in range(7)]
    ids = [w.id for w in reversed(made)]
    page = c.ListWorkflows(ws.ListWorkflowsRequest(page_size=3))
    seen = [w.id for w in page.workflows]
    while page.next_page_token:
        page = c.ListWorkflows(ws.ListWorkflowsRequest(page_size=3, page_token=page.next_page_token))
        seen += [w.id for w in page.workflows]
    assert seen == ids
    assert [w.name for w in c.ListWorkflows(ws.ListWorkflowsRequest(tag="odd")).workflows] == ["item 5", "item 3", "item 1"]
    assert [w.name for w in c.ListWorkflows(ws.ListWorkflowsRequest(trigger_type=wf.TRIGGER_TYPE_SCHEDULE)).workflows] == ["item 3"]
    assert [w.name for w in c.ListWorkflows(ws.ListWorkflowsRequest(name_contains="ITEM 6")).workflows] == ["item 6"]
    c.SetWorkflowStatus(ws.SetWorkflowStatusRequest(workflow_id=made[0].id, status=wf.WORKFLOW_STATUS_ACTIVE))
    assert [w.id for w in c.ListWorkflows(ws.ListWorkflowsRequest(status=wf.WORKFLOW_STATUS_ACTIVE)).workflows] == [made[0].id]
    c.DeleteWorkflow(ws.DeleteWorkflowRequest(workflow_id=made[1].id))
    assert made[1].id not in [w.id for w in c.ListWorkflows(ws.ListWorkflowsRequest()).workflows]
    listed = c.ListWorkflows(ws.ListWorkflowsRequest(include_deleted=True)).workflows
    assert [w.deleted for w in listed if w.id == made[1].id] == [True]


def test_list_errors(a):
    e = rpc_error(a.ListWorkflows, ws.ListWorkflowsRequest(page_size=201))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "page_size" and "200" in e.details()
    e = rpc_error(a.ListWorkflows, ws.ListWorkflowsRequest(page_size=-1))
    assert e.code() == C.INVALID_ARGUMENT
    e = rpc_error(a.ListWorkflows, ws.ListWorkflowsRequest(page_token="garbage!"))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "page_token"
    e = rpc_error(a.ListWorkflows, ws.ListWorkflowsRequest(status=42))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "status"
    assert len(a.ListWorkflows(ws.ListWorkflowsRequest(page_size=200)).workflows) <= 200


# --- update -------------------------------------------------------------------------------

def test_update_definition_versions_only_on_change(a):
    w = create(a)
    u = a.UpdateWorkflow(ws.UpdateWorkflowRequest(workflow_id=w.id, definition=linear_def(), change_summary="v2"))
    assert u.current_version == 2 and u.etag != w.etag
    same = a.UpdateWorkflow(ws.UpdateWorkflowRequest(workflow_id=w.id, definition=linear_def()))
    assert same.current_version == 2 and same.etag == u.etag
    vs = a.ListVersions(ws.ListVersionsRequest(workflow_id=w.id)).versions
    assert [(v.number, v.change_summary) for v in vs] == [(2, "v2"), (1, "Initial version")]
    assert len(vs[0].definition_hash) == 64 and not vs[0].HasField("definition")


def test_update_metadata_with_mask(a):
    w = create(a, description="old", tags=["x"])
    new_name = uniq()
    u = a.UpdateWorkflow(ws.UpdateWorkflowRequest(
        workflow_id=w.id, metadata=wf.Workflow(name=new_name, description="ignored", tags=["y"]),
        update_mask=field_mask_pb2.FieldMask(paths=["name", "tags"])))
    assert (u.name, u.description, list(u.tags)) == (new_name, "old", ["y"])
    assert u.current_version == 1
    e = rpc_error(a.UpdateWorkflow, ws.UpdateWorkflowRequest(
        workflow_id=w.id, metadata=wf.Workflow(), update_mask=field_mask_pb2.FieldMask(paths=["status"])))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "update_mask.paths[0]" and "status" in e.details()
    e = rpc_error(a.UpdateWorkflow, ws.UpdateWorkflowRequest(workflow_id=w.id))
    assert e.code() == C.INVALID_ARGUMENT and "nothing to update" in e.details()
    other = create(a)
    e = rpc_error(a.UpdateWorkflow, ws.UpdateWorkflowRequest(
        workflow_id=other.id, metadata=wf.Workflow(name=new_name), update_mask=field_mask_pb2.FieldMask(paths=["name"])))
    assert e.code() == C.ALREADY_EXISTS


def test_expected_etag_mismatch_is_aborted(a):
    w = create(a)
    a.UpdateWorkflow(ws.UpdateWorkflowRequest(workflow_id=w.id, definition=linear_def(), expected_etag=w.etag))
    for req in (ws.UpdateWorkflowRequest(workflow_id=w.id, definition=wf.WorkflowDefinition(), expected_etag=w.etag),
                ws.ResetWorkflowRequest(workflow_id=w.id, expected_etag=w.etag),
                ws.SetWorkflowStatusRequest(workflow_id=w.id, status=wf.WORKFLOW_STATUS_ACTIVE, expected_etag=w.etag),
                ws.DeleteWorkflowRequest(workflow_id=w.id, expected_etag=w.etag)):
        method = {"UpdateWorkflowRequest": a.UpdateWorkflow, "ResetWorkflowRequest": a.ResetWorkflow,
                  "SetWorkflowStatusRequest": a.SetWorkflowStatus, "DeleteWorkflowRequest": a.DeleteWorkflow}[type(req).__name__]
        e = rpc_error(method, req)
        assert e.code() == C.ABORTED and "etag" in e.details()


def test_set_status_transitions(a):
    w = create(a)
    s = lambda st: a.SetWorkflowStatus(ws.SetWorkflowStatusRequest(workflow_id=w.id, status=st))
    assert s(wf.WORKFLOW_STATUS_ACTIVE).status == wf.WORKFLOW_STATUS_ACTIVE
    assert s(wf.WORKFLOW_STATUS_PAUSED).status == wf.WORKFLOW_STATUS_PAUSED
    e = rpc_error(s, wf.WORKFLOW_STATUS_DRAFT)
    assert e.code() == C.FAILED_PRECONDITION and e.details() == "cannot go from PAUSED to DRAFT"
    e = rpc_error(s, wf.WORKFLOW_STATUS_UNSPECIFIED)
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "status"
    assert s(wf.WORKFLOW_STATUS_ARCHIVED).status == wf.WORKFLOW_STATUS_ARCHIVED
    assert s(wf.WORKFLOW_STATUS_DRAFT).status == wf.WORKFLOW_STATUS_DRAFT


# --- validate -----------------------------------------------------------------------------

def test_validate_reports_every_problem(a):
    d = wf.WorkflowDefinition(steps=[
        step("a", "transform", {"expression": "x"}, ["b"]),
        step("b", "transform", {"expression": "x"}, ["a"]),
        step("c", "http_request", {}, ["ghost"]),
        step("c", "bogus", {}),
        step("d", "template", {"template": "t"},
             input_mappings=[wf.InputMapping(from_step="a", from_field="x", to_field="y")]),
    ])
    r = a.ValidateWorkflow(ws.ValidateWorkflowRequest(definition=d))
    assert not r.valid
    codes = {wf.ValidationCode.Name(e.code) for e in r.errors}
    assert {"VALIDATION_CODE_CYCLE", "VALIDATION_CODE_UNKNOWN_DEPENDENCY", "VALIDATION_CODE_DUPLICATE_STEP_ID",
            "VALIDATION_CODE_UNKNOWN_STEP_TYPE", "VALIDATION_CODE_MISSING_REQUIRED_CONFIG",
            "VALIDATION_CODE_MAPPING_NOT_UPSTREAM"} <= codes
    cycle = [e for e in r.errors if e.code == wf.VALIDATION_CODE_CYCLE]
    assert any("a -> b -> a" in e.message or "b -> a -> b" in e.message for e in cycle)
    dep = [e for e in r.errors if e.code == wf.VALIDATION_CODE_UNKNOWN_DEPENDENCY][0]
    assert dep.step_id == "c" and dep.field.endswith("depends_on[0]")
    ok = a.ValidateWorkflow(ws.ValidateWorkflowRequest(definition=linear_def()))
    assert ok.valid and not ok.errors
    stored = create(a, definition=linear_def())
    assert a.ValidateWorkflow(ws.ValidateWorkflowRequest(workflow_id=stored.id)).valid
    e = rpc_error(a.ValidateWorkflow, ws.ValidateWorkflowRequest())
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "target"


def test_branch_lists_must_name_direct_dependents(a):
    d = wf.WorkflowDefinition(steps=[
        step("check", "condition", {"expression": "inputs.ok", "if_true": ["yes"], "if_false": ["nope"]}),
        step("yes", "template", {"template": "y"}, ["check"]),
    ])
    r = a.ValidateWorkflow(ws.ValidateWorkflowRequest(definition=d))
    assert [(wf.ValidationCode.Name(e.code), e.step_id, e.field) for e in r.errors] == [
        ("VALIDATION_CODE_INVALID_BRANCH", "check", "steps[check].config.if_false[0]")]
    assert "nope" in r.errors[0].message
    # A definition with a bad branch is refused on create, with the same field violation.
    e = rpc_error(lambda: create(a, definition=d))
    assert e.code() == C.INVALID_ARGUMENT
    assert [(f, v.split(":")[0]) for f, v in details(e)] == [("steps[check].config.if_false[0]", "INVALID_BRANCH")]


def test_invalid_definition_on_write_carries_bad_request(a):
    w = create(a)
    d = wf.WorkflowDefinition(steps=[step("a", "transform", {"expression": "x"}, ["missing"]),
                                     step("b", "http_request", {})])
    e = rpc_error(a.UpdateWorkflow, ws.UpdateWorkflowRequest(workflow_id=w.id, definition=d))
    assert e.code() == C.INVALID_ARGUMENT and "2 problems" in e.details()
    v = dict(details(e))
    assert v["steps[a].depends_on[0]"].startswith("UNKNOWN_DEPENDENCY: ")
    assert any(f.startswith("steps[b].config") and d.startswith("MISSING_REQUIRED_CONFIG: ") for f, d in v.items())


# --- duplicate, reset, delete, purge ------------------------------------------------------

def test_duplicate_reset_delete_purge(a):
    w = create(a, definition=linear_def(), description="orig")
    dup = a.DuplicateWorkflow(ws.DuplicateWorkflowRequest(workflow_id=w.id))
    assert dup.name == f"{w.name} (Copy)" and dup.id != w.id and dup.current_version == 1
    assert dup.definition == w.definition and dup.description == "orig"
    named = a.DuplicateWorkflow(ws.DuplicateWorkflowRequest(workflow_id=w.id, name=w.name))
    assert named.name == f"{w.name} (1)"
    r = a.ResetWorkflow(ws.ResetWorkflowRequest(workflow_id=w.id))
    assert [s.id for s in r.definition.steps] == ["input"] and r.current_version == 2
    d = a.DeleteWorkflow(ws.DeleteWorkflowRequest(workflow_id=w.id))
    assert d.deleted and d.HasField("deleted_at")
    assert a.DeleteWorkflow(ws.DeleteWorkflowRequest(workflow_id=w.id)).etag == d.etag  # twice: no-op
    assert a.GetWorkflow(ws.GetWorkflowRequest(workflow_id=w.id)).deleted
    e = rpc_error(a.ResetWorkflow, ws.ResetWorkflowRequest(workflow_id=w.id))
    assert e.code() == C.FAILED_PRECONDITION and "deleted" in e.details()
    assert create(a, w.name).name == w.name  # the name is free again
    p = a.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=w.id))
    assert (p.workflow_id, p.versions_removed) == (w.id, 2)
    assert rpc_error(a.GetWorkflow, ws.GetWorkflowRequest(workflow_id=w.id)).code() == C.NOT_FOUND
    assert rpc_error(a.PurgeWorkflow, ws.PurgeWorkflowRequest(workflow_id=w.id)).code() == C.NOT_FOUND


# --- steps --------------------------------------------------------------------------------

def test_list_steps_topological(a):
    d = wf.WorkflowDefinition(steps=[
        step("c", "template", {"template": "t"}, ["b"]),
        step("a", "transform", {"expression": "x"}),
        step("b", "transform", {"expression": "x"}, ["a"]),
    ])
    w = create(a, definition=d)
    assert [s.id for s in a.ListSteps(ws.ListStepsRequest(workflow_id=w.id)).steps] == ["a", "b", "c"]
    assert [s.id for s in a.ListSteps(ws.ListStepsRequest(workflow_id=w.id, version=1)).steps] == ["a", "b", "c"]
    assert rpc_error(a.ListSteps, ws.ListStepsRequest(workflow_id=w.id, version=9)).code() == C.NOT_FOUND


def test_add_and_remove_step(a):
    w = create(a, definition=linear_def())
    added = a.AddStep(ws.AddStepRequest(workflow_id=w.id, step=step("notify", "webhook", {"url": "u"}, ["render"]),
                                        change_summary="notify"))
    assert added.current_version == 2 and added.definition.steps[-1].id == "notify"
    e = rpc_error(a.AddStep, ws.AddStepRequest(workflow_id=w.id, step=step("notify", "webhook", {"url": "u"})))
    assert e.code() == C.ALREADY_EXISTS
    e = rpc_error(a.AddStep, ws.AddStepRequest(workflow_id=w.id, step=step("bad", "webhook", {}, ["nowhere"])))
    assert e.code() == C.INVALID_ARGUMENT and any(f.startswith("steps[bad]") for f, _ in details(e))
    e = rpc_error(a.RemoveStep, ws.RemoveStepRequest(workflow_id=w.id, step_id="shape"))
    assert e.code() == C.FAILED_PRECONDITION and "render" in e.details()
    e = rpc_error(a.RemoveStep, ws.RemoveStepRequest(workflow_id=w.id, step_id="nope"))
    assert e.code() == C.NOT_FOUND
    leaf = a.RemoveStep(ws.RemoveStepRequest(workflow_id=w.id, step_id="notify"))
    assert list(leaf.removed_step_ids) == ["notify"] and leaf.workflow.current_version == 3
    r = a.RemoveStep(ws.RemoveStepRequest(workflow_id=w.id, step_id="shape", cascade=True))
    assert list(r.removed_step_ids) == ["shape", "render"]
    assert [s.id for s in r.workflow.definition.steps] == ["fetch"] and r.workflow.current_version == 4


def test_output_variables(a):
    w = create(a, definition=linear_def())
    r = a.GetOutputVariables(ws.GetOutputVariablesRequest(workflow_id=w.id))
    assert [(v.step_id, v.variable, v.name) for v in r.variables] == [("render", "text", "render-text"),
                                                                       ("render", "html", "render-html")]
    r1 = a.GetOutputVariables(ws.GetOutputVariablesRequest(workflow_id=create(a).id))
    assert [(v.step_id, v.variable, v.name) for v in r1.variables] == [("input", "output", "input-output")]


# --- versions -----------------------------------------------------------------------------

def test_versions_get_diff_rollback(a):
    w = create(a)
    a.UpdateWorkflow(ws.UpdateWorkflowRequest(workflow_id=w.id, definition=linear_def()))
    v2 = a.GetVersion(ws.GetVersionRequest(workflow_id=w.id, version=2))
    assert v2.number == 2 and v2.definition == linear_def()
    d = a.DiffVersions(ws.DiffVersionsRequest(workflow_id=w.id, from_version=1, to_version=2))
    assert d.operations and all(op.op in ("add", "remove", "replace", "move", "copy", "test") for op in d.operations)
    assert all(op.path.startswith("/") for op in d.operations)
    assert "step" in d.summary and (d.from_version, d.to_version) == (1, 2)
    same = a.DiffVersions(ws.DiffVersionsRequest(workflow_id=w.id, from_version=2, to_version=2))
    assert same.summary == "No changes" and not same.operations
    rb = a.RollbackWorkflow(ws.RollbackWorkflowRequest(workflow_id=w.id, to_version=1))
    assert rb.current_version == 3 and [s.id for s in rb.definition.steps] == ["input"]
    v3 = a.GetVersion(ws.GetVersionRequest(workflow_id=w.id, version=3))
    assert v3.change_summary == "Rollback to version 1"
    assert v3.definition_hash == a.GetVersion(ws.GetVersionRequest(workflow_id=w.id, version=1)).definition_hash
    again = a.RollbackWorkflow(ws.RollbackWorkflowRequest(workflow_id=w.id, to_version=1))
    assert again.current_version == 3  # already the current definition: a no-op
    page = a.ListVersions(ws.ListVersionsRequest(workflow_id=w.id, page_size=2))
    assert [v.number for v in page.versions] == [3, 2] and page.next_page_token
    rest = a.ListVersions(ws.ListVersionsRequest(workflow_id=w.id, page_size=2, page_token=page.next_page_token))
    assert [v.number for v in rest.versions] == [1] and not rest.next_page_token
    assert rpc_error(a.GetVersion, ws.GetVersionRequest(workflow_id=w.id, version=7)).code() == C.NOT_FOUND
    assert rpc_error(a.GetVersion, ws.GetVersionRequest(workflow_id=w.id, version=0)).code() == C.INVALID_ARGUMENT
    assert rpc_error(a.RollbackWorkflow, ws.RollbackWorkflowRequest(workflow_id=w.id, to_version=9)).code() == C.NOT_FOUND


# --- templates ----------------------------------------------------------------------------

def test_templates(a, b):
    ids = [t.id for t in a.ListTemplates(ws.ListTemplatesRequest()).templates]
    assert ids[:3] == ["http-fetch-transform", "approval-gate", "llm-summarize"]
    t = a.GetTemplate(ws.GetTemplateRequest(template_id="approval-gate"))
    assert [s.id for s in t.definition.steps] == ["prepare", "approve", "notify"]
    inst = a.InstallTemplate(ws.InstallTemplateRequest(template_id="llm-summarize", name=uniq()))
    assert inst.status == wf.WORKFLOW_STATUS_DRAFT and [s.id for s in inst.definition.steps] == ["summarize", "render"]
    assert rpc_error(a.InstallTemplate, ws.InstallTemplateRequest(template_id="llm-summarize")).code() == C.INVALID_ARGUMENT
    assert rpc_error(a.GetTemplate, ws.GetTemplateRequest(template_id="nope")).code() == C.NOT_FOUND
    tid = uniq("tpl")
    saved = a.SaveAsTemplate(ws.SaveAsTemplateRequest(workflow_id=inst.id, template_id=tid, name="Mine", tags=["own"]))
    assert (saved.id, saved.name, list(saved.tags)) == (tid, "Mine", ["own"])
    assert saved.definition == inst.definition
    e = rpc_error(a.SaveAsTemplate, ws.SaveAsTemplateRequest(workflow_id=inst.id, template_id=tid, name="Again"))
    assert e.code() == C.ALREADY_EXISTS
    e = rpc_error(a.SaveAsTemplate, ws.SaveAsTemplateRequest(workflow_id=inst.id, template_id="approval-gate", name="x"))
    assert e.code() == C.ALREADY_EXISTS
    e = rpc_error(a.SaveAsTemplate, ws.SaveAsTemplateRequest(workflow_id=inst.id, template_id="Bad_Id", name="x"))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "template_id"
    assert [t.id for t in a.ListTemplates(ws.ListTemplatesRequest(tag="own")).templates] == [tid]
    p1 = a.ListTemplates(ws.ListTemplatesRequest(page_size=2))
    p2 = a.ListTemplates(ws.ListTemplatesRequest(page_size=2, page_token=p1.next_page_token))
    assert [t.id for t in p1.templates] == ids[:2] and p2.templates[0].id == ids[2]
    # Tenant B sees only the built-ins.
    assert tid not in [t.id for t in b.ListTemplates(ws.ListTemplatesRequest()).templates]
    assert rpc_error(b.GetTemplate, ws.GetTemplateRequest(template_id=tid)).code() == C.NOT_FOUND
    assert rpc_error(b.InstallTemplate, ws.InstallTemplateRequest(template_id=tid, name="x")).code() == C.NOT_FOUND


# --- uploads ------------------------------------------------------------------------------

def meta(workflow_id, **kw):
    kw.setdefault("file_name", "cases.csv")
    kw.setdefault("purpose", wf.FILE_PURPOSE_TEST_FILE)
    return ws.UploadFilesRequest(metadata=ws.UploadFileMetadata(workflow_id=workflow_id, **kw))


def chunks(data, size=256 * 1024):
    return [ws.UploadFilesRequest(chunk=data[i:i + size]) for i in range(0, len(data), size)]


def test_upload_files(a):
    w = create(a, definition=linear_def())
    data = os.urandom(3 * 1024 * 1024 + 17)
    r = a.UploadFiles(iter([meta(w.id, step_id="fetch")] + chunks(data)))
    assert r.file_id.startswith("file_") and r.size == len(data) and r.sha256 == hashlib.sha256(data).hexdigest()
    e = rpc_error(a.UploadFiles, iter(chunks(b"abc") + [meta(w.id)]))
    assert e.code() == C.INVALID_ARGUMENT and "first message" in e.details()
    e = rpc_error(a.UploadFiles, iter([meta(w.id), meta(w.id)]))
    assert e.code() == C.INVALID_ARGUMENT and "twice" in e.details()
    e = rpc_error(a.UploadFiles, iter([meta(w.id)]))
    assert e.code() == C.INVALID_ARGUMENT and "no content" in e.details()
    e = rpc_error(a.UploadFiles, iter([meta(w.id, purpose=wf.FILE_PURPOSE_UNSPECIFIED)] + chunks(b"x")))
    assert e.code() == C.INVALID_ARGUMENT and details(e)[0][0] == "metadata.purpose"
    e = rpc_error(a.UploadFiles, iter([meta(w.id, step_id="ghost")] + chunks(b"x")))
    assert e.code() == C.NOT_FOUND
    e = rpc_error(a.UploadFiles, iter([meta(w.id), ws.UploadFilesRequest(chunk=b"x" * (1024 * 1024 + 1))]))
    assert e.code() == C.RESOURCE_EXHAUSTED and "chunk" in e.details()


def test_purge_removes_the_uploaded_files_and_reports_them(server, a):
    w = create(a, definition=linear_def())
    sizes = [1000, 300 * 1024 + 5]
    for n in sizes:
        a.UploadFiles(iter([meta(w.id)] + chunks(os.urandom(n))))
    blobs = os.path.join(server.data_dir, "store", "blobs")
    before = set(os.listdir(blobs))
    r = a.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=w.id))
    assert r.files_removed == 2 and r.bytes_removed == sum(sizes)
    gone = before - set(os.listdir(blobs))
    assert len(gone) == 2, f"the two blobs must be deleted, left: {sorted(before)}"


def test_upload_over_file_limit(a):
    w = create(a)
    one = ws.UploadFilesRequest(chunk=b"\0" * (1024 * 1024))
    started = time.monotonic()
    e = rpc_error(lambda: a.UploadFiles(iter([meta(w.id)] + [one] * 65), timeout=120))
    print(f"65 MiB upload refused after {time.monotonic() - started:.1f}s")
    assert e.code() == C.RESOURCE_EXHAUSTED and "limit" in e.details()


# --- tenants ------------------------------------------------------------------------------

def test_cross_tenant_isolation_for_every_rpc(a, b):
    w = create(a, definition=linear_def())
    tid = uniq("tpl")
    a.SaveAsTemplate(ws.SaveAsTemplateRequest(workflow_id=w.id, template_id=tid, name="a's"))
    calls = [
        (b.GetWorkflow, ws.GetWorkflowRequest(workflow_id=w.id)),
        (b.UpdateWorkflow, ws.UpdateWorkflowRequest(workflow_id=w.id, definition=wf.WorkflowDefinition(steps=[step("x", "wait", {"duration": "1s"})]))),
        (b.SetWorkflowStatus, ws.SetWorkflowStatusRequest(workflow_id=w.id, status=wf.WORKFLOW_STATUS_ACTIVE)),
        (b.ValidateWorkflow, ws.ValidateWorkflowRequest(workflow_id=w.id)),
        (b.DuplicateWorkflow, ws.DuplicateWorkflowRequest(workflow_id=w.id)),
        (b.ResetWorkflow, ws.ResetWorkflowRequest(workflow_id=w.id)),
        (b.DeleteWorkflow, ws.DeleteWorkflowRequest(workflow_id=w.id)),
        (b.PurgeWorkflow, ws.PurgeWorkflowRequest(workflow_id=w.id)),
        (b.ListSteps, ws.ListStepsRequest(workflow_id=w.id)),
        (b.AddStep, ws.AddStepRequest(workflow_id=w.id, step=step("n", "wait", {"duration": "1s"}))),
        (b.RemoveStep, ws.RemoveStepRequest(workflow_id=w.id, step_id="render")),
        (b.GetOutputVariables, ws.GetOutputVariablesRequest(workflow_id=w.id)),
        (b.ListVersions, ws.ListVersionsRequest(workflow_id=w.id)),
        (b.GetVersion, ws.GetVersionRequest(workflow_id=w.id, version=1)),
        (b.DiffVersions, ws.DiffVersionsRequest(workflow_id=w.id, from_version=1, to_version=1)),
        (b.RollbackWorkflow, ws.RollbackWorkflowRequest(workflow_id=w.id, to_version=1)),
        (b.GetTemplate, ws.GetTemplateRequest(template_id=tid)),
        (b.InstallTemplate, ws.InstallTemplateRequest(template_id=tid, name="x")),
        (b.SaveAsTemplate, ws.SaveAsTemplateRequest(workflow_id=w.id, template_id=uniq("t"), name="x")),
    ]
    for fn, req in calls:
        e = rpc_error(fn, req)
        assert e.code() == C.NOT_FOUND, f"{type(req).__name__}: {e.code()} {e.details()}"
    e = rpc_error(b.UploadFiles, iter([meta(w.id)] + chunks(b"x")))
    assert e.code() == C.NOT_FOUND
    listed = b.ListWorkflows(ws.ListWorkflowsRequest(include_deleted=True, page_size=200)).workflows
    assert w.id not in [x.id for x in listed] and all(x.tenant_id == "tenant-b" for x in listed)
    assert tid not in [t.id for t in b.ListTemplates(ws.ListTemplatesRequest(page_size=200)).templates]
    # And A's workflow is untouched.
    assert a.GetWorkflow(ws.GetWorkflowRequest(workflow_id=w.id)) == w


# --- durability ---------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_acknowledged_writes_survive_a_restart(sig):
    data_dir = tempfile.mkdtemp(prefix="spindle-wf-durable-")
    try:
        s1 = Spindle(["--testing-services"], data_dir=data_dir)
        try:
            with grpc.insecure_channel(s1.addr) as ch:
                c = Client(ch, mint(s1, "tenant-d"))
                w = create(c, definition=linear_def())
                u = c.UpdateWorkflow(ws.UpdateWorkflowRequest(workflow_id=w.id, definition=wf.WorkflowDefinition(
                    steps=[step("only", "wait", {"duration": "1s"})]), change_summary="v2"))
                gone = create(c)
                c.DeleteWorkflow(ws.DeleteWorkflowRequest(workflow_id=gone.id))
                purged = create(c)
                c.PurgeWorkflow(ws.PurgeWorkflowRequest(workflow_id=purged.id))
        finally:
            if sig == signal.SIGKILL:
                s1.kill()
            else:
                assert s1.stop() == 0
        s2 = Spindle(["--testing-services"], data_dir=data_dir)
        try:
            assert any("event=store_open" in line and "events_replayed=" in line for line in s2.lines)
            with grpc.insecure_channel(s2.addr) as ch:
                c = Client(ch, mint(s2, "tenant-d"))
                got = c.GetWorkflow(ws.GetWorkflowRequest(workflow_id=w.id))
                assert got == u
                assert [v.change_summary for v in c.ListVersions(ws.ListVersionsRequest(workflow_id=w.id)).versions] == \
                    ["v2", "Initial version"]
                assert c.GetWorkflow(ws.GetWorkflowRequest(workflow_id=gone.id)).deleted
                assert rpc_error(c.GetWorkflow, ws.GetWorkflowRequest(workflow_id=purged.id)).code() == C.NOT_FOUND
        finally:
            assert s2.stop() == 0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def test_second_server_on_the_same_store_is_refused(server):
    proc = subprocess.run([server.binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", server.data_dir],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "event=store_open_failed" in proc.stdout + proc.stderr


# --- Go client ----------------------------------------------------------------------------

def test_go_demo_against_live_server(server):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    build = os.path.join(repo, "clients", "go", "build.sh")
    if shutil.which("go") is None:
        pytest.skip("no Go toolchain on this machine (CI has one): the Go demo is not run")
    if not os.path.exists(build):
        pytest.skip("clients/go/build.sh is not in this tree")
    subprocess.run([build], check=True, cwd=repo, timeout=600)
    demo = os.path.join(repo, "clients", "go", "bin", "spindle-demo")
    out = subprocess.run([demo, "-addr", server.addr, "-token", mint(server, "tenant-go")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    print(out.stdout)


def test_remove_step_cascade_means_the_same_everywhere(a):
    # check -> (yes, no) as condition branches; report depends on yes; tidy depends on nothing.
    d = wf.WorkflowDefinition(steps=[
        step("check", "condition", {"expression": "true", "if_true": ["yes"], "if_false": ["no"]}),
        step("yes", "template", {"template": "y"}, ["check"]),
        step("no", "template", {"template": "n"}, ["check"]),
        step("report", "template", {"template": "r"}, ["yes"]),
        step("tidy", "template", {"template": "t"}),
    ])
    w = create(a, definition=d)
    e = rpc_error(a.RemoveStep, ws.RemoveStepRequest(workflow_id=w.id, step_id="yes"))
    assert e.code() == C.FAILED_PRECONDITION and "report" in e.details()
    # Cascade: the step, then what depends on it transitively; branch lists drop them.
    r = a.RemoveStep(ws.RemoveStepRequest(workflow_id=w.id, step_id="yes", cascade=True))
    assert list(r.removed_step_ids) == ["yes", "report"]
    steps = {s.id: s for s in r.workflow.definition.steps}
    assert list(steps) == ["check", "no", "tidy"]
    assert list(steps["check"].config["if_true"]) == [] and list(steps["check"].config["if_false"]) == ["no"]
    assert r.workflow.current_version == 2
    # A leaf with no dependents: cascade or not, only it goes.
    r = a.RemoveStep(ws.RemoveStepRequest(workflow_id=w.id, step_id="tidy", cascade=True))
    assert list(r.removed_step_ids) == ["tidy"]
    r = a.RemoveStep(ws.RemoveStepRequest(workflow_id=w.id, step_id="check", cascade=True))
    assert list(r.removed_step_ids) == ["check", "no"] and len(r.workflow.definition.steps) == 0
