"""The interop behaviours of grpc.testing.TestService through a stock grpcio client."""
import queue
import threading
import time

import grpc
import pytest

from spindle_client.grpc.testing import empty_pb2, messages_pb2 as m, test_pb2_grpc

ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\x0a\x0b\x0a\x0b\x0a\x0b")
SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


@pytest.fixture
def stub(channel):
    return test_pb2_grpc.TestServiceStub(channel)


def simple(size, response_size=None, **kw):
    return m.SimpleRequest(response_size=size if response_size is None else response_size,
                           payload=m.Payload(body=b"\x5a" * size), **kw)


def test_empty_call(stub):
    assert stub.EmptyCall(empty_pb2.Empty(), timeout=10) == empty_pb2.Empty()


@pytest.mark.parametrize("size", [0, 1, 127, 128, 16383, 16384, 16385, 65536, 314159, 1 << 20])
def test_unary_payload_sizes(stub, size):
    resp = stub.UnaryCall(simple(size), timeout=20)
    assert len(resp.payload.body) == size
    assert resp.payload.body == b"\0" * size


def test_unary_response_size_differs_from_request(stub):
    resp = stub.UnaryCall(m.SimpleRequest(response_size=1000, payload=m.Payload(body=b"x" * 3)), timeout=10)
    assert len(resp.payload.body) == 1000


def test_response_compression_requested(stub):
    req = simple(65536, response_compressed=m.BoolValue(value=True))
    resp = stub.UnaryCall(req, timeout=10)
    assert resp.payload.body == b"\0" * 65536


def test_gzip_request_compression(target):
    # expect_compressed makes the server fail the call with INVALID_ARGUMENT unless the request
    # message arrived gzip-compressed (and decompressed correctly).
    with grpc.insecure_channel(target.addr, compression=grpc.Compression.Gzip) as ch:
        req = simple(65536, expect_compressed=m.BoolValue(value=True))
        resp = test_pb2_grpc.TestServiceStub(ch).UnaryCall(req, timeout=10)
    assert len(resp.payload.body) == 65536


def test_uncompressed_request_flagged_expect_compressed_rejected(stub):
    with pytest.raises(grpc.RpcError) as e:
        stub.UnaryCall(simple(10, expect_compressed=m.BoolValue(value=True)), timeout=10)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_client_streaming_sum(stub):
    sizes = [27182, 8, 1828, 45904]
    reqs = (m.StreamingInputCallRequest(payload=m.Payload(body=b"\0" * n)) for n in sizes)
    resp = stub.StreamingInputCall(reqs, timeout=10)
    assert resp.aggregated_payload_size == sum(sizes) == 74922


def test_client_streaming_empty(stub):
    assert stub.StreamingInputCall(iter(()), timeout=10).aggregated_payload_size == 0


def test_server_streaming_with_intervals(stub):
    sizes = [31415, 9, 2653, 58979]
    req = m.StreamingOutputCallRequest(response_parameters=[
        m.ResponseParameters(size=n, interval_us=60_000) for n in sizes])
    t0 = time.monotonic()
    got = [len(r.payload.body) for r in stub.StreamingOutputCall(req, timeout=10)]
    assert got == sizes
    assert time.monotonic() - t0 >= 0.2, "interval_us was not honoured"


def test_bidi_ping_pong(stub):
    sizes = [(27182, 31415), (8, 9), (1828, 2653), (45904, 58979)]
    requests = queue.Queue()

    def gen():
        while (item := requests.get()) is not None:
            yield item

    call = stub.FullDuplexCall(gen(), timeout=10)
    for req_size, resp_size in sizes:
        requests.put(m.StreamingOutputCallRequest(
            response_parameters=[m.ResponseParameters(size=resp_size)],
            payload=m.Payload(body=b"\0" * req_size)))
        assert len(next(call).payload.body) == resp_size
    requests.put(None)
    assert list(call) == []
    assert call.code() == grpc.StatusCode.OK


def test_empty_stream(stub):
    call = stub.FullDuplexCall(iter(()), timeout=10)
    assert list(call) == []
    assert call.code() == grpc.StatusCode.OK


def test_custom_metadata_unary(stub):
    resp, call = stub.UnaryCall.with_call(simple(10), metadata=[ECHO_INITIAL, ECHO_TRAILING], timeout=10)
    assert len(resp.payload.body) == 10
    assert ECHO_INITIAL in call.initial_metadata()
    assert ECHO_TRAILING in call.trailing_metadata()


