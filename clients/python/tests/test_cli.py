"""The `spindle` command line driven as a user would: the built binary against a live server,
every client subcommand with its output and exit code, `run watch` in a real terminal (tmux,
reading the screen with capture-pane), its resume across a server restart, and TLS.

SPINDLE_CLI_CAPTURE=PATH saves the tmux screen of the finished watch there (docs/run-watch.txt
is made this way).
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import Api, mint, start_spindle, stop_and_check
from spindle_client.spindle.v1 import run_pb2 as rpb
from spindle_client.spindle.v1 import run_service_pb2 as rs
from spindle_client.spindle.v1 import workflow_service_pb2 as ws
from spindle_proc import Spindle

import grpc

pytestmark = pytest.mark.spindle_only

# Exit codes documented in `spindle help`.
OK, USAGE, BAD_INPUT, RUN_FAILED, RUN_CANCELED = 0, 2, 3, 4, 5
INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, UNAVAILABLE, UNAUTHENTICATED = 13, 15, 19, 24, 26
INTERRUPTED = 130

WATCHED = """\
# a workflow with a timer, for run watch
name: {name}
description: greet, wait, report
tags: [cli, demo]
inputs:
  - name: who
    type: INPUT_TYPE_STRING
definition:
  steps:
    - id: greet
      type: template
      config:
        template: "hello {{{{ inputs.who }}}}"
    - id: pause
      type: wait
      depends_on: [greet]
      config: {{duration: {wait}}}
    - id: report
      type: transform
      depends_on: [pause]
      config:
        expression: |
          upper(steps.greet)
