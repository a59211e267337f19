#!/usr/bin/env python3
"""Benchmark: text-report parsing (read → locate → map → check), in one process on one core.

Parses each seed text (the bundled samples) repeatedly, ≥ 1000 reports in all, and
prints the median and p95 ms per report and the peak RSS.  Usage:

    python bench/bench_text.py [--reports 1000] [--dir src/gongkai/samples]
"""
import argparse
import pathlib
import platform
import resource
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gongkai import parse_text  # noqa: E402
from gongkai.read import read_text_file  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--dir", default=str(ROOT / "src" / "gongkai" / "samples"))
    a = ap.parse_args()
    files = sorted(pathlib.Path(a.dir).glob("*.txt"))
    texts = [(f.name, read_text_file(f)) for f in files]
    for _n, t in texts:          # warm-up (imports, caches)
        parse_text(t)
    times = {n: [] for n, _ in texts}
    allt = []
    i = 0
    t_start = time.perf_counter()
    while len(allt) < a.reports:
        n, t = texts[i % len(texts)]
        t0 = time.perf_counter()
        parse_text(t)
        dt = (time.perf_counter() - t0) * 1000
        times[n].append(dt)
        allt.append(dt)
        i += 1
    wall = time.perf_counter() - t_start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}, 1 process")
    print(f"reports: {len(allt)} ({len(texts)} distinct texts, {wall:.1f} s wall)")
    for n, ts in times.items():
        print(f"  {n:<40} median {statistics.median(ts):6.2f} ms")
    allt.sort()
    print(f"median ms/report: {statistics.median(allt):.2f}   p95: {allt[int(len(allt) * 0.95)]:.2f}   "
          f"reports/s: {len(allt) / wall:.0f}")
    print(f"peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
