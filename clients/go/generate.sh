#!/usr/bin/env bash
# clients/go/generate.sh — regenerate the Go stubs in spindlev1/ from proto/spindle/v1 with
# Debian's Go protobuf stack (bookworm), offline:
#   protoc (protobuf-compiler 3.21), protoc-gen-go 1.3.5 (built here from Debian's
#   golang-github-golang-protobuf-1-3-dev source, the runtime grpc-go 1.33.3 is built on),
#   protoc-gen-go-grpc 1.0 (Debian's protoc-gen-go-grpc).
# The well-known types map to the packages Debian ships for that runtime
# (github.com/golang/protobuf/ptypes/..., google.golang.org/genproto/protobuf/field_mask),
# not to protoc's default google.golang.org/protobuf/types/known/... (APIv2, which grpc-go
# 1.33.3 cannot marshal). Deterministic; CI reruns it and fails on `git diff --exit-code`.
#   apt-get install golang-go golang-google-grpc-dev golang-google-genproto-dev \
#     protobuf-compiler protoc-gen-go-grpc
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PROTO=$(cd "$HERE/../../proto" && pwd)
OUT=$HERE/spindlev1
for tool in go protoc protoc-gen-go-grpc; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool not found (see the apt-get line above)" >&2; exit 1; }
done

TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
export GO111MODULE=off GOPATH="$TMP/gopath:/usr/share/gocode" GOCACHE="$TMP/gocache" GOFLAGS=
go build -o "$TMP/protoc-gen-go" github.com/golang/protobuf/protoc-gen-go

M=Mgoogle/protobuf/duration.proto=github.com/golang/protobuf/ptypes/duration
M+=,Mgoogle/protobuf/struct.proto=github.com/golang/protobuf/ptypes/struct
M+=,Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp
M+=,Mgoogle/protobuf/wrappers.proto=github.com/golang/protobuf/ptypes/wrappers
M+=,Mgoogle/protobuf/field_mask.proto=google.golang.org/genproto/protobuf/field_mask
mapfile -t FILES < <(cd "$PROTO" && find spindle/v1 -name '*.proto' | LC_ALL=C sort)
mkdir -p "$TMP/out"
(cd "$PROTO" && protoc -I . -I /usr/include \
  --plugin=protoc-gen-go="$TMP/protoc-gen-go" --go_out="paths=source_relative,$M:$TMP/out" \
  --go-grpc_out="$TMP/out" --go-grpc_opt="paths=source_relative,$M" "${FILES[@]}")
rm -rf "$OUT"
mkdir -p "$OUT"
mv "$TMP"/out/spindle/v1/*.go "$OUT/"
gofmt -l "$OUT" | (! grep .) || { echo "generate.sh: generated code is not gofmt-clean" >&2; exit 1; }
echo "generated $OUT from ${#FILES[@]} files" >&2
