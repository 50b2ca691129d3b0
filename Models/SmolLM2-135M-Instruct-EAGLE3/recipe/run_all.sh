#!/usr/bin/env bash
# data -> train -> export for the SmolLM2-135M-Instruct EAGLE-3 head. Every stage resumes:
# generate_data.py skips finished shards, train.py continues from work/train/checkpoint.pt,
# export.py is cheap and simply rewrites the head. Re-run the script after an interruption.
#
#   bash run_all.sh            # full run (see README.md for wall times)
#   QUICK=1 bash run_all.sh    # smoke run: 40 prompts, 64 new tokens, ~5 min of training,
#                              # exported to work/export-quick (not next to the recipe)
# Environment overrides: PY (python), THREADS (training threads, default 1), WORKERS (data
# processes, or eagle distill's threads with ENGINE=1; default 2), LIMIT (use the first LIMIT prompts), N_NEW (max new tokens, default 128), EPOCHS,
# MAX_STEPS (stop after this many steps; the learning rate decays to 0 there), BUDGET_MIN (training time budget), VOCAB (draft vocab size), MAX_LEN (packed tokens per step,
# default 1024), LR (default 1e-3), TRAIN_DIR (training output, default work/train), INIT_FROM
# (start training from an earlier head, e.g. work/train/final: its fc/layer/norm weights), DATA_DIR
# (data output, default work/data), TEMPERATURE and SEED (sampled responses; default greedy) and
# TRAIN_DATA (directories to train on, default DATA_DIR; the draft vocabulary comes from the first),
# PROMPTS and INDEX_OFFSET (another prompt file, e.g. prompts/magpie.jsonl, with its indices shifted
# past those of prompts/train.jsonl), TTT_STEPS (unrolled training-time-test steps, default 3),
# VOCAB_FROM (take the draft vocabulary from this safetensors file, e.g. ../model.safetensors, the
# shipped head's), TRAIN_LM_HEAD=1 (train the draft lm_head too; speculators keeps it frozen at
# the verifier's rows), NEW_PROMPTS_ONLY=1 (INIT_FROM a head without its split.json, e.g. INIT_FROM=..),
# DATA_ONLY=1 (stop after the data stage, to make several data directories for one run) and
# ENGINE=1 (make the data with `eagle distill`: the engine decodes all prompts together and records
# the hidden states as it goes; EAGLE is its binary, default the release build of this checkout;
# SKIP leaves out the first SKIP prompts, CONCURRENCY sets the requests in flight, default 64).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PY:-/tmp/pyref/venv/bin/python}
THREADS=${THREADS:-1}
VOCAB=${VOCAB:-8192}
export OMP_NUM_THREADS=$THREADS TOKENIZERS_PARALLELISM=false PYTHONWARNINGS=ignore

if [[ "${QUICK:-0}" == 1 ]]; then
  DATA=work/data-quick; TRAIN=work/train-quick; OUT=work/export-quick
  "$PY" generate_data.py --out "$DATA" --limit 40 --shard-size 20 --batch-size 10 \
      --max-new-tokens "${N_NEW:-64}" --draft-vocab-size "$VOCAB" --threads "$THREADS"
  "$PY" train.py --quick --data "$DATA" --out "$TRAIN" --draft-vocab-size "$VOCAB" --threads "$THREADS" \
      ${BUDGET_MIN:+--time-budget-min "$BUDGET_MIN"}
else
  DATA=${DATA_DIR:-work/data}; TRAIN=${TRAIN_DIR:-work/train}; OUT=..
  mkdir -p "$DATA"
  if [[ ${ENGINE:-0} == 1 ]]; then
    EAGLE=${EAGLE:-../../../.build/release/eagle}
    "$EAGLE" distill --prompts "${PROMPTS:-prompts/train.jsonl}" --out "$DATA" --max-tokens "${N_NEW:-128}" \
        --stop-token-id 0 --temperature "${TEMPERATURE:-0}" --seed "${SEED:-0}" --concurrency "${CONCURRENCY:-64}" \
        --threads "${WORKERS:-2}" \
        ${LIMIT:+--limit "$LIMIT"} ${SKIP:+--skip "$SKIP"} ${INDEX_OFFSET:+--index-offset "$INDEX_OFFSET"} 2>> "$DATA.log"
    "$PY" generate_data.py --out "$DATA" --vocab-only --draft-vocab-size "$VOCAB"
  else
    # WORKERS single-thread processes side by side (faster than one 2-thread process), then one
    # pass over all shards for the token histogram and the draft vocabulary
    gen=( "$PY" generate_data.py --out "$DATA" --max-new-tokens "${N_NEW:-128}" --batch-size 16
          --draft-vocab-size "$VOCAB" --threads 1 ${LIMIT:+--limit "$LIMIT"}
          --temperature "${TEMPERATURE:-0}" --seed "${SEED:-0}"
          ${PROMPTS:+--prompts "$PROMPTS"} ${INDEX_OFFSET:+--index-offset "$INDEX_OFFSET"} )
    pids=()
    for ((w = 0; w < ${WORKERS:-2}; w++)); do
      "${gen[@]}" --worker "$w/${WORKERS:-2}" 2>> "$DATA.w$w.log" & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    "${gen[@]}"
  fi
  [[ ${DATA_ONLY:-0} == 1 ]] && exit 0
  train_data=()
  for d in ${TRAIN_DATA:-$DATA}; do train_data+=(--data "$d"); done
  "$PY" train.py "${train_data[@]}" --out "$TRAIN" --draft-vocab-size "$VOCAB" --threads "$THREADS" \
      --epochs "${EPOCHS:-4}" --time-budget-min "${BUDGET_MIN:-115}" ${MAX_LEN:+--max-len "$MAX_LEN"} \
      ${LR:+--lr "$LR"} ${INIT_FROM:+--init-from "$INIT_FROM"} ${MAX_STEPS:+--max-steps "$MAX_STEPS"} \
      ${TTT_STEPS:+--ttt-steps "$TTT_STEPS"} ${VOCAB_FROM:+--vocab "$VOCAB_FROM"} \
      $([[ ${NEW_PROMPTS_ONLY:-0} == 1 ]] && echo --new-prompts-only) \
      $([[ ${TRAIN_LM_HEAD:-0} == 1 ]] && echo --train-lm-head)
fi
"$PY" export.py --trained "$TRAIN/final" --out "$OUT" --data "$DATA"
echo "head written to $(cd "$OUT" && pwd)"
