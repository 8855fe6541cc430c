"""Oversized request headers (issue 14, item 2), raw HTTP/2 and grpcio against the live server.

The server advertises SETTINGS_MAX_HEADER_LIST_SIZE (--max-header-list-size, 16 KiB like gRPC
core's hard limit) and counts each header section as RFC 9113 §6.5.2 does: decoded name + value
+ 32 per field, however small HPACK made it on the wire. A section over the limit is answered at
once, trailers-only: grpc-status 8 (RESOURCE_EXHAUSTED) with the sizes in grpc-message, then
RST_STREAM NO_ERROR if the client was still sending; the connection and its other streams go on.
A CONTINUATION flood (more than 8 after a HEADERS) is a connection error: GOAWAY
ENHANCE_YOUR_CALM. A single field over nghttp2's HPACK limit (64 KiB, fixed at compile time in
nghttp2 1.52) is a decoding error nghttp2 answers with GOAWAY COMPRESSION_ERROR.

The test clients send header blocks without Huffman coding: the hpack package's Huffman encoder
is quadratic (a 1 MB value takes minutes to encode), which is what made "no answer for minutes".
"""
import functools
import socket
import struct

import grpc
import hpack
import pytest

from h2raw import RawH2, Stream
from spindle_client.grpc.testing import empty_pb2, messages_pb2 as m, test_pb2_grpc

pytestmark = pytest.mark.spindle_only

LIMIT = 16384
EMPTY = "/grpc.testing.TestService/EmptyCall"
UNARY = "/grpc.testing.TestService/UnaryCall"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
ENHANCE_YOUR_CALM, COMPRESSION_ERROR, NO_ERROR = 0xB, 0x9, 0x0


def raw(target):
    c = RawH2(target.addr)
    c.conn.encoder.encode = functools.partial(c.conn.encoder.encode, huffman=False)
    assert c.pump(lambda: c.conn.remote_settings.max_header_list_size is not None)
    return c


def request_headers(c, path):
    return [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", c.authority),
            ("content-type", "application/grpc"), ("te", "trailers")]


def open_unary(c):
    """A UnaryCall whose request is sent but not ended: it stays open until end_unary."""
    return c.start(UNARY, m.SimpleRequest(response_size=3).SerializeToString(), end_stream=False)


def end_unary(c, sid):
    c.conn.end_stream(sid)
    c.flush()
    assert c.pump(lambda: c.streams[sid].ended)
    assert c.grpc_status(sid) == "0" and not c.streams[sid].reset, c.streams[sid].__dict__


def assert_refused(c, sid, at_least):
    st = c.streams[sid]
    assert c.pump(lambda: st.ended), "no answer to an oversized header list"
    assert st.headers.get(":status") == "200" and st.headers.get("grpc-status") == "8", st.headers
    assert not st.trailers, "the refusal is trailers-only"
    message = st.headers["grpc-message"]
    size = int(message.split("request header list of ")[1].split(" bytes")[0])
    assert size >= at_least and f"over the server's limit of {LIMIT}" in message, message


def test_the_limit_is_advertised(target):
    c = raw(target)
    assert c.conn.remote_settings.max_header_list_size == LIMIT
    c.close()


@pytest.mark.parametrize("extra,at_least", [
    ([("x-big", "a" * 20000)], 20000),                              # one large value
    ([(f"x-h{i}", "v") for i in range(10000)], 10000 * 37),          # 10,000 small headers
    ([("x-" + "n" * 17000, "v")], 17000),                           # a large name
], ids=["20KB-value", "10000-headers", "17KB-name"])
def test_an_oversized_header_list_gets_resource_exhausted_and_the_connection_goes_on(target, extra, at_least):
    c = raw(target)
    open_sid = open_unary(c)
    sid = c.start(EMPTY, b"", extra_headers=extra)
    assert_refused(c, sid, at_least)
    assert c.goaway is None and not c.closed
    end_unary(c, open_sid)                           # the stream opened before is served
    after = c.start(EMPTY, b"")                      # and so is a new one on this connection
    assert c.pump(lambda: c.streams[after].ended) and c.grpc_status(after) == "0"
    c.close()


def test_a_client_still_sending_is_told_to_stop_with_rst_no_error(target):
    c = raw(target)
    sid = c.conn.get_next_available_stream_id()
    c.conn.send_headers(sid, request_headers(c, EMPTY) + [("x-big", "a" * 20000)], end_stream=False)
    c.streams[sid] = Stream()
    c.flush()
    st = c.streams[sid]
    assert c.pump(lambda: st.reset is not None)
    assert st.headers.get("grpc-status") == "8" and st.reset == NO_ERROR, (st.headers, st.reset)
    after = c.start(EMPTY, b"")
    assert c.pump(lambda: c.streams[after].ended) and c.grpc_status(after) == "0"
    c.close()


def test_oversized_request_trailers_are_refused_too(target):
    c = raw(target)
    sid = c.start(EMPTY, b"", end_stream=False)
    c.conn.send_headers(sid, [(f"x-t{i}", "v" * 40) for i in range(400)], end_stream=True)
    c.flush()
    st = c.streams[sid]
    assert c.pump(lambda: st.ended)
    assert c.grpc_status(sid) == "8", (st.headers, st.trailers, st.reset)
    after = c.start(EMPTY, b"", extra_headers=[("x-fine", "b" * 12000)])  # under the limit: served
    assert c.pump(lambda: c.streams[after].ended) and c.grpc_status(after) == "0"
    c.close()


