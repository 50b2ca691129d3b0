#!/usr/bin/env python3
"""EAGLE-3 training-time-test (TTT) training of a 1-layer draft head on CPU.

Reuses speculators 0.9.0 directly (no re-implementation of the head or the loss):
  * speculators.train.cli.create_transformer_layer_config   -> draft LlamaConfig from the verifier
    (hidden 576, 9 heads, 3 KV heads, head_dim 64, intermediate 1536, rope copied: theta 100000)
  * speculators.models.eagle3.Eagle3DraftModel.from_training_args -> the head, d2t/t2d loaded,
    embed_tokens copied from the verifier (frozen), lm_head = verifier lm_head rows selected by
    t2d (SmolLM2 ties lm_head = embed_tokens), verifier_norm = verifier final norm
  * Eagle3DraftModel.forward(..., ttt_steps=K)  -> the unrolled TTT loop (step 0 on target
    hidden states, steps 1..K-1 on the draft's own outputs, KV of earlier steps kept and
    attended through the diagonal "draft" mask), loss = speculators.losses.eager.kl_div_loss
    against the verifier's distribution over the draft vocab, per-step full/conditional
    accuracy from speculators.models.eagle3.metrics.compute_metrics
  * speculators.models.eagle3.data.shift_batch + speculators.train.data.CollateFn -> the same
    (x_{t+1}, g_t, y_{t+1}) alignment and document packing as speculators' trainer
  * speculators.train.optimizers.build_optimizers (AdamW here; --optimizer muon gives speculators'
    default Muon+AdamW, too slow on this CPU), linear schedule with 1 % warmup, grad clip 1.0 (as its trainer)
Only the driver (data loading from generate_data.py shards, packing, checkpoint/resume, CSV/JSON
logging, CPU fp32 instead of CUDA bf16 autocast) is written here.

Outputs in --out (default work/train):
  checkpoint.pt              latest checkpoint (model + optimizers + schedulers + position), atomic
  metrics.csv                one row per logged step (loss, per-TTT-step loss and accuracy)
  epochs.json                per-epoch train/val loss and per-TTT-step accuracy
  final/                     speculators save_pretrained() of the trained head (fp32) -> export.py
"""

import argparse
import csv
import json
import math
import os
import pathlib
import random
import sys
import time
import warnings

import torch
from safetensors import safe_open
from safetensors.torch import load_file

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_MODEL = HERE.parent.parent / "SmolLM2-135M-Instruct"


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="verifier (target) HF directory")
    ap.add_argument("--data", action="append", default=None,
                    help="generate_data.py output directory; repeat to train on several (e.g. greedy and sampled "
                         "responses); the draft vocabulary comes from the first (default: work/data)")
    ap.add_argument("--out", default=str(HERE / "work" / "train"))
    ap.add_argument("--draft-vocab-size", type=int, default=8192)
    ap.add_argument("--vocab", default=None,
                    help="safetensors file with the draft vocabulary (d2t, t2d), e.g. an exported head's "
                         "model.safetensors to keep its vocabulary (default: the first --data's vocab_N.safetensors)")
    ap.add_argument("--aux-layers", default="2,15,27")
    ap.add_argument("--ttt-steps", type=int, default=3, help="unrolled TTT steps (speculators default 3)")
    ap.add_argument("--ttt-step-loss-decay", type=float, default=1.0)
    ap.add_argument("--loss", default="kl_div", help="speculators loss spec (kl_div, ce, tv, nla, ... or JSON)")
    ap.add_argument("--optimizer", choices=["muon", "adamw"], default="adamw",
                    help="speculators defaults to muon, but torch.optim.Muon runs Newton-Schulz in bf16, which "
                         "is emulated on CPUs without AVX512-BF16 (~20 s per step here); adamw on CPU")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--time-budget-min", type=float, default=None, help="stop (and checkpoint) after this long")
    ap.add_argument("--max-len", type=int, default=1024, help="packed tokens per optimizer step")
    ap.add_argument("--val-fraction", type=float, default=0.04)
    ap.add_argument("--checkpoint-every", type=int, default=50, help="steps")
    ap.add_argument("--log-every", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1,
                    help="1 is much faster than 2 when other processes share the 2 cores (OpenMP oversubscription)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--attn", choices=["sdpa", "eager"], default="sdpa", help="draft attention on CPU")
    ap.add_argument("--norm-before-residual", action=argparse.BooleanOptionalAction, default=True,
                    help="speculators trainer default: True")
    ap.add_argument("--norm-before-fc", action=argparse.BooleanOptionalAction, default=False)
    ap.add_argument("--norm-output", action=argparse.BooleanOptionalAction, default=False)
    ap.add_argument("--train-lm-head", action="store_true",
                    help="also train lm_head (speculators keeps it frozen at the verifier rows)")
    ap.add_argument("--speculative-tokens", type=int, default=4, help="written to proposal_methods[0]")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: <= 64 samples, max-len 1024, 5-minute budget, checkpoint every 10 steps")
    ap.add_argument("--no-resume", action="store_true")
    ap.add_argument("--init-from", default=None,
                    help="start from a trained head (a train.py final/ directory or an exported head): fc, decoder layer and norm "
                         "weights are loaded, and its lm_head when its d2t equals --vocab's; d2t/t2d come from --vocab, "
                         "embed from the verifier. The "
                         "head's split.json (next to DIR) keeps its validation prompts out of training")
    ap.add_argument("--new-prompts-only", action="store_true",
                    help="--init-from a head whose split.json is gone (e.g. the exported head): no check is "
                         "possible, so train only on data from prompts that head never saw, or accept that "
                         "validation may include prompts it trained on")
    args = ap.parse_args(argv)
    args.data = args.data or [str(HERE / "work" / "data")]
    if args.quick:
        args.max_len = min(args.max_len, 1024)
        args.time_budget_min = args.time_budget_min or 5.0
        args.checkpoint_every = min(args.checkpoint_every, 10)
        args.epochs = max(args.epochs, 50)
        args.out = args.out if args.out != str(HERE / "work" / "train") else str(HERE / "work" / "train-quick")
    return args


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------

