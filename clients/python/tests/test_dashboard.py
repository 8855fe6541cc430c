"""The web dashboard (dashboard/, served by `spindle serve` on its HTTP port) in headless
Chromium, against the live server: log in, browse and filter workflows, a workflow's DAG and
the diff of two versions, start a run and watch it finish live over SSE (and resume after a
dropped stream), the approvals queue (approve, decline, override), schedules, paged runs, and
what the first load costs (first paint, bytes). The browser is Debian's `chromium`, driven over
the DevTools protocol (cdp.py). Everything is set up through the gRPC API and checked through
it afterwards; the browser only does what a person would do.

Screenshots go to a temp dir (printed); with SPINDLE_DOCS_SCREENSHOTS=1 they also replace
docs/dashboard-*.png (scripts/dashboard-screenshots.sh does that).
"""
import json
import os
import re
import shutil
import uuid

import grpc
import pytest
from google.protobuf import json_format, struct_pb2

from cdp import Browser
from conftest import REPO, Api, mint, start_spindle, stop_and_check
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_pb2 as wf
from spindle_client.spindle.v1 import workflow_service_pb2 as ws

pytestmark = pytest.mark.spindle_only
RS = rpb.RunStatus
HTTP_ADDR = re.compile(r"\bevent=listening\b.*\bhttp_addr=(\S+)")
DASHBOARD = os.path.join(REPO, "dashboard")


@pytest.fixture(scope="module")
def server():
    s = start_spindle()
    yield s
    stop_and_check(s)


@pytest.fixture(scope="module")
def base(server):
    m = next(filter(None, (HTTP_ADDR.search(line) for line in server.lines)), None)
    assert m and m.group(1) != "none", "no http_addr= in the listening line:\n" + "\n".join(server.lines[-5:])
    yield f"http://{m.group(1)}/"


@pytest.fixture(scope="module")
def token(server):
    return mint(server, "acme")


@pytest.fixture(scope="module")
def api(server, token):
    with grpc.insecure_channel(server.addr) as ch:
        yield Api(ch, token)


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def shot(tmp_path_factory):
    out = tmp_path_factory.mktemp("dashboard-screenshots")
    print(f"\ndashboard screenshots: {out}")
    docs = os.environ.get("SPINDLE_DOCS_SCREENSHOTS") == "1"

    def take(browser, name):
        path = browser.screenshot(str(out / f"dashboard-{name}.png"))
        if docs:
            shutil.copy(path, os.path.join(REPO, "docs", f"dashboard-{name}.png"))
        return path
    return take


# -- set-up through the gRPC API --------------------------------------------------------------

def step(sid, type_, config=None, after=()):
    st = wf.Step(id=sid, type=type_, depends_on=list(after))
    if config:
        st.config.update(config)
    return st


def workflow(api, steps, name=None, tags=()):
    w = wf.Workflow(name=name or f"wf-{uuid.uuid4().hex[:8]}", tags=list(tags),
                    definition=wf.WorkflowDefinition(steps=steps))
    return api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=w))


def gated(api, name=None):
    """prep -> gate (human approval) -> {ship, log}: a run stops at the gate until decided."""
    return workflow(api, [
        step("prep", "template", {"template": "ready"}),
        step("gate", "human_approval", {"message": "Ship it?"}, after=["prep"]),
        step("ship", "transform", {"expression": "upper(steps.prep)"}, after=["gate"]),
        step("log", "template", {"template": "shipped {{steps.prep}}"}, after=["gate"]),
    ], name=name)


def paused_run(api, wid):
    run = api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=wid))  # returns once paused
    assert run.status == RS.RUN_STATUS_PAUSED, run
    return run


def events_of(api, run_id):
    return list(api.WatchRun(rs.WatchRunRequest(run_id=run_id)))


# -- in the browser -----------------------------------------------------------------------------

def login(b, base, token):
    b.navigate(base)
    b.eval("sessionStorage.clear()")
    b.navigate(base + "#/login")
    b.wait_for("document.querySelector('#token')", what="the login form")
    b.type("#token", token)
    b.press_enter()
    b.wait_for("location.hash.startsWith('#/workflows') && document.querySelector('main h1')?.textContent === 'Workflows'",
               what="the workflows page")
    assert b.eval("sessionStorage.getItem('spindle.token')") == token


