"""Corpus priors for fused 表二 rows (corpus.t2prior): the pure ranking, and the corpus
re-ranking on import (a later-arriving neighbour year, re-import, export, compare) on
SQLite and PostgreSQL.  A re-ranked cell stays ``uncertain``: a guess is never a value."""
import json

from test_corpus_db import db  # noqa: F401  (the corpus on SQLite and on PostgreSQL)

from gongkai.corpus import Corpus
from gongkai.corpus import schema as S
from gongkai.corpus.importer import import_paths
from gongkai.corpus.t2prior import apply_t2_priors, narrative_numbers, readings_of, rerank_row, stated_numbers
from gongkai.extract.candidates import row_candidates
from gongkai.extract.values import tokenize
from gongkai.synth import random_values, write

F21 = ["issued", "repealed", "in_force"]


def parser_alternatives(raw, n=3):
    """The alternatives the parser keeps (its first six readings), as lists of values."""
    toks, _ = tokenize(raw)
    return [[s.value for s in c.slots] for c in row_candidates(toks, n)[:6]]


# ------------------------------------------------------------------ pure ranking
def test_continuity_with_previous_year_picks_the_right_reading():
    raw = "5845546"                        # 58 / 45 / 546 fused
    parsed = parser_alternatives(raw)
    assert [58, 45, 546] not in parsed     # the parser's six first readings miss it
    # last year issued 300: magnitude alone would read 584 / 5 / 546
    prev = {"t2.normative.issued": 300, "t2.normative.repealed": 1, "t2.normative.in_force": 533}
    g = rerank_row("2021", "normative", F21, raw, parsed, {}, prev, None, year=2022)
    assert g.readings[0] == [58, 45, 546]  # 533 + 58 − 45 = 546
    assert "continuity:prev" in g.tags
    assert any("2021" in e and "现行有效件数" in e and "连续" in e for e in g.evidence)


def test_continuity_with_next_year():
    raw = "5845546"
    nxt = {"t2.normative.issued": 900, "t2.normative.repealed": 896, "t2.normative.in_force": 550}
    g = rerank_row("2021", "normative", F21, raw, parser_alternatives(raw), {}, None, nxt, year=2022)
    # 546 + 900 − 896 = 550: the next year fixes 现行有效 only; the readings with 546 come first
    assert g.readings[0][2] == 546 and g.tags[0] == "continuity:next"
    n546 = sum(1 for r in g.readings if r[2] == 546)
    assert n546 >= 3 and all(r[2] == 546 for r in g.readings[:n546])


def test_continuity_of_the_2019_format():
    # 对外公开总数量 = last year's + 本年新公开: 12 / 10 / 310 after 300
    raw = "1210310"
    f19 = ["new_made", "new_published", "published_total"]
    prev = {"t2.rules.published_total": 300}
    g = rerank_row("2019", "rules", f19, raw, parser_alternatives(raw), {}, prev, None, year=2020)
    assert g.readings[0] == [12, 10, 310]
    assert g.tags[0] == "continuity:prev"


def test_no_neighbour_keeps_the_order():
    raw = "5845546"
    assert rerank_row("2021", "normative", F21, raw, parser_alternatives(raw), {}, None, None) is None
    assert rerank_row("2021", "normative", F21, raw, parser_alternatives(raw), {}, {}, {}) is None


def test_magnitude_without_continuity():
    # the neighbours' counts are two / two / four digits: 58 45 546 (not 5 8 45546)
    raw = "5845546"
    prev = {"t2.normative.issued": 71, "t2.normative.repealed": 20, "t2.normative.in_force": 9000}
    g = rerank_row("2021", "normative", F21, raw, parser_alternatives(raw), {}, prev, None, year=2022)
    assert g.tags == ["magnitude"]
    top = g.readings[0]
    assert [len(str(x)) for x in top] in ([2, 2, 3], [2, 1, 4])


def test_a_reading_must_agree_with_the_cells_read_for_sure():
    raw = "5845546"
    prev = {"t2.normative.in_force": 533}
    known = {"t2.normative.issued": 5}     # the parse is sure of this cell
    g = rerank_row("2021", "normative", F21, raw, parser_alternatives(raw), known, prev, None)
    assert all(r[0] == 5 for r in g.readings)


def test_readings_fall_back_to_the_parse_when_the_raw_tokenises_otherwise():
    parsed = [[1, 2, 3], [12, None, 3]]
    assert readings_of("", 3, parsed) == [([1, 2, 3], 0), ([12, None, 3], 0)]


def test_stated_numbers_are_counts_not_dates():
    prose = "本报告所列数据的统计期限为2021年1月1日至2021年12月31日。全年制发规范性文件58件。"
    nums = narrative_numbers(prose)
    assert 58 in nums and 12 not in nums and 31 not in nums
    assert stated_numbers(nums, "5845546") == [58]
    assert stated_numbers(nums, "1234") == []


# ------------------------------------------------------------------ in the corpus
SERIES = {2021: (300, 1, 533), 2022: (58, 45, 546), 2023: (12, 8, 550)}
AGENCY = "淮安市司法局"