def load_samples(data_dirs):
    """All samples of all shards of every directory (views into the shard tensors, kept in bf16/fp16)."""
    samples = []
    for source, p in ((i, p) for i, d in enumerate(data_dirs) for p in sorted(pathlib.Path(d).glob("shard_*.safetensors"))):
        t = load_file(str(p))
        off = t["offsets"].tolist()
        for n, pi in enumerate(t["prompt_index"].tolist()):
            a, b = off[n], off[n + 1]
            if b - a < 3 or not bool(t["loss_mask"][a:b].any()):
                continue
            samples.append({
                "prompt_index": pi,
                "source": source,
                "input_ids": t["input_ids"][a:b],
                "loss_mask": t["loss_mask"][a:b],
                "hidden_states": t["hidden_states"][a:b],
                "verifier_last_hidden_states": t["verifier_last_hidden_states"][a:b],
            })
    return samples


def split(samples, val_fraction, seed, earlier=None):
    """Deterministic split by prompt index (same prompt never on both sides). `earlier` is the
    split of the run an --init-from head came from: its validation prompts stay in validation,
    its training prompts stay in training, and only new prompts are drawn (same fraction).
    Validation uses the first data directory only, so its figures stay comparable across runs;
    the held-out prompts of the other directories are returned too (`held_out`, all sources)."""
    rnd = random.Random(seed)
    idx = sorted({s["prompt_index"] for s in samples})
    val_ids = set()
    if earlier:
        val_ids = set(earlier["val"]) & set(idx)
        known = set(earlier["val"]) | set(earlier["train"])
        idx = [i for i in idx if i not in known]
    rnd.shuffle(idx)
    val_ids |= set(idx[:int(round(len(idx) * val_fraction))])
    held_out = val_ids & {s["prompt_index"] for s in samples}
    return ([s for s in samples if s["prompt_index"] not in val_ids],
            [s for s in samples if s["prompt_index"] in val_ids and s["source"] == 0], held_out)


def pack(samples, max_len, seed, epoch):
    """Shuffle (per epoch) then first-fit pack sample indices into groups of <= max_len tokens
    (counting the shifted length T-1). Longer samples are truncated by the collate function."""
    order = list(range(len(samples)))
    random.Random(seed * 1000003 + epoch).shuffle(order)
    packs, cur, cur_len = [], [], 0
    for i in order:
        n = min(len(samples[i]["input_ids"]) - 1, max_len)
        if cur and cur_len + n > max_len:
            packs.append(cur)
            cur, cur_len = [], 0
        cur.append(i)
        cur_len += n
    if cur:
        packs.append(cur)
    return packs