def goto(b, hash_, ready, what=None):
    b.eval(f"location.hash = {json.dumps(hash_)}")
    b.wait_for(ready, what=what or hash_)


def open_paused_run(b, base, token, api):
    """A run of a gated workflow, paused at the gate, open on its page with its events replayed."""
    run = paused_run(api, gated(api).id)
    login(b, base, token)
    goto(b, f"#/runs/{run.id}", "document.querySelector('#stream-state')?.dataset.state === 'live'")
    b.wait_for(f"document.querySelectorAll('#timeline li').length === {run.last_seq}", what="the replayed events")
    return run


def status_of(b, step_id):
    return b.eval(f"document.querySelector('svg.dag [data-step={json.dumps(step_id)}]').getAttribute('data-status')")


def low_contrast(b):
    """Text on the page whose colour against its background is under WCAG AA (4.5:1)."""
    return b.eval("""(() => {
        const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => { const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
        const bg = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3); } return [255, 255, 255]; };
        const bad = [];
        for (const el of document.querySelectorAll('body *:not(svg *)')) {
            if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden' || style.display === 'none' || !el.getClientRects().length) continue;
            const [a, b2] = [lum(rgb(style.color).slice(0, 3)), lum(bg(el))];
            const ratio = (Math.max(a, b2) + 0.05) / (Math.min(a, b2) + 0.05);
            if (ratio < 4.5) bad.push(`${el.tagName}.${el.className}: ${ratio.toFixed(2)} "${el.textContent.trim().slice(0, 30)}"`);
        }
        return bad; })()""")


def unlabelled_controls(b):
    """Form controls on the page with no accessible name (label, aria-label or -labelledby)."""
    return b.eval("""[...document.querySelectorAll('input, select, textarea')]
        .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby'))
        .map(c => c.outerHTML)""")


# ---------------------------------------------------------------------------------------------

def test_a_bad_token_is_refused_with_a_clear_message(browser, base, shot):
    browser.navigate(base)
    browser.eval("sessionStorage.clear()")
    browser.navigate(base + "#/workflows")
    # Not signed in: the page asks for a token instead of showing a broken list.
    browser.wait_for("location.hash.startsWith('#/login') && document.querySelector('#token')", what="the login page")
    browser.type("#token", "not-a-real-token")
    browser.press_enter()
    msg = browser.wait_for("document.querySelector('#login-message [role=alert]')?.textContent", what="an error message")
    assert "refused this token" in msg and "spindle token" in msg, msg
    assert browser.eval("sessionStorage.getItem('spindle.token')") is None
    assert browser.eval("location.hash").startswith("#/login")
    shot(browser, "login-error")


def test_keyboard_alone_signs_in_and_filters(browser, base, token, api):
    w = workflow(api, [step("a", "template", {"template": "x"})], name=f"keys-{uuid.uuid4().hex[:8]}")
    browser.navigate(base)
    browser.eval("sessionStorage.clear()")
    browser.navigate(base + "#/login")
    browser.wait_for("document.activeElement && document.activeElement.id === 'token'", what="the token field focused")
    browser.send("Input.insertText", {"text": token})
    browser.press_enter()
    browser.wait_for("document.querySelector('main h1')?.textContent === 'Workflows' && document.activeElement.id === 'main'",
                     what="the workflows page, focus moved to its content")
    browser.press_tab()  # the first control of the page: the name filter
    assert browser.eval("document.activeElement.name") == "name"
    browser.send("Input.insertText", {"text": w.name})
    browser.press_enter()
    browser.wait_for("document.querySelectorAll('#workflows tbody tr').length === 1", what="the filtered list")
    assert browser.eval("document.activeElement.id") == "main"  # the new list has the focus again
    for _ in range(5):  # name, tag, status, the Filter button, then the one result's link
        browser.press_tab()
    assert browser.eval("document.activeElement.textContent") == w.name
    browser.press_enter()
    browser.wait_for(f"location.hash === '#/workflows/{w.id}' && document.querySelector('#versions')", what="the workflow page")


