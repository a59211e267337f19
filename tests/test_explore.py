"""语料浏览 and 报告对照 in the library (corpus.explore, corpus.comparison), on SQLite and on
PostgreSQL: filters by region, year and kind within the scope; the minimum-sample rule;
statistics that agree with the indicators stored per report; formulas from the national
format's labels; downloads equal to the table on the page; scoped comparison and the
same agency's previous-year report."""
import csv
import io
import json
import statistics
from pathlib import Path

import pytest
from test_corpus_db import db  # noqa: F401  (the corpus on SQLite and on PostgreSQL)

from gongkai.corpus import Corpus, CorpusError
from gongkai.corpus import schema as S
from gongkai.corpus.accounts import EVERYTHING, NOTHING, Scope, parse_region
from gongkai.corpus.comparison import comparison, previous_year
from gongkai.corpus.explore import (MIN_SAMPLE, Filters, download, explore, exploration_table,
                                    parse_filters)
from gongkai.corpus.importer import import_paths
from gongkai.corpus.indicators import BY_ID, INDICATORS, formula


def _corpus(db, tmp_path) -> Corpus:
    """The bundled samples plus 格尔木市公安局's report again as of 2023 (a previous year)."""
    from gongkai.cli import sample_files
    files = sample_files()
    golmud = next(f for f in files if Path(f).name.startswith("000_"))
    last_year = tmp_path / "golmud_2023.txt"
    last_year.write_text(Path(golmud).read_text("utf-8").replace("2024", "2023"), "utf-8")
    c = Corpus(db)
    s = import_paths(c, files + [str(last_year)], workers=1)
    assert s.imported == 9 and not s.problems
    return c


def _stored(c, where=()):
    """(id, year, kind, city, county, indicator columns…) of the stored reports, straight from SQL."""
    import sqlalchemy as sa
    r, a = S.reports, S.agencies
    q = sa.select(r.c.id, r.c.year, a.c.kind, a.c.city, a.c.county, *[getattr(r.c, i.id) for i in INDICATORS]) \
        .select_from(r.outerjoin(a, a.c.id == r.c.agency_id))
    for w in where:
        q = q.where(w)
    with c.engine.connect() as x:
        return [dict(row._mapping) for row in x.execute(q)]


def test_filters_narrow_by_region_year_and_kind_within_the_scope(db, tmp_path):
    c = _corpus(db, tmp_path)
    every = _stored(c)
    assert explore(c, EVERYTHING, Filters()).reports == len(every) == 9
    e = explore(c, EVERYTHING, Filters(years=(2024,)))
    assert e.reports == sum(1 for r in every if r["year"] == 2024) == 4
    assert [g.key for g in e.groups] == ["2024"]
    e = explore(c, EVERYTHING, Filters(years=(2023, 2024), kind="department", group="city"))
    want = [r for r in every if r["year"] in (2023, 2024) and r["kind"] == "department"]
    assert e.reports == len(want) == 4
    assert {g.key: g.reports for g in e.groups} == {"格尔木市": 2, "洛阳市": 1, "海东市": 1}
    assert explore(c, EVERYTHING, Filters(region="海东市")).reports == 2
    assert explore(c, EVERYTHING, Filters(region="海东市平安区")).reports == 1
    haidong = Scope(regions=(parse_region("海东市"),))
    assert explore(c, haidong, Filters()).reports == 2
    assert explore(c, haidong, Filters(region="格尔木市")).reports == 0      # a region outside the scope
    assert explore(c, NOTHING, Filters()).reports == 0
    assert explore(c, haidong, Filters()).years == [2023, 2021]             # the form's options: the scope's
    bad = explore(c, EVERYTHING, Filters(region="火星"))
    assert bad.reports == 0 and "无法识别地区「火星」" in bad.error