def make_batch(samples, pack_idx, max_len, hidden_size, n_aux):
    from speculators.models.eagle3.data import shift_batch
    from speculators.train.data import CollateFn

    items = []
    for i in pack_idx:
        s = samples[i]
        T = len(s["input_ids"])
        items.append({
            "hidden_states": s["hidden_states"],
            "input_ids": s["input_ids"].long(),
            "verifier_last_hidden_states": s["verifier_last_hidden_states"],
            "loss_mask": s["loss_mask"].bool(),
            "lengths": torch.tensor([T], dtype=torch.long),
            "position_ids": torch.arange(T, dtype=torch.long),
        })
    total = min(sum(len(x["input_ids"]) - 1 for x in items), max_len)
    collate = CollateFn(max_len=total, hidden_size=hidden_size, num_target_layers=n_aux, dtype=torch.float32,
                        preprocess=shift_batch)
    batch = collate(items)
    return {k: batch[k] for k in ("hidden_states", "input_ids", "verifier_last_hidden_states", "loss_mask",
                                  "position_ids", "document_ids")}


# ---------------------------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------------------------

def build_model(args, vocab):
    from speculators.models.eagle3 import Eagle3DraftModel
    from speculators.train.cli import create_transformer_layer_config

    layer_cfg = create_transformer_layer_config(
        args.model, num_layers=1, draft_arch="llama", hidden_act="silu",
        sliding_window=2048, full_attention_indices=[0])  # one full-attention layer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Eagle3DraftModel.from_training_args(
            layer_cfg, t2d=vocab["t2d"], d2t=vocab["d2t"], verifier_name_or_path=args.model,
            draft_vocab_size=args.draft_vocab_size, norm_before_residual=args.norm_before_residual,
            norm_before_fc=args.norm_before_fc, norm_output=args.norm_output, embed_requires_grad=False,
            ttt_steps=args.ttt_steps, target_layer_ids=[int(x) for x in args.aux_layers.split(",")],
            draft_attn_impl=args.attn)
    model.config.speculators_config.proposal_methods[0].speculative_tokens = args.speculative_tokens
    if args.train_lm_head:
        model.lm_head.weight.requires_grad_(True)
    return model.float()


def load_weights(model, tensors, prefixes, source):
    """Loads the tensors whose names start with one of `prefixes` into `model` (converting
    dtypes); exits naming `source` if one has no place in it. Returns how many it loaded."""
    keep = {k: v for k, v in tensors.items() if k.startswith(prefixes)}
    misfit = [k for k in keep if k not in model.state_dict()]
    if misfit:
        sys.exit(f"{source}: tensors {misfit} do not fit this head")
    model.load_state_dict(keep, strict=False)
    return len(keep)


class OptCfg:
    def __init__(self, args):
        self.optimizer = args.optimizer
        self.lr = args.lr
        self.weight_decay = args.weight_decay
        self.muon_lr = args.lr
        self.muon_momentum = 0.95
        self.muon_weight_decay = 0.1
        self.muon_ns_steps = 5
        self.muon_adjust_lr_fn = "match_rms_adamw"


# ---------------------------------------------------------------------------------------------
# metrics
# ---------------------------------------------------------------------------------------------

class Meter:
    def __init__(self, k):
        self.k = k
        self.sums = {}

    def add(self, metrics):
        for name, v in metrics.items():
            self.sums[name] = self.sums.get(name, 0.0) + float(v)

    def summary(self):
        out = {}
        for i in range(self.k):
            out[f"loss_{i}"] = self.sums.get(f"loss_{i}_sum", 0) / max(self.sums.get(f"loss_{i}_total", 0), 1e-9)
            out[f"acc_{i}"] = self.sums.get(f"full_acc_{i}_sum", 0) / max(self.sums.get(f"full_acc_{i}_total", 0), 1e-9)
            out[f"cond_acc_{i}"] = self.sums.get(f"cond_acc_{i}_sum", 0) / max(self.sums.get(f"cond_acc_{i}_total", 0), 1e-9)
        out["loss"] = sum(out[f"loss_{i}"] for i in range(self.k))
        # expected accepted draft tokens per step ~ sum of "all first i+1 correct" rates (+1 bonus)
        out["est_accept_len"] = 1.0 + sum(out[f"acc_{i}"] for i in range(self.k))
        return out