def test_a_token_refused_mid_session_signs_out_and_says_why(browser, base, token):
    login(browser, base, token)
    browser.eval("sessionStorage.setItem('spindle.token', 'revoked')")  # as if it expired meanwhile
    goto(browser, "#/runs", "document.querySelector('main h1')?.textContent === 'Signed out'", "the signed-out page")
    assert "refused the token" in browser.text("main [role=alert]")
    assert browser.eval("sessionStorage.getItem('spindle.token')") is None
    browser.click("main a[href^='#/login']")
    browser.wait_for("document.querySelector('#token') && location.hash.includes('next=')", what="the login page")


def test_the_event_stream_parser_takes_its_input_one_character_at_a_time(browser, base):
    """dashboard/sse.js's parser fed a stream one character at a time: CRLF, CR and LF line
    ends, comments, multi-line data, id carried over, retry, an event with no data (dropped)."""
    browser.navigate(base)
    got = browser.eval("""(async () => {
        const { EventStreamParser } = await import('/sse.js');
        const got = [];
        const p = new EventStreamParser((m) => got.push(m));
        const text = ': stream open\\r\\nid: 1\\r\\nevent: step_started\\r\\ndata: {"a":\\r\\ndata: 1}\\r\\n\\r\\n'
          + 'id: 2\\ndata:x\\nretry: 2500\\n\\n: heartbeat\\n\\nevent: nothing\\n\\n'
          + 'event: e\\rdata: y\\r\\r\\n';
        for (const ch of text) p.feed(ch);
        return { got, retry: p.retryMs, last: p.lastEventId };
    })()""")
    assert got["got"] == [{"type": "step_started", "data": '{"a":\n1}', "id": "1"},
                          {"type": "message", "data": "x", "id": "2"},
                          {"type": "e", "data": "y", "id": "2"}]
    assert got["retry"] == 2500 and got["last"] == "2"


def test_workflows_list_filters_and_escapes_what_it_shows(browser, base, token, api, shot):
    tag = f"t{uuid.uuid4().hex[:6]}"
    etl = workflow(api, [step("a", "template", {"template": "x"})], name=f"etl-nightly-{tag}", tags=[tag, "etl"])
    ml = workflow(api, [step("a", "template", {"template": "x"})], name=f"ml-train-{tag}", tags=[tag])
    evil_name = f"<img src=x onerror=window.__pwned=1> {tag}"
    evil = workflow(api, [step("a", "template", {"template": "x"})], name=evil_name, tags=[tag])
    api.SetWorkflowStatus(ws.SetWorkflowStatusRequest(workflow_id=ml.id, status=wf.WORKFLOW_STATUS_ACTIVE))
    login(browser, base, token)

    def names():
        return browser.eval("[...document.querySelectorAll('#workflows tbody tr td:first-child')].map(td => td.textContent)")

    goto(browser, f"#/workflows?tag={tag}", "document.querySelector('#workflows')")
    assert sorted(names()) == sorted([etl.name, ml.name, evil_name])
    # The hostile name is text: no element was made from it and its handler never ran.
    assert browser.eval("document.querySelectorAll('#workflows img').length") == 0
    assert browser.eval("window.__pwned === undefined")
    shot(browser, "workflows")
    # The filter form, used as a person would: type, pick, submit.
    browser.type("form[role=search] input[name=name]", "nightly")
    browser.press_enter()
    browser.wait_for("location.hash.includes('name=nightly')")
    browser.wait_for(f"document.querySelectorAll('#workflows tbody tr').length === 1", what="one match")
    assert names() == [etl.name]
    goto(browser, f"#/workflows?tag={tag}&status=active", "document.querySelector('#workflows')")
    assert names() == [ml.name]
    assert browser.eval("document.querySelector('#workflows tbody .badge').textContent") == "active"
    goto(browser, f"#/workflows?name=no-such-{tag}", "document.querySelector('main p.muted')?.textContent === 'No workflows match.'")
    # A tag in the list is a link to the workflows carrying it.
    goto(browser, f"#/workflows?name=etl-nightly-{tag}", "document.querySelectorAll('#workflows tbody tr').length === 1")
    browser.click("#workflows td.tags a:last-child")
    browser.wait_for("location.hash === '#/workflows?tag=etl' && document.querySelector('form[role=search] input[name=tag]')?.value === 'etl'",
                     what="the tag's list")
    assert names() == [etl.name]  # the only workflow tagged etl
    assert unlabelled_controls(browser) == []


