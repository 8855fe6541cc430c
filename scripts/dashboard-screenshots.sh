#!/usr/bin/env bash
# scripts/dashboard-screenshots.sh — refreshes docs/dashboard-*.png (linked from the README) by
# running the dashboard's browser tests with SPINDLE_DOCS_SCREENSHOTS=1: the same pages, in the
# same states, that the tests check. Needs the debug build (swift build) and the Python venv.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$REPO"
mkdir -p docs
export SPINDLE_BIN=${SPINDLE_BIN:-$REPO/.build/debug/spindle}
cd clients/python
SPINDLE_DOCS_SCREENSHOTS=1 .venv/bin/python -m pytest -q tests/test_dashboard.py
ls -l "$REPO"/docs/dashboard-*.png