"""


class Cli:
    def __init__(self, server, token):
        self.server = server
        self.binary = server.binary
        self.token = token

    def env(self, token=None):
        env = dict(os.environ)
        env.pop("SPINDLE_TOKEN", None)
        tok = self.token if token is None else token
        if tok:
            env["SPINDLE_TOKEN"] = tok
        return env

    def argv(self, *args, server=None):
        return [self.binary, *args, "--server", server or self.server.addr]

    def run(self, *args, token=None, server=None, timeout=60):
        p = subprocess.run(self.argv(*args, server=server), capture_output=True, text=True, env=self.env(token),
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, **kw):
        rc, out, err = self.run(*args, **kw)
        assert rc == OK, f"spindle {' '.join(args)} exited {rc}:\n{out}\n{err}"
        return out

    def json(self, *args, **kw):
        return json.loads(self.ok(*args, "--output", "json", **kw))

    def fails(self, code, *args, **kw):
        rc, out, err = self.run(*args, **kw)
        assert rc == code, f"spindle {' '.join(args)}: exit {rc}, wanted {code}:\n{out}\n{err}"
        assert err.startswith("spindle: "), err
        return err


@pytest.fixture(scope="module")
def server():
    s = start_spindle()
    yield s
    stop_and_check(s)


@pytest.fixture(scope="module")
def cli(server):
    return Cli(server, mint(server, "cli-" + uuid.uuid4().hex[:8]))


@pytest.fixture(scope="module")
def api(server, cli):
    with grpc.insecure_channel(server.addr) as ch:
        yield Api(ch, cli.token)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def apply_watched(cli, tmp_path, wait="2s"):
    name = "watched-" + uuid.uuid4().hex[:6]
    out = cli.ok("workflow", "apply", "-f", write(tmp_path, name + ".yaml", WATCHED.format(name=name, wait=wait)))
    assert "created: version 1, 3 steps" in out
    return name


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rest(proc, timeout=60):
    """The rest of a process's output after readline()s (communicate() would skip what the
    text wrapper already buffered), once it exits."""
    out = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(timeout)
    return out, err


def start_run(cli, workflow, *extra):
    return cli.json("run", "start", workflow, *extra)["id"]


def wait_status(api, run_id, statuses, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = api.GetRun(rs.GetRunRequest(run_id=run_id))
        if run.status in statuses:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never reached {statuses}: {rpb.RunStatus.Name(run.status)}")


# MARK: usage


def test_help_lists_every_command_and_the_exit_codes(cli):
    rc, out, _ = cli.run("help")
    assert rc == OK
    for command in ["workflow apply", "workflow rollback", "run start WORKFLOW", "run watch RUN", "approvals list",
                    "approve RUN", "override RUN", "schedule create WORKFLOW", "schedule delete SCHEDULE"]:
        assert command in out, command
    assert "10+N a gRPC error" in out and "130  interrupted" in out
    rc, out, _ = cli.run("run", "start", "--help")
    assert rc == OK and out.startswith("usage: spindle run start WORKFLOW") and "--input-file" in out
    rc, out, _ = cli.run("help", "schedule")
    assert rc == OK and "schedule pause SCHEDULE" in out


def test_usage_errors_exit_2_with_the_reason(cli):
    assert "unknown command \"run bogus\"" in cli.fails(USAGE, "run", "bogus")
    assert "unknown flag \"--nope\"" in cli.fails(USAGE, "run", "list", "--nope")
    assert "takes WORKFLOW, got 0" in cli.fails(USAGE, "run", "start")
    assert "needs a subcommand" in cli.fails(USAGE, "workflow")
    assert "--output must be table or json" in cli.fails(USAGE, "run", "list", "--output", "xml")
    assert "--input takes KEY=VALUE" in cli.fails(USAGE, "run", "start", "x", "--input", "novalue")
    assert "--server" in cli.fails(USAGE, "run", "list", server="nohost:notaport")
    assert "needs --step" in cli.fails(USAGE, "approve", "run_x")
    assert "--status must be one of" in cli.fails(USAGE, "run", "list", "--status", "sleeping")


# MARK: workflows


def test_apply_creates_then_versions_with_a_diff_list_get_versions_rollback(cli, api, tmp_path):
    name = apply_watched(cli, tmp_path, wait="5s")
    path = write(tmp_path, "w.yaml", WATCHED.format(name=name, wait="5s"))
    assert f"workflow {name} (" in cli.ok("workflow", "apply", "-f", path) and "unchanged: version 1" in \
        cli.ok("workflow", "apply", "-f", path)
    path = write(tmp_path, "w.yaml", WATCHED.format(name=name, wait="1s").replace("greet, wait, report", "v2"))
    out = cli.ok("workflow", "apply", "-f", path, "--summary", "shorter wait")
    assert "updated: version 1 -> 2" in out and "replace /steps/1/config/duration = \"1s\"" in out, out

    w = api.GetWorkflow(ws.GetWorkflowRequest(workflow_id=cli.json("workflow", "get", name)["id"]))
    assert w.current_version == 2 and w.description == "v2" and list(w.tags) == ["cli", "demo"]
    assert w.inputs[0].name == "who" and w.definition.steps[2].config["expression"] == "upper(steps.greet)\n"

    table = cli.ok("workflow", "list", "--name", name)
    assert table.splitlines()[0].split() == ["ID", "NAME", "STATUS", "VERSION", "STEPS", "UPDATED"]
    row = next(line for line in table.splitlines() if name in line).split()
    assert row[:5] == [w.id, name, "DRAFT", "2", "3"]
    listed = cli.json("workflow", "list", "--tag", "cli")
    assert name in [x["name"] for x in listed["workflows"]]

    shown = cli.ok("workflow", "get", w.id)
    assert f"workflow {name} ({w.id})" in shown and "pause   wait       greet" in shown, shown
    versions = cli.ok("workflow", "versions", name).splitlines()
    assert versions[0].split() == ["VERSION", "CREATED", "HASH", "SUMMARY"] and len(versions) == 3
    v2 = next(line for line in versions[1:] if line.startswith("2 "))
    assert v2.endswith("shorter wait")
    diff = cli.json("workflow", "diff", name, "1", "2")
    assert diff["fromVersion"] == 1 and diff["toVersion"] == 2
    assert {"op": "replace", "path": "/steps/1/config/duration", "value": "1s"} in diff["operations"]

    assert "rolled back: now version 3" in cli.ok("workflow", "rollback", name, "--to", "1")
    w = api.GetWorkflow(ws.GetWorkflowRequest(workflow_id=w.id))
    assert w.current_version == 3 and w.definition.steps[1].config["duration"] == "5s"
    cli.fails(NOT_FOUND, "workflow", "rollback", name, "--to", "9")


def test_apply_reads_json_and_the_top_level_steps_shorthand(cli, api, tmp_path):
    name = "json-" + uuid.uuid4().hex[:6]
    doc = {"name": name, "trigger_type": "TRIGGER_TYPE_MANUAL",
           "steps": [{"id": "a", "type": "transform", "config": {"expression": "1 + 2"},
                      "retry": {"maxAttempts": 3, "initialBackoff": "0.5s"}, "timeout": "10s"}]}
    created = cli.json("workflow", "apply", "-f", write(tmp_path, "w.json", json.dumps(doc)))
    w = api.GetWorkflow(ws.GetWorkflowRequest(workflow_id=created["id"]))
    step = w.definition.steps[0]
    assert step.retry.max_attempts == 3 and step.retry.initial_backoff.nanos == 500_000_000
    assert step.timeout.seconds == 10 and w.trigger_type == 1


def test_apply_errors_say_where(cli, tmp_path):
    err = cli.fails(BAD_INPUT, "workflow", "apply", "-f", write(tmp_path, "bad.yaml", "name: x\n  steps: 1\n"))
    assert "bad.yaml: line 2, column 3: unexpected indentation" in err, err
    err = cli.fails(BAD_INPUT, "workflow", "apply", "-f", write(tmp_path, "tab.yaml", "name: x\n\tdescription: y\n"))
    assert "line 2, column 1: tabs are not allowed" in err, err
    err = cli.fails(BAD_INPUT, "workflow", "apply", "-f", write(tmp_path, "q.yaml", "name: \"open\n"))
    assert "line 1, column 7: unterminated quoted scalar" in err, err
    err = cli.fails(BAD_INPUT, "workflow", "apply", "-f", write(tmp_path, "u.yaml", "name: x\nsteps:\n  - id: a\n    typo: b\n"))
    assert "definition.steps[0].typo: unknown field" in err, err
    err = cli.fails(BAD_INPUT, "workflow", "apply", "-f", write(tmp_path, "j.json", "{\"name\": \"x\",}"))
    assert "line 1, column 14" in err, err
    assert "cannot read" in cli.fails(BAD_INPUT, "workflow", "apply", "-f", str(tmp_path / "missing.yaml"))
    # The server's validation errors come back with the BadRequest details, one per line.
    bad = "name: bad-{}\nsteps:\n  - id: a\n    type: nosuchtype\n".format(uuid.uuid4().hex[:6])
    err = cli.fails(INVALID_ARGUMENT, "workflow", "apply", "-f", write(tmp_path, "v.yaml", bad))
    assert err.startswith("spindle: INVALID_ARGUMENT: ") and "\n  " in err and "nosuchtype" in err, err


# MARK: runs


def test_run_start_inputs_get_list(cli, api, tmp_path):
    name = apply_watched(cli, tmp_path, wait="10ms")
    inputs = write(tmp_path, "inputs.yaml", "who: file\nextra: {n: 1}\n")
    run_id = start_run(cli, name, "--input-file", inputs, "--input", "who=flag", "--input", "count=3",
                       "--input", "flags=[true, false]")
    run = wait_status(api, run_id, [rpb.RUN_STATUS_COMPLETED])
    assert dict(run.inputs) == {"who": "flag", "extra": {"n": 1.0}, "count": 3.0, "flags": [True, False]} or \
        (run.inputs["who"] == "flag" and run.inputs["count"] == 3 and list(run.inputs["flags"]) == [True, False])
    assert run.outputs["report"] == "HELLO FLAG"
    shown = cli.ok("run", "get", run_id)
    assert f"run {run_id}" in shown and "status: COMPLETED   progress: 100%" in shown
    assert "report  transform  COMPLETED" in shown and '"report": "HELLO FLAG"' in shown
    listed = cli.json("run", "list", "--workflow", name)
    assert [r["id"] for r in listed["runs"]] == [run_id] and listed["runs"][0]["status"] == "RUN_STATUS_COMPLETED"
    rows = cli.ok("run", "list", "--workflow", name, "--status", "completed").splitlines()
    assert len(rows) == 2 and rows[1].split()[0] == run_id and "COMPLETED" in rows[1]
    assert cli.ok("run", "list", "--workflow", name, "--status", "failed").splitlines()[1:] == []
    cli.fails(NOT_FOUND, "run", "get", "run_doesnotexist")
    cli.fails(NOT_FOUND, "run", "start", "no-such-workflow")


def test_run_start_watch_exit_codes_completed_failed_canceled(cli, api, tmp_path):
    name = apply_watched(cli, tmp_path, wait="10ms")
    rc, out, err = cli.run("run", "start", name, "--input", "who=w", "--watch")
    assert rc == OK, err
    lines = out.splitlines()
    assert "seq=1  run_queued" in lines[0] and any("step_completed  step=report" in x for x in lines)
    assert any(x.startswith("run run_") and " COMPLETED in " in x for x in lines) and '"report": "HELLO W"' in out

    failing = "name: {}\ninputs: [{{name: d, type: INPUT_TYPE_NUMBER}}]\nsteps:\n" \
              "  - {{id: a, type: transform, config: {{expression: \"1 / inputs.d\"}}}}\n".format("fails-" + uuid.uuid4().hex[:6])
    fname = cli.json("workflow", "apply", "-f", write(tmp_path, "f.yaml", failing))["name"]
    rc, out, err = cli.run("run", "start", fname, "--input", "d=0", "--watch")
    assert rc == RUN_FAILED, (rc, out, err)
    assert "step_failed  step=a" in out and "division by zero" in out and "failed" in err
    failed_out = out

    slow = apply_watched(cli, tmp_path, wait="30s")
    run_id = start_run(cli, slow)
    watch = subprocess.Popen(cli.argv("run", "watch", run_id, "--output", "json"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=cli.env())
    first = watch.stdout.readline()  # the watch is following the run
    assert json.loads(first)["seq"] == "1", first
    assert "CANCELED" in cli.ok("run", "cancel", run_id, "--reason", "test")
    out, err = rest(watch)
    assert watch.returncode == RUN_CANCELED, (out, err)
    out = first + out
    events = [json.loads(x) for x in out.splitlines()]
    assert events[-1]["id"] == run_id and events[-1]["status"] == "RUN_STATUS_CANCELED"
    seqs = [int(e["seq"]) for e in events[:-1]]
    assert seqs == list(range(1, len(seqs) + 1)) and events[-2]["type"] == "RUN_EVENT_TYPE_RUN_CANCELED"

    assert "FAILED_PRECONDITION" in cli.fails(FAILED_PRECONDITION, "run", "resume", run_id)  # canceled: final

    # resume: the failed run runs its failed step again (and fails again: d is still 0).
    failed_id = next(x.split()[1] for x in failed_out.splitlines() if x.startswith("run run_") and " FAILED in " in x)
    before = api.GetRun(rs.GetRunRequest(run_id=failed_id)).last_seq
    assert cli.ok("run", "resume", failed_id).startswith(f"run {failed_id}: ")
    deadline = time.monotonic() + 20
    while not ((run := api.GetRun(rs.GetRunRequest(run_id=failed_id))).status == rpb.RUN_STATUS_FAILED
               and run.last_seq > before + 1):
        assert time.monotonic() < deadline, run
        time.sleep(0.05)


def test_watch_of_a_finished_run_prints_its_final_state(cli, api, tmp_path):
    name = apply_watched(cli, tmp_path, wait="10ms")
    run_id = start_run(cli, name, "--input", "who=done")
    wait_status(api, run_id, [rpb.RUN_STATUS_COMPLETED])
    rc, out, _ = cli.run("run", "watch", run_id)
    assert rc == OK and out.startswith(f"run {run_id} COMPLETED in ") and '"report": "HELLO DONE"' in out


# MARK: approvals and schedules


def test_approvals_list_approve_decline_override(cli, api, tmp_path):
    name = "gate-" + uuid.uuid4().hex[:6]
    doc = f"""name: {name}