def test_workflow_page_draws_the_dag_by_depth_and_diffs_two_versions(browser, base, token, api, shot):
    v1 = [step("fetch", "template", {"template": "a"}),
          step("parse", "transform", {"expression": "upper(steps.fetch)"}, after=["fetch"]),
          step("count", "transform", {"expression": "len(steps.fetch)"}, after=["fetch"]),
          step("report", "template", {"template": "{{steps.parse}} {{steps.count}}"}, after=["parse", "count"])]
    w = workflow(api, v1, name=f"report-{uuid.uuid4().hex[:6]}")
    v2 = v1[:3] + [step("report", "template", {"template": "n={{steps.count}}"}, after=["parse", "count"]),
                   step("mail", "template", {"template": "sent"}, after=["report"])]
    api.UpdateWorkflow(ws.UpdateWorkflowRequest(workflow_id=w.id, definition=wf.WorkflowDefinition(steps=v2),
                                                change_summary="mail the report"))
    login(browser, base, token)
    goto(browser, f"#/workflows/{w.id}", "document.querySelector('#versions')", "the versions table")
    nodes = browser.eval("""Object.fromEntries([...document.querySelectorAll('svg.dag .node')].map(g => {
        const r = g.querySelector('rect'); return [g.dataset.step, [+r.getAttribute('x'), +r.getAttribute('y')]]; }))""")
    assert set(nodes) == {"fetch", "parse", "count", "report", "mail"}
    x = {k: v[0] for k, v in nodes.items()}
    # Layered by dependency depth: one column per depth, dependencies to the left.
    assert x["fetch"] < x["parse"] == x["count"] < x["report"] < x["mail"]
    assert nodes["parse"][1] != nodes["count"][1]
    edges = browser.eval("[...document.querySelectorAll('svg.dag path.edge')].map(p => p.dataset.from + '>' + p.dataset.to).sort()")
    assert edges == sorted(["fetch>parse", "fetch>count", "parse>report", "count>report", "report>mail"])
    versions = browser.eval("[...document.querySelectorAll('#versions tbody tr')].map(tr => [tr.cells[0].textContent, tr.cells[1].textContent])")
    stored = api.ListVersions(ws.ListVersionsRequest(workflow_id=w.id)).versions
    assert versions == [[f"v{v.number}", v.change_summary or "—"] for v in stored] and versions[0] == ["v2", "mail the report"]
    browser.click("form[aria-label='Compare versions'] button")
    browser.wait_for("document.querySelector('#diff table')", what="the diff")
    diff = browser.eval("[...document.querySelectorAll('#diff tbody tr')].map(tr => [tr.cells[0].textContent, tr.cells[1].firstChild.textContent])")
    assert ["add", "step “mail”"] in diff, diff
    assert any(op == "replace" and "step “report”" in where and "template" in where for op, where in diff), diff
    summary = browser.text("#diff p")
    assert summary.startswith("v1 → v2:") and "Added 1 step" in summary, summary
    shot(browser, "workflow")
    assert unlabelled_controls(browser) == []
    assert low_contrast(browser) == []


