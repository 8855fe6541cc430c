#!/usr/bin/env bash
# scripts/build-release.sh — builds the release `spindle` (build output on stderr) and prints its
# path. The one way every script and benchmark builds the server users run.
#
# The Swift runtime and Foundation are linked statically: relocating their shared objects at
# start-up dirtied most of an idle server's memory (bench/memory.py: 21.7 MiB idle dynamic,
# 19.0 MiB static). Linking Foundation statically makes the linker print one warning from
# Foundation's own archive (its use of mktemp); it is not in Spindle's code.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO"
swift build -c release --product spindle --static-swift-stdlib >&2
echo "$REPO/.build/release/spindle"
