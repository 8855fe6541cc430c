#!/usr/bin/env bash
# Creates scripts/proto/.venv (git-ignored) with the reference protobuf runtime used by
# gen-golden.py. Pinned so regenerated vectors are byte-identical everywhere.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q grpcio-tools==1.85.1 protobuf==7.36.2
