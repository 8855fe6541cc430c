#!/usr/bin/env python3
"""Writes docs/openapi.json: the HTTP/JSON face as OpenAPI 3.0, from proto/ and the route table.

The messages come from the FileDescriptorSet protoc makes of proto/
(Tests/MessagesTests/Golden/descriptors.pb, scripts/proto/gen-descriptors.sh), mapped to JSON
schemas by the proto3 JSON rules the gateway follows (lowerCamelCase names, int64 as strings,
enums as names, well-known types in their JSON forms); the routes come from
Sources/Gateway/RouteTable.swift, the one place they are defined. Leading comments in the
.proto files become descriptions. Run with clients/python/.venv/bin/python; scripts/test.sh
reruns it and fails on `git diff`.
"""
import json
import os
import re
import sys

from google.protobuf import descriptor_pb2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DESCRIPTORS = os.path.join(ROOT, "Tests", "MessagesTests", "Golden", "descriptors.pb")
ROUTES = os.path.join(ROOT, "Sources", "Gateway", "RouteTable.swift")
OUT = os.path.join(ROOT, "docs", "openapi.json")

fds = descriptor_pb2.FileDescriptorSet.FromString(open(DESCRIPTORS, "rb").read())
messages, enums, methods = {}, {}, {}


def collect(prefix, msg):
    name = prefix + msg.name
    messages[name] = msg
    for nested in msg.nested_type:
        collect(name + ".", nested)
    for e in msg.enum_type:
        enums[name + "." + e.name] = e


for f in fds.file:
    prefix = f.package + "." if f.package else ""
    for m in f.message_type:
        collect(prefix, m)
    for e in f.enum_type:
        enums[prefix + e.name] = e
    for s in f.service:
        for m in s.method:
            methods[f"{prefix}{s.name}/{m.name}"] = m

T = descriptor_pb2.FieldDescriptorProto
SCALARS = {
    T.TYPE_DOUBLE: {"type": "number", "format": "double"}, T.TYPE_FLOAT: {"type": "number", "format": "float"},
    T.TYPE_INT32: {"type": "integer", "format": "int32"}, T.TYPE_SINT32: {"type": "integer", "format": "int32"},
    T.TYPE_SFIXED32: {"type": "integer", "format": "int32"}, T.TYPE_UINT32: {"type": "integer", "format": "uint32"},
    T.TYPE_FIXED32: {"type": "integer", "format": "uint32"},
    T.TYPE_INT64: {"type": "string", "format": "int64"}, T.TYPE_SINT64: {"type": "string", "format": "int64"},
    T.TYPE_SFIXED64: {"type": "string", "format": "int64"}, T.TYPE_UINT64: {"type": "string", "format": "uint64"},
    T.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    T.TYPE_BOOL: {"type": "boolean"}, T.TYPE_STRING: {"type": "string"}, T.TYPE_BYTES: {"type": "string", "format": "byte"},
}
WELL_KNOWN = {
    "google.protobuf.Struct": {"type": "object", "additionalProperties": {}},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "example": "1.5s"},
    "google.protobuf.FieldMask": {"type": "string", "example": "name,definition.steps"},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}}, "additionalProperties": {}},
}
for w, t in [("Double", "number"), ("Float", "number"), ("Int64", "string"), ("UInt64", "string"), ("Int32", "integer"),
             ("UInt32", "integer"), ("Bool", "boolean"), ("String", "string"), ("Bytes", "string")]:
    WELL_KNOWN[f"google.protobuf.{w}Value"] = {"type": t, "nullable": True}

used = set()


def ref(type_name):
    name = type_name.lstrip(".")
    if name in WELL_KNOWN:
        return dict(WELL_KNOWN[name])
    used.add(name)
    return {"$ref": "#/components/schemas/" + name}