steps:
  - id: review
    type: human_approval
    config: {{message: "ship it?"}}
  - id: after
    type: template
    depends_on: [review]
    config: {{template: "{{{{ steps.review }}}}"}}
"""
    cli.ok("workflow", "apply", "-f", write(tmp_path, "gate.yaml", doc))
    runs = [start_run(cli, name) for _ in range(3)]
    for r in runs:
        wait_status(api, r, [rpb.RUN_STATUS_PAUSED])
    table = cli.ok("approvals", "list", "--workflow", name)
    assert table.splitlines()[0].split() == ["RUN", "WORKFLOW", "STEP", "PAUSED", "MESSAGE"]
    assert sorted(line.split()[0] for line in table.splitlines()[1:]) == sorted(runs)
    assert all("review" in line and line.endswith("ship it?") for line in table.splitlines()[1:])

    out = cli.ok("approve", runs[0], "--step", "review", "--comment", "lgtm", "--user", "ann")
    assert f"run {runs[0]}: step review approved" in out
    assert "declined" in cli.ok("decline", runs[1], "--step", "review", "--comment", "no")
    assert "overridden" in cli.ok("override", runs[2], "--step", "review", "--value", '{"ok": true}')
    assert wait_status(api, runs[0], [rpb.RUN_STATUS_COMPLETED]).status == rpb.RUN_STATUS_COMPLETED
    assert wait_status(api, runs[2], [rpb.RUN_STATUS_COMPLETED]).outputs["after"]["ok"] is True
    history = api.GetPauseHistory(rs.GetPauseHistoryRequest(run_id=runs[0])).records
    assert history[0].comment == "lgtm" and history[0].user_id == "ann"
    assert cli.ok("approvals", "list", "--workflow", name).splitlines()[1:] == []
    err = cli.fails(FAILED_PRECONDITION, "approve", runs[0], "--step", "review")
    assert "FAILED_PRECONDITION" in err
    assert "needs --value" in cli.fails(USAGE, "override", runs[0], "--step", "review")


def test_schedule_create_list_pause_resume_delete(cli, tmp_path):
    name = apply_watched(cli, tmp_path, wait="10ms")
    out = cli.ok("schedule", "create", name, "--cron", "30 9 * * MON-FRI", "--tz", "America/New_York",
                 "--catch-up", "skip", "--input", "who=cron")
    assert out.startswith("schedule sch_") and "30 9 * * MON-FRI America/New_York, next run 20" in out
    sid = out.split()[1]
    listed = cli.json("schedule", "list", "--workflow", name)["schedules"]
    assert [s["id"] for s in listed] == [sid] and listed[0]["inputs"] == {"who": "cron"}
    assert listed[0]["catchUp"] == "CATCH_UP_POLICY_SKIP"
    row = cli.ok("schedule", "list", "--workflow", name).splitlines()[1].split()
    assert row[0] == sid and "active" in row
    assert "paused" in cli.ok("schedule", "pause", sid)
    assert "paused" in cli.ok("schedule", "list", "--workflow", name).splitlines()[1]
    assert "active" in cli.ok("schedule", "pause", sid, "--resume")
    assert f"schedule {sid} deleted" in cli.ok("schedule", "delete", sid)
    assert cli.json("schedule", "list", "--workflow", name).get("schedules", []) == []
    err = cli.fails(INVALID_ARGUMENT, "schedule", "create", name, "--cron", "0 25 * * *")
    assert "cron" in err
    cli.fails(NOT_FOUND, "schedule", "delete", sid)


# MARK: auth, connection, TLS


def test_auth_and_connection_errors(cli, server):
    assert "UNAUTHENTICATED" in cli.fails(UNAUTHENTICATED, "workflow", "list", token="")
    assert "UNAUTHENTICATED" in cli.fails(UNAUTHENTICATED, "workflow", "list", token="not-a-token")
    # Global flags before the command, the token from the flag rather than the environment.
    p = subprocess.run([cli.binary, "--token", cli.token, "--server", server.addr, "workflow", "list"],
                       capture_output=True, text=True, env=cli.env(""))
    assert p.returncode == OK and p.stdout.startswith("ID "), p.stderr
    err = cli.fails(UNAVAILABLE, "workflow", "list", server=f"127.0.0.1:{free_port()}")
    assert "UNAVAILABLE: cannot connect" in err


@pytest.mark.tls
def test_tls_verifies_the_server_against_the_ca_and_its_name(certs, tmp_path):
    server = start_spindle("--tls-cert", certs["cert"], "--tls-key", certs["key"])
    try:
        cli = Cli(server, mint(server, "tls"))
        port = server.port
        for host in ["127.0.0.1", "localhost"]:
            out = cli.ok("workflow", "list", "--tls-ca", certs["ca"], server=f"{host}:{port}")
            assert out.split() == ["ID", "NAME", "STATUS", "VERSION", "STEPS", "UPDATED"]
        err = cli.fails(UNAVAILABLE, "workflow", "list", "--tls-ca", "/etc/ssl/certs/ca-certificates.crt")
        assert "certificate rejected" in err, err
        err = cli.fails(UNAVAILABLE, "workflow", "list")  # cleartext h2c to a TLS port
        assert "UNAVAILABLE" in err
    finally:
        stop_and_check(server)
    # A certificate for 127.0.0.1 / localhost served on 127.0.0.2: the name check refuses it.
    other = start_spindle("--tls-cert", certs["cert"], "--tls-key", certs["key"], "--host", "127.0.0.2")
    try:
        cli = Cli(other, mint(other, "tls"))
        err = cli.fails(UNAVAILABLE, "workflow", "list", "--tls-ca", certs["ca"], server=f"127.0.0.2:{other.port}")
        assert "certificate rejected" in err and "mismatch" in err, err
    finally:
        stop_and_check(other)


# MARK: run watch in a terminal


class Tmux:
    def __init__(self, command, width=100, height=30):
        self.name = "spindle-cli-" + uuid.uuid4().hex[:8]
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        command + "; echo EXIT=$?; sleep 600"], check=True)

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], check=True, capture_output=True,
                              text=True).stdout

    def wait_for(self, *needles, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if all(n in text for n in needles):
                return text
            time.sleep(0.05)
        raise AssertionError(f"screen never showed {needles}:\n{self.screen()}")

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def watch_command(cli, run_id, server_addr):
    return (f"SPINDLE_TOKEN={cli.token} {cli.binary} run watch {run_id} --server {server_addr}")


def rows(screen):
    """The step table's rows: name -> the cells after it."""
    out = {}
    for line in screen.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[0] in ("greet", "pause", "report"):
            out[cells[0]] = cells[1:]
    return out


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux missing: scripts/deps.sh installs it")
def test_run_watch_screen_in_tmux(cli, api, tmp_path):
    name = apply_watched(cli, tmp_path, wait="5s")  # long enough to see it running on a loaded machine
    run_id = start_run(cli, name, "--input", "who=tmux")
    term = Tmux(watch_command(cli, run_id, cli.server.addr))
    try:
        screen = running = term.wait_for("pause", "RUNNING", "33%  1/3 steps")
        head = screen.splitlines()[0]
        assert head.startswith(f"run {run_id}  workflow {name} v1  RUNNING"), screen
        r = rows(screen)
        assert r["greet"][:3] == ["template", "COMPLETED", "1"] and '"hello' in screen
        assert r["pause"][:3] == ["wait", "RUNNING", "1"] and r["report"] == ["transform", "PENDING"]
        assert "[#############---------------------------] 33%" in screen
        screen = term.wait_for("EXIT=0")
        r = rows(screen)
        assert all(r[s][1] == "COMPLETED" for s in r) and r["pause"][3].endswith("s"), screen
        assert "100%  3/3 steps" in screen and "last event: run_completed" in screen
        assert 'outputs:' in screen and '"report": "HELLO TMUX"' in screen
        # Redrawn in place: one header, one table on the screen.
        assert screen.count(f"run {run_id}") == 1 and screen.count("STEP ") == 1, screen
        if os.environ.get("SPINDLE_CLI_CAPTURE"):
            with open(os.environ["SPINDLE_CLI_CAPTURE"], "w") as f:
                f.write(f"# tmux capture-pane of `spindle run watch {run_id}` (made by tests/test_cli.py)\n"
                        f"# while the wait step runs:\n\n{running.rstrip()}\n\n# when the run is done:\n\n"
                        + screen.rstrip("\n").removesuffix("EXIT=0").rstrip() + "\n")
    finally:
        term.close()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux missing: scripts/deps.sh installs it")
