#!/usr/bin/env python3
"""Self-distillation data for the EAGLE-3 head of SmolLM2-135M-Instruct (CPU).

For every training prompt:
  1. render it (chat template with add_generation_prompt=True, or raw text for chat=false),
  2. let the target generate its own response (greedy by default; --temperature > 0 samples
     with a seeded generator), up to --max-new-tokens, stopping at an EOS id,
  3. run ONE forward pass over prompt+response and keep, for every position,
       hidden_states                [T, 3*576]  = cat(output_hidden_states[k] for k in 2, 15, 27)
                                              (the residual stream ENTERING layers 2/15/27,
                                              EAGLE3_SPEC §2.5 default (2, L//2, L-3), L = 30)
       verifier_last_hidden_states  [T, 576]    the final residual stream BEFORE model.norm
                                              (speculators' convention: the trainer applies the
                                              verifier norm + lm_head rows of the draft vocab)
       input_ids [T] int32, loss_mask [T] bool (True on response tokens, incl. the stop token).

Prompts are processed in shards of --shard-size prompts; each shard is written atomically to
  <out>/shard_XXXXX.safetensors   (concatenated tensors + `offsets`, floats in bf16 / fp16)
  <out>/shard_XXXXX.jsonl         (prompt index, text of the response, token counts)
Existing shards are skipped, so an interrupted run continues where it stopped.

After the shards, the response-token histogram is written (<out>/token_freq.pt, speculators'
format {token_id: count}) and the reduced draft vocabulary is built with speculators'
`build_vocab_mappings_from_distribution`: <out>/vocab_<N>.safetensors with d2t [N] int64
(offsets, target = draft + d2t[draft]) and t2d [V] bool.

Usage:
  python generate_data.py --out work/data [--limit 40] [--max-new-tokens 160] [--batch-size 16]
"""

import argparse
import collections
import json
import math
import os
import pathlib
import sys
import time

import torch
from safetensors import safe_open
from safetensors.torch import save_file

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_MODEL = HERE.parent.parent / "SmolLM2-135M-Instruct"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="HF-layout target model directory")
    ap.add_argument("--prompts", default=str(HERE / "prompts" / "train.jsonl"))
    ap.add_argument("--out", default=str(HERE / "work" / "data"))
    ap.add_argument("--limit", type=int, default=None, help="use only the first N prompts (smoke runs)")
    ap.add_argument("--index-offset", type=int, default=0,
                    help="added to the stored prompt indices, so prompts of another file never share an "
                         "index with prompts/train.jsonl (train.py splits by index)")
    ap.add_argument("--max-new-tokens", type=int, default=160)
    ap.add_argument("--max-prompt-tokens", type=int, default=768, help="longer prompts are left-truncated")
    ap.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed (per shard: seed + shard index)")
    ap.add_argument("--batch-size", type=int, default=16, help="sequences decoded together")
    ap.add_argument("--forward-tokens", type=int, default=4096, help="token budget per hidden-state forward batch")
    ap.add_argument("--shard-size", type=int, default=64, help="prompts per shard")
    ap.add_argument("--worker", default="0/1",
                    help="i/n: make only shards s with s %% n == i (run n single-thread workers side by side, "
                         "then once more with 0/1 to build the vocabulary over all shards)")
    ap.add_argument("--aux-layers", default="2,15,27", help="hidden_states indices (input of these layers)")
    ap.add_argument("--stop-ids", default="2,0", help="<|im_end|>=2 (the model's EOS), <|endoftext|>=0")
    ap.add_argument("--store-dtype", choices=["bfloat16", "float16"], default="bfloat16")
    ap.add_argument("--draft-vocab-size", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=1,
                    help="1 avoids OpenMP oversubscription when the 2 cores are shared; 2 speeds up the forward on an idle machine")
    ap.add_argument("--check", action="store_true", help="verify hidden-state capture conventions and exit")
    ap.add_argument("--vocab-only", action="store_true",
                    help="only (re)build the token histogram and draft vocabulary from the shards in --out "
                         "(e.g. shards made by `eagle distill`)")
    return ap.parse_args()


def load_prompts(path, limit):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    return rows[:limit] if limit else rows


def render(tok, row, max_prompt_tokens):
    if row.get("chat", True):
        text = tok.apply_chat_template([{"role": "user", "content": row["prompt"]}], tokenize=False,
                                       add_generation_prompt=True)
    else:
        text = row["prompt"]
    ids = tok(text, add_special_tokens=False)["input_ids"]
    return ids[-max_prompt_tokens:]