@torch.no_grad()
def evaluate(model, samples, args, loss_config, hidden_size, n_aux):
    model.eval()
    meter = Meter(args.ttt_steps)
    for p in pack(samples, args.max_len, args.seed, -1):
        batch = make_batch(samples, p, args.max_len, hidden_size, n_aux)
        _, _, metrics = model(**batch, ttt_steps=args.ttt_steps, ttt_step_loss_decay=args.ttt_step_loss_decay,
                              loss_config=loss_config)
        meter.add(metrics)
    model.train()
    return meter.summary()


# ---------------------------------------------------------------------------------------------


def atomic_save(obj, path):
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    from speculators.losses import resolve_loss_config
    from speculators.train.optimizers import build_optimizers
    from transformers import get_linear_schedule_with_warmup

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    vocab_file = args.vocab or str(pathlib.Path(args.data[0]) / f"vocab_{args.draft_vocab_size}.safetensors")
    vocab = load_file(vocab_file)
    if vocab["d2t"].numel() != args.draft_vocab_size:
        sys.exit(f"--vocab {vocab_file}: {vocab['d2t'].numel()} draft tokens, not --draft-vocab-size {args.draft_vocab_size}")
    model = build_model(args, vocab)
    if args.init_from:
        warm = load_file(str(pathlib.Path(args.init_from) / "model.safetensors"))
        # The lm_head rows belong to a vocabulary: carried over (e.g. trained with --train-lm-head)
        # only when the head drafts over the same one; otherwise they stay the verifier's rows.
        same_vocab = "d2t" in warm and torch.equal(warm["d2t"].long(), vocab["d2t"].long())
        prefixes = ("fc.", "layers.", "norm.") + (("lm_head.",) if same_vocab else ())
        n = load_weights(model, warm, prefixes, f"--init-from {args.init_from}")
        print(f"initialized {n} tensors from {args.init_from}", file=sys.stderr)
    hidden_size = model.hidden_size
    n_aux = len(model.config.eagle_aux_hidden_state_layer_ids)
    loss_config = resolve_loss_config(args.loss, "eager")  # the fused variants need Triton/CUDA
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"draft head: {n_train / 1e6:.2f} M trainable parameters "
          f"({sum(p.numel() for p in model.parameters()) / 1e6:.2f} M total incl. frozen embed/lm_head)",
          file=sys.stderr)

    samples = load_samples(args.data)
    earlier_split = pathlib.Path(args.init_from).parent / "split.json" if args.init_from else None
    if earlier_split is not None and not earlier_split.exists():
        if not args.new_prompts_only:
            sys.exit(f"--init-from {args.init_from}: {earlier_split} (the prompts that head trained on) is missing; "
                     "pass --new-prompts-only if the validation data comes from prompts it never saw")
        earlier_split = None
    earlier = json.loads(earlier_split.read_text()) if earlier_split else None
    train_s, val_s, held_out = split(samples, args.val_fraction, args.seed, earlier)
    (out / "split.json").write_text(json.dumps({
        "train": sorted({s["prompt_index"] for s in train_s} | set(earlier["train"] if earlier else [])),
        "val": sorted(held_out)}))
    if args.quick:
        train_s, val_s = train_s[:64], (val_s or train_s[64:72])[:8]
    n_tok = sum(len(s["input_ids"]) for s in train_s)
    steps_per_epoch = len(pack(train_s, args.max_len, args.seed, 0))
    total_steps = args.max_steps or steps_per_epoch * args.epochs
    print(f"{len(train_s)} train / {len(val_s)} val samples, {n_tok} train tokens, "
          f"{steps_per_epoch} steps/epoch of <= {args.max_len} tokens, {total_steps} steps planned", file=sys.stderr)

    optimizers = build_optimizers(model, OptCfg(args))
    warmup = max(1, total_steps // 100)
    schedulers = [get_linear_schedule_with_warmup(o, warmup, total_steps) for o in optimizers]

    state = {"epoch": 0, "pos": 0, "global_step": 0, "elapsed": 0.0}
    ckpt_path = out / "checkpoint.pt"
    if ckpt_path.exists() and not args.no_resume:
        ck = torch.load(ckpt_path, weights_only=False)
        model.load_state_dict(ck["model"])
        for o, s in zip(optimizers, ck["optimizers"]):
            o.load_state_dict(s)
        for sc, s in zip(schedulers, ck["schedulers"]):
            sc.load_state_dict(s)
        state = ck["state"]
        print(f"resumed from {ckpt_path}: epoch {state['epoch']} pack {state['pos']} step {state['global_step']}",
              file=sys.stderr)

    def save_checkpoint():
        atomic_save({"model": model.state_dict(), "optimizers": [o.state_dict() for o in optimizers],
                     "schedulers": [s.state_dict() for s in schedulers], "state": dict(state), "args": vars(args)},
                    ckpt_path)

    csv_path = out / "metrics.csv"
    fields = ["global_step", "epoch", "lr", "tokens", "step_seconds", "loss"] + \
             [f"{m}_{i}" for i in range(args.ttt_steps) for m in ("loss", "acc", "cond_acc")]
    new_csv = not csv_path.exists()
    csv_f = open(csv_path, "a", newline="")
    writer = csv.DictWriter(csv_f, fieldnames=fields)
    if new_csv:
        writer.writeheader()
    epochs_path = out / "epochs.json"
    epochs_log = json.loads(epochs_path.read_text()) if epochs_path.exists() else []

    model.train()
    t_run = time.time()
    elapsed0 = state["elapsed"]
    stop = False
    while state["epoch"] < args.epochs and not stop:
        epoch = state["epoch"]
        packs = pack(train_s, args.max_len, args.seed, epoch)
        meter = Meter(args.ttt_steps)
        while state["pos"] < len(packs):
            t0 = time.time()
            batch = make_batch(train_s, packs[state["pos"]], args.max_len, hidden_size, n_aux)
            _, loss, metrics = model(**batch, ttt_steps=args.ttt_steps,
                                     ttt_step_loss_decay=args.ttt_step_loss_decay, loss_config=loss_config)
            for o in optimizers:
                o.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            for o in optimizers:
                o.step()
            for s in schedulers:
                s.step()
            dt = time.time() - t0
            meter.add(metrics)
            state["pos"] += 1
            state["global_step"] += 1
            state["elapsed"] = elapsed0 + (time.time() - t_run)
            if state["global_step"] % args.log_every == 0:
                one = Meter(args.ttt_steps)
                one.add(metrics)
                sm = one.summary()
                row = {"global_step": state["global_step"], "epoch": epoch, "lr": schedulers[0].get_last_lr()[0],
                       "tokens": int(batch["input_ids"].shape[1]), "step_seconds": round(dt, 3),
                       "loss": round(loss.item(), 5)}
                row.update({k: round(v, 5) for k, v in sm.items() if k in fields})
                writer.writerow(row)
                csv_f.flush()
                print(f"ep {epoch} step {state['global_step']}/{total_steps} {dt:.2f}s "
                      f"tok {row['tokens']} loss {loss.item():.3f} acc "
                      + " ".join(f"{sm[f'acc_{i}']:.2f}" for i in range(args.ttt_steps)), file=sys.stderr, flush=True)
            if state["global_step"] % args.checkpoint_every == 0:
                save_checkpoint()
            if (args.max_steps and state["global_step"] >= args.max_steps) or \
                    (args.time_budget_min and (time.time() - t_run) / 60 >= args.time_budget_min):
                stop = True
                break
        tr = meter.summary()
        ev = evaluate(model, val_s, args, loss_config, hidden_size, n_aux) if val_s else {}
        epochs_log.append({"epoch": epoch, "complete": not stop, "global_step": state["global_step"],
                           "elapsed_seconds": round(state["elapsed"], 1), "train": tr, "val": ev})
        epochs_path.write_text(json.dumps(epochs_log, indent=2))
        print(f"epoch {epoch} {'done' if not stop else 'stopped'}: train loss {tr['loss']:.3f} acc "
              + " ".join(f"{tr[f'acc_{i}']:.3f}" for i in range(args.ttt_steps))
              + (f" | val loss {ev['loss']:.3f} acc " + " ".join(f"{ev[f'acc_{i}']:.3f}" for i in range(args.ttt_steps))
                 if ev else ""), file=sys.stderr, flush=True)
        if not stop:
            state["epoch"] += 1
            state["pos"] = 0
        save_checkpoint()
    csv_f.close()

    final = out / "final"
    model.save_pretrained(str(final))
    (out / "train_args.json").write_text(json.dumps(vars(args), indent=2))
    print(f"saved {final} after {state['global_step']} steps, {state['elapsed'] / 60:.1f} min", file=sys.stderr)


if __name__ == "__main__":
    main()
