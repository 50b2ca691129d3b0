#!/usr/bin/env bash
# The measurements of README.md's speculative-decoding table: the shipped EAGLE-3 head on
# held-out prompts (the first 40 HumanEval problems as raw prompts, and the 40 held-out chat
# prompts of the head's recipe), greedy, 128 new tokens, k = 3, 4, 5; then sampling at
# temperature 0.7 (k = 4). JSON reports go to Benchmarks/results/ (or $OUT).
#   bash Benchmarks/bench_head.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT=${OUT:-$ROOT/Benchmarks/results}
EAGLE=${EAGLE:-$ROOT/.build/release/eagle}
mkdir -p "$OUT"
[[ -f "$OUT/humaneval40.jsonl" ]] || bash "$ROOT/Scripts/humaneval_prompts.sh" "$OUT/humaneval40.jsonl" 40
CHAT="$ROOT/Models/SmolLM2-135M-Instruct-EAGLE3/recipe/prompts/heldout_chat.jsonl"
for k in ${KS:-3 4 5}; do
  "$EAGLE" bench --prompts "$OUT/humaneval40.jsonl" --num-speculative-tokens "$k" --max-tokens 128 --json > "$OUT/humaneval_k$k.json"
  "$EAGLE" bench --prompts "$CHAT" --num-speculative-tokens "$k" --max-tokens 128 --json > "$OUT/chat_k$k.json"
done
"$EAGLE" bench --prompts "$CHAT" --num-speculative-tokens 4 --max-tokens 128 --temperature 0.7 --json > "$OUT/chat_k4_t0.7.json"
[[ -n "${QUICK:-}" ]] || "$EAGLE" bench --prompts "$OUT/humaneval40.jsonl" --num-speculative-tokens 4 --max-tokens 128 --temperature 0.7 --json > "$OUT/humaneval_k4_t0.7.json"
python3 - "$OUT" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
print("| prompts | k | T | mean acceptance length | per-position acceptance | baseline tok/s | speculative tok/s | speedup | outputs identical |")
print("|---|---|---|---|---|---|---|---|---|")
for f in sorted(out.glob("*_k*.json")):
    r = json.loads(f.read_text())
    name, rest = f.stem.split("_k", 1)
    k, _, t = rest.partition("_t")
    pp = " / ".join(f"{x:.2f}" for x in r["per_position_acceptance_rate"])
    print(f"| {name} | {k} | {t or 0} | {r['mean_acceptance_length']:.2f} | {pp} | {r['baseline_tokens_per_second']:.1f} | "
          f"{r['speculative_tokens_per_second']:.1f} | {r['speedup']:.2f}x | {r['outputs_identical']} |")
PY
