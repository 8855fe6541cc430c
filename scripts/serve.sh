#!/usr/bin/env bash
# scripts/serve.sh [SERVE FLAGS...] — install what is missing, build the release binary, and run
# `spindle serve` in the foreground (defaults: 127.0.0.1:50051, file storage in ./spindle-data).
# Every argument is passed to `spindle serve`, e.g. ./scripts/serve.sh --port 0 --threads 2
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO"
"$REPO/scripts/deps.sh"
BIN=$("$REPO/scripts/build-release.sh")
exec "$BIN" serve "$@"
