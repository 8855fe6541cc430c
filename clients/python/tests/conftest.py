"""Fixtures: the server under test, channels to it, and raw-HTTP/2 helpers.

By default every test talks to a real `spindle serve --testing-services` started once per session
(SPINDLE_BIN, else .build/debug/spindle; --port 0, temp data dir, SIGTERM at teardown must give
exit status 0). SPINDLE_TARGET=host:port instead aims the tests at a server that is already running
(e.g. a reference interop server) and skips the tests marked spindle_only; SPINDLE_TLS_TARGET does
the same for the TLS tests (certificates from ../shared/conformance/build/certs).
"""
import os
import subprocess
import sys

import grpc
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CLIENT_DIR))
sys.path.insert(0, CLIENT_DIR)  # spindle_client
sys.path.insert(0, os.path.join(REPO, "scripts"))  # spindle_proc

from spindle_proc import Spindle  # noqa: E402

GEN_CERTS = os.path.join(os.path.dirname(REPO), "shared", "conformance", "tools", "gen_certs.sh")
EXTERNAL = os.environ.get("SPINDLE_TARGET")


class Target:
    def __init__(self, addr, server=None):
        self.addr = addr
        self.host, port = addr.rsplit(":", 1)
        self.port = int(port)
        self.server = server  # a spindle_proc.Spindle we own, or None for SPINDLE_TARGET


def pytest_collection_modifyitems(config, items):
    if EXTERNAL:
        skip = pytest.mark.skip(reason="SPINDLE_TARGET set: this test starts its own spindle")
        for item in items:
            if "spindle_only" in item.keywords:
                item.add_marker(skip)


def start_spindle(*args):
    """A fresh spindle with --testing-services plus ARGS; the caller stops it."""
    return Spindle(["--testing-services", *args])


def mint(server, tenant):
    """A development JWT for TENANT from `spindle token`, signed with SERVER's secret."""
    out = subprocess.run([server.binary, "token", "--tenant", tenant, "--data-dir", server.data_dir],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


class Api:
    """The Spindle service stubs on one channel, sending one tenant's token on every call:
    api.GetRun(req) calls whichever service has the method."""

    def __init__(self, channel, token):
        from spindle_client.spindle.v1 import run_service_pb2_grpc, workflow_service_pb2_grpc
        self.stubs = [run_service_pb2_grpc.RunServiceStub(channel), workflow_service_pb2_grpc.WorkflowServiceStub(channel)]
        self.md = [("authorization", f"Bearer {token}")] if token is not None else []

    def __getattr__(self, rpc):
        method = next(getattr(s, rpc) for s in self.stubs if hasattr(s, rpc))
        return lambda req, timeout=30, **kw: method(req, metadata=self.md, timeout=timeout, **kw)


def stop_and_check(server):
    rc = server.stop()
    assert rc == 0, f"spindle exit status after SIGTERM: {rc}; last output:\n" + "\n".join(server.lines[-20:])


@pytest.fixture(scope="session")
def target():
    if EXTERNAL:
        yield Target(EXTERNAL)
        return
    server = start_spindle()
    yield Target(server.addr, server)
    stop_and_check(server)


@pytest.fixture
def channel(target):
    with grpc.insecure_channel(target.addr) as ch:
        yield ch


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    """A throw-away CA and server certificate, made fresh for this session by the
    conformance kit's own script (so a new machine needs no earlier step)."""
    out = tmp_path_factory.mktemp("certs")
    subprocess.run([GEN_CERTS, str(out)], check=True, capture_output=True)
    return {k: str(out / f) for k, f in
            (("ca", "ca.pem"), ("cert", "server.pem"), ("key", "server.key"))}


@pytest.fixture(scope="session")
def tls_target(certs):
    ext = os.environ.get("SPINDLE_TLS_TARGET")
    if ext:
        yield Target(ext)
        return
    if EXTERNAL:
        pytest.skip("SPINDLE_TARGET set without SPINDLE_TLS_TARGET")
    server = start_spindle("--tls-cert", certs["cert"], "--tls-key", certs["key"])
    yield Target(server.addr, server)
    stop_and_check(server)