def test_ctrl_c_stops_watching_but_not_the_run(cli, api, tmp_path):
    name = apply_watched(cli, tmp_path, wait="30s")
    run_id = start_run(cli, name)
    term = Tmux(watch_command(cli, run_id, cli.server.addr), width=60)
    try:
        term.wait_for("pause", "RUNNING")
        assert all(len(line) <= 60 for line in term.screen().splitlines())
        term.keys("C-c")
        screen = term.wait_for("EXIT=130")
        assert "stopped watching; the run goes on" in screen
        assert api.GetRun(rs.GetRunRequest(run_id=run_id)).status == rpb.RUN_STATUS_RUNNING
    finally:
        term.close()
        cli.run("run", "cancel", run_id)


def test_watch_resumes_after_a_server_restart_with_each_event_once(tmp_path):
    data = tempfile.mkdtemp(prefix="spindle-cli-")
    port = free_port()
    server = Spindle(["--port", str(port)], data_dir=data)
    try:
        cli = Cli(server, mint(server, "restart"))
        name = apply_watched(cli, tmp_path, wait="4s")
        run_id = start_run(cli, name, "--input", "who=again")
        watch = subprocess.Popen(cli.argv("run", "watch", run_id, "--output", "json"), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=cli.env())
        seen = []
        while not seen or not (seen[-1]["type"].endswith("STEP_STARTED") and seen[-1].get("stepId") == "pause"):
            line = watch.stdout.readline()
            assert line, "the watch ended before the wait step started"
            seen.append(json.loads(line))
        server.kill()  # SIGKILL mid-wait: the watch's connection drops
        time.sleep(0.5)
        server = Spindle(["--port", str(port)], data_dir=data)
        out, err = rest(watch)
        assert watch.returncode == OK, (out, err)
        out = "".join(json.dumps(e) + "\n" for e in seen) + out
        assert "connection lost" in err and "reconnecting after seq" in err, err
        lines = [json.loads(x) for x in out.splitlines()]
        events, final = lines[:-1], lines[-1]
        seqs = [int(e["seq"]) for e in events]
        assert seqs == list(range(1, len(seqs) + 1)), seqs  # none lost, none twice
        types = [e["type"].removeprefix("RUN_EVENT_TYPE_") for e in events]
        assert types[0] == "RUN_QUEUED" and types[-1] == "RUN_COMPLETED"
        assert [e.get("stepId") for e in events if e["type"].endswith("STEP_COMPLETED")] == ["greet", "pause", "report"]
        assert final["id"] == run_id and final["status"] == "RUN_STATUS_COMPLETED"
        assert final["outputs"] == {"report": "HELLO AGAIN"}
    finally:
        server.kill()
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux missing: scripts/deps.sh installs it")
def test_watch_screen_survives_a_server_restart(tmp_path):
    data = tempfile.mkdtemp(prefix="spindle-cli-")
    port = free_port()
    server = Spindle(["--port", str(port)], data_dir=data)
    term = None
    try:
        cli = Cli(server, mint(server, "restart-tty"))
        name = apply_watched(cli, tmp_path, wait="5s")
        run_id = start_run(cli, name, "--input", "who=tty")
        term = Tmux(watch_command(cli, run_id, server.addr))
        term.wait_for("pause", "RUNNING", "last event: step_started pause (seq 5)")
        server.kill()
        lost = term.wait_for("connection lost")
        assert "reconnecting after seq 5" in lost and rows(lost)["pause"][1] == "RUNNING", lost
        server = Spindle(["--port", str(port)], data_dir=data)
        screen = term.wait_for("EXIT=0")
        r = rows(screen)
        assert all(r[s][1] == "COMPLETED" for s in ("greet", "pause", "report")), screen
        assert screen.count(f"run {run_id}") == 1 and screen.count("STEP ") == 1, screen
        assert '"report": "HELLO TTY"' in screen and "100%  3/3 steps" in screen
    finally:
        if term:
            term.close()
        server.kill()
        shutil.rmtree(data, ignore_errors=True)