@torch.inference_mode()
def decode_batch(model, prompts_ids, max_new, stop_ids, temperature, generator, pad_id):
    """Greedy/sampled decoding of a batch with left padding and a DynamicCache.
    Finished rows are dropped from the batch (and the cache) as soon as they stop."""
    from transformers import DynamicCache

    B = len(prompts_ids)
    L = max(len(p) for p in prompts_ids)
    input_ids = torch.full((B, L), pad_id, dtype=torch.long)
    mask = torch.zeros((B, L), dtype=torch.long)
    for i, p in enumerate(prompts_ids):
        input_ids[i, L - len(p):] = torch.tensor(p)
        mask[i, L - len(p):] = 1
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    cache = DynamicCache()
    outputs = [[] for _ in range(B)]
    alive = torch.arange(B)
    stop = torch.tensor(sorted(stop_ids))
    cur_ids, cur_pos = input_ids, pos
    steps = 0
    for step in range(max_new):
        out = model(input_ids=cur_ids, attention_mask=mask, position_ids=cur_pos, past_key_values=cache,
                    use_cache=True, logits_to_keep=1)
        logits = out.logits[:, -1, :].float()
        if temperature > 0:
            probs = torch.softmax(logits / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        else:
            nxt = logits.argmax(-1)
        steps += 1
        done = torch.isin(nxt, stop)
        for j, r in enumerate(alive.tolist()):
            outputs[r].append(int(nxt[j]))
        if step == max_new - 1:
            break
        keep = (~done).nonzero().squeeze(1)
        if keep.numel() == 0:
            break
        next_pos = cur_pos[:, -1:] + 1
        if keep.numel() < alive.numel():
            cache.batch_select_indices(keep)
            alive, nxt, mask, next_pos = alive[keep], nxt[keep], mask[keep], next_pos[keep]
        mask = torch.cat([mask, torch.ones((mask.shape[0], 1), dtype=mask.dtype)], dim=1)
        cur_ids, cur_pos = nxt.unsqueeze(1), next_pos
    return outputs, steps


@torch.inference_mode()
def capture_hidden(model, seqs, aux_layers, token_budget):
    """One forward per batch of right-padded sequences. Returns per-sequence (aux [T,3H], last [T,H]) fp32."""
    norm_in = {}
    hook = model.model.norm.register_forward_pre_hook(lambda m, args: norm_in.__setitem__("x", args[0]))
    results = [None] * len(seqs)
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    i = 0
    try:
        while i < len(order):
            j = i
            while j < len(order) and (j - i + 1) * len(seqs[order[j]]) <= max(token_budget, len(seqs[order[j]])):
                j += 1
            batch = order[i:j]
            T = max(len(seqs[b]) for b in batch)
            ids = torch.zeros((len(batch), T), dtype=torch.long)
            mask = torch.zeros((len(batch), T), dtype=torch.long)
            for r, b in enumerate(batch):
                ids[r, :len(seqs[b])] = torch.tensor(seqs[b])
                mask[r, :len(seqs[b])] = 1
            out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True, use_cache=False,
                        logits_to_keep=1)
            hs = out.hidden_states
            aux = torch.cat([hs[k] for k in aux_layers], dim=-1)
            last = norm_in["x"]
            for r, b in enumerate(batch):
                n = len(seqs[b])
                results[b] = (aux[r, :n].clone(), last[r, :n].clone())
            i = j
    finally:
        hook.remove()
    return results


def check_conventions(model, tok, aux_layers):
    """hidden_states[k] == input of decoder layer k; norm pre-hook == final residual before norm."""
    ids = torch.tensor([tok("Hello there, how are you?", add_special_tokens=False)["input_ids"]])
    seen = {}
    hooks = [model.model.layers[k].register_forward_pre_hook(
        lambda m, args, kwargs, k=k: seen.__setitem__(k, (args[0] if args else kwargs["hidden_states"]).clone()),
        with_kwargs=True) for k in aux_layers]
    try:
        (aux, last), = capture_hidden(model, [ids[0].tolist()], aux_layers, 4096)
    finally:
        for h in hooks:
            h.remove()
    H = model.config.hidden_size
    for n, k in enumerate(aux_layers):
        err = (aux[:, n * H:(n + 1) * H] - seen[k][0]).abs().max().item()
        print(f"  hidden_states[{k}] vs input of layer {k}: max|diff| = {err:.3g}")
        assert err == 0.0
    with torch.inference_mode():
        out = model(input_ids=ids, output_hidden_states=True)
        normed = model.model.norm(last.unsqueeze(0))
        logits = model.lm_head(normed)
    err = (normed - out.hidden_states[-1]).abs().max().item()
    print(f"  norm(captured last) vs hidden_states[-1] (post-norm in transformers 5): {err:.3g}")
    assert err < 1e-4
    err = (logits - out.logits).abs().max().item()
    print(f"  lm_head(norm(last)) vs logits: {err:.3g}")
    assert err < 1e-3


