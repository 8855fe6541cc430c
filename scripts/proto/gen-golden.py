#!/usr/bin/env python3
"""Writes golden protobuf vectors for the Swift codec tests, using the reference runtime.

Run with the venv made by scripts/proto/setup-venv.sh:
    scripts/proto/.venv/bin/python scripts/proto/gen-golden.py
Outputs Tests/MessagesTests/Golden/<name>.bin (SerializeToString(deterministic=True)) and
manifest.txt ("<name> <proto type>" per line). Non-canonical inputs are <name>.bin with the
canonical re-encoding of what the reference parser made of them in <name>.expected.bin
(unknown fields discarded). Deterministic: CI reruns it and checks `git diff --exit-code`.
"""
import importlib
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

# The pure-Python runtime sorts map keys under deterministic=True; the upb backend (the
# default) emits maps in hash-table order even then, which no other runtime can reproduce.
os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "MessagesTests", "Golden")


def compile_protos(tmp):
    # Locate grpc_tools without importing it: importing would load the `grpc` package, which
    # would shadow the generated grpc.* modules.
    import importlib.util
    include = os.path.join(os.path.dirname(importlib.util.find_spec("grpc_tools").origin), "_proto")
    protos = []
    for d, _, files in os.walk(os.path.join(ROOT, "proto")):
        protos += [os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "proto")) for f in files if f.endswith(".proto")]
    cmd = [sys.executable, "-m", "grpc_tools.protoc", "-I", os.path.join(ROOT, "proto"), "-I", include,
           "--python_out=" + tmp] + sorted(protos)
    subprocess.run(cmd, check=True)
    # Regular packages, so the generated grpc/ wins over an installed grpc package.
    for d, _, _ in os.walk(os.path.join(tmp, "grpc")):
        open(os.path.join(d, "__init__.py"), "a").close()
    sys.path.insert(0, tmp)


def mod(name):
    return importlib.import_module(name)


# Hand-built wire pieces for the non-canonical inputs.
def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def tag(n, wt):
    return varint(n << 3 | wt)


def ld(n, body):
    return tag(n, 2) + varint(len(body)) + body


def zz(v):
    return (v << 1) ^ (v >> 63)


def obj(d):
    """A google.protobuf.Struct from a dict (numbers become doubles, as in JSON)."""
    from google.protobuf import struct_pb2
    s = struct_pb2.Struct()
    s.update(d)
    return s


def main():
    tmp = tempfile.mkdtemp()
    try:
        compile_protos(tmp)
        write_all()
    finally:
        shutil.rmtree(tmp)


