#!/usr/bin/env python3
"""Export the trained head in speculators format (EAGLE3_SPEC §1.2) and check it loads.

Input : --trained  (train.py's <out>/final, a speculators save_pretrained() directory, fp32)
Output: --out      config.json + model.safetensors
  config.json: speculators_model_type "eagle3", architectures ["Eagle3DraftModel"],
    transformer_layer_config (full llama dict: hidden 576, 9/3 heads, head_dim 64, intermediate
    1536, rope theta 100000 as both rope_parameters and rope_theta, layer_types full_attention),
    draft_vocab_size, norm_before_residual / norm_before_fc / fc_norm / norm_output written
    explicitly, eagle_aux_hidden_state_layer_ids [2, 15, 27], speculators_config with
    proposal_methods[0].speculative_tokens (default 4) and the verifier entry.
  model.safetensors: fc.weight [576, 1728], layers.0.* (q/k/v take 2H = 1152 inputs, hidden_norm,
    input_layernorm, post_attention_layernorm, mlp), norm.weight, lm_head.weight [Vd, 576] in bf16
    (or fp16), d2t int64 [Vd], t2d bool [49152]. embed_tokens.weight is omitted when it equals the
    verifier's embedding bit for bit (it is frozen during training), unless --keep-embed.

Check: the exported directory is loaded with speculators' Eagle3DraftModel.from_pretrained (with the
verifier path pointed at the local target, since the config names the hub id), every tensor is
compared with the file, and the exported (bf16) head's TTT-step-0 predictions on a data shard are
compared with the fp32 trained head's.
"""

import argparse
import json
import pathlib
import shutil
import sys
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_MODEL = HERE.parent.parent / "SmolLM2-135M-Instruct"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trained", default=str(HERE / "work" / "train" / "final"))
    ap.add_argument("--out", default=str(HERE.parent), help="default: Models/SmolLM2-135M-Instruct-EAGLE3/")
    ap.add_argument("--model", default=str(DEFAULT_MODEL), help="local verifier directory (for the checks)")
    ap.add_argument("--verifier-name", default="HuggingFaceTB/SmolLM2-135M-Instruct",
                    help="speculators_config.verifier.name_or_path written to config.json")
    ap.add_argument("--speculative-tokens", type=int, default=4)
    ap.add_argument("--dtype", choices=["bfloat16", "float16"], default="bfloat16")
    ap.add_argument("--keep-embed", action="store_true")
    ap.add_argument("--data", default=str(HERE / "work" / "data"), help="a shard from here is used for the check")
    ap.add_argument("--max-mb", type=float, default=30.0)
    ap.add_argument("--no-check", action="store_true")
    return ap.parse_args()


def verifier_embedding(model_dir):
    with safe_open(str(pathlib.Path(model_dir) / "model.safetensors"), "pt") as f:
        return f.get_tensor("model.embed_tokens.weight")


def build_config(trained_cfg, args, dtype):
    cfg = dict(trained_cfg)
    for k in ("auto_map", "dtype", "torch_dtype", "transformers_version"):
        cfg.pop(k, None)
    cfg["architectures"] = ["Eagle3DraftModel"]
    tl = dict(cfg["transformer_layer_config"])
    for k in ("sliding_window", "use_sliding_window", "_attn_implementation", "_name_or_path"):
        tl.pop(k, None)
    rope = tl.get("rope_parameters") or {}
    tl["rope_theta"] = rope.get("rope_theta", tl.get("rope_theta"))
    tl["layer_types"] = ["full_attention"] * int(tl["num_hidden_layers"])
    tl["tie_word_embeddings"] = False
    tl["dtype"] = dtype
    cfg["transformer_layer_config"] = dict(sorted(tl.items()))
    for k, default in (("norm_before_residual", True), ("norm_before_fc", False), ("fc_norm", False),
                       ("norm_output", False)):
        cfg[k] = bool(cfg.get(k, default))
    cfg["target_hidden_size"] = cfg.get("target_hidden_size")
    sc = cfg["speculators_config"]
    sc["proposal_methods"][0]["speculative_tokens"] = args.speculative_tokens
    sc["verifier"] = {"name_or_path": args.verifier_name, "architectures": ["LlamaForCausalLM"]}
    cfg["dtype"] = dtype
    order = ["speculators_model_type", "speculators_version", "architectures", "draft_vocab_size",
             "norm_before_residual", "norm_before_fc", "fc_norm", "norm_output", "target_hidden_size",
             "eagle_aux_hidden_state_layer_ids", "embed_requires_grad", "tie_word_embeddings", "dtype",
             "transformer_layer_config", "speculators_config"]
    return {k: cfg[k] for k in order if k in cfg} | {k: v for k, v in cfg.items() if k not in order}