def _report(tmp_path, year, fuse):
    import random
    import re
    rng = random.Random(year)
    v = random_values(rng, "2021", scale=20)
    v.update({f"t2.rules.{f}": 0 for f in F21})
    v.update(dict(zip([f"t2.normative.{f}" for f in F21], SERIES[year])))
    text, _truth = write(v, "clean", "2021", rng, agency=AGENCY, year=year)
    if fuse:
        lines = text.split("\n")
        k = next(i for i, x in enumerate(lines) if x.startswith("行政规范性文件"))
        lines[k] = re.sub(r"(?<=\d) (?=\d)", "", lines[k])
        text = "\n".join(lines)
    p = tmp_path / f"{year}{'_fused' if fuse else ''}.txt"
    p.write_text(text, "utf-8")
    return str(p)


def _cells(corpus, year):
    import sqlalchemy as sa
    r, cl, f = S.reports, S.cells, S.fields
    q = (sa.select(f.c.id, cl.c.value, cl.c.status, cl.c.reason, cl.c.source)
         .select_from(cl.join(r, r.c.id == cl.c.report_id).join(f, f.c.no == cl.c.field_no))
         .where(r.c.year == year, f.c.id.like("t2.normative.%")))
    with corpus.engine.connect() as c:
        rows = {x[0].split(".")[2]: x for x in c.execute(q)}
        va = c.execute(sa.select(r.c.value_array).where(r.c.year == year)).scalar()
    vals = dict(zip(corpus.field_ids, json.loads(va)))
    return rows, [vals[f"t2.normative.{f}"] for f in F21]


def _value(x):
    return None if x is None else int(x)


def test_later_neighbour_year_re_ranks_the_fused_year(db, tmp_path):
    c = Corpus(db)
    fused = _report(tmp_path, 2022, True)
    import_paths(c, [fused], workers=1, check=False)
    rows, _va = _cells(c, 2022)
    assert {x[2] for x in rows.values()} == {"uncertain"}
    first = [_value(rows[f][1]) for f in F21]
    assert first != [58, 45, 546]                       # the parse alone guesses wrong
    assert "parse" not in json.loads(rows["issued"][4])
    # the previous year arrives: continuity decides
    s = import_paths(c, [_report(tmp_path, 2021, False)], workers=1, check=True)
    assert s.t2_reranked == 3 and s.corpus_findings is not None
    rows, va = _cells(c, 2022)
    assert [_value(rows[f][1]) for f in F21] == [58, 45, 546] == va
    for f in F21:
        value, status, reason, source = rows[f][1:]
        assert status == "uncertain"                    # a guess, never a value
        assert "连续" in reason and "推测" in reason
        src = json.loads(source)
        assert src["parse"]["value"] == first[F21.index(f)]       # the parse is kept
        assert src["alternatives"][0] == [58, 45, 546]
        assert "continuity:prev" in src["prior"]["evidence"] and src["prior"]["years"] == [2021]
    # nothing left to do: a second pass changes nothing
    assert apply_t2_priors(c) == 0
    # the next year too (both sides hold), then re-parse of everything: same guess
    import_paths(c, [_report(tmp_path, 2023, False)], workers=1, check=False)
    rows, va = _cells(c, 2022)
    src = json.loads(rows["in_force"][4])
    assert {"continuity:prev", "continuity:next"} <= set(src["prior"]["evidence"])
    from gongkai.corpus.importer import import_paths as again
    again(c, [fused], workers=1, check=False, reparse_older=True)   # same content: skipped
    rows, va = _cells(c, 2022)
    assert va == [58, 45, 546] and rows["issued"][2] == "uncertain"


def test_reimport_of_the_fused_report_is_re_ranked_again(db, tmp_path):
    import sqlalchemy as sa
    c = Corpus(db)
    import_paths(c, [_report(tmp_path, 2021, False), _report(tmp_path, 2022, True)], workers=1, check=False)
    # stored again (replace, as a re-parse does): the fresh parse is re-ranked once more
    from gongkai.corpus.importer import file_hash, parse_one
    p = str(tmp_path / "2022_fused.txt")
    sha, size = file_hash(p)
    _path, rep, reader, err = parse_one(p, tuple(c.field_ids), c.as_float)
    c.store_document({"sha256": sha, "path": p, "size": size, "format": reader, "parser_version": 2,
                      "status": "ok", "error": None}, rep, replace=True)
    rows, va = _cells(c, 2022)
    assert va != [58, 45, 546] and "parse" not in json.loads(rows["issued"][4])
    with c.engine.connect() as conn:
        rid = conn.execute(sa.select(S.reports.c.id).where(S.reports.c.year == 2022)).scalar()
    assert apply_t2_priors(c, [rid]) == 3
    rows, va = _cells(c, 2022)
    assert va == [58, 45, 546] and {x[2] for x in rows.values()} == {"uncertain"}


def test_export_and_compare_show_the_re_ranked_guess(db, tmp_path):
    from gongkai.corpus.export import compare, export, find_reports
    c = Corpus(db)
    import_paths(c, [_report(tmp_path, 2021, False), _report(tmp_path, 2022, True)], workers=1, check=False)
    out = tmp_path / "long.csv"
    export(c, out, "csv", "long")
    text = out.read_text("utf-8")
    line = next(x for x in text.splitlines() if "t2.normative.in_force" in x and ",2022," in x)
    assert ",546,uncertain," in line
    export(c, tmp_path / "wide.json", "json", "wide")
    a, b = find_reports(c, f"{AGENCY}:2021")[0], find_reports(c, f"{AGENCY}:2022")[0]
    res = compare(c, a, b)
    f = next(x for x in res["fields"] if x["field"] == "t2.normative.in_force")
    assert f["b"] == 546 and f["b_status"] == "uncertain"
