#!/usr/bin/env python3
"""Benchmark: the corpus at scale.  Generates N synthetic text reports (gongkai synth,
two seeds in parallel), imports them with W worker processes into a fresh SQLite file,
then times `stats` and `export --layout wide` (CSV and Parquet) in-process and as
whole commands, and prints the database size.

    python bench/bench_corpus.py [--reports 100000] [--workers 2] [--dir /tmp/gongkai-bench]

Reuses generated reports found in DIR (delete it to regenerate)."""
import argparse
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def run(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True)
    if r.returncode not in (0,):
        print(r.stdout[-500:], r.stderr[-2000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - t, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dir", default="/tmp/gongkai-bench")
    ap.add_argument("--dask-reports", type=int, default=5000,
                    help="also import this many reports through a dask.distributed LocalCluster (0: skip)")
    ap.add_argument("--skip-import", action="store_true", help="reuse DIR/bench.db (only the queries)")
    a = ap.parse_args()
    d = pathlib.Path(a.dir)
    src = d / "reports"
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}")
    half = a.reports // 2
    parts = [(src / "a", half, 101), (src / "b", a.reports - half, 202)]
    if not all(p.exists() and len(list(p.glob("*.txt"))) == n for p, n, _s in parts):
        shutil.rmtree(src, ignore_errors=True)
        t = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-m", "gongkai", "synth", str(n), "--out", str(p), "--formats",
                                   "txt", "--seed", str(s)], env=ENV, stdout=subprocess.DEVNULL) for p, n, s in parts]
        for p in procs:
            p.wait()
        print(f"synth: {a.reports} text reports in {time.perf_counter() - t:.0f} s")
    db = d / "bench.db"
    if not a.skip_import:
        for f in d.glob("bench.db*"):
            f.unlink()
        secs, out = run([sys.executable, "-m", "gongkai", "corpus", "--db", str(db), "import"]
                        + [str(p) for p, _n, _s in parts] + ["--workers", str(a.workers), "--no-check", "-q"])
        print(out.strip())
        print(f"import: {a.reports / secs:.0f} reports/s end to end ({secs:.0f} s, {a.workers} workers, "
              "incl. start-up and hashing)")
    size = sum(f.stat().st_size for f in d.glob("bench.db*"))
    print(f"database: {size / 2**20:.0f} MiB ({size / a.reports / 1024:.1f} KiB/report)")
    from gongkai.corpus import Corpus
    from gongkai.corpus.crosscheck import run_corpus_checks
    from gongkai.corpus.export import export, stats
    c = Corpus(str(db))
    for name, fn in (("stats (province, year, kind)", lambda: stats(c)),
                     ("export --layout wide (csv)", lambda: export(c, d / "wide.csv", layout="wide")),
                     ("export --layout wide (parquet)", lambda: export(c, d / "wide.parquet", layout="wide")),
                     ("check (cross-report rules)", lambda: run_corpus_checks(c))):
        t = time.perf_counter()
        fn()
        print(f"{name:<32} {time.perf_counter() - t:6.2f} s in-process")
    for cmd in (["stats"], ["export", "-o", str(d / "wide.csv"), "--layout", "wide"]):
        secs, _ = run([sys.executable, "-m", "gongkai", "corpus", "--db", str(db)] + cmd)
        print(f"gongkai corpus {' '.join(cmd[:1] + cmd[3:]):<24} {secs:6.2f} s as a command (incl. start-up)")
    if a.dask_reports:
        dask_run(sorted((src / "a").glob("*.txt"))[: a.dask_reports], d / "dask.db")


def dask_run(files, db):
    """The --executor dask path on a LocalCluster of 2 single-thread worker processes."""
    from dask.distributed import LocalCluster

    from gongkai.corpus import Corpus
    from gongkai.corpus.importer import import_paths
    for f in db.parent.glob(db.name + "*"):
        f.unlink()
    os.environ["PYTHONPATH"] = str(ROOT / "src")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        t = time.perf_counter()
        s = import_paths(Corpus(str(db)), [str(f) for f in files], executor="dask", scheduler=cluster.scheduler_address)
        secs = time.perf_counter() - t
    print(f"dask LocalCluster (2 workers): {s.imported} reports in {secs:.1f} s = {s.imported / secs:.0f} reports/s")


if __name__ == "__main__":
    main()