def test_a_run_started_on_its_page_is_followed_live_to_the_end(browser, base, token, api, shot):
    w = gated(api)
    login(browser, base, token)
    goto(browser, f"#/workflows/{w.id}", "document.querySelector('#start-run')")
    browser.click("#start-run button[type=submit]")
    run_id = browser.wait_for("location.hash.startsWith('#/runs/run_') && document.querySelector('svg.dag [data-step=gate]') && location.hash.slice(7)",
                              what="the run page")
    # Every change of a DAG node's state is logged as it happens (each record's old value; the
    # value now ends the list), and a marker shows the page is never reloaded.
    browser.eval("""window.__noReload = true; window.__old = {};
        new MutationObserver(ms => { for (const m of ms) (window.__old[m.target.dataset.step] ||= []).push(m.oldValue); })
        .observe(document.querySelector('svg.dag'), {subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-status']});""")
    browser.wait_for("document.querySelector('svg.dag [data-step=gate][data-status=paused]')", what="the gate paused")
    browser.wait_for("document.querySelector('#stream-state').dataset.state === 'live'", what="a live stream")
    assert status_of(browser, "prep") == "completed"
    assert status_of(browser, "ship") == "pending"
    assert browser.eval("!!document.querySelector('#run-actions [data-waiting=gate] form.decision')")
    browser.click("#steps tr[data-step=prep] details[data-key='prep:output'] summary")  # the reader opens prep's output
    shot(browser, "run-live")
    # Someone else approves (through the API): the open page follows without a reload.
    api.ProcessPauseAction(rs.ProcessPauseActionRequest(run_id=run_id, step_id="gate", action=rpb.PAUSE_ACTION_APPROVE,
                                                        comment="ok from the API"))
    browser.wait_for("document.querySelector('#stream-state').dataset.state === 'final'", what="the stream's end")
    assert browser.eval("window.__noReload") is True
    assert browser.eval("!document.querySelector('#run-actions [data-waiting]') && !document.querySelector('#cancel-run')")
    # The table was redrawn many times meanwhile; what the reader opened is still open.
    assert browser.eval("document.querySelector(\"#steps tr[data-step=prep] details[data-key='prep:output']\").open") is True
    seen = browser.eval("""Object.fromEntries(Object.entries(window.__old).map(([s, olds]) =>
        [s, [...olds, document.querySelector(`svg.dag [data-step=${s}]`).getAttribute('data-status')]]))""")
    # ship and log were drawn pending, then turned running, then completed, on the open page.
    assert seen["ship"] == ["pending", "running", "completed"] and seen["log"] == ["pending", "running", "completed"], seen
    assert seen["gate"][-2:] == ["paused", "completed"], seen
    assert browser.text("#run-status") == "completed"
    assert browser.eval("document.querySelector('#run-progress').value") == 100
    outputs = json.loads(browser.text("#outputs pre"))
    run = api.GetRun(rs.GetRunRequest(run_id=run_id))
    assert run.status == RS.RUN_STATUS_COMPLETED
    assert outputs == json_format.MessageToDict(run.outputs) and outputs["ship"] == "READY"
    # The timeline holds every event once, in order, as the server stored them.
    seqs = browser.eval("[...document.querySelectorAll('#timeline li')].map(li => +li.dataset.seq)")
    types = browser.eval("[...document.querySelectorAll('#timeline li')].map(li => li.dataset.type)")
    stored = events_of(api, run_id)
    assert seqs == [e.seq for e in stored] == list(range(1, len(stored) + 1))
    assert types == [rpb.RunEventType.Name(e.type).removeprefix("RUN_EVENT_TYPE_").lower() for e in stored]
    assert "pause_action" in types and types[-1] == "run_completed"
    assert low_contrast(browser) == []
    shot(browser, "run-completed")


def test_a_refused_start_shows_the_fields_that_were_wrong(browser, base, token, api):
    w = api.CreateWorkflow(ws.CreateWorkflowRequest(workflow=wf.Workflow(
        name=f"needs-input-{uuid.uuid4().hex[:6]}", inputs=[wf.InputDeclaration(name="n", type=wf.INPUT_TYPE_INTEGER, required=True)],
        definition=wf.WorkflowDefinition(steps=[step("a", "transform", {"expression": "inputs.n + 1"})]))))
    login(browser, base, token)
    goto(browser, f"#/workflows/{w.id}", "document.querySelector('#start-run')")
    browser.type("#run-inputs", "{not json")
    browser.click("#start-run button[type=submit]")
    msg = browser.wait_for("document.querySelector('#start-run [role=alert]')?.textContent", what="the JSON error")
    assert msg.startswith("Inputs are not valid JSON")
    browser.type("#run-inputs", "{}")
    browser.click("#start-run button[type=submit]")
    browser.wait_for("document.querySelector('#start-run .violations')", what="the field violations")
    alert = browser.text("#start-run [role=alert]")
    assert alert.startswith("INVALID_ARGUMENT: "), alert  # the code by name, from the body's number
    assert "(HTTP 400)" in alert and 'input "n" is required' in alert
    assert browser.eval("[...document.querySelectorAll('#start-run .violations code')].map(c => c.textContent)") == ["inputs.n"]
    assert browser.eval("location.hash") == f"#/workflows/{w.id}"  # stayed put
    assert api.ListRuns(rs.ListRunsRequest(workflow_id=w.id)).runs == []


