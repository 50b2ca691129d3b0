#!/usr/bin/env bash
# The measurements behind README.md's performance tables, with the shipped EAGLE-3 head.
#   bash Benchmarks/bench_speculation.sh head        held-out prompts, greedy, k = $KS (default 3 4 5),
#                                                    then temperature 0.7 (k = 4; SAMPLED=0 skips it)
#   bash Benchmarks/bench_speculation.sh throughput  16 in flight vs one at a time; 256 requests
#                                                    through a 4096-position KV pool (preemptions)
# Prompts: the first 40 HumanEval problems as raw prompts (held out from the head's training) and
# the head recipe's 40 held-out chat prompts. JSON reports go to Benchmarks/results/ (or $OUT);
# BENCH_FLAGS adds flags to every `eagle bench` (e.g. BENCH_FLAGS="--prompt-lookup-min 0").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT=${OUT:-$ROOT/Benchmarks/results}
EAGLE=${EAGLE:-$ROOT/.build/release/eagle}
CHAT="$ROOT/Models/SmolLM2-135M-Instruct-EAGLE3/recipe/prompts/heldout_chat.jsonl"
HUMANEVAL="$OUT/humaneval40.jsonl"
mkdir -p "$OUT"
[[ -f "$HUMANEVAL" ]] || bash "$ROOT/Scripts/humaneval_prompts.sh" "$HUMANEVAL" 40

head_runs() {
  for k in ${KS:-3 4 5}; do
    "$EAGLE" bench --prompts "$HUMANEVAL" --num-speculative-tokens "$k" --max-tokens 128 ${BENCH_FLAGS:-} --json > "$OUT/humaneval_k$k.json"
    "$EAGLE" bench --prompts "$CHAT" --num-speculative-tokens "$k" --max-tokens 128 ${BENCH_FLAGS:-} --json > "$OUT/chat_k$k.json"
  done
  [[ ${SAMPLED:-1} == 0 ]] || for prompts in chat humaneval; do
    file=$CHAT; [[ $prompts == humaneval ]] && file=$HUMANEVAL
    "$EAGLE" bench --prompts "$file" --num-speculative-tokens 4 --max-tokens 128 --temperature 0.7 ${BENCH_FLAGS:-} --json \
      > "$OUT/${prompts}_k4_t0.7.json"
  done
  python3 - "$OUT" <<'PY'
import json, pathlib, sys
print("| prompts | k | T | mean acceptance length | per-position acceptance | rounds by prompt lookup | rounds ending in a leaf | baseline tok/s | speculative tok/s | speedup | outputs identical |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for f in sorted(p for p in pathlib.Path(sys.argv[1]).glob("*_k*.json") if not p.name.startswith("throughput")):
    r = json.loads(f.read_text())
    name, rest = f.stem.split("_k", 1)
    k, _, t = rest.partition("_t")
    pp = " / ".join(f"{x:.2f}" for x in r["per_position_acceptance_rate"])
    print(f"| {name} | {k} | {t or 0} | {r['mean_acceptance_length']:.2f} | {pp} | {r['num_lookup_drafts']} / {r['num_drafts']} | "
          f"{r['num_accepted_siblings']} | "
          f"{r['baseline_tokens_per_second']:.1f} | "
          f"{r['speculative_tokens_per_second']:.1f} | {r['speedup']:.2f}x | {r['outputs_identical']} |")
PY
}

throughput_runs() {
  "$EAGLE" bench --prompts "$CHAT" --num-speculative-tokens 4 --max-tokens 128 --concurrency 16 --json \
    > "$OUT/throughput_chat_c16.json"
  local mix="$OUT/mixed256.jsonl"
  python3 - "$CHAT" "$HUMANEVAL" "$mix" <<'PY'
import sys
lines = [l for f in sys.argv[1:3] for l in open(f) if l.strip()]
open(sys.argv[3], "w").writelines((lines * 4)[:256])
PY
  "$EAGLE" bench --prompts "$mix" --num-speculative-tokens 4 --max-tokens 64 --concurrency 64 --max-model-len 1024 \
    --kv-cache-tokens 4096 --json > "$OUT/throughput_mixed256_c64_kv4096.json"
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
}

case "${1:-}" in
  head) head_runs ;;
  throughput) throughput_runs ;;
  *) echo "usage: bench_speculation.sh head|throughput" >&2; exit 2 ;;
esac
