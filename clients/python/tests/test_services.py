"""Health, reflection and the benchmark service."""
import grpc
import pytest
from google.protobuf import descriptor_pb2

from spindle_client.grpc.health.v1 import health_pb2 as hp, health_pb2_grpc
from spindle_client.grpc.reflection.v1 import reflection_pb2 as r1, reflection_pb2_grpc as r1g
from spindle_client.grpc.reflection.v1alpha import reflection_pb2 as ra, reflection_pb2_grpc as rag
from spindle_client.grpc.testing import benchmark_service_pb2_grpc, messages_pb2 as m

SERVING = hp.HealthCheckResponse.SERVING


@pytest.fixture
def health(channel):
    return health_pb2_grpc.HealthStub(channel)


@pytest.mark.parametrize("service", ["", "grpc.testing.TestService"])
def test_health_check_serving(health, service):
    assert health.Check(hp.HealthCheckRequest(service=service), timeout=5).status == SERVING


def test_health_check_unknown_service_not_found(health):
    with pytest.raises(grpc.RpcError) as e:
        health.Check(hp.HealthCheckRequest(service="no.such.Service"), timeout=5)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def test_health_watch(health):
    call = health.Watch(hp.HealthCheckRequest(service=""), timeout=10)
    assert next(call).status == SERVING
    call.cancel()


def test_health_watch_unknown_service_stays_open(health):
    call = health.Watch(hp.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert next(call).status == hp.HealthCheckResponse.SERVICE_UNKNOWN
    assert call.is_active()
    call.cancel()


REFLECTION = [(r1, r1g), (ra, rag)]


def reflect(channel, mod, req):
    pb, grpc_mod = mod
    stub = grpc_mod.ServerReflectionStub(channel)
    responses = list(stub.ServerReflectionInfo(iter([req]), timeout=10))
    assert len(responses) == 1
    return responses[0]


@pytest.mark.parametrize("mod", REFLECTION, ids=["v1", "v1alpha"])
def test_reflection_list_services(channel, mod):
    resp = reflect(channel, mod, mod[0].ServerReflectionRequest(list_services=""))
    names = {s.name for s in resp.list_services_response.service}
    assert {"grpc.testing.TestService", "grpc.health.v1.Health"} <= names, names


@pytest.mark.parametrize("mod", REFLECTION, ids=["v1", "v1alpha"])
def test_reflection_file_containing_symbol(channel, mod):
    resp = reflect(channel, mod, mod[0].ServerReflectionRequest(file_containing_symbol="grpc.testing.TestService"))
    files = [descriptor_pb2.FileDescriptorProto.FromString(b)
             for b in resp.file_descriptor_response.file_descriptor_proto]
    services = {f"{f.package}.{s.name}": [mm.name for mm in s.method] for f in files for s in f.service}
    assert "UnaryCall" in services["grpc.testing.TestService"]


@pytest.mark.parametrize("mod", REFLECTION, ids=["v1", "v1alpha"])
def test_reflection_unknown_symbol(channel, mod):
    resp = reflect(channel, mod, mod[0].ServerReflectionRequest(file_containing_symbol="no.such.Symbol"))
    assert resp.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]


@pytest.fixture
def bench(channel):
    return benchmark_service_pb2_grpc.BenchmarkServiceStub(channel)


@pytest.mark.parametrize("size", [0, 1024, 65536])
def test_benchmark_unary(bench, size):
    resp = bench.UnaryCall(m.SimpleRequest(response_size=size, payload=m.Payload(body=b"\0" * size)), timeout=10)
    assert len(resp.payload.body) == size


def test_benchmark_streaming_from_server_until_cancel(bench):
    call = bench.StreamingFromServer(m.SimpleRequest(response_size=1024), timeout=10)
    for _ in range(25):
        assert len(next(call).payload.body) == 1024
    call.cancel()
    with pytest.raises(grpc.RpcError) as e:
        for _ in call:
            pass
    assert e.value.code() == grpc.StatusCode.CANCELLED