def field_schema(field):
    if field.type == T.TYPE_MESSAGE:
        entry = messages.get(field.type_name.lstrip("."))
        if entry is not None and entry.options.map_entry:
            return {"type": "object", "additionalProperties": field_schema(entry.field[1])}
        schema = ref(field.type_name)
    elif field.type == T.TYPE_ENUM:
        name = field.type_name.lstrip(".")
        schema = {"type": "string", "enum": [v.name for v in enums[name].value]} if name in enums else {"type": "string"}
        if name == "google.protobuf.NullValue":
            schema = {"nullable": True}
    else:
        schema = dict(SCALARS[field.type])
    if field.label == T.LABEL_REPEATED:
        return {"type": "array", "items": schema}
    return schema


def message_schema(name):
    msg = messages[name]
    return {"type": "object", "properties": {f.json_name: field_schema(f) for f in msg.field}}


route_re = re.compile(r'Route\(method: "(\w+)", template: "([^"]+)", rpc: (\w+) \+ "(\w+)",\s*body: (\.none|\.all|\.field\("(\w+)"\))'
                      r'(?:, kind: \.(\w+))?(?:,\s*created: (true))?\)', re.S)
services = {"workflows": "spindle.v1.WorkflowService", "runs": "spindle.v1.RunService", "workers": "spindle.v1.WorkerService"}
paths = {}
operation_ids = set()
for method, template, svc, rpc, body, body_field, kind, created in route_re.findall(open(ROUTES).read()):
    full = f"{services[svc]}/{rpc}"
    m = methods[full]
    inp, out = m.input_type.lstrip("."), m.output_type.lstrip(".")
    path_vars = re.findall(r"\{(\w+)\}", template)
    in_fields = {f.name: f for f in messages[inp].field}
    params = [{"name": v, "in": "path", "required": True, "schema": field_schema(in_fields[v])} for v in path_vars]
    if body != ".all":
        for f in messages[inp].field:
            if f.name in path_vars or f.name == body_field:
                continue
            if f.type == T.TYPE_MESSAGE and not f.type_name.lstrip(".").startswith("google.protobuf."):
                continue
            params.append({"name": f.name, "in": "query", "required": False, "schema": field_schema(f)})
    if kind == "events":
        params.append({"name": "Last-Event-ID", "in": "header", "required": False, "schema": {"type": "string"},
                       "description": "resume after this event id"})
    operation_id = rpc if rpc not in operation_ids else rpc + "ForWorkflow"
    operation_ids.add(operation_id)
    op = {
        "operationId": operation_id,
        "summary": f"{full} ({'Server-Sent Events' if kind == 'events' else 'JSON'})",
        "tags": [services[svc].split(".")[-1]],
        "security": [{"bearer": []}],
        "parameters": params,
        "responses": {
            ("201" if created else "200"): {"description": "OK", "content": {
                "text/event-stream" if kind == "events" else "application/json": {"schema": ref(out)}}},
            "default": {"description": "error (google.rpc.Status shape)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }
    if body == ".all":
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": ref(inp)}}}
    elif body_field:
        f = in_fields[body_field]
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": field_schema(f)}}}
    paths.setdefault(template, {})[method.lower()] = op

schemas = {"Error": {"type": "object", "properties": {
    "code": {"type": "integer", "description": "the gRPC status code"}, "message": {"type": "string"},
    "details": {"type": "array", "items": WELL_KNOWN["google.protobuf.Any"]}}}}
done = set()
while used - done:
    for name in sorted(used - done):
        done.add(name)
        schemas[name] = message_schema(name)

doc = {
    "openapi": "3.0.3",
    "info": {"title": "Spindle HTTP/JSON API", "version": "v1",
             "description": "Generated by scripts/gen-openapi.py from proto/ and Sources/Gateway/RouteTable.swift. "
                            "Every route calls the gRPC method it names; see README 'HTTP face'."},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                   "schemas": dict(sorted(schemas.items()))},
    "paths": paths,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1, sort_keys=False)
    f.write("\n")
print(f"{OUT}: {sum(len(v) for v in paths.values())} operations, {len(schemas)} schemas", file=sys.stderr)
