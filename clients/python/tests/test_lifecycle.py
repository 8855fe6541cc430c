"""Spindle-only behaviour: flags (--max-recv-message-size), TLS, and SIGTERM draining."""
import os
import signal
import threading
import time

import grpc
import pytest

from conftest import start_spindle, stop_and_check
from spindle_client.grpc.testing import empty_pb2, messages_pb2 as m, test_pb2_grpc

LIMIT = 64 * 1024


@pytest.mark.spindle_only
def test_request_over_max_recv_message_size():
    server = start_spindle("--max-recv-message-size", str(LIMIT))
    try:
        with grpc.insecure_channel(server.addr) as ch:
            stub = test_pb2_grpc.TestServiceStub(ch)
            with pytest.raises(grpc.RpcError) as e:
                stub.UnaryCall(m.SimpleRequest(payload=m.Payload(body=b"\0" * (LIMIT + 1))), timeout=10)
            assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            # just under the limit (the message, not the frame, is what counts) still works
            ok = stub.UnaryCall(m.SimpleRequest(response_size=10, payload=m.Payload(body=b"\0" * (LIMIT - 16))), timeout=10)
            assert len(ok.payload.body) == 10
            # a streaming request with one oversized message fails the same way
            reqs = iter([m.StreamingInputCallRequest(payload=m.Payload(body=b"\0" * 100)),
                         m.StreamingInputCallRequest(payload=m.Payload(body=b"\0" * (2 * LIMIT)))])
            with pytest.raises(grpc.RpcError) as e:
                stub.StreamingInputCall(reqs, timeout=10)
            assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert stub.EmptyCall(empty_pb2.Empty(), timeout=5) == empty_pb2.Empty()
    finally:
        stop_and_check(server)


@pytest.mark.tls
def test_tls_with_ssl_channel_credentials(tls_target, certs):
    creds = grpc.ssl_channel_credentials(root_certificates=open(certs["ca"], "rb").read())
    with grpc.secure_channel(tls_target.addr, creds) as ch:
        stub = test_pb2_grpc.TestServiceStub(ch)
        assert stub.EmptyCall(empty_pb2.Empty(), timeout=10) == empty_pb2.Empty()
        assert len(stub.UnaryCall(m.SimpleRequest(response_size=100000), timeout=10).payload.body) == 100000
        req = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=n) for n in (1, 70000, 3)])
        assert [len(r.payload.body) for r in stub.StreamingOutputCall(req, timeout=10)] == [1, 70000, 3]


@pytest.mark.tls
def test_tls_rejects_plaintext_client(tls_target):
    with grpc.insecure_channel(tls_target.addr) as ch:
        with pytest.raises(grpc.RpcError) as e:
            test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=3)
    assert e.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


@pytest.mark.tls
def test_tls_untrusted_ca_rejected(tls_target, tmp_path):
    other_ca = open(os.path.join("/etc/ssl/certs/ca-certificates.crt"), "rb").read()
    with grpc.secure_channel(tls_target.addr, grpc.ssl_channel_credentials(other_ca)) as ch:
        with pytest.raises(grpc.RpcError) as e:
            test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=3)
    assert e.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


@pytest.mark.spindle_only
def test_sigterm_with_stream_in_flight():
    server = start_spindle()
    ch = grpc.insecure_channel(server.addr)
    stub = test_pb2_grpc.TestServiceStub(ch)
    req = m.StreamingOutputCallRequest(response_parameters=[
        m.ResponseParameters(size=100, interval_us=100_000) for _ in range(10)])
    call = stub.StreamingOutputCall(req, timeout=30)
    received, outcome = [], {}

    def read():
        try:
            for r in call:
                received.append(len(r.payload.body))
            outcome["code"] = grpc.StatusCode.OK
        except grpc.RpcError as e:
            outcome["code"] = e.code()

    t = threading.Thread(target=read)
    t.start()
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.01)
    assert received, "no first message before SIGTERM"
    os.kill(server.pid, signal.SIGTERM)
    t.join(30)
    ch.close()
    assert outcome.get("code") in (grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE), outcome
    if outcome["code"] == grpc.StatusCode.OK:
        assert received == [100] * 10
    assert server.wait_exit(20) == 0, "\n".join(server.lines[-20:])
    server.stop()