def test_a_dropped_stream_resumes_with_last_event_id_and_loses_nothing(browser, base, token, api):
    run = open_paused_run(browser, base, token, api)
    mark = len(browser.events)
    browser.eval("window.spindleStream.drop()")  # the connection breaks, as on a network fault
    browser.wait_for("window.spindleStream.stats.resumes >= 1 && document.querySelector('#stream-state').dataset.state === 'live'",
                     what="the stream resumed")
    api.ProcessPauseAction(rs.ProcessPauseActionRequest(run_id=run.id, step_id="gate", action=rpb.PAUSE_ACTION_APPROVE))
    browser.wait_for("document.querySelector('#stream-state').dataset.state === 'final'", what="the run's end")
    stream_requests = [p for m, p in browser.events[mark:]
                       if m == "Network.requestWillBeSent" and p["request"]["url"].endswith(f"/runs/{run.id}/stream")]
    assert stream_requests, "no new stream request after the drop"
    headers = {k.lower(): v for k, v in stream_requests[0]["request"]["headers"].items()}
    assert headers.get("last-event-id") == str(run.last_seq), headers
    assert headers.get("authorization") == f"Bearer {token}"
    seqs = browser.eval("[...document.querySelectorAll('#timeline li')].map(li => +li.dataset.seq)")
    stored = events_of(api, run.id)
    assert seqs == [e.seq for e in stored]  # nothing lost, nothing twice
    assert browser.eval("window.spindleStream.stats.duplicates") == 0  # the server sent none again
    assert browser.text("#run-status") == "completed"


def test_a_failing_run_shows_each_attempt_and_the_error(browser, base, token, api, shot):
    retry = wf.RetryPolicy(max_attempts=3)
    retry.initial_backoff.FromMilliseconds(20)
    retry.max_backoff.FromMilliseconds(40)
    bad = step("divide", "transform", {"expression": "len(nothing.here)"}, after=["prep"])
    bad.retry.CopyFrom(retry)
    w = workflow(api, [step("prep", "template", {"template": "x"}), bad, step("after", "template", {"template": "y"}, after=["divide"])])
    run = api.StartRun(rs.StartRunRequest(workflow_id=w.id))
    login(browser, base, token)
    goto(browser, f"#/runs/{run.id}", "document.querySelector('#stream-state')?.dataset.state === 'final'", "the run's end")
    stored = api.GetRun(rs.GetRunRequest(run_id=run.id))
    assert stored.status == RS.RUN_STATUS_FAILED
    assert browser.text("#run-status") == "failed"
    assert status_of(browser, "divide") == "failed"
    assert browser.eval("document.querySelector('svg.dag [data-step=divide]').classList.contains('st-failed')")
    timeline = browser.eval("[...document.querySelectorAll('#timeline li')].map(li => [li.dataset.type, li.textContent])")
    attempts = [t for kind, t in timeline if kind == "step_started" and "divide" in t]
    assert [a.endswith(f"attempt {i}") for i, a in enumerate(attempts, 1)] == [True] * 3, attempts
    retries = [t for kind, t in timeline if kind == "step_retrying"]
    assert len(retries) == 2 and all("EXPRESSION" in t for t in retries), timeline
    step_error = next(s for s in stored.steps if s.step_id == "divide").error
    assert f"{step_error.code}: {step_error.message}" in browser.text("#steps tr[data-step=divide]")
    assert stored.error.message and stored.error.message in browser.text("#run-error")
    assert browser.eval("document.querySelector('#steps tr[data-step=divide] td:nth-child(4)').textContent") == "3"
    assert low_contrast(browser) == []
    shot(browser, "run-failed")


def test_a_waiting_run_is_canceled_from_its_page(browser, base, token, api):
    run = open_paused_run(browser, base, token, api)
    browser.click("#cancel-run")
    browser.wait_for("document.querySelector('#stream-state').dataset.state === 'final'", what="the run's end")
    assert api.GetRun(rs.GetRunRequest(run_id=run.id)).status == RS.RUN_STATUS_CANCELED
    assert browser.text("#run-status") == "canceled"
    assert browser.eval("!document.querySelector('#cancel-run')")  # nothing left to cancel
    assert browser.eval("[...document.querySelectorAll('#timeline li')].pop().dataset.type") == "run_canceled"


