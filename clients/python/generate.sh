#!/usr/bin/env bash
# clients/python/generate.sh — regenerate the Python client package spindle_client/ from every
# .proto under proto/ (PROTO_DIR to override) with grpcio-tools' protoc from clients/python/.venv
# (PYTHON to override): *_pb2.py, *_pb2_grpc.py and *.pyi, one Python package per proto directory
# (proto/grpc/testing/test.proto -> spindle_client.grpc.testing.test_pb2).
#
# The generated imports name the proto packages ("from grpc.testing import ..."), which would
# collide with the grpcio package itself; they are rewritten to spindle_client.<pkg>. Well-known
# types (google.protobuf) come from the protobuf runtime and are left alone. Output is
# deterministic: files sorted, fresh tree each run. CI regenerates and fails on `git diff`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PROTO_DIR=$(cd "${PROTO_DIR:-$HERE/../../proto}" && pwd)
PY=${PYTHON:-$HERE/.venv/bin/python}
OUT=$HERE/spindle_client
[ -x "$PY" ] || { echo "generate.sh: no $PY (python3 -m venv .venv && .venv/bin/pip install -r requirements.txt)" >&2; exit 1; }

mapfile -t FILES < <(cd "$PROTO_DIR" && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)
[ ${#FILES[@]} -gt 0 ] || { echo "generate.sh: no .proto files under $PROTO_DIR" >&2; exit 1; }
WKT=$("$PY" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')

TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
(cd "$PROTO_DIR" && "$PY" -m grpc_tools.protoc -I . -I "$WKT" \
  --python_out="$TMP" --pyi_out="$TMP" --grpc_python_out="$TMP" "${FILES[@]}")

# one package per proto directory, and the import rewrite for each of them
mapfile -t PKGDIRS < <(printf '%s\n' "${FILES[@]}" | xargs -n1 dirname | LC_ALL=C sort -u)
SED=()
for d in "${PKGDIRS[@]}"; do
  pkg=${d//\//.}
  SED+=(-e "s/^from ${pkg//./\\.} import /from spindle_client.$pkg import /")
  p=$d
  while [ "$p" != . ]; do touch "$TMP/$p/__init__.py"; p=$(dirname "$p"); done
done
find "$TMP" -name '*.py' -o -name '*.pyi' | while read -r f; do sed -i "${SED[@]}" "$f"; done
cat > "$TMP/__init__.py" <<'PY'
"""Spindle's Python client: stubs generated from proto/ by clients/python/generate.sh.

Do not edit; regenerate. Example:
    from spindle_client.grpc.testing import test_pb2, test_pb2_grpc
"""
PY
rm -rf "$OUT"
mv "$TMP" "$OUT"
trap - EXIT
chmod -R a+rX "$OUT"
echo "generated $OUT from ${#FILES[@]} files in $PROTO_DIR" >&2