def test_parse_filters_reads_the_query_and_names_a_bad_value():
    q = {"year": ["2024", "2023", ""], "kind": ["department"], "indicator": ["carry_rate"], "group": ["city"],
         "region": [" 海东市 "]}
    f = parse_filters(lambda k: q.get(k, []))
    assert f == Filters(region="海东市", years=(2023, 2024), kind="department", indicator="carry_rate", group="city")
    assert parse_filters(lambda k: q.get(k, []) if k != "region" else []).query() == [
        ("year", "2023"), ("year", "2024"), ("kind", "department"), ("indicator", "carry_rate"), ("group", "city")]
    for k, v, msg in (("year", "20x4", "年度「20x4」无效"), ("kind", "army", "类别「army」无效"),
                      ("indicator", "x", "指标「x」无效"), ("group", "agency", "分组「agency」无效")):
        with pytest.raises(CorpusError, match=msg):
            parse_filters(lambda key: [v] if key == k else [])


def test_statistics_agree_with_the_indicators_stored_per_report(db, tmp_path):
    c = _corpus(db, tmp_path)
    every = _stored(c)
    e = explore(c, EVERYTHING, Filters(), min_n=1)
    for s in e.summaries:
        stored = [r[s.indicator.id] for r in every if r[s.indicator.id] is not None]
        assert s.n == len(stored), s.indicator.id
        if stored:
            assert s.mean == pytest.approx(statistics.fmean(stored), abs=1e-5), s.indicator.id
            # the median: of the chosen indicator (one ordered read), the others' cards have none
            assert s.median == (pytest.approx(statistics.median(stored), abs=1e-5)
                                if s.indicator.id == e.filters.indicator else None), s.indicator.id
            chosen = explore(c, EVERYTHING, Filters(indicator=s.indicator.id), min_n=1)
            m = next(x for x in chosen.summaries if x.indicator.id == s.indicator.id)
            assert m.median == pytest.approx(statistics.median(stored), abs=1e-5), s.indicator.id
    apps = next(s for s in e.summaries if s.indicator.id == "applications")
    assert apps.pooled == sum(r["applications"] for r in every if r["applications"] is not None)
    rate = next(s for s in e.summaries if s.indicator.id == "disclosure_rate")
    assert min(r["disclosure_rate"] for r in every if r["disclosure_rate"] is not None) <= rate.pooled \
        <= max(r["disclosure_rate"] for r in every if r["disclosure_rate"] is not None)


def test_rates_and_ranks_need_the_minimum_sample(db, tmp_path):
    c = _corpus(db, tmp_path)
    e = explore(c, EVERYTHING, Filters(group="year"))
    assert e.min_n == MIN_SAMPLE
    rate = next(s for s in e.summaries if s.indicator.id == "disclosure_rate")
    n = rate.n
    assert n >= 2
    shown = explore(c, EVERYTHING, Filters(), min_n=n)
    s = next(x for x in shown.summaries if x.indicator.id == "disclosure_rate")
    assert s.enough and s.shown(s.pooled) == round(s.pooled * 100, 1) and s.note == ""
    hidden = explore(c, EVERYTHING, Filters(), min_n=n + 1)
    s = next(x for x in hidden.summaries if x.indicator.id == "disclosure_rate")
    assert not s.enough and s.shown(s.pooled) is None and s.shown(s.mean) is None
    assert s.note == f"样本不足（n={n}）"
    # per year: a year with fewer reports than the minimum has no rate and no rank
    e = explore(c, EVERYTHING, Filters(group="year"), min_n=2)
    header, rows = exploration_table(e)
    by = {r[0]: dict(zip(header, r)) for r in rows}
    for g in e.groups:
        row = by[g.key]
        if g.summary.n < 2:
            assert row["合计比率（%）"] is None and row["排名"] is None and row["说明"] == f"样本不足（n={g.summary.n}）"
        else:
            assert row["合计比率（%）"] == round(g.summary.pooled * 100, 1) and row["排名"] >= 1
    ranked = sorted((g for g in e.groups if g.rank), key=lambda g: g.rank)
    assert ranked and [g.rank for g in ranked] == list(range(1, len(ranked) + 1))
    assert [g.summary.pooled for g in ranked] == sorted((g.summary.pooled for g in ranked), reverse=True)
    assert e.chart()["values"] == [row[5] for row in rows]


