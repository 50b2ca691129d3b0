#!/usr/bin/env bash
# Runs the whole test suite in release mode (the real-model checks need an optimized build).
# Installs OpenBLAS and imports the model first when they are missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash Scripts/install-deps.sh
bash Models/import-smollm2.sh
swift build -c release --build-tests -Xswiftc -enable-testing
swift test -c release --skip-build -Xswiftc -enable-testing