def write_all():
    from google.protobuf.internal import api_implementation
    assert api_implementation.Type() == "python", api_implementation.Type()
    at = mod("spindle.testing.all_types_pb2")
    msgs = mod("grpc.testing.messages_pb2")
    health = mod("grpc.health.v1.health_pb2")
    refl = mod("grpc.reflection.v1.reflection_pb2")
    status = mod("google.rpc.status_pb2")
    details = mod("google.rpc.error_details_pb2")
    from google.protobuf import any_pb2, duration_pb2, field_mask_pb2, struct_pb2, timestamp_pb2, wrappers_pb2, empty_pb2

    cases = {}      # name -> message (canonical)
    noncanon = {}   # name -> (bytes, message type)

    m = at.AllTypes(f_double=1.5, f_float=-2.25, f_int64=-123456789012, f_uint64=18446744073709551615,
                    f_int32=-1, f_fixed64=0x0102030405060708, f_fixed32=0xDEADBEEF, f_bool=True,
                    f_string="héllo, 世界 🚀", f_bytes=bytes([0, 1, 2, 255]), f_uint32=4294967295,
                    f_sfixed32=-5, f_sfixed64=-6, f_sint32=-7, f_sint64=-8, f_enum=at.RED)
    m.f_nested.a = 42
    m.f_nested.b = "nested"
    cases["all_types_scalars"] = m
    cases["all_types_min"] = at.AllTypes(f_int32=-2**31, f_int64=-2**63, f_sint32=-2**31, f_sint64=-2**63,
                                         f_sfixed32=-2**31, f_sfixed64=-2**63, f_double=-0.0, f_float=-0.0,
                                         f_enum=at.NEGATIVE)
    cases["all_types_max"] = at.AllTypes(f_int32=2**31 - 1, f_int64=2**63 - 1, f_sint32=2**31 - 1,
                                         f_sint64=2**63 - 1, f_sfixed32=2**31 - 1, f_sfixed64=2**63 - 1,
                                         f_uint32=2**32 - 1, f_uint64=2**64 - 1, f_fixed32=2**32 - 1,
                                         f_fixed64=2**64 - 1, f_double=1.7976931348623157e308,
                                         f_float=3.4028234663852886e38)
    cases["all_types_nonfinite"] = at.AllTypes(f_double=math.nan, f_float=math.inf, r_double=[-math.inf, 5e-324])
    cases["all_types_empty"] = at.AllTypes()
    cases["all_types_optional_zero"] = at.AllTypes(o_int32=0, o_string="", o_bool=False, o_double=0.0, o_enum=0)
    cases["all_types_optional_set"] = at.AllTypes(o_int32=-3, o_string="x", o_bool=True, o_double=2.5, o_enum=at.GREEN)
    r = at.AllTypes(r_double=[0.0, -1.5], r_float=[1.25, 0.0], r_int64=[-1, 0, 2**62], r_uint64=[0, 2**64 - 1],
                    r_int32=[-1, 0, 1, 300], r_fixed64=[1, 2], r_fixed32=[3, 4], r_bool=[True, False, True],
                    r_string=["", "a", "ü"], r_bytes=[b"", b"\x00\xff"], r_uint32=[0, 128, 16384],
                    r_sfixed32=[-1, 1], r_sfixed64=[-2, 2], r_sint32=[-1, 1, -64, 64], r_sint64=[-2**63, 2**63 - 1],
                    r_enum=[at.RED, at.NEGATIVE, 0], r_unpacked_int32=[-1, 0, 7], r_unpacked_sint64=[-9, 9])
    r.r_nested.add(a=1)
    r.r_nested.add(b="two", c=[2, 2])
    cases["all_types_repeated"] = r
    mp = at.AllTypes()
    for k, v in {"b": 2, "a": 1, "": 0, "zz": -1, "é": 5}.items():
        mp.m_string_int32[k] = v
    for k, v in {3: "three", -1: "minus", 0: "", 100: "hundred"}.items():
        mp.m_int32_string[k] = v
    mp.m_int64_nested[-5].a = 5
    mp.m_int64_nested[7].b = "seven"
    mp.m_int64_nested[0].CopyFrom(at.AllTypes.Nested())
    mp.m_bool_enum[True] = at.RED
    mp.m_bool_enum[False] = 0
    mp.m_uint32_bytes[4294967295] = b"\x01"
    mp.m_uint32_bytes[1] = b""
    mp.m_sint64_double[-1] = -0.5
    mp.m_sint64_double[1] = 0.5
    cases["all_types_maps"] = mp
    cases["all_types_oneof_int32_zero"] = at.AllTypes(c_int32=0)
    cases["all_types_oneof_string"] = at.AllTypes(c_string="chosen")
    cases["all_types_oneof_nested_empty"] = at.AllTypes(c_nested=at.AllTypes.Nested())
    cases["all_types_oneof_enum"] = at.AllTypes(c_enum=at.GREEN)
    cases["all_types_unknown_enum"] = at.AllTypes(f_enum=99, r_enum=[1, 99, -5], o_enum=12345, c_enum=77)
    big = at.AllTypes(f_bytes=bytes(range(256)) * 80)  # 20 KiB: a 3-byte length prefix
    big.f_nested.b = "x" * 200
    cases["all_types_large"] = big

    sv = struct_pb2.Struct()
    sv.update({"name": "spindle", "count": 3.0, "ok": True, "none": None,
               "list": [1.0, "two", False, None, {"deep": [[]]}], "obj": {"a": {"b": {}}}})
    cases["struct"] = sv
    cases["value_null"] = struct_pb2.Value(null_value=0)
    cases["value_number_zero"] = struct_pb2.Value(number_value=0.0)
    cases["list_value"] = struct_pb2.ListValue(values=[struct_pb2.Value(string_value="s"), struct_pb2.Value(bool_value=False)])
    cases["timestamp"] = timestamp_pb2.Timestamp(seconds=1700000000, nanos=123456789)
    cases["timestamp_negative"] = timestamp_pb2.Timestamp(seconds=-62135596800, nanos=0)
    cases["duration"] = duration_pb2.Duration(seconds=-5, nanos=-500000000)
    cases["empty"] = empty_pb2.Empty()
    cases["wrapper_double"] = wrappers_pb2.DoubleValue(value=-0.0)
    cases["wrapper_float"] = wrappers_pb2.FloatValue(value=1.5)
    cases["wrapper_int64"] = wrappers_pb2.Int64Value(value=-(2**63))
    cases["wrapper_uint64"] = wrappers_pb2.UInt64Value(value=2**64 - 1)
    cases["wrapper_int32"] = wrappers_pb2.Int32Value(value=-1)
    cases["wrapper_uint32"] = wrappers_pb2.UInt32Value(value=2**32 - 1)
    cases["wrapper_bool"] = wrappers_pb2.BoolValue(value=True)
    cases["wrapper_string"] = wrappers_pb2.StringValue(value="wrapped ✓")
    cases["wrapper_bytes"] = wrappers_pb2.BytesValue(value=b"\x00\x80")
    cases["wrapper_int32_zero"] = wrappers_pb2.Int32Value(value=0)
    cases["field_mask"] = field_mask_pb2.FieldMask(paths=["a.b", "c"])
    anyv = any_pb2.Any()
    anyv.Pack(timestamp_pb2.Timestamp(seconds=1), deterministic=True)
    cases["any_timestamp"] = anyv

    br = details.BadRequest()
    br.field_violations.add(field="name", description="must not be empty")
    br.field_violations.add(field="steps[2].timeout", description="too long", reason="TOO_LONG",
                            localized_message=details.LocalizedMessage(locale="en-US", message="Too long"))
    st = status.Status(code=3, message="invalid workflow")
    st.details.add().Pack(br, deterministic=True)
    st.details.add().Pack(details.ErrorInfo(reason="BAD", domain="spindle.dev", metadata={"k2": "v2", "k1": "v1"}), deterministic=True)
    st.details.add().Pack(details.RetryInfo(retry_delay=duration_pb2.Duration(seconds=2, nanos=5)), deterministic=True)
    st.details.add().Pack(details.ResourceInfo(resource_type="workflow", resource_name="w1", owner="o", description="d"), deterministic=True)
    pf = details.PreconditionFailure()
    pf.violations.add(type="STATE", subject="run/1", description="not running")
    st.details.add().Pack(pf, deterministic=True)
    cases["status_bad_request"] = st
    cases["error_info"] = details.ErrorInfo(reason="QUOTA", domain="d", metadata={"b": "2", "a": "1"})

    cases["health_request"] = health.HealthCheckRequest(service="grpc.health.v1.Health")
    cases["health_response_serving"] = health.HealthCheckResponse(status=health.HealthCheckResponse.SERVING)
    cases["health_response_unknown_value"] = health.HealthCheckResponse(status=17)

    cases["reflection_list_services"] = refl.ServerReflectionRequest(host="localhost", list_services="")
    cases["reflection_file_by_filename"] = refl.ServerReflectionRequest(file_by_filename="grpc/health/v1/health.proto")
    cases["reflection_containing_symbol"] = refl.ServerReflectionRequest(file_containing_symbol="grpc.testing.TestService")
    cases["reflection_containing_extension"] = refl.ServerReflectionRequest(
        file_containing_extension=refl.ExtensionRequest(containing_type="T", extension_number=5))
    resp = refl.ServerReflectionResponse(valid_host="h", original_request=refl.ServerReflectionRequest(list_services="*"))
    resp.list_services_response.service.add(name="grpc.health.v1.Health")
    resp.list_services_response.service.add(name="grpc.reflection.v1.ServerReflection")
    cases["reflection_response_services"] = resp
    cases["reflection_response_files"] = refl.ServerReflectionResponse(
        file_descriptor_response=refl.FileDescriptorResponse(file_descriptor_proto=[b"\x0a\x01a", b""]))
    cases["reflection_response_error"] = refl.ServerReflectionResponse(
        error_response=refl.ErrorResponse(error_code=5, error_message="not found"))

    sr = msgs.SimpleRequest(response_type=0, response_size=314159, fill_username=True, fill_oauth_scope=True,
                            fill_server_id=True, fill_grpclb_route_type=True)
    sr.payload.body = b"\x00" * 271828
    sr.response_compressed.value = True
    sr.response_status.code = 2
    sr.response_status.message = "test status message"
    sr.expect_compressed.CopyFrom(msgs.BoolValue())
    sr.orca_per_query_report.cpu_utilization = 0.5
    sr.orca_per_query_report.request_cost["b"] = 2.0
    sr.orca_per_query_report.request_cost["a"] = 1.0
    cases["simple_request"] = sr
    cases["simple_response"] = msgs.SimpleResponse(payload=msgs.Payload(body=b"abc"), username="u", oauth_scope="s",
                                                   server_id="srv", grpclb_route_type=2, hostname="host")
    so = msgs.StreamingOutputCallRequest(payload=msgs.Payload(body=b"\x01" * 10))
    for size in (31415, 9, 2653, 58979):
        so.response_parameters.add(size=size, interval_us=10)
    so.response_parameters[0].compressed.value = True
    cases["streaming_output_call_request"] = so
    lb = msgs.LoadBalancerStatsResponse(num_failures=3)
    lb.rpcs_by_peer["peer-b"] = 2
    lb.rpcs_by_peer["peer-a"] = 1
    lb.rpcs_by_method["UnaryCall"].rpcs_by_peer["p"] = 4
    lb.rpcs_by_method["EmptyCall"].CopyFrom(msgs.LoadBalancerStatsResponse.RpcsByPeer())
    cases["lb_stats_response"] = lb
    acc = msgs.LoadBalancerAccumulatedStatsResponse()
    acc.stats_per_method["UNARY_CALL"].result[0] = 10
    acc.stats_per_method["UNARY_CALL"].result[-4] = 1
    acc.stats_per_method["UNARY_CALL"].rpcs_started = 11
    cases["lb_accumulated_stats"] = acc
    cc = msgs.ClientConfigureRequest(types=[0, 1], timeout_sec=5)
    cc.metadata.add(type=1, key="k", value="v")
    cases["client_configure_request"] = cc
    cases["reconnect_info"] = msgs.ReconnectInfo(passed=True, backoff_ms=[100, 200, 400])
    cases["memory_size"] = msgs.MemorySize(rss=2**40)

    spindle_v1_cases(cases)
    spindle_v1_run_cases(cases)
    spindle_v1_worker_cases(cases)

    # --- Non-canonical inputs -------------------------------------------------------------
    nested = at.AllTypes.Nested
    noncanon["noncanon_unpacked_repeated"] = (
        tag(35, 0) + varint(-1) + tag(35, 0) + varint(300) + tag(44, 0) + varint(zz(-64)) +
        tag(31, 1) + struct.pack("<d", 1.5) + tag(37, 5) + struct.pack("<I", 9) + tag(38, 0) + varint(1), at.AllTypes)
    noncanon["noncanon_packed_where_unpacked"] = (
        ld(48, varint(1) + varint(-2)) + ld(49, varint(zz(-3)) + varint(zz(3))), at.AllTypes)
    noncanon["noncanon_mixed_packing"] = (
        tag(35, 0) + varint(1) + ld(35, varint(2) + varint(3)) + tag(35, 0) + varint(4), at.AllTypes)
    noncanon["noncanon_out_of_order"] = (
        ld(9, b"last field first") + tag(5, 0) + varint(5) + tag(1, 1) + struct.pack("<d", 2.0) +
        ld(17, tag(2, 2) + varint(1) + b"b" + tag(1, 0) + varint(1)), at.AllTypes)
    noncanon["noncanon_duplicate_scalar"] = (
        tag(5, 0) + varint(1) + ld(9, b"first") + tag(5, 0) + varint(2) + ld(9, b"second") +
        tag(16, 0) + varint(1) + tag(16, 0) + varint(2), at.AllTypes)
    noncanon["noncanon_duplicate_message_merges"] = (
        ld(17, tag(1, 0) + varint(1) + ld(3, varint(1))) + ld(17, ld(2, b"x") + ld(3, varint(2))) +
        ld(62, tag(1, 0) + varint(7)) + ld(62, ld(2, b"y")), at.AllTypes)
    noncanon["noncanon_oneof_last_arm_wins"] = (
        tag(60, 0) + varint(5) + ld(61, b"s") + ld(62, tag(1, 0) + varint(1)) + tag(63, 0) + varint(2), at.AllTypes)
    noncanon["noncanon_map_entries"] = (
        ld(50, ld(1, b"k") + tag(2, 0) + varint(1)) + ld(50, tag(2, 0) + varint(2) + ld(1, b"k")) +
        ld(50, ld(1, b"nokey")[0:0] + tag(2, 0) + varint(3)) + ld(50, ld(1, b"novalue")) +
        ld(52, tag(1, 0) + varint(1) + ld(2, tag(1, 0) + varint(9)) + tag(99, 0) + varint(1)), at.AllTypes)
    unknown = (tag(1000, 0) + varint(2**64 - 1) + tag(1001, 1) + b"\x01" * 8 + ld(1002, b"\xff\x00junk") +
               tag(1003, 3) + tag(1, 0) + varint(1) + tag(2, 3) + ld(3, b"in group") + tag(2, 4) + tag(1003, 4) +
               tag(1005, 5) + b"\x02" * 4 + tag(2**29 - 1, 0) + varint(0))
    noncanon["noncanon_unknown_fields"] = (unknown + tag(1, 0) + varint(42) + unknown + ld(2, b"kept") + unknown, nested)
    noncanon["noncanon_unknown_fields_nested"] = (ld(17, unknown + tag(1, 0) + varint(3)) + unknown, at.AllTypes)
    noncanon["noncanon_long_varints"] = (
        tag(5, 0) + b"\x81\x80\x80\x80\x00" + tag(8, 0) + b"\x80\x01" + tag(11, 0) + b"\xff\xff\xff\xff\x7f" +
        tag(5, 0) + b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", at.AllTypes)
    noncanon["noncanon_int32_truncation"] = (tag(5, 0) + varint(2**32 + 7) + tag(11, 0) + varint(2**40 + 1), at.AllTypes)
    noncanon["noncanon_watch_runs_last_arm_wins"] = (
        ld(1, ld(1, b"run_a")) + tag(4, 0) + varint(1) + ld(2, ld(1, b"run_b")) + ld(2, tag(5, 0) + varint(2)) +
        ld(3, b"tok"), mod("spindle.v1.run_service_pb2").WatchRunsResponse)
    noncanon["noncanon_status_unknown"] = (
        ld(3, ld(1, b"type.googleapis.com/x") + tag(7, 0) + varint(1)) + tag(1, 0) + varint(5) + unknown,
        status.Status)

    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".bin") or f == "manifest.txt":
            os.remove(os.path.join(OUT, f))
    manifest = []
    for name in sorted(cases):
        msg = cases[name]
        data = msg.SerializeToString(deterministic=True)
        back = type(msg).FromString(data)
        assert back.SerializeToString(deterministic=True) == data, name
        write(name + ".bin", data)
        manifest.append("%s %s" % (name, msg.DESCRIPTOR.full_name))
    for name in sorted(noncanon):
        data, cls = noncanon[name]
        msg = cls.FromString(data)
        msg.DiscardUnknownFields()
        write(name + ".bin", data)
        write(name + ".expected.bin", msg.SerializeToString(deterministic=True))
        manifest.append("%s %s" % (name, cls.DESCRIPTOR.full_name))
    write("manifest.txt", ("\n".join(manifest) + "\n").encode())