def test_formulas_are_built_from_the_national_labels():
    from gongkai.formats import national
    raw = national().raw
    rows = {r["id"]: r["prefix"] + r["core"] for r in raw["t3"]["rows"]}
    groups = {g["id"]: g["label"] for g in raw["t3"]["groups"]}
    assert formula(BY_ID["disclosure_rate"]) == \
        f"公开率 = （{rows['granted']} + {rows['partial']}） ÷ {rows['total']}（表三，总计列）"
    assert groups["denied"] + "（各项之和）" in formula(BY_ID["denial_share"])
    assert "行政复议「结果纠正」 ÷ （行政复议「结果维持」" in formula(BY_ID["review_correction_rate"])
    for ind in INDICATORS:
        text = formula(ind)
        assert ("÷" in text) == bool(ind.denominator), ind.id
        for f in ind.numerator + ind.denominator:
            part = f.split(".")[1]
            if f.startswith("t3."):
                assert (groups[part] if f.endswith("*") else rows[part]) in text, (ind.id, f)


def _parse(fmt, body: bytes):
    if fmt == "csv":
        got = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        return got[0], [tuple(r) for r in got[1:]]
    if fmt == "json":
        got = json.loads(body)
        return list(got[0]), [tuple(d.values()) for d in got]
    if fmt == "xlsx":
        from openpyxl import load_workbook
        ws = load_workbook(io.BytesIO(body)).active
        got = list(ws.iter_rows(values_only=True))
        return list(got[0]), [tuple(r) for r in got[1:]]
    import pyarrow.parquet as pq
    t = pq.read_table(io.BytesIO(body)).to_pylist()
    return list(t[0]), [tuple(d.values()) for d in t]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
def test_downloads_are_the_table_on_the_page(db, tmp_path, fmt):
    c = _corpus(db, tmp_path)
    f = Filters(years=(2021, 2023, 2024), group="city", indicator="carry_rate")
    header, rows = exploration_table(explore(c, EVERYTHING, f, min_n=2))
    assert len(rows) >= 3 and any(r[5] is not None for r in rows) and any(r[5] is None for r in rows)
    body, media, name = download(c, EVERYTHING, f, fmt, min_n=2)
    assert name == f"explore-carry_rate-by-city.{fmt}" and media
    got_header, got = _parse(fmt, body)
    assert got_header == header
    if fmt == "csv":
        rows = [tuple("" if v is None else str(v) for v in r) for r in rows]
    if fmt == "xlsx":
        rows = [tuple(None if v == "" else v for v in r) for r in rows]   # an empty cell reads back as None
    assert got == rows
    with pytest.raises(CorpusError, match="不支持的导出格式：exe"):
        download(c, EVERYTHING, f, "exe")
    with pytest.raises(CorpusError, match="无法识别地区"):
        download(c, EVERYTHING, Filters(region="火星"), fmt)


def test_comparison_is_scoped_and_finds_last_years_report(db, tmp_path):
    c = _corpus(db, tmp_path)
    import sqlalchemy as sa
    with c.engine.connect() as x:
        ids = {(name, y): rid for name, y, rid in x.execute(
            sa.select(S.agencies.c.name, S.reports.c.year, S.reports.c.id)
            .select_from(S.reports.join(S.agencies, S.agencies.c.id == S.reports.c.agency_id)))}
        arrays = dict(x.execute(sa.select(S.reports.c.id, S.reports.c.value_array)).all())
    now, before = ids[("格尔木市公安局", 2024)], ids[("格尔木市公安局", 2023)]
    assert previous_year(c, EVERYTHING, now) == before
    assert previous_year(c, EVERYTHING, before) is None
    golmud = Scope(regions=(parse_region("格尔木市"),))
    haidong = Scope(regions=(parse_region("海东市"),))
    assert previous_year(c, golmud, now) == before and previous_year(c, haidong, now) is None
    other = ids[("格尔木市", 2024)]
    cmp = comparison(c, EVERYTHING, now, other)
    va, vb = json.loads(arrays[now]), json.loads(arrays[other])
    assert cmp.differing == sum(1 for x, y in zip(va, vb) if x != y) > 0
    assert cmp.a["agency"] == "格尔木市公安局" and cmp.b["agency"] == "格尔木市"
    rows = [r for _t, rs in cmp.tables for r in rs]
    assert len(rows) == cmp.total and any(r.label.startswith("表三 · 一、本年新收") for r in rows)
    only = comparison(c, EVERYTHING, now, other, only_differences=True)
    assert sum(len(rs) for _t, rs in only.tables) == cmp.differing and all(
        r.differs for _t, rs in only.tables for r in rs)
    assert {i["id"] for i in cmp.indicators} == set(BY_ID)
    assert comparison(c, golmud, now, other) is not None
    assert comparison(c, haidong, now, other) is None                        # both outside
    hd = ids[("海东市公安局", 2021)]
    assert comparison(c, haidong, hd, now) is None and comparison(c, haidong, now, hd) is None   # one outside
    assert comparison(c, EVERYTHING, now, 999999) is None


