#!/usr/bin/env python3
"""Builds prompts/code.jsonl: raw (chat=false) code-continuation prompts from Python sources.

make_prompts.py takes one beginning per stdlib file (cut before its first top-level def/class).
This widens that kind of prompt: any top-level or method `def`/`class` line of a source file
is a cut point, and the prompt is the 10-30 lines before it, so the target continues real code
with the next definition. Sources: the stdlib and the packages installed next to the running
interpreter (the recipe's pinned requirements), test and example directories skipped, taken
round-robin over top-level modules and packages so that no large package dominates.
Kept prompts:
  * 120..1400 characters, at least 5 lines, not ending on a def/class line;
  * pass make_prompts.py's filters (no HumanEval-like tasks, no held-out chat topics), and no
    file whose path or text mentions HumanEval;
  * are new: not already in any other prompts/*.jsonl file or this file.

Deterministic for a given --seed, Python and installed packages.
Usage: python make_code_prompts.py [--count 512] [--seed 9090] [--out prompts/code.jsonl]
"""

import argparse
import json
import pathlib
import random
import re
import sysconfig

from make_magpie_prompts import normalized
from make_prompts import blocked, code_before

HERE = pathlib.Path(__file__).resolve().parent
CUT = re.compile(r"(\s{0,4})(def|class|async def) ")
SKIP = re.compile(r"(^|/)(tests?|testing|examples?|idlelib|site-packages/pip|__pycache__)(/|$)|human.?eval", re.I)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE / "prompts" / "code.jsonl"))
    ap.add_argument("--count", type=int, default=512, help="prompts to keep")
    ap.add_argument("--seed", type=int, default=9090)
    ap.add_argument("--per-file", type=int, default=2, help="at most this many prompts from one file")
    return ap.parse_args()


def source_files(rng):
    """Candidate files in round-robin order over (root, top-level module or package) groups,
    each group shuffled."""
    paths = sysconfig.get_paths()
    groups = {}
    for root in (pathlib.Path(paths["stdlib"]), pathlib.Path(paths["purelib"])):
        for p in sorted(root.rglob("*.py")):
            rel = p.relative_to(root).as_posix()
            if not SKIP.search(p.as_posix()) and not rel.startswith(("site-packages/", "dist-packages/")):
                groups.setdefault((str(root), rel.split("/")[0]), []).append(p)
    order = []
    for key in sorted(groups):
        rng.shuffle(groups[key])
        order.append(groups[key])
    rng.shuffle(order)
    return [g[i] for i in range(max(map(len, order))) for g in order if i < len(g)]


def beginnings(path, rng, per_file):
    try:
        text = path.read_text(errors="ignore")
    except OSError:
        return []
    if re.search(r"human.?eval", text, re.I):
        return []
    lines = text.splitlines()
    cuts = [i for i, ln in enumerate(lines) if i >= 8 and CUT.match(ln) and not lines[i - 1].lstrip().startswith("@")]
    rng.shuffle(cuts)
    out = []
    for cut in cuts:
        prompt = code_before(lines, cut, rng)
        if prompt is None or blocked(prompt):
            continue
        out.append(prompt)
        if len(out) == per_file:
            break
    return out


def main():
    args = parse_args()
    out = pathlib.Path(args.out)
    seen = {normalized(json.loads(line)["prompt"])
            for f in sorted((HERE / "prompts").glob("*.jsonl")) if f.resolve() != out.resolve()
            for line in f.read_text().splitlines() if line.strip()}
    rng = random.Random(args.seed)
    files = source_files(rng)
    kept = []
    for path in files:
        for prompt in beginnings(path, rng, args.per_file):
            key = normalized(prompt)
            if key not in seen:
                seen.add(key)
                kept.append(prompt)
        if len(kept) >= args.count:
            break
    if len(kept) < args.count:
        raise SystemExit(f"only {len(kept)} prompts from {len(files)} files, asked for {args.count}")
    out.write_text("".join(json.dumps({"prompt": p, "chat": False}) + "\n" for p in kept[:args.count]))
    print(f"{args.count} prompts from {len(files)} candidate files -> {out}")


if __name__ == "__main__":
    main()