def _client_cert(certs, tmp_path, cn="spindle-test-client"):
    """A client certificate signed by the test CA (ca.key beside ca.pem)."""
    import subprocess
    key, csr, crt = (str(tmp_path / n) for n in ("client.key", "client.csr", "client.pem"))
    ca_key = os.path.join(os.path.dirname(certs["ca"]), "ca.key")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                    "-subj", f"/CN={cn}"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", certs["ca"], "-CAkey", ca_key,
                    "-CAcreateserial", "-out", crt, "-days", "1"], check=True, capture_output=True)
    return open(key, "rb").read(), open(crt, "rb").read()


@pytest.mark.spindle_only
@pytest.mark.tls
def test_mutual_tls_requires_a_client_certificate_from_the_ca(certs, tmp_path):
    server = start_spindle("--tls-cert", certs["cert"], "--tls-key", certs["key"], "--tls-client-ca", certs["ca"])
    try:
        ca = open(certs["ca"], "rb").read()
        key, crt = _client_cert(certs, tmp_path)
        with grpc.secure_channel(server.addr, grpc.ssl_channel_credentials(ca, key, crt)) as ch:
            assert test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=10) == empty_pb2.Empty()
        # Without a client certificate the handshake is refused.
        with grpc.secure_channel(server.addr, grpc.ssl_channel_credentials(ca)) as ch:
            with pytest.raises(grpc.RpcError) as e:
                test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=5)
            assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        # A certificate from another CA is refused too.
        import subprocess
        other_key, other_crt = str(tmp_path / "other.key"), str(tmp_path / "other.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", other_key,
                        "-out", other_crt, "-days", "1", "-subj", "/CN=stranger"], check=True, capture_output=True)
        creds = grpc.ssl_channel_credentials(ca, open(other_key, "rb").read(), open(other_crt, "rb").read())
        with grpc.secure_channel(server.addr, creds) as ch:
            with pytest.raises(grpc.RpcError) as e:
                test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=5)
            assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        stop_and_check(server)


@pytest.mark.spindle_only
def test_sigterm_flips_health_to_not_serving_for_watchers():
    from spindle_client.grpc.health.v1 import health_pb2, health_pb2_grpc
    server = start_spindle("--shutdown-grace", "2")
    ch = grpc.insecure_channel(server.addr)
    try:
        watch = health_pb2_grpc.HealthStub(ch).Watch(health_pb2.HealthCheckRequest(service=""), timeout=20)
        assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
        t0 = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
        assert time.monotonic() - t0 < 1.5, "NOT_SERVING must reach watchers at once, not after the grace"
    finally:
        ch.close()
        stop_and_check(server)


@pytest.mark.spindle_only
def test_serve_creates_a_jwt_secret_and_token_mints_for_a_tenant():
    import base64, hashlib, hmac, json, subprocess
    server = start_spindle()
    try:
        assert any("event=auth mode=jwt" in l and "spindle token --tenant" in l for l in server.lines), server.lines
        secret_path = os.path.join(server.data_dir, "auth", "jwt-secret")
        assert os.stat(secret_path).st_mode & 0o077 == 0, "the secret must be readable by its owner only"
        out = subprocess.run([server.binary, "token", "--tenant", "acme", "--ttl", "120", "--data-dir", server.data_dir],
                             capture_output=True, text=True, check=True).stdout.strip()
        header, payload, signature = out.split(".")
        unb64 = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
        claims = json.loads(unb64(payload))
        assert json.loads(unb64(header))["alg"] == "HS256"
        assert claims["tenant"] == "acme" and claims["exp"] - claims["iat"] == 120
        secret = open(secret_path, "rb").read().strip()
        assert hmac.compare_digest(unb64(signature), hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        # No tenant: a usage error, exit 2.
        bad = subprocess.run([server.binary, "token", "--data-dir", server.data_dir], capture_output=True, text=True)
        assert bad.returncode == 2 and "--tenant is required" in bad.stderr
    finally:
        stop_and_check(server)


@pytest.mark.spindle_only
def test_auth_none_warns_loudly():
    server = start_spindle("--auth", "none")
    try:
        assert any("level=warn event=auth_disabled" in l for l in server.lines), server.lines
    finally:
        stop_and_check(server)
