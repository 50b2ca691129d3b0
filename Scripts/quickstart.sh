#!/usr/bin/env bash
# Quick start on a fresh machine: installs OpenBLAS when missing, builds `eagle` in release
# mode, and generates text with SmolLM2-135M-Instruct (fetched and imported on first use).
# Usage: Scripts/quickstart.sh [PROMPT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash Scripts/install-deps.sh
swift build -c release --product eagle >&2
exec "$ROOT/.build/release/eagle" generate "${1:-Write a haiku about the sea.}"
