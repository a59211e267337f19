"""The fuzz harness (bench/fuzzlib.py): a fixed-seed slice of mutated reports must give
no crash, hang, memory blow-up or unserialisable result; and the harness classifies a
fake target's misbehaviour correctly."""
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import fuzzlib  # noqa: E402

SLICE_CASES = 1000
SLICE_SEED = 20261211


class _Report:
    def __init__(self, d):
        self.d = d

    def to_dict(self):
        return self.d


def _fake_target(path):
    """Behaves as the file says: ok / reject / crash / hang / unser / memory / rss / die."""
    from gongkai.errors import InputError
    what = Path(path).read_text().strip()
    if what == "ok":
        return _Report({"meta": {"year": 2024}, "cells": {"t3.new.total": {"value": 1}}})
    if what == "reject":
        raise InputError(path, "文件为空")
    if what == "crash":
        return {}["missing"]
    if what == "hang":
        while True:
            time.sleep(0.01)
    if what == "unser":
        return _Report({"cells": {"t3.new.total": {"alternatives": [Decimal("1.5")]}}})
    if what == "memory":
        return bytearray(8 * 1024 ** 3)
    if what == "rss":
        b = bytearray(400 * 1024 * 1024)
        b[::4096] = b"x" * len(b[::4096])
        return _Report({"n": len(b)})
    if what == "die":
        os._exit(3)
    raise AssertionError(what)


def test_harness_classifies_a_fake_target(tmp_path):
    order = ["ok", "crash", "hang", "ok", "unser", "reject", "memory", "die", "rss", "ok"]
    items = []
    for i, what in enumerate(order):
        p = tmp_path / f"{i}.txt"
        p.write_text(what)
        items.append((i, p))
    t0 = time.monotonic()
    with fuzzlib.Pool(workers=2, timeout=3.0, mem_mb=1536, rss_bar_mb=300, target=_fake_target,
                      tmp=str(tmp_path)) as pool:
        got = dict(pool.map(items))
    assert time.monotonic() - t0 < 30
    outcome = {order[i]: r["outcome"] for i, r in got.items() if order[i] != "ok"}
    assert [got[i]["outcome"] for i in (0, 3, 9)] == ["ok"] * 3       # the pool goes on after a hang/death
    assert outcome == {"crash": "crash", "hang": "hang", "unser": "unserialisable", "reject": "rejected",
                       "memory": "memory", "die": "crash", "rss": "memory"}
    crash = got[order.index("crash")]
    assert crash["exc"] == "KeyError" and "test_fuzz_slice.py" in crash["frame"] and "_fake_target" in crash["frame"]
    assert got[order.index("die")]["exc"] == "WorkerDied(exit 3)"
    assert got[order.index("hang")]["elapsed"] >= 3.0
    assert "_fake_target" in got[order.index("hang")]["stack"]
    assert got[order.index("unser")]["gongkai_frame"] == "to_dict().cells[*].alternatives[]: Decimal"
    assert got[order.index("rss")]["rss_mb"] > 300


def _boom_target(path):
    if "BOOM" in Path(path).read_text(errors="replace"):
        raise ZeroDivisionError("boom")
    return _Report({})


def test_shrink_keeps_the_failure_and_drops_the_rest(tmp_path):
    lines = [f"第{i}行 0 1 2\n" for i in range(300)]
    lines[137] = "这一行有 BOOM 字样\n"
    data = "".join(lines).encode()
    res = {"outcome": "crash", "exc": "ZeroDivisionError", "frame": "x", "gongkai_frame": "", "elapsed": 0.01}
    with fuzzlib.Pool(1, target=_boom_target, tmp=str(tmp_path)) as pool:
        p = tmp_path / "in.txt"
        p.write_bytes(data)
        _k, first = next(pool.map([(0, p)]))
    res["frame"] = first["frame"]
    small, tests = fuzzlib.shrink(data, "txt", res, {"target": _boom_target, "tmp": str(tmp_path)}, 20, tmp_path)
    assert b"BOOM" in small and len(small) <= 16 and tests < 200


def test_mutators_change_their_input_and_cases_are_reproducible(tmp_path):
    seeds = fuzzlib.build_seeds(tmp_path, ("txt", "html", "docx"), n_synth=1, seed=3)
    for kind in ("txt", "html", "docx"):
        a = fuzzlib.make_case(seeds, kind, 7, 99)
        b = fuzzlib.make_case(seeds, kind, 7, 99)
        assert a.data == b.data and a.mutators == b.mutators
        src = next(s for s in seeds[kind] if s.name == a.seed).data
        assert a.data != src
    t = seeds["txt"][0].data
    import random
    rng = random.Random(1)
    assert max(len(x) for x in fuzzlib.m_huge_number(t, rng).split()) >= 1000
    assert fuzzlib.m_dup_lines(t, rng).count(b"\n") >= t.count(b"\n") + 49


HANG_CEILING = 0


@pytest.fixture(scope="module")
def slice_result(tmp_path_factory):
    out = Path(os.environ.get("GONGKAI_FUZZ_OUT") or tmp_path_factory.mktemp("fuzz"))
    return fuzzlib.campaign(SLICE_CASES, SLICE_SEED, fuzzlib.KINDS, workers=2, out=out, timeout=10, mem_mb=2048,
                            minimise=False, n_synth=3), out


def test_fuzz_slice_has_no_crash_memory_or_unserialisable_and_hangs_stay_bounded(slice_result):
    res, out = slice_result
    kinds = {c["kind"] for c in res.cases}
    assert len(res.cases) == SLICE_CASES and kinds == set(fuzzlib.KINDS)
    assert sum(c["outcome"] == "ok" for c in res.cases) > SLICE_CASES // 4     # mutants still parse, mostly
    bad = res.failures()
    msg = [f"{len(bad)} of {len(res.cases)} fuzz cases failed (seed {SLICE_SEED}; all cases in {out}/cases.jsonl)."]
    causes: dict = {}
    for c in bad:
        causes.setdefault(c["signature"], []).append(c)
    msg.append(f"{len(causes)} distinct root causes (outcome:exception@innermost gongkai frame):")
    msg += [f"  {len(cs):4d} × {sig} — e.g. {cs[0]['reproducer']}" for sig, cs in
            sorted(causes.items(), key=lambda x: -len(x[1]))]
    msg.append("Each failing case:")
    for c in bad:
        msg.append(f"  {c['case']} {c['kind']} seed={c['seed']} mutators={'+'.join(c['mutators'])}: {c['outcome']} "
                   f"{c.get('exc', '')}: {str(c.get('message', ''))[:120]} at {c.get('gongkai_frame') or c.get('frame')}"
                   f" → {c.get('reproducer')}")
    hard = [c for c in bad if c["outcome"] != "hang"]
    assert not hard, "\n".join(msg)
    # Hangs (> 10 s): the library's own budget (8 s per document, checked in every long
    # loop) ends a call first, as a clean rejection.  The bar is 0.
    hangs = [c for c in bad if c["outcome"] == "hang"]
    assert len(hangs) <= HANG_CEILING, "\n".join(msg)