def spindle_v1_cases(cases):
    """spindle.v1: a Workflow with every field set, each oneof arm, wrapper presence (set
    to zero as well), every enum, an upload chunk and a diff. Mirrored in SpindleV1GoldenTests."""
    wf = mod("spindle.v1.workflow_pb2")
    svc = mod("spindle.v1.workflow_service_pb2")
    from google.protobuf import duration_pb2, field_mask_pb2, struct_pb2, timestamp_pb2, wrappers_pb2

    fetch = wf.Step(id="fetch", name="Fetch data", type="http_request",
                    config=obj({"method": "GET", "url": "https://api.example.com/data", "outputs": ["body", "status"]}),
                    retry=wf.RetryPolicy(max_attempts=3, initial_backoff=duration_pb2.Duration(nanos=500000000),
                                         max_backoff=duration_pb2.Duration(seconds=30),
                                         backoff_multiplier=wrappers_pb2.DoubleValue(value=2.0),
                                         retryable_errors=["UNAVAILABLE", "DEADLINE_EXCEEDED"]),
                    timeout=duration_pb2.Duration(seconds=10),
                    fallback=wf.Fallback(type="http_request", config=obj({"url": "https://mirror.example.com/data"})))
    shape = wf.Step(id="shape", type="transform", config=obj({"expression": "body.items"}), depends_on=["fetch"])
    shape.input_mappings.add(from_step="fetch", from_field="body.items.0.id", to_field="first_id", transform="upper(x)")
    shape.input_mappings.add(from_step="fetch", from_field="status", to_field="code")
    notify = wf.Step(id="notify", type="webhook", config=obj({"url": "https://hooks.example.com/x"}),
                     depends_on=["shape"], retry=wf.RetryPolicy(backoff_multiplier=wrappers_pb2.DoubleValue()))
    definition = wf.WorkflowDefinition(steps=[fetch, shape, notify], step_order=["fetch", "shape", "notify"])
    w = wf.Workflow(id="wf_01JD8X3K5ZQ8V4N2M6P7R9T0AB", tenant_id="acme", name="Fetch and notify",
                    description="Fetches, reshapes, posts.", tags=["etl", "notifications"],
                    status=wf.WORKFLOW_STATUS_ACTIVE, trigger_type=wf.TRIGGER_TYPE_SCHEDULE,
                    kind=wf.WORKFLOW_KIND_AGENT, config=obj({"concurrency": 4.0, "region": "eu"}),
                    webhook_url="https://hooks.example.com/done",
                    origin=wf.Origin(instance="api-prod", zone="eu-west-1", reference="ticket-42"),
                    test_inputs=[obj({"city": "Paris"}), obj({})], definition=definition,
                    created_at=timestamp_pb2.Timestamp(seconds=1767225600, nanos=1000),
                    updated_at=timestamp_pb2.Timestamp(seconds=1767229200),
                    current_version=3, etag="W/\"3-a1b2\"", deleted=True,
                    deleted_at=timestamp_pb2.Timestamp(seconds=1767232800),
                    started_run_id="run_01JD8X3K5ZQ8V4N2M6P7R9T0AB")
    w.inputs.add(name="city", type=wf.INPUT_TYPE_STRING, required=True, description="Where")
    w.inputs.add(name="limit", type=wf.INPUT_TYPE_INTEGER, default_value=struct_pb2.Value(number_value=10))
    w.inputs.add(name="dataset", type=wf.INPUT_TYPE_FILE, default_value=struct_pb2.Value(null_value=0))
    cases["spindle_v1_workflow_full"] = w
    cases["spindle_v1_workflow_unknown_enums"] = wf.Workflow(status=99, trigger_type=-1, kind=7)
    cases["spindle_v1_retry_multiplier_unset"] = wf.RetryPolicy(max_attempts=1)
    cases["spindle_v1_retry_multiplier_zero"] = wf.RetryPolicy(backoff_multiplier=wrappers_pb2.DoubleValue())

    cases["spindle_v1_create_request"] = svc.CreateWorkflowRequest(
        workflow=wf.Workflow(name="Fetch and notify", trigger_type=wf.TRIGGER_TYPE_MANUAL, definition=definition),
        request_id="req-7", start=True, start_inputs=obj({"city": "Paris", "dry_run": True}))
    cases["spindle_v1_list_request"] = svc.ListWorkflowsRequest(
        page_size=200, page_token="opaque==", status=wf.WORKFLOW_STATUS_PAUSED, tag="etl",
        trigger_type=wf.TRIGGER_TYPE_WEBHOOK, name_contains="fetch", include_deleted=True)
    cases["spindle_v1_update_request"] = svc.UpdateWorkflowRequest(
        workflow_id="wf_1", definition=wf.WorkflowDefinition(steps=[notify]), change_summary="Only notify",
        metadata=wf.Workflow(name="Renamed", kind=wf.WORKFLOW_KIND_CHATBOT),
        update_mask=field_mask_pb2.FieldMask(paths=["name", "kind"]), expected_etag="e1")
    cases["spindle_v1_set_status_request"] = svc.SetWorkflowStatusRequest(
        workflow_id="wf_1", status=wf.WORKFLOW_STATUS_ARCHIVED, expected_etag="e2")
    cases["spindle_v1_validate_request_definition"] = svc.ValidateWorkflowRequest(
        definition=wf.WorkflowDefinition(), inputs=[wf.InputDeclaration(name="", type=wf.INPUT_TYPE_OBJECT)])
    cases["spindle_v1_validate_request_workflow_id_empty"] = svc.ValidateWorkflowRequest(workflow_id="")
    vr = svc.ValidateWorkflowResponse(valid=False)
    for code in sorted(v for v in wf.ValidationCode.values() if v):
        vr.errors.add(step_id="s%d" % code, field="steps[%d].config.url" % code, code=code,
                      message=wf.ValidationCode.Name(code))
    vr.errors.add(step_id="a", field="steps[a].depends_on[0]", code=wf.VALIDATION_CODE_CYCLE, message="a -> b -> a")
    cases["spindle_v1_validate_response"] = vr
    cases["spindle_v1_purge_response"] = svc.PurgeWorkflowResponse(
        workflow_id="wf_1", versions_removed=4, files_removed=2, bytes_removed=5000000000,
        runs_removed=70000, schedules_removed=3, runs_canceled=2)
    cases["spindle_v1_remove_step_request"] = svc.RemoveStepRequest(
        workflow_id="wf_1", step_id="fetch", cascade=True, change_summary="drop fetch", expected_etag="e3")
    cases["spindle_v1_remove_step_response"] = svc.RemoveStepResponse(
        workflow=wf.Workflow(id="wf_1", current_version=4), removed_step_ids=["fetch", "shape", "notify"])
    cases["spindle_v1_output_variables"] = svc.GetOutputVariablesResponse(variables=[
        wf.OutputVariable(step_id="notify", variable="output", name="notify-output"),
        wf.OutputVariable(step_id="sum", variable="text", name="sum-text")])
    cases["spindle_v1_list_versions_response"] = svc.ListVersionsResponse(versions=[
        wf.WorkflowVersion(number=2, change_summary="Fixed URL", definition_hash="ab" * 32,
                           created_at=timestamp_pb2.Timestamp(seconds=1767229200)),
        wf.WorkflowVersion(number=1, change_summary="Initial version", definition_hash="0" * 64)],
        next_page_token="v1")
    cases["spindle_v1_version"] = wf.WorkflowVersion(number=1, definition=definition)
    cases["spindle_v1_diff_response"] = svc.DiffVersionsResponse(operations=[
        wf.PatchOperation(op="add", path="/steps/2", value=struct_pb2.Value(struct_value=obj(
            {"id": "notify", "type": "webhook", "dependsOn": ["shape"]}))),
        wf.PatchOperation(op="replace", path="/steps/0/config/url",
                          value=struct_pb2.Value(string_value="https://new-url.com")),
        wf.PatchOperation(op="remove", path="/stepOrder"),
        wf.PatchOperation(op="move", path="/steps/1", **{"from": "/steps/0"}),
        wf.PatchOperation(op="test", path="/steps/0/retry/maxAttempts", value=struct_pb2.Value(number_value=3))],
        summary="Added 1 step, modified 1 step", from_version=1, to_version=2)
    cases["spindle_v1_rollback_request"] = svc.RollbackWorkflowRequest(
        workflow_id="wf_1", to_version=1, change_summary="Rollback to version 1", expected_etag="e4")
    cases["spindle_v1_template"] = wf.Template(
        id="http-fetch-transform", name="Fetch and transform", description="GET a URL, reshape the body",
        definition=wf.WorkflowDefinition(steps=[fetch, shape]),
        inputs=[wf.InputDeclaration(name="url", type=wf.INPUT_TYPE_STRING, required=True)], tags=["http"])
    cases["spindle_v1_save_as_template_request"] = svc.SaveAsTemplateRequest(
        workflow_id="wf_1", template_id="my-etl", name="My ETL", description="d", tags=["a", "b"])
    cases["spindle_v1_upload_metadata"] = svc.UploadFilesRequest(metadata=svc.UploadFileMetadata(
        workflow_id="wf_1", step_id="fetch", file_name="cases.csv", content_type="text/csv",
        purpose=wf.FILE_PURPOSE_DATASET))
    cases["spindle_v1_upload_metadata_step_empty"] = svc.UploadFilesRequest(metadata=svc.UploadFileMetadata(
        workflow_id="wf_1", step_id="", file_name="t.bin", purpose=wf.FILE_PURPOSE_TEST_FILE))
    cases["spindle_v1_upload_chunk"] = svc.UploadFilesRequest(chunk=bytes(range(256)) * 4)
    cases["spindle_v1_upload_chunk_empty"] = svc.UploadFilesRequest(chunk=b"")
    cases["spindle_v1_upload_response"] = svc.UploadFilesResponse(
        file_id="file_01JD8X3K5ZQ8V4N2M6P7R9T0AB", size=1024,
        sha256="785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9")



