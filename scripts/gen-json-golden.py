#!/usr/bin/env python3
"""Golden proto3 JSON for the ProtoJSON transcoder tests, from the reference runtime.

For every vector in Tests/MessagesTests/Golden/manifest.txt ("<name> <proto type>"), parses
<name>.bin with the Python stubs in clients/python/spindle_client and writes
google.protobuf.json_format's JSON of it to Tests/ProtoJSONTests/Golden/<name>.json (keys sorted,
so the file is stable). Run with clients/python/.venv/bin/python; scripts/test.sh reruns it and
fails on `git diff`.
"""
import importlib
import json
import os
import pkgutil
import sys

# The pure-Python runtime, as gen-golden.py uses: upb drops a map entry that carries an unknown
# field, where the Swift codec and the pure runtime keep it.
os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SRC = os.path.join(ROOT, "Tests", "MessagesTests", "Golden")
OUT = os.path.join(ROOT, "Tests", "ProtoJSONTests", "Golden")
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))

from google.protobuf import json_format, symbol_database  # noqa: E402

import spindle_client  # noqa: E402

for module in pkgutil.walk_packages(spindle_client.__path__, "spindle_client."):
    if module.name.endswith("_pb2"):
        importlib.import_module(module.name)

db = symbol_database.Default()
os.makedirs(OUT, exist_ok=True)
written = []
for line in open(os.path.join(SRC, "manifest.txt")):
    name, type_name = line.split()
    try:
        cls = db.GetSymbol(type_name)
    except KeyError:
        continue
    message = cls.FromString(open(os.path.join(SRC, name + ".bin"), "rb").read())
    try:
        value = json_format.MessageToDict(message)
    except Exception as e:  # e.g. a Timestamp out of range: not representable in JSON
        value = {"@error": type(e).__name__}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"type": type_name, "json": value}, f, sort_keys=True, indent=1)
        f.write("\n")
    written.append(name)
for stale in os.listdir(OUT):
    if stale.endswith(".json") and stale[:-5] not in written:
        os.remove(os.path.join(OUT, stale))