def test_custom_metadata_streaming(stub):
    req = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=5)])
    call = stub.FullDuplexCall(iter([req]), metadata=[ECHO_INITIAL, ECHO_TRAILING], timeout=10)
    assert [len(r.payload.body) for r in call] == [5]
    assert ECHO_INITIAL in call.initial_metadata()
    assert ECHO_TRAILING in call.trailing_metadata()


@pytest.mark.parametrize("message", ["test status message", SPECIAL_MESSAGE, "100% sure %20 %%"])
def test_status_code_and_message_unary(stub, message):
    with pytest.raises(grpc.RpcError) as e:
        stub.UnaryCall(m.SimpleRequest(response_status=m.EchoStatus(code=2, message=message)), timeout=10)
    assert e.value.code() == grpc.StatusCode.UNKNOWN
    assert e.value.details() == message


def test_status_code_and_message_streaming(stub):
    req = m.StreamingOutputCallRequest(response_status=m.EchoStatus(code=9, message=SPECIAL_MESSAGE))
    call = stub.FullDuplexCall(iter([req]), timeout=10)
    with pytest.raises(grpc.RpcError):
        list(call)
    assert call.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert call.details() == SPECIAL_MESSAGE


def test_unimplemented_method(stub):
    with pytest.raises(grpc.RpcError) as e:
        stub.UnimplementedCall(empty_pb2.Empty(), timeout=10)
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unimplemented_service(channel):
    with pytest.raises(grpc.RpcError) as e:
        test_pb2_grpc.UnimplementedServiceStub(channel).UnimplementedCall(empty_pb2.Empty(), timeout=10)
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_unknown_service_and_method_raw(channel):
    for path in ("/no.such.Service/Method", "/grpc.testing.TestService/NoSuchMethod"):
        call = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.RpcError) as e:
            call(b"", timeout=10)
        assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED, path


def test_deadline_on_sleeping_call(stub):
    req = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=1, interval_us=3_000_000)])
    t0 = time.monotonic()
    with pytest.raises(grpc.RpcError) as e:
        list(stub.StreamingOutputCall(req, timeout=0.5))
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - t0 < 2.5
    assert stub.EmptyCall(empty_pb2.Empty(), timeout=5) == empty_pb2.Empty()


def test_deadline_on_bidi_without_requests(stub):
    requests = queue.Queue()
    call = stub.FullDuplexCall(iter(requests.get, None), timeout=0.3)
    with pytest.raises(grpc.RpcError) as e:
        list(call)
    requests.put(None)
    assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_client_cancel(stub):
    req = m.StreamingOutputCallRequest(response_parameters=[
        m.ResponseParameters(size=100, interval_us=200_000) for _ in range(20)])
    call = stub.StreamingOutputCall(req, timeout=30)
    assert len(next(call).payload.body) == 100
    t0 = time.monotonic()
    call.cancel()
    with pytest.raises(grpc.RpcError) as e:
        list(call)
    assert e.value.code() == grpc.StatusCode.CANCELLED
    assert time.monotonic() - t0 < 2
    assert stub.EmptyCall(empty_pb2.Empty(), timeout=5) == empty_pb2.Empty()


def test_cancel_after_begin(stub):
    requests = queue.Queue()
    call = stub.StreamingInputCall.future(iter(requests.get, None), timeout=30)
    time.sleep(0.1)
    call.cancel()
    requests.put(None)
    with pytest.raises(grpc.FutureCancelledError):
        call.result()
    assert stub.EmptyCall(empty_pb2.Empty(), timeout=5) == empty_pb2.Empty()


def test_many_concurrent_calls_one_channel(stub):
    futures = [stub.UnaryCall.future(simple(i % 4096), timeout=30) for i in range(300)]
    for i, f in enumerate(futures):
        assert len(f.result().payload.body) == i % 4096


def test_concurrent_calls_several_channels(target):
    channels = [grpc.insecure_channel(target.addr, options=[("grpc.use_local_subchannel_pool", 1)])
                for _ in range(8)]
    errors = []

    def worker(ch, n):
        s = test_pb2_grpc.TestServiceStub(ch)
        try:
            for i in range(n):
                req = m.StreamingOutputCallRequest(response_parameters=[m.ResponseParameters(size=i)] * 3)
                assert [len(r.payload.body) for r in s.StreamingOutputCall(req, timeout=30)] == [i] * 3
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(ch, 40)) for ch in channels]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for ch in channels:
        ch.close()
    assert not errors, errors[:3]
