#!/usr/bin/env python3
"""Checks data made by `eagle distill` (the engine) against transformers.

For the first --samples samples of a data directory:
  * one transformers forward over the stored ids (capture_hidden of generate_data.py) gives
    the aux and final pre-norm states; the logits follow from the latter (norm + lm_head, as
    generate_data.py --check verifies);
  * the response: every response token must be transformers' argmax given the tokens before
    it, except at a near tie of the target's logits (top-2 margin < --tie-margin), where F32
    rounding may pick either;
  * the hidden states: the stored bf16 states must equal transformers' fp32 states up to
    bf16 rounding plus F32 noise (|diff| <= --rtol * |ref| + --atol), on the rows the
    engine ran (all but the last row of a response that stopped early, which is zero and
    outside the loss mask).

Usage: python compare_engine_data.py --data work/data-engine [--samples 16]
"""

import argparse
import json
import pathlib
import sys

import torch
from safetensors.torch import load_file

from generate_data import DEFAULT_MODEL, capture_hidden


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--data", required=True)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--tie-margin", type=float, default=0.05)
    ap.add_argument("--rtol", type=float, default=2 ** -8 + 1e-4,
                    help="bf16 rounding (at most 2^-8 relative) plus F32 noise")
    ap.add_argument("--atol", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=1)
    return ap.parse_args()


@torch.inference_mode()
def first_divergence(model, last, prompt_len, response):
    """Index of the first response token transformers would not pick, and its top-2 logit margin."""
    logits = model.lm_head(model.model.norm(last)).float()
    for j, token in enumerate(response):
        row = logits[prompt_len - 1 + j]
        top2 = row.topk(2)
        if int(top2.indices[0]) != token:
            return j, float(top2.values[0] - top2.values[1])
    return None, None


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    config = json.loads((pathlib.Path(args.data) / "gen_config.json").read_text())
    aux_layers = config["aux_layers"]
    checked, worst, failures = 0, 0.0, 0
    for shard in sorted(pathlib.Path(args.data).glob("shard_*.safetensors")):
        t = load_file(str(shard))
        meta = [json.loads(l) for l in open(shard.with_suffix(".jsonl"))]
        off = t["offsets"].tolist()
        for n, row in enumerate(meta):
            if checked == args.samples:
                break
            a, b = off[n], off[n + 1]
            ids = t["input_ids"][a:b].tolist()
            P = row["prompt_tokens"]
            response = ids[P:]
            mask = t["loss_mask"][a:b].bool()
            ran = len(ids) if bool(mask[-1]) else len(ids) - 1
            (aux, last), = capture_hidden(model, [ids], aux_layers, 4096)
            # greedy agreement
            j, margin = first_divergence(model, last, P, response)
            if j is not None and margin >= args.tie_margin:
                print(f"sample {row['prompt_index']}: token {j} differs from transformers' argmax (margin {margin:.3f})")
                failures += 1
            # hidden states
            ref = torch.cat([aux, last], dim=-1)[:ran]
            got = torch.cat([t["hidden_states"][a:b], t["verifier_last_hidden_states"][a:b]], dim=-1).float()[:ran]
            diff = (got - ref).abs()
            used = (diff / (args.rtol * ref.abs() + args.atol)).max().item()
            worst = max(worst, used)
            if used > 1:
                print(f"sample {row['prompt_index']}: hidden states off by up to {diff.max().item():.4g} ({used:.2f}x the tolerance)")
                failures += 1
            if ran < len(ids) and t["verifier_last_hidden_states"][b - 1].abs().max() != 0:
                print(f"sample {row['prompt_index']}: the unrun last row is not zero")
                failures += 1
            note = "" if j is None else f", first non-argmax token {j} (near tie, margin {margin:.3f})"
            print(f"sample {row['prompt_index']}: {len(ids)} tokens ({len(response)} response), max |diff| {diff.max().item():.4g}, {used:.2f} of the tolerance{note}")
            checked += 1
    print(f"{checked} samples checked, at most {worst:.2f} of the tolerance, {failures} failures", file=sys.stderr)
    sys.exit(1 if failures or not checked else 0)


if __name__ == "__main__":
    main()
