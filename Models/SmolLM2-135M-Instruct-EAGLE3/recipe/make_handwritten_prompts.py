"""Builds prompts/handwritten.jsonl from the hand-written prompt drafts in prompts/drafts/ (one
JSON object per line, {"prompt": ..., "chat": true}; written in a session by an assistant that
never saw the held-out prompts, told only which topics to avoid), dropping any that share a topic
with a held-out set: a prompt goes when make_prompts.py's filter blocks it (HumanEval-like tasks,
held-out chat topics), when half or more of its content words (letters only, longer than three)
appear in one held-out chat prompt or one HumanEval problem, or when it repeats a prompt of
another prompts/*.jsonl file (case- and whitespace-insensitive). Conservative on purpose: common
phrasings ("What's the difference between", "return the list") drop some unrelated prompts too.

    bash ../../../Scripts/humaneval_prompts.sh /tmp/humaneval164.jsonl 164
    python make_handwritten_prompts.py --humaneval /tmp/humaneval164.jsonl \
        prompts/drafts/handwritten_a.jsonl prompts/drafts/handwritten_b.jsonl      # run 12
    python make_handwritten_prompts.py --humaneval /tmp/humaneval164.jsonl --out prompts/handwritten2.jsonl \
        prompts/drafts/handwritten_[cdef].jsonl                                    # run 14
    python make_handwritten_prompts.py --humaneval /tmp/humaneval164.jsonl --out prompts/handwritten3.jsonl \
        prompts/drafts/handwritten_[ghij].jsonl                                    # run 14
    python make_handwritten_prompts.py --humaneval /tmp/humaneval164.jsonl --out prompts/handwritten4.jsonl \
        prompts/drafts/handwritten_[klmn].jsonl                                    # run 15
"""
import argparse
import json
import re
from pathlib import Path

from make_magpie_prompts import normalized
from make_prompts import blocked

HERE = Path(__file__).resolve().parent
PROMPTS = HERE / "prompts"


def words(text):
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--humaneval", required=True, help="all HumanEval problems as prompts (Scripts/humaneval_prompts.sh)")
    ap.add_argument("--out", type=Path, default=PROMPTS / "handwritten.jsonl",
                    help="the prompt file to write; its prompts must not repeat any other prompts/*.jsonl")
    ap.add_argument("drafts", nargs="+")
    args = ap.parse_args()
    out = args.out.resolve()
    held = [words(json.loads(line)["prompt"]) for f in [PROMPTS / "heldout_chat.jsonl", args.humaneval] for line in open(f)]
    seen = {normalized(json.loads(line)["prompt"]) for path in PROMPTS.glob("*.jsonl") if path.resolve() != out
            for line in open(path) if line.strip()}
    kept, dropped = [], 0
    for path in args.drafts:
        for line in open(path):
            row = json.loads(line)
            w, key = words(row["prompt"]), normalized(row["prompt"])
            overlap = max(len(w & h) / max(1, min(len(w), len(h))) for h in held)
            if overlap >= 0.5 or blocked(row["prompt"]) or key in seen:
                dropped += 1
                continue
            seen.add(key)
            kept.append({"prompt": row["prompt"], "chat": True})
    with open(out, "w") as f:
        for row in kept:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"kept {len(kept)}, dropped {dropped}")


if __name__ == "__main__":
    main()
