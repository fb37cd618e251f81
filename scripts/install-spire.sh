#!/usr/bin/env bash
# Installs the real SPIRE Server and Agent v1.13.3 from the Go module proxy into a cache outside the clone, and
# prints the bin directory. Reuses the cache when both binaries are there, so warm CI runs cost nothing.
# The version is pinned by tools/spire/go.mod and go.sum (its own Go module: Go's version selection must not mix
# SPIRE's dependencies with anything else's).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version="v1.13.3"
cache="${SPIFFE4J_CACHE:-$HOME/.cache/spiffe4j}/spire-$version"
bin="$cache/bin"

if [ -x "$bin/spire-server" ] && [ -x "$bin/spire-agent" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "install-spire: Go is required to build SPIRE $version (cgo too)" >&2; exit 1; }
command -v gcc >/dev/null || { echo "install-spire: a C compiler is required (SPIRE's sqlite driver uses cgo)" >&2; exit 1; }

mkdir -p "$cache"
tmp="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "install-spire: building SPIRE $version into $bin (a cold build takes 15-30 minutes on 2 cores)" >&2
(cd "$here/tools/spire" && CGO_ENABLED=1 GOFLAGS=-mod=readonly GOBIN="$tmp" \
  go install -ldflags='-s -w' github.com/spiffe/spire/cmd/spire-server github.com/spiffe/spire/cmd/spire-agent) >&2
"$tmp/spire-server" --version 2>&1 | grep -q "${version#v}" \
  || { echo "install-spire: built spire-server does not report $version" >&2; exit 1; }
mkdir -p "$bin"
# Move into place only when both are complete, so an interrupted build never leaves a half install.
mv "$tmp/spire-server" "$tmp/spire-agent" "$bin/"
echo "$bin"
