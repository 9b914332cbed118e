#!/usr/bin/env bash
# Installs the LiveKit server that the LiveKit tests and `npm run bench -- livekit` run (`livekit-server --dev` on
# 127.0.0.1). It is a Go program, built from the Go module proxy at a pinned release: v1.13.5 is the newest tag whose
# go.mod has no `replace` directives (v1.13.8 to v1.13.11 replace pion's webrtc/dtls/ice with LiveKit's forks, which
# `go install module@tag` refuses). The build takes about two minutes the first time; the Go module cache keeps it.
# Usage: deploy/livekit/install-livekit-server.sh [DEST_DIR]   (default /usr/local/bin; does nothing when the pinned
# version is already there)
set -euo pipefail

DEST="${1:-/usr/local/bin}"
VERSION='1.13.5'

if [ -x "$DEST/livekit-server" ] && "$DEST/livekit-server" --version 2>/dev/null | grep -qF "version $VERSION"; then
  "$DEST/livekit-server" --version
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The module's main package is cmd/server, so `go install` names the binary `server`; it is installed as livekit-server.
GOBIN="$work" GOFLAGS=-mod=mod go install "github.com/livekit/livekit-server/cmd/server@v$VERSION"
install -m 0755 "$work/server" "$DEST/livekit-server"
"$DEST/livekit-server" --version
