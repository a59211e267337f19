#!/usr/bin/env python3
"""Benchmark: ms per rendered report per output format (in-process, after one warm-up).

    python bench/bench_render.py [--repeat 20]
"""
import argparse
import pathlib
import platform
import random
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from gongkai.synth import random_values  # noqa: E402

from gongkai.render import RenderInput, render  # noqa: E402
from gongkai.render.style import Style  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    print(f"machine: {platform.machine()}, python {platform.python_version()}, 1 process")
    # varied synthetic reports (gongkai.synth values, gongkai.render.style layouts), both formats
    rng = random.Random(7)
    inputs = []
    for s in range(10):
        fmt = "2019" if s % 4 == 3 else "2021"
        inputs.append((RenderInput("某某县人民政府", 2024, random_values(rng, fmt, scale=rng.choice([5, 200, 3000])),
                                   fmt, fmt, "2025-01-20", {"overview": "本县持续推进政务公开。" * 20}),
                       Style.random(rng) if s else Style()))
    with tempfile.TemporaryDirectory() as tmp:
        for to in ("html", "docx", "pdf"):
            out = pathlib.Path(tmp) / f"r.{to}"
            render(inputs[0][0], to, out, style=inputs[0][1])          # warm-up
            ts = []
            for i in range(a.repeat):
                t = time.perf_counter()
                inp, style = inputs[i % len(inputs)]
                render(inp, to, out, style=style)
                ts.append((time.perf_counter() - t) * 1000)
            print(f"{to:<5} median {statistics.median(ts):7.1f} ms/report  (p95 {sorted(ts)[int(len(ts) * .95)]:.1f})"
                  f"  size {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
