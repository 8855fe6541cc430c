#!/usr/bin/env bash
# scripts/deps.sh — install what Spindle's build, tests, conformance and bench need on a fresh
# Debian 12 machine (as root). Swift itself is preinstalled at /opt/swift. Idempotent: when
# every package is already installed (dpkg -s), apt is not touched at all, so re-runs take
# well under a second.
#
#   build      libnghttp2-dev libssl-dev zlib1g-dev pkg-config (Package.swift's system libraries)
#   clients    python3-venv protobuf-compiler libprotobuf-dev (well-known types in /usr/include)
#   tests      nghttp2-client (nghttp, h2load) openssl iproute2 (ss) git
#   conformance, the packages ../shared/conformance/tools/build_{go,cpp}_interop.sh install
#              themselves, listed here so one `apt-get install` does it all:
#              golang-go golang-google-grpc-dev golang-google-genproto-dev protoc-gen-go-1-3 protoc-gen-go-grpc g++ make
#              libgrpc++-dev protobuf-compiler-grpc libabsl-dev libre2-dev libc-ares-dev
#              xz-utils (unpacking Debian source tarballs)
#   go client  golang-google-genproto-dev (clients/go: stubs and spindle-demo, built offline)
#   bench      nghttp2-server (nghttpd, the ceiling run) gcc
#   zones      tzdata (/usr/share/zoneinfo: schedules' IANA time zones, and their tests)
#   cli tests  tmux (test_cli.py drives `spindle run watch` in a terminal and reads the screen)
#   dashboard  chromium (headless, driven over its DevTools pipe by tests/test_dashboard.py)
#              fonts-dejavu-core (text in its screenshots)
set -euo pipefail
PKGS=(
  libnghttp2-dev libssl-dev zlib1g-dev pkg-config
  python3-venv protobuf-compiler libprotobuf-dev
  nghttp2-client openssl iproute2 git ca-certificates
  golang-go golang-google-grpc-dev golang-google-genproto-dev protoc-gen-go-1-3 protoc-gen-go-grpc g++ make
  libgrpc++-dev protobuf-compiler-grpc libabsl-dev libre2-dev libc-ares-dev xz-utils
  nghttp2-server gcc
  tzdata
  tmux
  chromium fonts-dejavu-core
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "deps.sh: missing ${missing[*]}; run as root to install them" >&2; exit 1; }
  echo "deps.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
if ! command -v swift > /dev/null && [ ! -x /opt/swift/usr/bin/swift ]; then
  echo "deps.sh: no Swift toolchain (expected at /opt/swift/usr/bin/swift)" >&2
  exit 1
fi