def spindle_v1_run_cases(cases):
    """spindle.v1 runs: a Run, RunEvent, PauseRecord, Schedule and BatchRun with every field
    set, every value of each run enum, every RunService request and response, a column
    mapping, and each arm of WatchRunsResponse.item (snapshot_end false as well). Mirrored in
    SpindleV1RunGoldenTests.swift."""
    run = mod("spindle.v1.run_pb2")
    svc = mod("spindle.v1.run_service_pb2")
    from google.protobuf import struct_pb2, timestamp_pb2

    def ts(seconds, nanos=0):
        return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)

    err = run.StepError(code="HTTP_STATUS", message="GET https://api.example.com/data: 503")
    fetch = run.StepRun(
        step_id="fetch", type="http_request", status=run.STEP_STATUS_RETRYING, attempts=2,
        input=struct_pb2.Value(struct_value=obj({"url": "https://api.example.com/data"})),
        output=struct_pb2.Value(list_value=struct_pb2.ListValue(values=[
            struct_pb2.Value(number_value=503), struct_pb2.Value(bool_value=False)])),
        error=err, started_at=ts(1767225600, 500), finished_at=ts(1767225601), next_attempt_at=ts(1767225603),
        used_fallback=True, child_run_id="run_01JD8X3K5ZQ8V4N2M6P7R9T0CH", wake_at=ts(1767229200))
    full = run.Run(
        id="run_01JD8X3K5ZQ8V4N2M6P7R9T0AB", tenant_id="acme", workflow_id="wf_01JD8X3K5ZQ8V4N2M6P7R9T0AB",
        workflow_version=3, status=run.RUN_STATUS_PAUSED, trigger=run.RUN_TRIGGER_SUBWORKFLOW,
        inputs=obj({"city": "Paris", "limit": 10.0}), outputs=obj({"notify": {"sent": True}}),
        steps=[fetch] + [run.StepRun(step_id="s%d" % n, type="noop", status=n) for n in range(9)],
        progress_percent=40, current_steps=["fetch", "approve"],
        error=run.StepError(code="CHILD_FAILED", message="child run failed"),
        created_at=ts(1767225500), started_at=ts(1767225600, 1000), finished_at=ts(1767232800),
        updated_at=ts(1767232800, 999999999), parent_run_id="run_01JD8X3K5ZQ8V4N2M6P7R9T0PA",
        parent_step_id="sub", idempotency_key="idem-1", schedule_id="sch_1", batch_id="bat_1", batch_row=2**40,
        pause=run.PauseInfo(step_id="approve", message="Approve the refund?", paused_at=ts(1767229200)),
        last_seq=2**63 + 5)
    cases["spindle_v1_run_full"] = full
    cases["spindle_v1_run_unknown_enums"] = run.Run(
        status=99, trigger=-3, steps=[run.StepRun(status=42)], error=run.StepError())

    record = run.PauseRecord(
        run_id="run_1", step_id="approve", paused_at=ts(1767229200), action=run.PAUSE_ACTION_OVERRIDE,
        user_id="u_42", comment="looks fine", inputs=obj({"amount": 12.5}),
        output=struct_pb2.Value(string_value="overridden"), decided_at=ts(1767229260))
    event = run.RunEvent(
        run_id="run_1", seq=2**64 - 1, time=ts(1767229260, 7), type=run.RUN_EVENT_TYPE_PAUSE_ACTION,
        workflow_id="wf_1", step_id="approve", attempt=3, output=struct_pb2.Value(null_value=0), error=err,
        run_status=run.RUN_STATUS_RUNNING, next_attempt_at=ts(1767229300), pause_action=record)
    cases["spindle_v1_run_event_full"] = event
    history = svc.GetPauseHistoryResponse(records=[record])
    for n in range(4):
        history.records.add(run_id="run_1", step_id="s%d" % n, action=n)
    cases["spindle_v1_pause_history_response"] = history

    schedule = run.Schedule(
        id="sch_01JD8X3K5ZQ8V4N2M6P7R9T0AB", workflow_id="wf_1", cron="*/15 9-17 * JAN-MAR MON-FRI",
        time_zone="Europe/Paris", inputs=obj({"report": "daily"}), paused=True,
        catch_up=run.CATCH_UP_POLICY_ALL, next_run_at=ts(1767258000), last_run_at=ts(1767257100),
        last_run_id="run_2", created_at=ts(1767225600), paused_at=ts(1767257400))
    cases["spindle_v1_list_schedules_response"] = svc.ListSchedulesResponse(
        schedules=[schedule] + [run.Schedule(id="sch_%d" % n, cron="@daily", catch_up=n) for n in range(4)])

    batch = run.BatchRun(
        id="bat_01JD8X3K5ZQ8V4N2M6P7R9T0AB", workflow_id="wf_1", file_id="file_1", status=run.BATCH_STATUS_COMPLETED,
        total_rows=7, completed_rows=6, failed_rows=1,
        rows=[run.BatchRow(row=n, run_id="run_r%d" % n, status=n) for n in range(7)],
        output_file_id="file_2", created_at=ts(1767225600), finished_at=ts(1767229200))
    batch.rows[5].error.CopyFrom(err)
    cases["spindle_v1_batch_run"] = batch

    runs = svc.ListRunsResponse(next_page_token="p2")
    for n in range(7):
        runs.runs.add(id="run_s%d" % n, status=n)
    for n in range(6):
        runs.runs.add(id="run_t%d" % n, trigger=n)
    cases["spindle_v1_list_runs_response"] = runs
    cases["spindle_v1_list_paused_runs_response"] = svc.ListPausedRunsResponse(runs=[full], next_page_token="")

    inputs = obj({"city": "Paris", "tags": ["a", "b"], "deep": {"x": None}})
    cases["spindle_v1_run_workflow_request"] = svc.RunWorkflowRequest(workflow_id="wf_1", inputs=inputs, version=2)
    cases["spindle_v1_start_run_request"] = svc.StartRunRequest(
        workflow_id="wf_1", inputs=inputs, version=-1, idempotency_key="idem-\u2713")
    cases["spindle_v1_run_partial_request"] = svc.RunPartialRequest(
        workflow_id="wf_1", inputs=obj({}), version=3, from_step_id="shape",
        step_outputs=obj({"fetch": {"body": {"items": [1.0, 2.0]}, "status": 200.0}}))
    sb = svc.StartBatchRunRequest(workflow_id="wf_1", file_id="file_1", mini_batch_size=1000, version=4)
    for k, v in {"limit": "max rows", "city": "City", "": "empty key", "\u00e9": "", "a": "a"}.items():
        sb.column_mapping[k] = v
    cases["spindle_v1_start_batch_run_request"] = sb
    cases["spindle_v1_get_batch_run_request"] = svc.GetBatchRunRequest(batch_id="bat_1")
    cases["spindle_v1_download_file_request"] = svc.DownloadFileRequest(file_id="file_2")
    cases["spindle_v1_download_file_first"] = svc.DownloadFileResponse(
        chunk=bytes(range(256)) * 2, size=2**33,
        sha256="785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9")
    cases["spindle_v1_download_file_chunk"] = svc.DownloadFileResponse(chunk=b"\x00")
    cases["spindle_v1_list_runs_request"] = svc.ListRunsRequest(
        page_size=200, page_token="opaque==", workflow_id="wf_1", status=run.RUN_STATUS_FAILED)
    cases["spindle_v1_get_run_request"] = svc.GetRunRequest(run_id="run_1")
    cases["spindle_v1_cancel_run_request"] = svc.CancelRunRequest(run_id="run_1", reason="operator: stuck")
    cases["spindle_v1_delete_run_request"] = svc.DeleteRunRequest(run_id="run_1")
    cases["spindle_v1_delete_run_response"] = svc.DeleteRunResponse(run_id="run_1", events_removed=2**35)
    cases["spindle_v1_resume_run_request"] = svc.ResumeRunRequest(run_id="run_1", from_step_id="shape")
    cases["spindle_v1_list_paused_runs_request"] = svc.ListPausedRunsRequest(
        workflow_id="wf_1", page_size=10, page_token="t")
    cases["spindle_v1_get_pause_history_request"] = svc.GetPauseHistoryRequest(run_id="run_1")
    cases["spindle_v1_process_pause_action_request"] = svc.ProcessPauseActionRequest(
        run_id="run_1", step_id="approve", action=run.PAUSE_ACTION_APPROVE, user_id="u_42", comment="ok",
        inputs=obj({"approved_by": "u_42"}), output=struct_pb2.Value(struct_value=obj({"amount": 12.5})))
    cases["spindle_v1_create_schedule_request"] = svc.CreateScheduleRequest(
        workflow_id="wf_1", cron="@hourly", time_zone="America/New_York", inputs=obj({"n": 1.0}),
        catch_up=run.CATCH_UP_POLICY_SKIP)
    cases["spindle_v1_list_schedules_request"] = svc.ListSchedulesRequest(workflow_id="wf_1")
    cases["spindle_v1_pause_schedule_request"] = svc.PauseScheduleRequest(schedule_id="sch_1", paused=True)
    cases["spindle_v1_delete_schedule_request"] = svc.DeleteScheduleRequest(schedule_id="sch_1")
    cases["spindle_v1_delete_schedule_response"] = svc.DeleteScheduleResponse(schedule_id="sch_1")
    cases["spindle_v1_watch_run_request"] = svc.WatchRunRequest(run_id="run_1", after_seq=2**64 - 2)
    cases["spindle_v1_watch_runs_request"] = svc.WatchRunsRequest(
        workflow_id="wf_1", status=run.RUN_STATUS_PAUSED, resume_token="tok-7")
    cases["spindle_v1_watch_runs_event"] = svc.WatchRunsResponse(event=event, resume_token="tok-8")
    cases["spindle_v1_watch_runs_event_empty"] = svc.WatchRunsResponse(event=run.RunEvent())
    cases["spindle_v1_watch_runs_run"] = svc.WatchRunsResponse(
        run=run.Run(id="run_1", status=run.RUN_STATUS_RUNNING), resume_token="tok-snap-1")
    cases["spindle_v1_watch_runs_snapshot_end"] = svc.WatchRunsResponse(snapshot_end=True, resume_token="tok-snap-end")
    cases["spindle_v1_watch_runs_snapshot_end_false"] = svc.WatchRunsResponse(snapshot_end=False)