def test_approvals_queue_approves_declines_and_overrides(browser, base, token, api, shot):
    w = gated(api, name=f"release-{uuid.uuid4().hex[:6]}")
    runs = [paused_run(api, w.id) for _ in range(3)]
    login(browser, base, token)
    goto(browser, "#/approvals", "document.querySelector('#approvals')")
    for r in runs:
        assert browser.eval(f"!!document.querySelector('article[data-run={json.dumps(r.id)}]')"), r.id
    assert unlabelled_controls(browser) == []
    assert low_contrast(browser) == []
    shot(browser, "approvals")

    def decide(run, action, comment, output=None):
        card = f"article[data-run={json.dumps(run.id)}]"
        browser.type(f"{card} textarea[name=comment]", comment)
        if output is not None:
            browser.type(f"{card} textarea[name=output]", output)
        browser.click(f"{card} button[data-action={action}]")
        return browser.wait_for(f"document.querySelector('{card} [role=status], {card} [role=alert]')?.textContent",
                                what=f"the answer to {action}")

    assert decide(runs[0], "approve", "looks good").startswith("Approved")
    assert decide(runs[1], "decline", "not this week").startswith("Declined")
    assert decide(runs[2], "override", "forced", '{"value": 7}').startswith("Overridden")
    want = {runs[0].id: (rpb.PAUSE_ACTION_APPROVE, "looks good"), runs[1].id: (rpb.PAUSE_ACTION_DECLINE, "not this week"),
            runs[2].id: (rpb.PAUSE_ACTION_OVERRIDE, "forced")}
    for run_id, (action, comment) in want.items():
        rec = api.GetPauseHistory(rs.GetPauseHistoryRequest(run_id=run_id)).records[-1]
        assert (rec.action, rec.comment, rec.step_id) == (action, comment, "gate")
    got = {r.id: api.GetRun(rs.GetRunRequest(run_id=r.id)) for r in runs}
    gate_of = lambda run: next(s for s in run.steps if s.step_id == "gate")  # noqa: E731
    assert json_format.MessageToDict(gate_of(got[runs[2].id]).output) == {"value": 7}
    assert gate_of(got[runs[1].id]).status == rpb.STEP_STATUS_FAILED
    # Reloaded, the queue no longer lists them.
    goto(browser, "#/workflows", "document.querySelector('#workflows')")
    goto(browser, "#/approvals", "document.querySelector('#approvals') || document.querySelector('#approvals-empty')")
    for r in runs:
        assert not browser.eval(f"!!document.querySelector('article[data-run={json.dumps(r.id)}]')"), r.id


def test_schedules_pause_resume_and_delete(browser, base, token, api, shot):
    w = workflow(api, [step("a", "template", {"template": "x"})])
    sc = api.CreateSchedule(rs.CreateScheduleRequest(workflow_id=w.id, cron="0 9 * * 1-5", time_zone="Europe/Paris"))
    login(browser, base, token)
    row = f"tr[data-schedule={json.dumps(sc.id)}]"
    goto(browser, "#/schedules", f"document.querySelector({json.dumps(row)})")
    assert "0 9 * * 1-5" in browser.text(row) and "Europe/Paris" in browser.text(row)
    shot(browser, "schedules")

    def listed():
        return {s.id: s for s in api.ListSchedules(rs.ListSchedulesRequest(workflow_id=w.id)).schedules}

    browser.click(f"{row} button[data-action=pause]")
    browser.wait_for(f"document.querySelector('{row} button[data-action=resume]')", what="a Resume button")
    assert listed()[sc.id].paused
    browser.click(f"{row} button[data-action=resume]")
    browser.wait_for(f"document.querySelector('{row} button[data-action=pause]')", what="a Pause button")
    assert not listed()[sc.id].paused
    browser.click(f"{row} button[data-action=delete]")  # asks once more...
    assert browser.text(f"{row} button[data-action=delete]") == "Confirm delete"
    assert sc.id in listed()
    browser.click(f"{row} button[data-action=delete]")  # ...and deletes
    browser.wait_for(f"!document.querySelector({json.dumps(row)})", what="the row gone")
    assert sc.id not in listed()
    assert "Deleted schedule" in browser.text("#schedule-message")


