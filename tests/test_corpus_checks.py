"""Checks across reports and indicators, on constructed multi-year data: the
carry-over chain, a government against its declared departments, year-over-year
jumps, outliers among peers; indicator definitions on hand-computed tables."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.docs import all_rules as rules
from gongkai.corpus import Corpus
from gongkai.corpus.crosscheck import (CorpusData, Rec, carry_over, department_sum, jump, outlier,
                                       run_corpus_checks)
from gongkai.corpus.indicators import INDICATORS, compute
from gongkai.formats import national
from gongkai.synth import random_values, report_from

COLS = national().t3_columns


def _chain(years, seed=0, scale=30):
    """Consistent reports of one agency whose 上年结转 continues last year's 结转下年度."""
    rng = random.Random(seed)
    out = []
    prev_forward = None
    for y in years:
        v = random_values(rng, "2021", scale)
        if prev_forward is not None:
            for c in COLS:        # keep 新收 + 上年结转 = 总计 + 结转 by moving the difference into 新收
                d = prev_forward[c] - v[f"t3.carried_over.{c}"]
                v[f"t3.carried_over.{c}"] += d
                v[f"t3.new.{c}"] -= d
                if v[f"t3.new.{c}"] < 0:
                    v[f"t3.total.{c}"] -= v[f"t3.new.{c}"]
                    v[f"t3.other.other.{c}"] -= v[f"t3.new.{c}"]
                    v[f"t3.new.{c}"] = 0
        prev_forward = {c: v[f"t3.carried_forward.{c}"] for c in COLS}
        out.append((y, v))
    return out


def _rec(i, aid, agency, year, values, kind="department", province="江苏省"):
    from gongkai.corpus.indicators import compute as ind
    return Rec(i, aid, agency, year, kind, province, dict(values), ind(values))


def test_rules_across_reports_are_registered_like_the_others():
    ids = {r.id: r for r in rules()}
    for rid in ("corpus.carry_over", "corpus.department_sum", "corpus.jump", "corpus.outlier"):
        assert ids[rid].stage == "corpus" and ids[rid].doc and ids[rid].title


def test_carry_over_chain_holds_and_a_break_is_found():
    chain = _chain([2022, 2023, 2024], seed=4)
    recs = [_rec(i, 1, "某市公安局", y, v) for i, (y, v) in enumerate(chain)]
    assert carry_over(CorpusData(recs, [])) == []
    recs[2].values["t3.carried_over.legal"] += 2           # 2024 says 2 more were carried over
    found = carry_over(CorpusData(recs, []))
    assert len(found) == 1
    f = found[0]
    assert f.rule == "corpus.carry_over" and f.severity == "error"
    assert f.data["reports"] == [1, 2] and f.data["columns"] == ["legal"] and "法律服务机构" in f.message
    # an unknown cell is not a mismatch; another agency's year is not "last year"
    recs[2].values["t3.carried_over.legal"] = None
    assert carry_over(CorpusData(recs, [])) == []
    other = [_rec(9, 2, "另一局", 2023, chain[1][1])]
    assert carry_over(CorpusData([recs[0]] + other, [])) == []


def test_government_equals_sum_of_declared_departments():
    rng = random.Random(1)
    deps = [random_values(rng, "2021", 20) for _ in range(3)]
    gov = {f: sum(d[f] for d in deps) for f in deps[0] if f.startswith(("t3.", "t4."))}
    recs = [_rec(10, 100, "某县人民政府", 2024, gov, "government")] + [
        _rec(11 + k, 101 + k, f"某县{n}", 2024, d) for k, (n, d) in enumerate(zip(["教育局", "公安局", "财政局"], deps))]
    rel = [(100, 101), (100, 102), (100, 103)]
    assert department_sum(CorpusData(recs, rel)) == []
    assert department_sum(CorpusData(recs, [])) == []         # no declared relation, no check
    recs[0].values["t4.review.total"] += 1
    found = department_sum(CorpusData(recs, rel))
    assert [f.fields for f in found] == [("t4.review.total",)]
    assert found[0].data["reports"] == [10, 11, 12, 13]
    # a department without a report that year: the sum cannot be judged
    assert department_sum(CorpusData(recs[:3], rel)) == []


@pytest.mark.parametrize("series,expected", [
    ([10, 12, 11], 0),
    ([10, 130], 1),           # ×13
    ([200, 15], 1),           # ÷13
    ([2, 40], 0),             # from 2: too small to judge
    ([8, 9, 0], 1),           # zero after two active years
    ([8, 0], 0),              # one active year only
])
def test_year_over_year_jumps(series, expected):
    recs = []
    for i, n in enumerate(series):
        v = {"t3.new.total": n}
        recs.append(Rec(i, 7, "某局", 2020 + i, "department", "江苏省", v, {}))
    found = jump(CorpusData(recs, []))
    assert len(found) == expected, [f.message for f in found]


