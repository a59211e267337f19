"""A re-import or re-parse keeps a reviewer's work (corpus.review.carry) on SQLite and
PostgreSQL: the report keeps its id, corrections, confirmations, finding decisions and the
state log stay; a change of the parser's reading is noted and the reviewer's value kept;
已通过 stays only while the effective data is unchanged; the exports and the report page
show the reviewed data right after."""
import json

import pytest
import sqlalchemy as sa
from test_corpus_db import db  # noqa: F401  (the corpus on SQLite and on PostgreSQL)
from test_review import NEW_TOTAL, SAMPLES, _findings, _parsed_cell, _rid, _row, _setup, exported_rows
from webkit import cheap_argon2  # noqa: F401

from gongkai import PARSER_VERSION
from gongkai.corpus import accounts as A
from gongkai.corpus import review as R
from gongkai.corpus import schema as S
from gongkai.corpus.importer import import_paths, reparse

GOLMUD = "格尔木市公安局"
COMMERCIAL = "t3.new.commercial"      # 一、本年新收 商业企业: 0 in the sample


def _older(c):
    """Make every stored document look parsed by an older parser (so reparse takes it)."""
    with c.engine.begin() as k:
        k.execute(S.documents.update().values(parser_version=PARSER_VERSION - 1))


def _parser_reads(monkeypatch, changes: dict):
    """From now on the parser reads the cells in ``changes`` (field → (value, status)) differently."""
    from gongkai import pipeline
    real = pipeline.parse_file

    def parse_file(path, *a, **k):
        rep = real(path, *a, **k)
        for f, (v, status) in changes.items():
            cell = rep.cells[f]
            cell.value, cell.raw, cell.status = v, "" if v is None else str(v), status
            if status == "uncertain":
                cell.reason, cell.alternatives = "测试：读数存疑", [v]
            else:
                cell.reason, cell.alternatives = None, None
        return rep
    monkeypatch.setattr(pipeline, "parse_file", parse_file)


def _reparse(c):
    _older(c)
    s = reparse(c, workers=1)
    assert s.imported >= 1 and not s.problems, s.problems
    return s


def _state(c, rid):
    with c.engine.connect() as k:
        return R.state_history(k, rid)


def _audit(c, action):
    with c.engine.connect() as k:
        return k.execute(sa.select(S.audit).where(S.audit.c.action == action).order_by(S.audit.c.id)).all()


def _effective(c, rid, fid):
    with c.engine.connect() as k:
        return next(x for x in R.effective_cells(k, rid) if x.id == fid)


def test_a_correction_survives_a_reimport_with_replace_and_a_reparse(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "原文第 267 行总计应为 1")
    assert _row(c, GOLMUD).n_errors == 0
    # the library's import with replace (an older parse of a known file is parsed again)
    _older(c)
    s = import_paths(c, [str(tmp_path / "bad.txt")], workers=1, reparse_older=True)
    assert s.imported == 1 and not s.problems
    assert _rid(c, GOLMUD) == rid                                   # the same report, the same URL
    # and the CLI's reparse
    _reparse(c)
    assert _rid(c, GOLMUD) == rid
    with c.engine.connect() as k:
        assert k.execute(sa.select(sa.func.count()).select_from(S.reports)).scalar() == 1
    row = _row(c, GOLMUD)
    assert (row.n_errors, row.status) == (0, "imported")             # the correction still fixes the total
    assert float(_effective(c, rid, NEW_TOTAL).value) == 1.0
    assert float(_parsed_cell(c, rid, NEW_TOTAL)[0]) == 2.0           # the new parse, untouched
    rules = [r for r, _m in _findings(c, rid)]
    assert "t3.row_total" not in rules and "t3.balance" not in rules   # rechecked over the effective data
    h = R.history(c, rid, A.EVERYTHING)
    assert [(x["action"], x["field"]) for x in h] == [("reparse", ""), ("reparse", ""), ("correct", NEW_TOTAL)]
    assert "解析结果未变，审核更正和确认均保留" in h[0]["reason"] and h[0]["by"] == "系统"
    assert h[2]["new"] == "1" and "第 267 行" in h[2]["reason"]
    assert len(_audit(c, "cell.correct")) == 1 and len(_audit(c, "report.reparse")) == 2


