#!/usr/bin/env python3
"""Builds prompts/magpie.jsonl: user prompts written by the target itself ("Magpie"-style).

The templated prompts of make_prompts.py cover a fixed list of topics and phrasings. To widen
them without a dataset download, the target is given its chat template up to the start of a
user turn (system prompt, then `<|im_start|>user\\n`) and samples what a user would write, at
temperature 1, until it closes the turn. Kept prompts:
  * closed the turn (`<|im_end|>`) within --max-new-tokens, 4..80 words, no template tokens;
  * pass make_prompts.py's filters (no HumanEval-like tasks, no held-out chat topics);
  * are new: not already in any other prompts/*.jsonl file (train.jsonl, heldout_chat.jsonl,
    earlier Magpie files) or this file (case- and whitespace-insensitive).

Deterministic for a given --seed, model and torch build (batch b samples with seed + b).
Usage: python make_magpie_prompts.py [--count 1024] [--out prompts/magpie.jsonl]
"""

import argparse
import json
import pathlib
import re
import sys

import torch

from generate_data import DEFAULT_MODEL, decode_batch
from make_prompts import blocked

HERE = pathlib.Path(__file__).resolve().parent
USER_PLACEHOLDER = "\x00USER\x00"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--out", default=str(HERE / "prompts" / "magpie.jsonl"))
    ap.add_argument("--count", type=int, default=1024, help="prompts to keep")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--max-new-tokens", type=int, default=80)
    ap.add_argument("--temperature", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--threads", type=int, default=2)
    return ap.parse_args()


def normalized(text):
    return re.sub(r"\s+", " ", text.strip().lower())


def user_turn_prefix(tok):
    """The chat template rendered up to (not including) the user's text."""
    text = tok.apply_chat_template([{"role": "user", "content": USER_PLACEHOLDER}], tokenize=False,
                                   add_generation_prompt=False)
    return text[:text.index(USER_PLACEHOLDER)]


def acceptable(text):
    words = len(text.split())
    return 4 <= words <= 80 and "<|" not in text and not blocked(text)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    prefix = tok(user_turn_prefix(tok), add_special_tokens=False)["input_ids"]
    end_of_turn = tok.convert_tokens_to_ids("<|im_end|>")

    out = pathlib.Path(args.out).resolve()
    seen = set()
    for path in sorted((HERE / "prompts").glob("*.jsonl")):
        if path.resolve() != out:
            seen |= {normalized(json.loads(l)["prompt"]) for l in open(path) if l.strip()}
    kept, sampled = [], 0
    batch = 0
    while len(kept) < args.count:
        gen = torch.Generator().manual_seed(args.seed + batch)
        outs, _ = decode_batch(model, [prefix] * args.batch_size, args.max_new_tokens, {end_of_turn},
                               args.temperature, gen, pad_id=end_of_turn)
        batch += 1
        for ids in outs:
            sampled += 1
            if not ids or ids[-1] != end_of_turn:
                continue
            text = tok.decode(ids[:-1], skip_special_tokens=False).strip()
            key = normalized(text)
            if key in seen or not acceptable(text):
                continue
            seen.add(key)
            kept.append(text)
        print(f"batch {batch}: {sampled} sampled, {len(kept)} kept", file=sys.stderr, flush=True)
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w") as f:
        for text in kept[:args.count]:
            f.write(json.dumps({"prompt": text, "chat": True}, ensure_ascii=False) + "\n")
    tmp.replace(out)
    print(f"{args.count} prompts ({sampled} sampled) -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
