#!/usr/bin/env bash
# clients/go/build.sh — build clients/go/bin/spindle-demo, spindle-runbench and spindle-wfbench offline, in GOPATH mode against
# Debian's packaged Go libraries in /usr/share/gocode (grpc-go 1.33.3, golang/protobuf
# 1.3.5, genproto): no module proxy needed. The stubs are the checked-in spindlev1/ (run
# generate.sh first after changing proto/).
#   apt-get install golang-go golang-google-grpc-dev golang-google-genproto-dev
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
GP=$HERE/.build-gopath
rm -rf "$GP"
# The import path spindle/clients/go/... is this directory, seen through a GOPATH link.
mkdir -p "$GP/src/spindle/clients" "$HERE/bin"
ln -s "$HERE" "$GP/src/spindle/clients/go"
export GO111MODULE=off GOPATH="$GP:/usr/share/gocode" GOCACHE="$GP/cache" GOFLAGS=
go vet spindle/clients/go/spindlev1 spindle/clients/go/benchkit spindle/clients/go/cmd/spindle-demo spindle/clients/go/cmd/spindle-runbench \
    spindle/clients/go/cmd/spindle-wfbench spindle/clients/go/worker spindle/clients/go/cmd/spindle-worker spindle/clients/go/cmd/spindle-taskbench
go test spindle/clients/go/benchkit
go build -o "$HERE/bin/spindle-demo" spindle/clients/go/cmd/spindle-demo
go build -o "$HERE/bin/spindle-runbench" spindle/clients/go/cmd/spindle-runbench
go build -o "$HERE/bin/spindle-wfbench" spindle/clients/go/cmd/spindle-wfbench
go build -o "$HERE/bin/spindle-worker" spindle/clients/go/cmd/spindle-worker
go build -o "$HERE/bin/spindle-taskbench" spindle/clients/go/cmd/spindle-taskbench
echo "built $HERE/bin/spindle-demo, spindle-runbench, spindle-wfbench, spindle-worker and spindle-taskbench ($(go version | cut -d' ' -f3))" >&2