def frames(sock):
    """Every frame the server sends until it closes: [(type, flags, stream, payload)]."""
    buf = b""
    sock.settimeout(10)
    while True:
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        buf += data
    out, i = [], 0
    while i + 9 <= len(buf):
        n = int.from_bytes(buf[i:i + 3], "big")
        out.append((buf[i + 3], buf[i + 4], int.from_bytes(buf[i + 5:i + 9], "big") & 0x7FFFFFFF, buf[i + 9:i + 9 + n]))
        i += 9 + n
    return out


def frame(kind, flags, sid, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", sid) + payload


def goaway_code(received):
    codes = [struct.unpack(">II", p[:8])[1] for kind, _, _, p in received if kind == 7]
    assert codes, f"the server closed without a GOAWAY: {[(k, f, s) for k, f, s, _ in received]}"
    return codes[0]


def test_a_continuation_flood_gets_goaway_enhance_your_calm(target):
    # A small block (well under the limit) cut into 40 pieces: HEADERS + 39 CONTINUATION.
    block = hpack.Encoder().encode([(":method", "POST"), (":scheme", "http"), (":path", EMPTY), (":authority", "x"),
                                    ("content-type", "application/grpc"), ("te", "trailers")]
                                   + [(f"x-h{i}", "v") for i in range(100)], huffman=False)
    pieces = [block[i:i + len(block) // 40 + 1] for i in range(0, len(block), len(block) // 40 + 1)]
    sock = socket.create_connection((target.host, target.port))
    sock.sendall(PREFACE + frame(4, 0, 0, b"") + frame(1, 0, 1, pieces[0])
                 + b"".join(frame(9, 4 if i == len(pieces) - 1 else 0, 1, p) for i, p in enumerate(pieces[1:], 1)))
    assert goaway_code(frames(sock)) == ENHANCE_YOUR_CALM
    sock.close()
    with grpc.insecure_channel(target.addr) as ch:       # nobody else is hurt
        test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=10)


def test_a_1mb_header_value_gets_a_prompt_goaway_and_others_are_served(target):
    with grpc.insecure_channel(target.addr) as ch:
        stub = test_pb2_grpc.TestServiceStub(ch)
        stub.EmptyCall(empty_pb2.Empty(), timeout=10)  # a connection opened before the abuse
        c = raw(target)
        c.start(EMPTY, b"", extra_headers=[("x-big", "a" * (1 << 20))])
        assert c.pump(lambda: c.goaway is not None or c.closed), "no answer to a 1 MB header"
        assert c.goaway == COMPRESSION_ERROR, c.goaway
        c.close()
        stub.EmptyCall(empty_pb2.Empty(), timeout=10)  # the other connection is untouched
    with grpc.insecure_channel(target.addr) as ch:     # and new ones are served
        test_pb2_grpc.TestServiceStub(ch).EmptyCall(empty_pb2.Empty(), timeout=10)


@pytest.mark.parametrize("metadata", [
    [("x-big", "a" * 20000)],
    [(f"x-h{i}", "v") for i in range(2000)],
    [("x-one", "a" * 4000), ("x-more", "b" * 4000), ("x-again", "c" * 4000), ("x-last", "d" * 4500)],
], ids=["one-20KB-value", "2000-entries", "several-adding-up"])
def test_grpcio_with_oversized_metadata_gets_resource_exhausted_on_a_working_channel(target, metadata):
    with grpc.insecure_channel(target.addr) as ch:
        stub = test_pb2_grpc.TestServiceStub(ch)
        with pytest.raises(grpc.RpcError) as e:
            stub.EmptyCall(empty_pb2.Empty(), metadata=metadata, timeout=10)
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, e.value
        assert f"over the server's limit of {LIMIT} (SETTINGS_MAX_HEADER_LIST_SIZE)" in e.value.details()
        stub.EmptyCall(empty_pb2.Empty(), metadata=[("x-fine", "b" * 8000)], timeout=10)  # same connection


@pytest.mark.parametrize("path,status", [
    ("/grpc.testing.TestService/" + "x" * 12000, "12"),  # under the limit: an unknown method
    ("/" + "y" * 12000 + "/Call", "12"),                 # an unknown service
    ("/" + "z" * 12000, "12"),                           # not /service/method at all
    ("/grpc.testing.TestService/" + "x" * 20000, "8"),   # over the limit: refused like any header
])
def test_a_huge_path(target, path, status):
    c = raw(target)
    sid = c.start(path, b"")
    assert c.pump(lambda: c.streams[sid].ended)
    assert c.grpc_status(sid) == status, c.streams[sid].headers
    assert len(c.streams[sid].headers.get("grpc-message", "")) < 300, "the error must not echo the whole path back"
    c.close()


@pytest.mark.parametrize("name,value,status", [
    ("grpc-timeout", "1" * 9000 + "S", "13"),
    ("grpc-encoding", "x" * 9000, "12"),
    ("x-data-bin", "!" * 9000, "13"),
    ("grpc-timeout", "1" * 20000 + "S", "8"),
])
def test_oversized_grpc_header_values_get_a_precise_status(target, name, value, status):
    c = raw(target)
    sid = c.start(EMPTY, b"", extra_headers=[(name, value)])
    assert c.pump(lambda: c.streams[sid].ended)
    assert c.grpc_status(sid) == status, c.streams[sid].headers
    assert len(c.streams[sid].headers.get("grpc-message", "")) < 300, "the error must not echo the whole value back"
    c.close()