def spindle_v1_worker_cases(cases):
    """spindle.v1 workers: each arm of WorkerMessage.kind and ServerMessage.kind with every
    field set, the queue reads, and a run event's TaskNote. Mirrored in
    SpindleV1WorkerGoldenTests.swift."""
    w = mod("spindle.v1.worker_service_pb2")
    run = mod("spindle.v1.run_pb2")
    from google.protobuf import struct_pb2, timestamp_pb2
    cases["spindle_v1_worker_hello"] = w.WorkerMessage(hello=w.WorkerHello(
        worker_id="py-1", queues=["images", "video"], max_concurrent=8, labels={"zone": "eu", "gpu": "no"},
        credits=8, held=[w.HeldTask(task_id="run_1/resize/2", attempt=2, lease_id="b1-7")]))
    cases["spindle_v1_worker_credit"] = w.WorkerMessage(credit=w.WorkerCredit(credits=3))
    cases["spindle_v1_worker_heartbeat"] = w.WorkerMessage(heartbeat=w.TaskHeartbeat(
        task_id="run_1/resize/2", attempt=2, details=struct_pb2.Value(struct_value=obj({"done": 0.5}))))
    cases["spindle_v1_worker_result"] = w.WorkerMessage(result=w.TaskResult(
        task_id="run_1/resize/2", attempt=2, output=struct_pb2.Value(string_value="ok")))
    cases["spindle_v1_worker_failure"] = w.WorkerMessage(failure=w.TaskFailure(
        task_id="run_1/resize/2", attempt=2, code="BAD_INPUT", message="no such image", retryable=True,
        details=struct_pb2.Value(number_value=404)))
    cases["spindle_v1_server_welcome"] = w.ServerMessage(welcome=w.WorkerWelcome(
        session_id="b1-3", kept_task_ids=["run_1/resize/2"]))
    cases["spindle_v1_server_task"] = w.ServerMessage(task=w.Task(
        task_id="run_1/resize/2", run_id="run_1", workflow_id="wf_1", step_id="resize", attempt=2, queue="images",
        task_type="resize", payload=struct_pb2.Value(struct_value=obj({"w": 640})),
        deadline=timestamp_pb2.Timestamp(seconds=1767225600, nanos=5), heartbeat_timeout_ms=30000, lease_id="b1-8"))
    cases["spindle_v1_server_cancel"] = w.ServerMessage(cancel=w.TaskCancel(
        task_id="run_1/resize/2", attempt=2, reason="run canceled"))
    cases["spindle_v1_server_ack"] = w.ServerMessage(ack=w.TaskAck(
        task_id="run_1/resize/2", attempt=2, accepted=False, reason="attempt 2 is not current"))
    cases["spindle_v1_worker_empty"] = w.WorkerMessage()
    cases["spindle_v1_describe_queue_request"] = w.DescribeQueueRequest(queue="images")
    cases["spindle_v1_list_queues_request"] = w.ListQueuesRequest()
    cases["spindle_v1_list_queues_response"] = w.ListQueuesResponse(queues=[w.QueueInfo(
        name="images", backlog=12, in_flight=3, workers_connected=1, oldest_task_age_ms=250, dispatched_total=1 << 33,
        dispatch_rate_per_s=20.5, workers=[w.WorkerInfo(worker_id="py-1", max_concurrent=8, in_flight=3, credits=5,
                                                        labels={"zone": "eu"})])])
    cases["spindle_v1_run_event_task_note"] = run.RunEvent(
        run_id="run_1", seq=4, type=run.RUN_EVENT_TYPE_TASK_RESULT_REFUSED, step_id="resize", attempt=1,
        task=run.TaskNote(task_id="run_1/resize/1", worker_id="py-1", lease_id="b1-2",
                          details=struct_pb2.Value(bool_value=True), reason="stale"))


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


main()
