"""What grpcio does not show: response compression on the wire, and the nghttp CLI as a client."""
import shutil
import struct
import subprocess

import pytest

from h2raw import RawH2, frame
from spindle_client.grpc.testing import messages_pb2 as m


def test_response_compressed_on_the_wire(target):
    raw = RawH2(target.addr)
    req = m.SimpleRequest(response_size=4096, response_compressed=m.BoolValue(value=True))
    sid = raw.start("/grpc.testing.TestService/UnaryCall", req.SerializeToString(),
                    extra_headers=[("grpc-accept-encoding", "gzip")])
    assert raw.pump(lambda: raw.streams[sid].ended, timeout_s=5)
    st = raw.streams[sid]
    raw.close()
    assert raw.grpc_status(sid) == "0", (st.headers, st.trailers)
    assert st.headers.get("grpc-encoding") == "gzip", st.headers
    flag, length = struct.unpack(">BI", st.data[:5])
    assert flag == 1 and length == len(st.data) - 5 and length < 4096


def test_uncompressed_when_not_requested(target):
    raw = RawH2(target.addr)
    sid = raw.start("/grpc.testing.TestService/UnaryCall", m.SimpleRequest(response_size=300).SerializeToString())
    assert raw.pump(lambda: raw.streams[sid].ended, timeout_s=5)
    data = raw.streams[sid].data
    raw.close()
    assert data[0] == 0 and m.SimpleResponse.FromString(data[5:]).payload.body == b"\0" * 300


@pytest.mark.skipif(shutil.which("nghttp") is None, reason="nghttp (Debian nghttp2-client) not installed")
def test_nghttp_cli_empty_call(target, tmp_path):
    body = tmp_path / "empty.grpc"
    body.write_bytes(frame(b""))
    out = subprocess.run(
        ["nghttp", "-v", "-n", "-d", str(body), "-H", ":method: POST",
         "-H", "content-type: application/grpc", "-H", "te: trailers",
         f"http://{target.addr}/grpc.testing.TestService/EmptyCall"],
        capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "grpc-status: 0" in out.stdout, out.stdout
    assert ":status: 200" in out.stdout