def test_outlier_among_peers():
    rng = random.Random(3)
    recs = []
    for i in range(12):
        recs.append(Rec(i, i, f"某市{i}局", 2024, "department", "江苏省", {},
                        {"applications": float(rng.randint(40, 60)), "disclosure_rate": 0.5 + rng.random() * 0.1}))
    assert outlier(CorpusData(recs, [])) == []
    recs[5].indicators["applications"] = 5000.0
    found = outlier(CorpusData(recs, []))
    assert len(found) == 1 and found[0].data["reports"] == [5] and found[0].data["indicator"] == "applications"
    # peers must share province and kind: the same value elsewhere has no peers
    recs[5].province = "浙江省"
    assert outlier(CorpusData(recs, [])) == []


def test_indicators_by_hand():
    v = {f: 0 for f in national().field_ids("2021", "2021")}
    v.update({"t3.new.total": 18, "t3.carried_over.total": 2, "t3.granted.total": 9, "t3.partial.total": 3,
              "t3.denied.state_secret.total": 2, "t3.denied.third_party.total": 1,
              "t3.unavailable.not_held.total": 2, "t3.rejected.petition.total": 1, "t3.total.total": 18,
              "t3.carried_forward.total": 2, "t4.review.upheld": 3, "t4.review.corrected": 1,
              "t4.review.pending": 5, "t4.suit_direct.corrected": 1, "t4.suit_direct.upheld": 1})
    got = compute(v)
    assert got["applications"] == 20
    assert got["disclosure_rate"] == pytest.approx(12 / 18, abs=1e-6)
    assert got["denial_share"] == pytest.approx(3 / 18, abs=1e-6)
    assert got["unavailable_share"] == pytest.approx(2 / 18, abs=1e-6)
    assert got["rejected_share"] == pytest.approx(1 / 18, abs=1e-6)
    assert got["carry_rate"] == pytest.approx(2 / 20, abs=1e-6)
    assert got["review_correction_rate"] == pytest.approx(1 / 4, abs=1e-6)        # pending cases are not decided
    assert got["suit_correction_rate"] == pytest.approx(1 / 2, abs=1e-6)
    v["t3.partial.total"] = None                                         # blank: no rate from a guess
    assert compute(v)["disclosure_rate"] is None
    v["t3.total.total"] = 0
    assert compute(v)["denial_share"] is None
    assert {i.id for i in INDICATORS} == set(got)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), fmt=st.sampled_from(["2021", "2019"]))
def test_indicators_are_shares_of_consistent_tables(seed, fmt):
    v = random_values(random.Random(seed), fmt, scale=50)
    got = compute(v)
    shares = [got[k] for k in ("disclosure_rate", "denial_share", "unavailable_share", "rejected_share")]
    if v["t3.total.total"]:
        assert all(x is not None and 0 <= x <= 1 for x in shares)
        assert sum(shares) <= 1 + 1e-5          # each share is rounded to 6 places
    for k in ("review_correction_rate", "suit_correction_rate", "carry_rate"):
        assert got[k] is None or 0 <= got[k] <= 1


def test_corpus_checks_through_the_database(tmp_path):
    """Reports stored in a database; `corpus check` finds the planted break and stores it."""
    c = Corpus(str(tmp_path / "x.db"))
    chain = _chain([2022, 2023, 2024], seed=8)
    chain[2][1]["t3.carried_over.natural"] += 1
    for i, (y, v) in enumerate(chain):
        rep = report_from(v, {"agency": "某市市场监督管理局", "year": y})
        c.store_report({"sha256": f"{i:064x}", "path": f"/x/{y}.txt", "size": 1, "format": "text",
                        "parser_version": 2, "status": "ok", "error": None}, rep)
    found = run_corpus_checks(c)
    carry = [f for f in found if f.rule == "corpus.carry_over"]
    assert len(carry) == 1 and carry[0].data["year"] == 2024 and "natural" in carry[0].data["columns"]
    with c.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT rule, reports FROM findings WHERE scope = 'corpus'").all()
    assert ("corpus.carry_over", "[2, 3]") in [tuple(r) for r in rows]
    run_corpus_checks(c)                     # re-running replaces, does not duplicate
    with c.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM findings WHERE scope = 'corpus'").scalar() == len(found)
