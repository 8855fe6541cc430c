"""Hostile or odd peers must not hurt anyone else: garbage bytes, a client that stops reading,
streams opened and reset in a loop. A stock grpcio client keeps being served throughout."""
import os
import socket
import threading
import time

import grpc
import pytest

from h2raw import RawH2
from spindle_client.grpc.testing import empty_pb2, messages_pb2 as m, test_pb2_grpc

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class Prober:
    """Calls EmptyCall in a loop on its own channel; records failures and the slowest call."""

    def __init__(self, addr, deadline_s=3.0):
        self.channel = grpc.insecure_channel(addr)
        self.stub = test_pb2_grpc.TestServiceStub(self.channel)
        self.deadline_s = deadline_s
        self.calls, self.errors, self.slowest_s = 0, [], 0.0
        self._stop = threading.Event()
        self.stub.EmptyCall(empty_pb2.Empty(), timeout=5)  # connected before the abuse starts
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            t0 = time.monotonic()
            try:
                self.stub.EmptyCall(empty_pb2.Empty(), timeout=self.deadline_s)
                self.calls += 1
            except grpc.RpcError as e:
                self.errors.append(e.code())
            self.slowest_s = max(self.slowest_s, time.monotonic() - t0)
            time.sleep(0.01)

    def finish(self):
        self._stop.set()
        self._thread.join(10)
        self.channel.close()
        assert not self.errors, f"well-behaved client failed during the abuse: {self.errors[:5]}"
        assert self.calls > 0
        assert self.slowest_s < 2.0, f"a well-behaved call took {self.slowest_s:.2f}s"


def wait_closed(sock, timeout_s=5.0):
    """True when the server closes the connection (EOF or reset) within timeout_s."""
    sock.settimeout(0.2)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if not sock.recv(65536):
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


@pytest.mark.parametrize("with_preface", [False, True], ids=["garbage", "preface_then_garbage"])
def test_garbage_bytes(target, with_preface):
    prober = Prober(target.addr)
    closed = 0
    for i in range(5):
        s = socket.create_connection((target.host, target.port), timeout=5)
        try:
            s.sendall((PREFACE if with_preface else b"") + os.urandom(32768))
        except OSError:
            pass  # the server may close while we are still sending: fine
        closed += wait_closed(s)
        s.close()
    prober.finish()
    assert closed == 5, "the server kept a garbage-sending connection open"


@pytest.mark.parametrize("window", [1024, 2**31 - 1], ids=["flow_control_window", "tcp_backpressure"])
def test_client_that_stops_reading(target, window):
    """A server stream whose reader stops: with a tiny HTTP/2 window the server must wait on flow
    control; with huge windows the server's socket buffer fills (TCP back-pressure). Either way
    other clients are served promptly."""
    raw = RawH2(target.addr, initial_window=window, connection_window=window)
    req = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=65536)] * 400)
    sid = raw.start("/grpc.testing.TestService/StreamingOutputCall", req.SerializeToString())
    raw.pump(lambda: raw.streams[sid].headers or raw.streams[sid].data, timeout_s=5, ack_data=False)
    # from here on the raw client never reads again
    prober = Prober(target.addr)
    with grpc.insecure_channel(target.addr) as ch:
        stub = test_pb2_grpc.TestServiceStub(ch)
        for size in (0, 1024, 65536, 1 << 20):
            resp = stub.UnaryCall(m.SimpleRequest(response_size=size), timeout=5)
            assert len(resp.payload.body) == size
    time.sleep(1.0)
    prober.finish()
    raw.close()
    with grpc.insecure_channel(target.addr) as ch:
        test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=5)


def test_streams_opened_and_reset_in_a_loop(target):
    prober = Prober(target.addr)
    raw = RawH2(target.addr)
    req = m.StreamingOutputCallRequest(response_parameters=[
        m.ResponseParameters(size=512, interval_us=50_000)] * 10).SerializeToString()
    for i in range(60):
        sid = raw.start("/grpc.testing.TestService/StreamingOutputCall", req)
        assert raw.pump(lambda: bool(raw.streams[sid].data), timeout_s=5), f"stream {i}: no response data"
        raw.reset(sid)
        if i % 3 == 0:  # and some reset before the server had a chance to answer
            sid = raw.start("/grpc.testing.TestService/StreamingOutputCall", req)
            raw.reset(sid)
    # the same connection still works (no GOAWAY for this modest, paced loop)
    sid = raw.start("/grpc.testing.TestService/EmptyCall", b"")
    assert raw.pump(lambda: raw.streams[sid].ended, timeout_s=5)
    assert raw.goaway is None and raw.grpc_status(sid) == "0"
    raw.close()
    prober.finish()