def shard_path(out, s):
    return out / f"shard_{s:05d}.safetensors"


def write_shard(out, s, samples, store_dtype, meta_rows):
    offsets = [0]
    for smp in samples:
        offsets.append(offsets[-1] + smp["input_ids"].numel())
    tensors = {
        "input_ids": torch.cat([x["input_ids"] for x in samples]).to(torch.int32),
        "loss_mask": torch.cat([x["loss_mask"] for x in samples]).to(torch.uint8),
        "hidden_states": torch.cat([x["hidden_states"] for x in samples]).to(store_dtype).contiguous(),
        "verifier_last_hidden_states": torch.cat([x["last"] for x in samples]).to(store_dtype).contiguous(),
        "offsets": torch.tensor(offsets, dtype=torch.int64),
        "prompt_index": torch.tensor([x["prompt_index"] for x in samples], dtype=torch.int64),
    }
    tmp = out / f".shard_{s:05d}.tmp"
    save_file(tensors, str(tmp), metadata={"format": "eagle3-selfdistill-v1"})
    with open(out / f"shard_{s:05d}.jsonl", "w") as f:
        for r in meta_rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, shard_path(out, s))


def token_histogram(out):
    freq = collections.Counter()
    n_tok = 0
    for p in sorted(out.glob("shard_*.safetensors")):
        with safe_open(str(p), "pt") as f:
            ids = f.get_tensor("input_ids").long()
            m = f.get_tensor("loss_mask").bool()
        sel = ids[m]
        n_tok += ids.numel()
        u, c = sel.unique(return_counts=True)
        freq.update(dict(zip(u.tolist(), c.tolist())))
    return dict(freq), n_tok


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = pathlib.Path(args.out)
    if args.vocab_only:
        config = json.loads((pathlib.Path(args.model) / "config.json").read_text())
        return build_vocabulary(out, args.draft_vocab_size, config["vocab_size"])
    out.mkdir(parents=True, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    aux_layers = [int(x) for x in args.aux_layers.split(",")]
    stop_ids = {int(x) for x in args.stop_ids.split(",")}
    store_dtype = getattr(torch, args.store_dtype)
    L = model.config.num_hidden_layers
    assert aux_layers == sorted(aux_layers) and max(aux_layers) < L
    if args.check:
        check_conventions(model, tok, aux_layers)
        print("conventions OK")
        return

    rows = load_prompts(args.prompts, args.limit)
    n_shards = math.ceil(len(rows) / args.shard_size)
    # resume guard: shards are keyed by index, so the settings that define them must not change
    import hashlib
    key = {"prompts_sha256": hashlib.sha256(open(args.prompts, "rb").read()).hexdigest(),
           "shard_size": args.shard_size, "max_new_tokens": args.max_new_tokens, "temperature": args.temperature,
           "seed": args.seed, "aux_layers": aux_layers, "stop_ids": sorted(stop_ids),
           "max_prompt_tokens": args.max_prompt_tokens, "store_dtype": args.store_dtype}
    if args.index_offset:
        key["index_offset"] = args.index_offset
    key_path = out / "gen_config.json"
    if key_path.exists():
        old = json.loads(key_path.read_text())
        if old != key:
            sys.exit(f"{out} holds shards made with different settings ({key_path}); use another --out")
    else:
        key_path.write_text(json.dumps(key, indent=2))
    worker, n_workers = (int(x) for x in args.worker.split("/"))
    stats_path = out / ("gen_stats.json" if n_workers == 1 else f"gen_stats_w{worker}.json")
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {"runs": []}
    run = {"batch_size": args.batch_size, "threads": args.threads, "max_new_tokens": args.max_new_tokens,
           "temperature": args.temperature, "gen_tokens": 0, "gen_seconds": 0.0, "decode_steps": 0,
           "fwd_tokens": 0, "fwd_seconds": 0.0, "shards": 0}
    print(f"{len(rows)} prompts -> {n_shards} shards of {args.shard_size} in {out}", file=sys.stderr)
    t_start = time.time()
    for s in range(worker, n_shards, n_workers):
        if shard_path(out, s).exists():
            continue
        chunk = list(range(s * args.shard_size, min(len(rows), (s + 1) * args.shard_size)))
        prompt_ids = {i: render(tok, rows[i], args.max_prompt_tokens) for i in chunk}
        gen = torch.Generator().manual_seed(args.seed + s)
        # decode in batches of similar prompt length (less left padding)
        order = sorted(chunk, key=lambda i: len(prompt_ids[i]))
        responses = {}
        t0 = time.time()
        for b in range(0, len(order), args.batch_size):
            idx = order[b:b + args.batch_size]
            outs, steps = decode_batch(model, [prompt_ids[i] for i in idx], args.max_new_tokens, stop_ids,
                                       args.temperature, gen, pad_id=tok.pad_token_id or 2)
            run["decode_steps"] += steps
            for i, o in zip(idx, outs):
                responses[i] = o
        t1 = time.time()
        seqs = [prompt_ids[i] + responses[i] for i in chunk]
        caps = capture_hidden(model, seqs, aux_layers, args.forward_tokens)
        t2 = time.time()
        samples, meta_rows = [], []
        for i, seq, (aux, last) in zip(chunk, seqs, caps):
            P = len(prompt_ids[i])
            lm = torch.zeros(len(seq), dtype=torch.bool)
            lm[P:] = True
            samples.append({"input_ids": torch.tensor(seq), "loss_mask": lm, "hidden_states": aux, "last": last,
                            "prompt_index": args.index_offset + i})
            r = responses[i]
            meta_rows.append({"prompt_index": args.index_offset + i, "chat": rows[i].get("chat", True), "prompt_tokens": P,
                              "response_tokens": len(r), "stopped": bool(r and r[-1] in stop_ids),
                              "response": tok.decode(r, skip_special_tokens=False)})
        write_shard(out, s, samples, store_dtype, meta_rows)
        n_gen = sum(len(responses[i]) for i in chunk)
        n_fwd = sum(len(x) for x in seqs)
        run["gen_tokens"] += n_gen
        run["gen_seconds"] += t1 - t0
        run["fwd_tokens"] += n_fwd
        run["fwd_seconds"] += t2 - t1
        run["shards"] += 1
        done = sum(1 for k in range(n_shards) if shard_path(out, k).exists())
        el = time.time() - t_start
        print(f"shard {s}: {len(chunk)} prompts, {n_gen} new tokens in {t1 - t0:.1f}s "
              f"({n_gen / (t1 - t0):.1f} tok/s), forward {n_fwd} tokens in {t2 - t1:.1f}s "
              f"({n_fwd / (t2 - t1):.0f} tok/s) | {done}/{n_shards} shards, {el / 60:.1f} min this run",
              file=sys.stderr, flush=True)
    if run["shards"]:
        run["gen_tok_per_s"] = run["gen_tokens"] / max(run["gen_seconds"], 1e-9)
        run["fwd_tok_per_s"] = run["fwd_tokens"] / max(run["fwd_seconds"], 1e-9)
        stats["runs"].append(run)
        stats_path.write_text(json.dumps(stats, indent=2))

    if n_workers > 1:
        return  # the vocabulary is built by a final single run over all shards
    build_vocabulary(out, args.draft_vocab_size, model.config.vocab_size)


def build_vocabulary(out, draft_vocab_size, vocab_size):
    """Token histogram + draft vocabulary, always recomputed from all shards present."""
    from speculators.train.vocab_mapping import build_vocab_mappings_from_distribution

    freq, n_tok = token_histogram(out)
    torch.save(freq, out / "token_freq.pt")
    d2t, t2d = build_vocab_mappings_from_distribution(freq, draft_vocab_size, vocab_size)
    save_file({"d2t": d2t, "t2d": t2d}, str(out / f"vocab_{draft_vocab_size}.safetensors"))
    total = sum(freq.values())
    covered = sum(c for t, c in freq.items() if t2d[t])
    disk = sum(p.stat().st_size for p in out.glob("shard_*.safetensors"))
    summary = {"shards": len(list(out.glob("shard_*.safetensors"))), "tokens": n_tok, "response_tokens": total,
               "distinct_response_tokens": len(freq), "draft_vocab_size": draft_vocab_size,
               "draft_vocab_coverage": covered / max(total, 1), "disk_bytes": disk,
               "bytes_per_1k_tokens": disk / max(n_tok, 1) * 1000}
    (out / "data_summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2), file=sys.stderr)


if __name__ == "__main__":
    main()
