#!/usr/bin/env bash
# Regenerates the checked-in descriptor artefacts from proto/ (CI reruns this and fails on
# `git diff --exit-code`):
#   Tests/MessagesTests/Golden/descriptors.pb        FileDescriptorSet (protoc --include_imports)
#   Sources/Messages/Generated/EmbeddedDescriptors.swift  per-file descriptor bytes (base64)
# Needs protoc (Debian: protobuf-compiler, which ships the well-known types in /usr/include).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
files=$(scripts/proto/descriptor-inputs.sh)
# shellcheck disable=SC2086
protoc --include_imports --descriptor_set_out=Tests/MessagesTests/Golden/descriptors.pb \
    -I proto -I /usr/include $files
mkdir -p Sources/Messages/Generated
python3 scripts/proto/embed-descriptors.py Tests/MessagesTests/Golden/descriptors.pb \
    > Sources/Messages/Generated/EmbeddedDescriptors.swift