def test_runs_list_is_paged_and_filtered(browser, base, token, api, shot):
    w = workflow(api, [step("a", "transform", {"expression": "1 + 1"})])
    made = [api.RunWorkflow(rs.RunWorkflowRequest(workflow_id=w.id)).id for _ in range(30)]
    login(browser, base, token)

    def shown():
        return browser.eval("[...document.querySelectorAll('#runs tbody tr td:first-child')].map(td => td.textContent)")

    goto(browser, f"#/runs?workflow={w.id}", "document.querySelector('#runs')")
    first = shown()
    assert first == sorted(made, reverse=True)[:25]  # newest first, 25 a page
    shot(browser, "runs")
    browser.click("nav.pager a[rel=next]")
    browser.wait_for("location.hash.includes('pages=')")
    browser.wait_for("document.querySelectorAll('#runs tbody tr').length === 5", what="the second page")
    assert set(first) | set(shown()) == set(made) and not set(first) & set(shown())
    assert browser.eval("!document.querySelector('nav.pager a[rel=next]')")
    browser.click("nav.pager a[rel=prev]")
    browser.wait_for("document.querySelectorAll('#runs tbody tr').length === 25", what="the first page again")
    assert shown() == first
    goto(browser, f"#/runs?workflow={w.id}&status=failed", "document.querySelector('main p.muted')?.textContent === 'No runs match.'")


def load_figures(b):
    """What the page just loaded: paint times, the navigation and every resource's sizes."""
    b.wait_for("document.querySelector('#token')", what="the login form")
    b.wait_for("performance.getEntriesByType('paint').length >= 2", what="paint entries")
    return b.eval("""(() => {
        const size = e => ({name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize});
        const n = performance.getEntriesByType('navigation')[0];
        return {paint: Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime])),
                dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                entries: [size(n), ...performance.getEntriesByType('resource').map(size)]}; })()""")


def test_first_load_paint_and_bytes(base, tmp_path):
    """The first load in a fresh browser (empty cache): what it fetched (everything from this
    server, nothing else), in compressed and raw bytes, and when it first painted; then a
    reload, which revalidates by ETag. Printed for the report; the test asserts only what must
    hold whatever the machine's speed."""
    b = Browser()
    try:
        b.navigate(base)
        cold = load_figures(b)
        encodings = {p["response"]["url"]: {k.lower(): v for k, v in p["response"]["headers"].items()}.get("content-encoding", "")
                     for m, p in b.events if m == "Network.responseReceived"}
        b.send("Page.reload")
        b.wait_for("document.readyState === 'complete' && performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
        warm = load_figures(b)
    finally:
        b.close()
    entries = cold["entries"]
    origin = base.rstrip("/")
    assert all(e["name"].startswith(origin) for e in entries), [e["name"] for e in entries]  # no CDN
    loaded = {e["name"][len(origin) + 1:] or "index.html" for e in entries}
    files = {f for f in os.listdir(DASHBOARD) if not f.startswith(".")}
    assert loaded == files, (loaded, files)  # every module up front, nothing missing or extra
    raw = sum(e["decoded"] for e in entries)
    assert raw == sum(os.path.getsize(os.path.join(DASHBOARD, f)) for f in files)
    compressed = sum(e["encoded"] for e in entries)
    assert all(encodings.get(e["name"]) == "gzip" for e in entries), encodings
    assert compressed < raw
    assert "first-contentful-paint" in cold["paint"] and "first-contentful-paint" in warm["paint"]
    figures = {"first_paint_ms": round(cold["paint"].get("first-paint", 0), 1),
               "first_contentful_paint_ms": round(cold["paint"]["first-contentful-paint"], 1),
               "dom_content_loaded_ms": round(cold["dcl"], 1), "load_ms": round(cold["load"], 1),
               "files": len(entries), "bytes_raw": raw, "bytes_compressed": compressed,
               "bytes_transferred_with_headers": sum(e["transfer"] for e in entries),
               "reload_first_contentful_paint_ms": round(warm["paint"]["first-contentful-paint"], 1),
               "reload_bytes_transferred": sum(e["transfer"] for e in warm["entries"])}
    print("\ndashboard first load:", json.dumps(figures))
    (tmp_path / "first-load.json").write_text(json.dumps(figures, indent=1))