def export(args):
    trained = pathlib.Path(args.trained)
    out = pathlib.Path(args.out)
    dtype = getattr(torch, args.dtype)
    sd = load_file(str(trained / "model.safetensors"))
    trained_cfg = json.loads((trained / "config.json").read_text())
    emb = verifier_embedding(args.model)
    tensors = {}
    for name, t in sorted(sd.items()):
        if name.startswith("verifier_"):
            continue
        if name == "embed_tokens.weight" and not args.keep_embed:
            if torch.equal(t, emb.to(t.dtype)):
                print("embed_tokens.weight == verifier embedding: omitted (loaders share the target's)",
                      file=sys.stderr)
                continue
            print("embed_tokens.weight differs from the verifier's: kept", file=sys.stderr)
        if name in ("d2t",):
            tensors[name] = t.to(torch.int64).contiguous()
        elif name in ("t2d",):
            tensors[name] = t.to(torch.bool).contiguous()
        else:
            tensors[name] = t.to(dtype).contiguous()
    cfg = build_config(trained_cfg, args, args.dtype)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent if out.parent.exists() else None))
    save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    (tmp / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    out.mkdir(parents=True, exist_ok=True)
    for f in ("model.safetensors", "config.json"):
        shutil.move(str(tmp / f), str(out / f))
    shutil.rmtree(tmp, ignore_errors=True)
    size = (out / "model.safetensors").stat().st_size / 2**20
    print(f"wrote {out}: model.safetensors {size:.2f} MiB, {len(tensors)} tensors", file=sys.stderr)
    for n, t in tensors.items():
        print(f"  {n:45s} {list(t.shape)} {str(t.dtype).replace('torch.', '')}", file=sys.stderr)
    assert size <= args.max_mb, f"export is {size:.1f} MiB > {args.max_mb} MiB"
    return tensors


@torch.no_grad()
def check(args, tensors):
    import warnings

    from speculators.models.eagle3 import Eagle3DraftModel, Eagle3SpeculatorConfig

    out = pathlib.Path(args.out)
    cfg = Eagle3SpeculatorConfig.from_pretrained(str(out))
    # the config names the hub id; point the loader at the local target for the offline check
    cfg.speculators_config.verifier.name_or_path = args.model
    cfg.transformer_layer_config._attn_implementation = "sdpa"  # flex attention is uncompiled on CPU
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = Eagle3DraftModel.from_pretrained(str(out), config=cfg).float().eval()
    emb = verifier_embedding(args.model)
    emb_d = emb.to(getattr(torch, args.dtype)).float()
    if "embed_tokens.weight" not in tensors and not torch.equal(model.embed_tokens.weight, emb_d):
        # speculators 0.9.0 + transformers 5.19: from_pretrained() runs HF weight init on the missing
        # embed_tokens (replacing the NaN sentinel), so load_verifier_weights() skips it. Re-load it
        # from the verifier, as vLLM / the Swift engine do when the checkpoint has no embedding.
        print("note: speculators left embed_tokens initialised randomly (checkpoint omits it); "
              "re-loading it from the verifier", file=sys.stderr)
        model._load_verifier_weights(overwrite_embed_tokens=True)
        model.float()
    sd = model.state_dict()
    for n, t in tensors.items():
        assert torch.equal(sd[n].to(t.dtype), t), f"{n} differs after loading"
    # the loader builds the model in the config dtype, so the verifier embedding arrives rounded to it
    w = model.embed_tokens.weight
    assert torch.equal(w, emb) or torch.equal(w, emb_d), "embed_tokens not taken from the verifier"
    assert model.config.norm_before_residual == json.loads((out / "config.json").read_text())["norm_before_residual"]
    d2t, t2d = tensors["d2t"], tensors["t2d"]
    sel = torch.arange(d2t.numel()) + d2t
    assert torch.equal(sel, t2d.nonzero().squeeze(1)), "d2t offsets and t2d mask disagree"
    print(f"loaded with speculators Eagle3DraftModel.from_pretrained: {type(model).__name__}, "
          f"aux layers {model.config.eagle_aux_hidden_state_layer_ids}, draft vocab {model.draft_vocab_size}, "
          f"norm_before_residual={model.config.norm_before_residual}, all {len(tensors)} tensors identical",
          file=sys.stderr)

    # exported (bf16 weights) vs trained (fp32) head on one data sample: TTT step-0 argmax agreement
    shards = sorted(pathlib.Path(args.data).glob("shard_*.safetensors"))
    if not shards:
        return
    ref_cfg = Eagle3SpeculatorConfig.from_pretrained(str(pathlib.Path(args.trained)))
    ref_cfg.speculators_config.verifier.name_or_path = args.model
    ref_cfg.transformer_layer_config._attn_implementation = "sdpa"
    ref = Eagle3DraftModel.from_pretrained(str(pathlib.Path(args.trained)), config=ref_cfg).float().eval()
    t = load_file(str(shards[0]))
    a, b = t["offsets"][0].item(), t["offsets"][1].item()
    n = b - a
    kw = dict(hidden_states=t["hidden_states"][a:b - 1].float()[None],
              input_ids=t["input_ids"][a + 1:b].long()[None],
              document_ids=torch.zeros(1, n - 1, dtype=torch.long),
              position_ids=torch.arange(1, n)[None], ttt_steps=1)
    p_exp = model(**kw)[0]
    p_ref = ref(**kw)[0]
    agree = (p_exp == p_ref).float().mean().item()
    # and against the verifier's own next tokens (teacher) on the response part
    lm = t["loss_mask"][a + 2:b].bool()  # predicted token (position j + 2) is a response token
    target_next = t["input_ids"][a + 2:b].long()
    pred = p_exp[0, :-1] + d2t[p_exp[0, :-1]]
    acc = (pred[lm] == target_next[lm]).float().mean().item()
    print(f"step-0 draft tokens, exported bf16 vs trained fp32: {agree:.3f} agreement over {n - 1} positions; "
          f"exported head predicts the target's next response token {acc:.3f} of the time on this sample",
          file=sys.stderr)


def main():
    args = parse_args()
    tensors = export(args)
    if not args.no_check:
        check(args, tensors)


if __name__ == "__main__":
    main()
