#!/usr/bin/env python3
"""Offline chain-speculation acceptance of an exported head, with speculators' own draft forward.

For every sample of generate_data.py shards (greedy responses), speculators 0.9.0's
Eagle3DraftModel runs its k-step training-time-test forward over the whole sequence, which
gives, for every position, the draft's k-token chain (step 0 from the target's hidden states,
later steps from the draft's own). The engine's greedy loop is then replayed on the response:
a round starts after the last verified token, accepts the longest prefix of its chain that
matches the target's greedy tokens, and gains that many tokens plus one bonus token. Drafts
map to target ids through d2t, so tokens outside the draft vocabulary are never accepted.
Prompt lookup is replayed as the engine does it (`PromptLookup.swift`, on by default): when
the longest suffix (up to --prompt-lookup-max tokens) of the verified tokens that recurs
earlier in them is at least --prompt-lookup-min tokens long, the round's chain is the
--prompt-lookup-tokens tokens that followed its most recent occurrence (copied on into the chain
itself) instead of the head's k; --prompt-lookup-min 0 replays the head alone.

Its mean acceptance length and per-position acceptance are what `eagle bench` measures with
the same head on the same prompts (greedy, same --max-new-tokens), so the script both checks
the engine's speculation loop against the reference draft implementation and estimates a head
without the engine. Decide between heads on a validation split (--split-json), never on the
held-out sets.

Usage:
  python generate_data.py --prompts prompts/heldout_chat.jsonl --out /tmp/chat --shard-size 40 --max-new-tokens 128
  python simulate_acceptance.py --data /tmp/chat [--head ..] [--k 4]
  python simulate_acceptance.py --data work/data --split-json work/train8/split.json   # the run's held-out prompts
"""

import argparse
import json
import pathlib
import sys

import torch
from safetensors.torch import load_file

import train

HERE = pathlib.Path(__file__).resolve().parent


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--head", default=str(HERE.parent), help="exported head directory (speculators format)")
    ap.add_argument("--data", action="append", required=True, help="generate_data.py output directory (repeatable)")
    ap.add_argument("--k", type=int, default=4, help="draft tokens per round")
    ap.add_argument("--split-json", default=None,
                    help="a train.py split.json: use only the prompts that run held out of training")
    ap.add_argument("--prompt-lookup-min", type=int, default=4, help="0: the head's drafts only")
    ap.add_argument("--prompt-lookup-max", type=int, default=8)
    ap.add_argument("--prompt-lookup-tokens", type=int, default=8, help="drafts per prompt-lookup match")
    ap.add_argument("--threads", type=int, default=2)
    return ap.parse_args()


def load_head(head_dir, k):
    head = pathlib.Path(head_dir)
    tensors = load_file(str(head / "model.safetensors"))
    config = json.loads((head / "config.json").read_text())
    if config.get("fc_norm"):
        sys.exit(f"{head_dir}: fc_norm heads are not made by this recipe")
    vocab = {"d2t": tensors["d2t"], "t2d": tensors["t2d"]}
    flags = [f"--{'' if config[name] else 'no-'}{name.replace('_', '-')}"
             for name in ("norm_before_residual", "norm_before_fc", "norm_output")]
    model = train.build_model(train.parse_args(
        ["--ttt-steps", str(k), "--draft-vocab-size", str(len(vocab["d2t"])),
         "--aux-layers", ",".join(map(str, config["eagle_aux_hidden_state_layer_ids"]))] + flags), vocab)
    train.load_weights(model, tensors, ("fc.", "layers.", "norm.", "lm_head."), head_dir)
    return model.eval(), vocab["d2t"].long()


def lookup_drafts(tokens, count, minimum, maximum):
    """The engine's prompt lookup: `count` tokens after the most recent occurrence of the longest
    recurring suffix of `tokens` (at most `maximum` long), or None when it is shorter than
    `minimum` (or lookup is off)."""
    n = len(tokens)
    if minimum <= 0 or n <= minimum:
        return None
    best, best_end = 0, -1
    for end in range(n - 2, -1, -1):
        if tokens[end] != tokens[-1]:
            continue
        length = 1
        while length < maximum and end - length >= 0 and tokens[end - length] == tokens[n - 1 - length]:
            length += 1
        if length > best:
            best, best_end = length, end
            if length == maximum:
                break
    if best < minimum:
        return None
    out = list(tokens)
    for i in range(count):
        out.append(out[best_end + 1 + i])
    return out[n:]


def chain_length(k, lookup):
    """The longest chain a round can propose: k from the head, or prompt lookup's count."""
    minimum, _, count = lookup
    return max(k, count if minimum > 0 else 0)


def replay(chain, tokens, first_response, k, lookup=(0, 0, 0)):
    """Greedy rounds over one response: (rounds, accepted per position, prompt-lookup rounds).
    `lookup`: (minimum match, maximum match, drafts per match)."""
    minimum, maximum, count = lookup
    rounds, accepted, lookups = 0, [0] * chain_length(k, lookup), 0
    j = first_response - 1  # the round drafting the token after the first response token
    while j + 2 < len(tokens):
        drafts = lookup_drafts(tokens[:j + 2], count, minimum, maximum)
        if drafts is None:
            drafts = [chain[i][j] for i in range(k)]
        else:
            lookups += 1
        n = 0
        while n < len(drafts) and j + n + 2 < len(tokens) and drafts[n] == tokens[j + n + 2]:
            accepted[n] += 1
            n += 1
        rounds += 1
        j += n + 1
    return rounds, accepted, lookups


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    model, d2t = load_head(args.head, args.k)
    n_aux = len(model.config.eagle_aux_hidden_state_layer_ids)
    samples = train.load_samples(args.data)
    if args.split_json:
        val = set(json.loads(pathlib.Path(args.split_json).read_text())["val"])
        samples = [s for s in samples if s["prompt_index"] in val]
    lookup = (args.prompt_lookup_min, args.prompt_lookup_max, args.prompt_lookup_tokens)
    rounds, accepted, lookups = 0, [0] * chain_length(args.k, lookup), 0
    for i, s in enumerate(samples):
        batch = train.make_batch(samples, [i], len(s["input_ids"]), model.hidden_size, n_aux)
        del batch["verifier_last_hidden_states"]  # no loss: the forward returns the draft tokens only
        with torch.no_grad():
            drafts = model(**batch, ttt_steps=args.k)
        chain = [(d[0].long() + d2t[d[0].long()]).tolist() for d in drafts]
        first = int(s["loss_mask"].nonzero()[0])
        r, a, n = replay(chain, s["input_ids"].tolist(), first, args.k, lookup)
        rounds += r
        lookups += n
        accepted = [x + y for x, y in zip(accepted, a)]
    result = {"samples": len(samples), "rounds": rounds, "k": args.k, "lookup_rounds": lookups,
              "mean_acceptance_length": 1 + sum(accepted) / max(rounds, 1),
              "per_position_acceptance_rate": [a / max(rounds, 1) for a in accepted]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
