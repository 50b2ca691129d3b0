#!/usr/bin/env bash
# Installs the system packages the engine needs (OpenBLAS via Debian) when missing.
set -euo pipefail
if pkg-config --exists openblas 2>/dev/null; then
    exit 0
fi
SUDO=""
if [[ "$(id -u)" != "0" ]]; then SUDO="sudo"; fi
echo "Installing libopenblas-dev and pkg-config…" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libopenblas-dev pkg-config >&2
