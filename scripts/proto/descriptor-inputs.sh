#!/usr/bin/env bash
# The .proto files the descriptor set is built from, one per line, relative to the -I roots:
# everything under proto/, plus the well-known types that Messages implements. The Swift
# staleness test runs this same list, so the two cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd proto && find . -name '*.proto' | sed 's#^\./##' | LC_ALL=C sort)
for wkt in any duration empty field_mask struct timestamp wrappers descriptor; do
    echo "google/protobuf/$wkt.proto"
done
