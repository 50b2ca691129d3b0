#!/usr/bin/env bash
# The continuous-batching measurements of README.md: (1) 16 requests in flight against one at a
# time, greedy, speculation on (the shipped head, k = 4); (2) 256 requests through a small KV
# pool (4096 positions: preemptions), outputs compared with solo runs. Prompts: the held-out chat
# set and the first 40 HumanEval problems (see bench_head.sh), repeated to 256 for (2).
#   bash Benchmarks/bench_throughput.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT=${OUT:-$ROOT/Benchmarks/results}
EAGLE=${EAGLE:-$ROOT/.build/release/eagle}
mkdir -p "$OUT"
[[ -f "$OUT/humaneval40.jsonl" ]] || bash "$ROOT/Scripts/humaneval_prompts.sh" "$OUT/humaneval40.jsonl" 40
CHAT="$ROOT/Models/SmolLM2-135M-Instruct-EAGLE3/recipe/prompts/heldout_chat.jsonl"
"$EAGLE" bench --prompts "$CHAT" --num-speculative-tokens 4 --max-tokens 128 --concurrency 16 --json > "$OUT/throughput_chat_c16.json"
mix="$OUT/mixed256.jsonl"
python3 - "$CHAT" "$OUT/humaneval40.jsonl" "$mix" <<'PY'
import sys
lines = [l for f in sys.argv[1:3] for l in open(f) if l.strip()]
open(sys.argv[3], "w").writelines((lines * 4)[:256])
PY
"$EAGLE" bench --prompts "$mix" --num-speculative-tokens 4 --max-tokens 64 --concurrency 64 --max-model-len 1024 --kv-cache-tokens 4096 --json \
  > "$OUT/throughput_mixed256_c64_kv4096.json"
rm -f "$mix"
python3 - "$OUT" <<'PY'
import json, pathlib, sys
for f in sorted(pathlib.Path(sys.argv[1]).glob("throughput_*.json")):
    r = json.loads(f.read_text())
    print(f"{f.stem}: {r['completed']}/{r['num_prompts']} completed, {r['concurrency']} in flight, "
          f"solo {r['solo_output_tokens_per_second']:.1f} tok/s, batched {r['output_tokens_per_second']:.1f} tok/s "
          f"({r['throughput_ratio']:.2f}x), identical {r['outputs_identical']}, preemptions {r['preemptions']}, "
          f"peak KV {100 * r['peak_kv_usage']:.0f} %, mean batch {r['mean_batch_size']:.1f}, "
          f"TTFT p50 {r['p50_ttft_seconds']:.2f} s, ITL p50 {1000 * r['p50_itl_seconds']:.1f} ms")
PY