def _copy_agrees(c):
    """report_indicators (what the explorer sums) against the reports rows it copies."""
    import sqlalchemy as sa
    r, ri = S.reports, S.report_indicators
    with c.engine.connect() as x:
        rows = x.execute(sa.select(r.c.id, r.c.agency_id, r.c.year, *[r.c[i.id] for i in INDICATORS],
                                   ri.c.agency_id.label("ri_agency"), ri.c.year.label("ri_year"),
                                   *[ri.c[i.id].label("ri_" + i.id) for i in INDICATORS])
                         .select_from(r.outerjoin(ri, ri.c.report_id == r.c.id))).all()
    assert rows
    for m in (row._mapping for row in rows):
        assert (m["ri_agency"], m["ri_year"]) == (m["agency_id"], m["year"]), m["id"]
        for i in INDICATORS:
            assert m["ri_" + i.id] == pytest.approx(m[i.id]), (m["id"], i.id)


def test_the_explorers_copy_follows_imports_corrections_and_merges(db, tmp_path):
    from gongkai.corpus import review as R
    from gongkai.corpus.accounts import add_user
    from gongkai.corpus.catalogue import merge_agencies
    c = _corpus(db, tmp_path)
    _copy_agrees(c)
    admin = add_user(c, "admin", "admin", "test-password-1")
    rid = next(r["id"] for r in _stored(c) if r["disclosure_rate"] is not None)
    before = explore(c, EVERYTHING, Filters(), min_n=1)
    with c.engine.connect() as x:
        granted = x.execute(sa_select_cell(rid, "t3.granted.total")).scalar()
    R.correct_cell(c, admin, rid, "t3.granted.total", str(int(granted or 0) + 7), "核对原文")
    _copy_agrees(c)
    after = explore(c, EVERYTHING, Filters(), min_n=1)
    rate = lambda e: next(s for s in e.summaries if s.indicator.id == "disclosure_rate").mean  # noqa: E731
    assert rate(after) != rate(before)                      # the correction (audited) is not served from the cache
    assert explore(c, EVERYTHING, Filters(), min_n=1) is after   # nothing changed since: reused
    import sqlalchemy as sa
    with c.engine.connect() as x:
        ids = x.execute(sa.select(S.reports.c.agency_id).distinct().order_by(S.reports.c.agency_id)).scalars().all()
    assert len(ids) >= 2
    merge_agencies(c, ids[0], ids[1], "admin")
    _copy_agrees(c)
    with c.engine.connect() as x:
        assert x.execute(sa.select(sa.func.count()).select_from(S.report_indicators)
                         .where(S.report_indicators.c.agency_id == ids[1])).scalar() == 0


def sa_select_cell(rid, fid):
    import sqlalchemy as sa
    return (sa.select(S.cells.c.value).join(S.fields, S.fields.c.no == S.cells.c.field_no)
            .where(S.cells.c.report_id == rid, S.fields.c.id == fid))


def test_a_cell_a_spreadsheet_would_run_is_written_as_text():
    from openpyxl import load_workbook

    from gongkai.corpus.export import write_table
    buf = io.BytesIO()
    write_table(buf, "xlsx", ["机关", "数"], [("=HYPERLINK(\"http://x\",\"y\")", 1), ("@SUM(A1)", 2), ("淮安市", 3)])
    ws = load_workbook(io.BytesIO(buf.getvalue())).active
    cells = [(c.value, c.data_type) for c in ws["A"][1:]]
    assert cells == [("=HYPERLINK(\"http://x\",\"y\")", "s"), ("@SUM(A1)", "s"), ("淮安市", "s")]
    assert ws["B2"].value == 1 and ws["B2"].data_type == "n"
