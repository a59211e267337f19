"""Mutation fuzzing of parse_file: mutated txt/md/HTML/DOCX/PDF reports, each parsed in a
child process under a wall-time and memory limit; prints counts per outcome per kind and
the distinct root causes, writes shrunk reproducers.

    python bench/fuzz.py --cases 5000 --seed 1 --kinds txt,md,html,docx,pdf --workers 2 \
        --out /tmp/fuzz_out --timeout 10 --mem-mb 2048
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import fuzzlib  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default=",".join(fuzzlib.KINDS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="/tmp/fuzz_out")
    ap.add_argument("--timeout", type=float, default=10.0, help="wall-time limit per call, seconds")
    ap.add_argument("--mem-mb", type=int, default=2048, help="address-space limit of a child (RLIMIT_AS)")
    ap.add_argument("--rss-bar-mb", type=float, default=None, help="peak RSS counted as 'memory' (default mem-mb/2)")
    ap.add_argument("--ocr", action="store_true", help="let text-less PDF pages go to OCR (slow: seconds per page)")
    ap.add_argument("--synth", type=int, default=4, help="synthetic seed reports per kind")
    ap.add_argument("--extra-seeds", help="a folder of more seed files (.txt .md .html .docx .pdf)")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--shrink-budget", type=float, default=60.0, help="seconds per reproducer")
    ap.add_argument("--shrink-total", type=float, default=300.0, help="seconds for all reproducers")
    ap.add_argument("--per-signature", type=int, default=1, help="reproducers shrunk per root cause")
    a = ap.parse_args(argv)
    kinds = [k for k in a.kinds.split(",") if k]
    bad = set(kinds) - set(fuzzlib.KINDS)
    if bad:
        ap.error(f"unknown kinds: {', '.join(sorted(bad))}")
    t0 = time.perf_counter()
    seeds = fuzzlib.build_seeds(Path(a.out) / "seed-cache", kinds, a.synth, a.seed, a.extra_seeds)
    print("seeds: " + ", ".join(f"{k} {len(v)}" for k, v in seeds.items()) + f" ({time.perf_counter() - t0:.1f} s)",
          flush=True)
    res = fuzzlib.campaign(a.cases, a.seed, kinds, a.workers, a.out, a.timeout, a.mem_mb, a.rss_bar_mb, a.ocr,
                           not a.no_shrink, a.shrink_budget, a.shrink_total, a.per_signature, a.synth,
                           seeds=seeds, log=lambda m: print(m, flush=True))
    table = fuzzlib.summary(res, kinds)
    print(table)
    Path(a.out, "summary.md").write_text(table + "\n")
    Path(a.out, "summary.json").write_text(json.dumps(
        {"cases": len(res.cases), "wall_s": res.wall, "args": vars(a),
         "outcomes": {o: sum(c["outcome"] == o for c in res.cases) for o in fuzzlib.OUTCOMES},
         "repros": res.repros}, ensure_ascii=False, indent=1))
    print(f"wrote {a.out}/summary.md, cases.jsonl, repros.jsonl, repros/")
    return 1 if res.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