def test_an_approval_survives_an_identical_reparse(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对原文")
    R.approve(c, u["rev"], rid, "")
    _reparse(c)
    assert [s["status"] for s in _state(c, rid)] == ["approved"]
    assert _row(c, GOLMUD).status == "approved" and not _audit(c, "report.reopen")


def test_a_state_without_corrections_survives_too(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    R.approve(c, u["rev"], rid, "差错已另行通报")
    _reparse(c)
    assert [s["status"] for s in _state(c, rid)] == ["approved"] and _row(c, GOLMUD).status == "approved"
    assert R.history(c, rid, A.EVERYTHING) == []                     # no versions: nothing to lay over


def test_a_reparse_that_changes_the_effective_data_returns_the_report_to_pending(db, tmp_path, monkeypatch):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对原文")
    R.approve(c, u["rev"], rid, "")
    _parser_reads(monkeypatch, {COMMERCIAL: (5, "value")})          # a cell nobody reviewed now reads 5
    _reparse(c)
    states = _state(c, rid)
    assert [s["status"] for s in states] == ["pending", "approved"]
    assert states[0]["by"] == "系统" and "「" in states[0]["comment"] and "1 个单元格" in states[0]["comment"]
    au = _audit(c, "report.reopen")
    assert len(au) == 1 and au[0].by_user == "系统" and json.loads(au[0].old) == {"status": "approved"}
    assert json.loads(au[0].new)["status"] == "pending"
    row = _row(c, GOLMUD)
    assert row.status == "errors" and row.n_errors > 0               # 1 ≠ the six columns (now 6): rechecked
    assert float(_effective(c, rid, NEW_TOTAL).value) == 1.0          # the reviewer's value stands
    assert "1 个单元格的解析结果有变化，均不是审核过的单元格" in R.history(c, rid, A.EVERYTHING)[0]["reason"]


def test_a_changed_reading_of_a_corrected_cell_keeps_the_reviewers_value_and_says_so(db, tmp_path, monkeypatch):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对原文")
    R.approve(c, u["rev"], rid, "")
    _parser_reads(monkeypatch, {NEW_TOTAL: (3, "value")})
    _reparse(c)
    h = R.history(c, rid, A.EVERYTHING)
    assert (h[0]["action"], h[0]["field"], h[0]["old"], h[0]["new"]) == ("reparse", NEW_TOTAL, "3", "1")
    assert h[0]["reason"] == "解析结果已变更：原解析 2，新解析 3，保留审核更正 1"
    assert h[1]["field"] == "" and "」解析结果已变更：原解析 2，新解析 3，保留审核更正 1" in h[1]["reason"]
    cell = _effective(c, rid, NEW_TOTAL)
    assert float(cell.value) == 1.0 and "更正（rev）：核对原文" in cell.reason and "新解析 3" in cell.reason
    assert float(_parsed_cell(c, rid, NEW_TOTAL)[0]) == 3.0
    assert _row(c, GOLMUD).status == "approved"                      # effective data unchanged: approval stands
    # the parser later reads what the reviewer set: the correction is harmless, still kept
    _parser_reads(monkeypatch, {NEW_TOTAL: (1, "value")})
    _reparse(c)
    assert R.history(c, rid, A.EVERYTHING)[0]["reason"] == "解析结果已变更：原解析 3，新解析 1，与审核更正 1 一致"
    assert _row(c, GOLMUD).status == "approved" and float(_effective(c, rid, NEW_TOTAL).value) == 1.0


def test_finding_dismissals_survive_a_reparse(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    with c.engine.connect() as k:
        balance = k.execute(sa.select(S.findings.c.id).where(S.findings.c.report_id == rid,
                                                            S.findings.c.rule == "t3.balance")).scalar()
    R.review_finding(c, u["rev"], rid, balance, "dismissed", "差额另有说明")
    assert _row(c, GOLMUD).n_errors == 1
    _reparse(c)
    assert _row(c, GOLMUD).n_errors == 1                             # recounted without the dismissed one
    from gongkai.corpus.detail import report_detail
    d = report_detail(c, rid, A.EVERYTHING, u["rev"])
    f = next(x for x in d.findings if x["rule"] == "t3.balance")
    assert (f["decision"], f["comment"], f["reviewer"]) == ("dismissed", "差额另有说明", "rev")


def test_exports_right_after_a_reparse(db, tmp_path, monkeypatch):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对原文")
    _parser_reads(monkeypatch, {NEW_TOTAL: (3, "value")})
    _reparse(c)
    wide, long = exported_rows(c, tmp_path, rid)
    now, then = wide(False, "w.csv"), wide(True, "wp.csv")
    assert (now[NEW_TOTAL], now["n_errors"]) == ("1", "0")
    assert then[NEW_TOTAL] == "3" and int(then["n_errors"]) > 0        # the new parse, as parsed
    assert (long(False, "l.csv")["value"], long(True, "lp.csv")["value"]) == ("1", "3")


def test_a_confirmation_is_kept_when_the_new_parse_reads_a_plain_value(db, tmp_path, monkeypatch):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    _parser_reads(monkeypatch, {COMMERCIAL: (0, "uncertain")})      # the first parse doubted the cell
    _reparse(c)
    assert _parsed_cell(c, rid, COMMERCIAL)[1] == "uncertain"
    R.confirm_cell(c, u["rev"], rid, COMMERCIAL, "对照原文为 0")
    monkeypatch.undo()                                               # the new parser reads it plainly
    _reparse(c)
    h = R.history(c, rid, A.EVERYTHING)
    assert h[0]["reason"] == "解析结果已变更：原解析 0（存疑），新解析 0，与审核确认 0 一致"
    assert [x["action"] for x in h][1:] == ["reparse", "confirm"] and h[2]["reason"] == "对照原文为 0"
    cell = _effective(c, rid, COMMERCIAL)
    assert (cell.status, float(cell.value)) == ("value", 0.0)


def test_a_reparse_that_reads_no_report_keeps_the_reviewed_one(db, tmp_path, monkeypatch):
    from gongkai import pipeline
    from gongkai.errors import NoTables
    c, u = _setup(db, tmp_path)
    rid = _rid(c, GOLMUD)
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对原文")

    def no_tables(path, *a, **k):
        raise NoTables(path, "未找到年度报告的表格")
    monkeypatch.setattr(pipeline, "parse_file", no_tables)
    _older(c)
    s = reparse(c, workers=1)
    assert s.imported == 0 and s.failed == 1
    assert len(s.problems) == 1 and "未找到年度报告的表格" in s.problems[0]
    assert "原报告有审核记录，已保留原报告和审核记录" in s.problems[0]
    assert _rid(c, GOLMUD) == rid and float(_effective(c, rid, NEW_TOTAL).value) == 1.0
    with c.engine.connect() as k:
        doc = k.execute(sa.select(S.documents.c.status, S.documents.c.parser_version)).one()
    assert tuple(doc) == ("ok", PARSER_VERSION - 1)                   # untouched: a later reparse tries again


def test_an_unreviewed_report_still_becomes_a_non_report_on_reparse(db, tmp_path, monkeypatch):
    from gongkai import pipeline
    from gongkai.errors import NoTables
    c, _u = _setup(db, tmp_path)

    def no_tables(path, *a, **k):
        raise NoTables(path, "未找到年度报告的表格")
    monkeypatch.setattr(pipeline, "parse_file", no_tables)
    _older(c)
    s = reparse(c, workers=1)
    assert s.not_reports == 1
    with c.engine.connect() as k:
        assert k.execute(sa.select(sa.func.count()).select_from(S.reports)).scalar() == 0
        assert k.execute(sa.select(S.documents.c.status)).scalar() == "not_report"


@pytest.mark.parametrize("sample", ["pingtan_cez_2022.txt"])
def test_a_confirmed_uncertain_t2_cell_survives_an_identical_reparse(db, tmp_path, sample):
    c, u = _setup(db, tmp_path, extra=[sample])
    rid = _rid(c, "平潭综合实验区")
    R.confirm_cell(c, u["admin"], rid, "t2.normative.issued", "")
    R.approve(c, u["admin"], rid, "差错已另行通报")
    _older(c)
    s = import_paths(c, [str(SAMPLES / sample)], workers=1, reparse_older=True)
    assert s.imported == 1 and not s.problems
    assert _rid(c, "平潭综合实验区") == rid
    assert _effective(c, rid, "t2.normative.issued").status == "value"
    assert [x["status"] for x in _state(c, rid)] == ["approved"]
