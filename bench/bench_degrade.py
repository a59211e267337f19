"""Degradation corpus benchmark: synthetic reports passed through real tools (pdftotext,
pdfminer, pypdf, pypdfium2, markitdown, LibreOffice, CMS bodies, crawler text, damaged
labels), parsed in-process and scored per kind with the definitions of
shared/tools/score.py (a failed parse's cells count as wrong; a silent error is a wrong
cell not in the report's ``uncertain`` list).

    python bench/bench_degrade.py --per-kind 50 --seed 0 [--kinds pypdf,crawler] [--out DIR]
    python bench/bench_degrade.py --as-test      # the suite's own corpus: its seed and counts

With --out the degraded files and NAME.gold.json stay in DIR, so
``gongkai parse DIR --out PRED`` and ``score.py DIR PRED`` reproduce the figures."""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gongkai.degrade import KINDS, KindScore, generate, parse_and_score  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="folder for the degraded files and their gold (default: a temporary one)")
    ap.add_argument("--per-kind", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, from: " + ", ".join(KINDS))
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds before one parse is stopped (slow)")
    ap.add_argument("--examples", type=int, default=5, help="errors shown per kind")
    ap.add_argument("--as-test", action="store_true",
                    help="the seed and per-kind counts of tests/test_degradation.py (2,025 documents)")
    a = ap.parse_args(argv)
    kinds = [k.strip() for k in a.kinds.split(",") if k.strip()]
    per_kind = a.per_kind
    if a.as_test:
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "test_degradation", Path(__file__).resolve().parents[1] / "tests" / "test_degradation.py")
        t = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(t)
        a.seed, per_kind, a.timeout = t.SEED, {k: t.COUNTS[k] for k in kinds}, t.TIMEOUT
    tmp = None
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-degrade-")
        out = Path(tmp.name)
    scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=out))
    scores = {k: KindScore(k) for k in kinds}
    made = {k: 0.0 for k in kinds}
    timings = {}
    t_all = time.perf_counter()
    for doc in generate(kinds, per_kind, a.seed, scratch, timings):
        made[doc.kind] += doc.seconds
        scores[doc.kind].add(parse_and_score(doc, out, timeout=a.timeout), keep=a.examples)
    wall = time.perf_counter() - t_all
    import shutil
    shutil.rmtree(scratch, ignore_errors=True)

    print(f"seed {a.seed}, {per_kind if isinstance(per_kind, int) else 'test counts'} per kind; shared rendering: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()) + f"; wall {wall:.1f} s")
    head = ("kind", "docs", "cell acc", "silent", "flagged", "failed", "crash", "slow", "exact", "meta≠",
            "make s", "parse ms/doc")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    tot = KindScore("all")
    for k in kinds:
        s = scores[k]
        print(f"| {k} | {s.docs} | {s.accuracy:.4f} | {s.silent} | {s.flagged} | {s.failures} | {s.crashes} | "
              f"{s.slow} | {s.exact} | {s.meta_wrong} | {made[k]:.1f} | {1000 * s.seconds / max(1, s.docs):.0f} |")
        for f in ("docs", "cells", "right", "silent", "flagged", "failures", "crashes", "slow", "exact", "meta_wrong"):
            setattr(tot, f, getattr(tot, f) + getattr(s, f))
    print(f"| **all** | {tot.docs} | {tot.accuracy:.4f} | {tot.silent} | {tot.flagged} | {tot.failures} | "
          f"{tot.crashes} | {tot.slow} | {tot.exact} | {tot.meta_wrong} | | |")
    for k in kinds:
        if scores[k].examples and a.examples:
            print(f"\n{k}:")
            print("  " + scores[k].describe_errors(a.examples).replace("\n", "\n  "))
    if a.out:
        print(f"\nfiles and gold in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
