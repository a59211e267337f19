"""Review and sign-off in the library (corpus.review) on SQLite and PostgreSQL: a
correction is a new version (the parse's cells untouched), the checks rerun at once (with
the original file, and without it), the board and the exports show the reviewed data,
finding decisions, 提交 / 通过 / 退回, rights and scope, validation, the findings XLSX."""
import csv
import json

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from test_corpus_db import db  # noqa: F401  (the corpus on SQLite and on PostgreSQL)
from webkit import PASSWORD, cheap_argon2  # noqa: F401

from gongkai.corpus import Corpus
from gongkai.corpus import accounts as A
from gongkai.corpus import review as R
from gongkai.corpus import schema as S
from gongkai.corpus.board import board
from gongkai.corpus.importer import import_paths
from conftest import ROOT

SAMPLES = ROOT / "src" / "gongkai" / "samples"
BAD_LINE = 267         # 一、本年新收 of sample 000 (格尔木市公安局 2024): total 1 printed as 2
NEW_TOTAL = "t3.new.total"


def bad_copy(tmp_path, name="bad.txt"):
    """Sample 000 with 一、本年新收's total printed 2 (the six columns add to 1)."""
    lines = (SAMPLES / "000_ab214c7b681a9243.txt").read_text(encoding="utf-8").split("\n")
    assert lines[BAD_LINE - 1] == "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1"
    lines[BAD_LINE - 1] = "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 2"
    p = tmp_path / name
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


def _setup(db, tmp_path, extra=()):
    c = Corpus(db)
    s = import_paths(c, [str(bad_copy(tmp_path)), *[str(SAMPLES / x) for x in extra]], workers=1)
    assert s.imported == 1 + len(extra) and not s.problems
    users = {"rev": A.add_user(c, "rev", "reviewer", PASSWORD, regions=["格尔木市"]),
             "rev_other": A.add_user(c, "rev_other", "reviewer", PASSWORD, regions=["海东市"]),
             "staff": A.add_user(c, "staff", "staff", PASSWORD, agencies=["格尔木市公安局"]),
             "guest": A.add_user(c, "guest", "guest", PASSWORD),
             "admin": A.add_user(c, "admin", "admin", PASSWORD)}
    return c, users


def _rid(c, name):
    with c.engine.connect() as k:
        return k.execute(sa.select(S.reports.c.id).join(S.agencies, S.agencies.c.id == S.reports.c.agency_id)
                         .where(S.agencies.c.name == name)).scalar()


def _findings(c, rid):
    with c.engine.connect() as k:
        return k.execute(sa.select(S.findings.c.rule, S.findings.c.message).where(S.findings.c.report_id == rid)
                         .order_by(S.findings.c.id)).all()


def exported_rows(c, tmp_path, rid):
    """(wide(as_parsed, file name), long(as_parsed, file name)): the report's row of a CSV
    export, and its NEW_TOTAL row of the long layout."""
    from gongkai.corpus.export import export

    def wide(as_parsed, name):
        out = tmp_path / name
        export(c, out, "csv", "wide", as_parsed=as_parsed)
        return next(r for r in csv.DictReader(open(out, encoding="utf-8-sig")) if r["report_id"] == str(rid))

    def long(as_parsed, name):
        out = tmp_path / name
        export(c, out, "csv", "long", as_parsed=as_parsed)
        return next(r for r in csv.DictReader(open(out, encoding="utf-8-sig"))
                    if r["report_id"] == str(rid) and r["field"] == NEW_TOTAL)
    return wide, long


def _parsed_cell(c, rid, fid):
    with c.engine.connect() as k:
        return k.execute(sa.select(S.cells.c.value, S.cells.c.status).join(S.fields, S.fields.c.no == S.cells.c.field_no)
                         .where(S.cells.c.report_id == rid, S.fields.c.id == fid)).first()


def _row(c, name):
    return next(r for r in board(c, 2024, A.EVERYTHING).rows if r.agency == name)


def test_a_correction_is_a_version_and_fixes_the_arithmetic_error(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, "格尔木市公安局")
    before = _row(c, "格尔木市公安局")
    assert (before.status, before.n_errors) == ("errors", 2)
    rules = [r for r, _m in _findings(c, rid)]
    assert "t3.row_total" in rules and "t3.balance" in rules
    ch = R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "原文第 267 行总计应为 1（六类之和）")
    assert (ch.version, ch.n_errors, ch.rechecked_with_source) == (1, 0, True)
    rules = {r: m for r, m in _findings(c, rid)}
    assert "t3.row_total" not in rules and "t3.balance" not in rules
    assert "新收 1 件" in rules["narrative.applications"]          # the prose rule saw the corrected total
    after = _row(c, "格尔木市公安局")
    assert (after.status, after.n_errors) == ("imported", 0)
    value, status = _parsed_cell(c, rid, NEW_TOTAL)                    # the parse is untouched
    assert (float(value), status) == (2.0, "value")
    h = R.history(c, rid, A.EVERYTHING)
    assert [(x["version"], x["field"], x["old"], x["new"], x["by"]) for x in h] == [(1, NEW_TOTAL, "2", "1", "rev")]
    assert "六类之和" in h[0]["reason"]
    assert R.history(c, rid, A.scope_of(u["rev_other"])) is None
    with c.engine.connect() as k:
        v0 = k.execute(sa.select(S.report_versions).where(S.report_versions.c.version == 0)).one()
        au = k.execute(sa.select(S.audit).where(S.audit.c.action == "cell.correct")).one()
    assert json.loads(v0.summary)["n_errors"] == 2 and any(f["rule"] == "t3.row_total" for f in json.loads(v0.findings))
    assert au.by_user == "rev" and json.loads(au.old)["value"] == 2 and json.loads(au.new)["value"] == 1
    # a second correction is version 2; both are in the history, newest first
    R.correct_cell(c, u["staff"], rid, "t3.new.natural", "2", "示例")
    assert [x["version"] for x in R.history(c, rid, A.EVERYTHING)] == [2, 1]
    assert _row(c, "格尔木市公安局").status == "errors"                 # 2 ≠ 1: the row total fails again


def test_exports_give_the_reviewed_data_and_the_parse_on_request(db, tmp_path):
    from gongkai.corpus.export import export
    c, u = _setup(db, tmp_path)
    rid = _rid(c, "格尔木市公安局")
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对原文")
    wide, long = exported_rows(c, tmp_path, rid)
    now, then = wide(False, "w.csv"), wide(True, "wp.csv")
    assert (now[NEW_TOTAL], now["n_errors"]) == ("1", "0")
    assert (then[NEW_TOTAL], then["n_errors"]) == ("2", "2")
    assert (long(False, "l.csv")["value"], long(True, "lp.csv")["value"]) == ("1", "2")
    assert long(False, "l2.csv")["raw"] == "2"                         # raw stays as printed
    js = tmp_path / "w.json"
    export(c, js, "json", "wide")
    assert next(r for r in json.load(open(js, encoding="utf-8")) if r["report_id"] == rid)[NEW_TOTAL] == 1


def test_validation_messages(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, "格尔木市公安局")
    rev = u["rev"]
    cases = [("-1", "理由", "应填非负整数"), ("1.5", "理由", "应填非负整数"), ("", "理由", "请填写单元格"),
             ("abc", "理由", "不符合"), ("1" * 16, "理由", "超出可存储的范围"), ("1" * 30, "理由", "过长"), ("3", "", "请填写更正理由"),
             ("3", "x" * 501, "更正理由太长"), ("2", "理由", "已是 2，无需更正")]
    for value, reason, msg in cases:
        with pytest.raises(R.ReviewError, match=msg):
            R.correct_cell(c, rev, rid, NEW_TOTAL, value, reason)
    with pytest.raises(R.ReviewError, match="这份报告没有单元格"):
        R.correct_cell(c, rev, rid, "t2.fees.prev_items", "1", "理由")     # a 2019 field, not in this report
    with pytest.raises(R.ReviewError, match="单元格编号"):
        R.correct_cell(c, rev, rid, "t3.nope", "1", "理由")
    with pytest.raises(R.ReviewError, match="不是存疑或推定"):
        R.confirm_cell(c, rev, rid, NEW_TOTAL)
    with pytest.raises(R.ReviewError, match="小数超过 4 位"):
        R.correct_cell(c, rev, rid, "t2.fees.amount", "1.23456", "理由")
    R.correct_cell(c, rev, rid, "t2.fees.amount", "１２.５", "全角数字也可")      # an amount may be decimal
    with pytest.raises(R.ReviewError, match="已是 空白，无需更正"):
        R.correct_cell(c, rev, rid, "t3.other.other.natural", "空白", "原文空白")
    R.correct_cell(c, rev, rid, "t3.new.natural", "空白", "原文此格空白")
    with c.engine.connect() as k:
        assert k.execute(sa.select(sa.func.count()).select_from(S.report_versions)).scalar() == 3  # 0 + 2
    assert [x["new"] for x in R.history(c, rid, A.EVERYTHING)] == ["空白", "12.5"]


def test_rights_scope_and_the_review_states(db, tmp_path):
    c, u = _setup(db, tmp_path, extra=["003_5f1914cbe288c934.txt"])
    rid, other = _rid(c, "格尔木市公安局"), _rid(c, "海东市公安局")
    with pytest.raises(R.ReviewError, match="不在您的权限范围内") as e:
        R.correct_cell(c, u["rev_other"], rid, NEW_TOTAL, "1", "越权")
    assert e.value.code == 404
    with pytest.raises(R.ReviewError, match="不在您的权限范围内"):
        R.correct_cell(c, u["staff"], other, "t3.new.natural", "1", "越权")
    with pytest.raises(R.ReviewError, match="访客只能查看") as e:
        R.correct_cell(c, u["guest"], rid, NEW_TOTAL, "1", "访客")
    assert e.value.code == 403
    with pytest.raises(R.ReviewError, match="请先登录"):
        R.submit(c, None, rid)
    with pytest.raises(R.ReviewError, match="填报人不能审核通过"):
        R.approve(c, u["staff"], rid)
    fid = c.engine.connect().execute(sa.select(S.findings.c.id).where(S.findings.c.report_id == rid)).scalar()
    with pytest.raises(R.ReviewError, match="填报人不能审核校验发现"):
        R.review_finding(c, u["staff"], rid, fid, "confirmed")
    assert R.submit(c, u["staff"], rid) == "pending"
    assert _row(c, "格尔木市公安局").status == "errors"            # errors show over 待审核
    with pytest.raises(R.ReviewError, match="正在等待审核"):
        R.submit(c, u["staff"], rid)
    with pytest.raises(R.ReviewError, match="请填写退回意见"):
        R.return_report(c, u["rev"], rid, "  ")
    assert R.return_report(c, u["rev"], rid, "表三总计有误，请更正") == "returned"
    assert _row(c, "格尔木市公安局").status == "returned"          # 已退回 overrides errors
    R.correct_cell(c, u["staff"], rid, NEW_TOTAL, "1", "按退回意见更正")
    R.submit(c, u["staff"], rid, "已更正")
    assert _row(c, "格尔木市公安局").status == "pending"           # no errors left: 待审核
    assert R.approve(c, u["rev"], rid) == "approved"
    assert _row(c, "格尔木市公安局").status == "approved"
    with pytest.raises(R.ReviewError, match="已通过审核，不能再更正"):
        R.correct_cell(c, u["rev"], rid, "t3.new.natural", "1", "通过后")
    # approving a report with errors needs a comment; then 已通过 overrides the errors
    R.correct_cell(c, u["rev_other"], other, "t3.new.natural", "9", "制造错误")
    assert next(r for r in board(c, 2021, A.EVERYTHING).rows if r.agency == "海东市公安局").status == "errors"
    with pytest.raises(R.ReviewError, match="通过审核须填写意见"):
        R.approve(c, u["rev_other"], other)
    R.approve(c, u["rev_other"], other, "差错已另行通报")
    assert next(r for r in board(c, 2021, A.EVERYTHING).rows if r.agency == "海东市公安局").status == "approved"
    with c.engine.connect() as k:
        acts = [a for (a,) in k.execute(sa.select(S.audit.c.action).where(S.audit.c.table_name == "report_reviews")
                                        .order_by(S.audit.c.id))]
    assert acts == ["report.submit", "report.return", "report.submit", "report.approve", "report.approve"]
    with c.engine.connect() as k:
        states = R.state_history(k, rid)
    assert [s["status"] for s in states] == ["approved", "pending", "returned", "pending"]
    assert states[2]["comment"] == "表三总计有误，请更正"


def test_rights_table():
    from gongkai.corpus.accounts import User
    staff, rev, guest = (User(1, "s", "staff"), User(2, "r", "reviewer"), User(3, "g", "guest"))
    assert R.may(guest, None) == {a: False for a in R.ACTIONS}
    assert R.may(staff, None) == {"correct": True, "confirm": True, "finding": False, "submit": True,
                                  "approve": False, "return": False}
    assert R.may(rev, "approved") == {"correct": False, "confirm": False, "finding": False, "submit": False,
                                      "approve": False, "return": True}
    assert R.may(rev, "returned")["return"] is False and R.may(staff, "returned")["submit"] is True
    assert R.may(User(4, "x", "admin", active=False), None) == {a: False for a in R.ACTIONS}


def test_finding_decisions_stay_attached_while_the_finding_still_fails(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, "格尔木市公安局")
    with c.engine.connect() as k:
        blank = k.execute(sa.select(S.findings.c.id).where(S.findings.c.report_id == rid,
                                                          S.findings.c.rule == "cells.blank")).scalar()
    warnings = _row(c, "格尔木市公安局").n_warnings
    with pytest.raises(R.ReviewError, match="请填写驳回理由"):
        R.review_finding(c, u["rev"], rid, blank, "dismissed", "")
    with pytest.raises(R.ReviewError, match="没有这条校验发现"):
        R.review_finding(c, u["rev"], rid, 10 ** 6, "dismissed", "x")
    R.review_finding(c, u["rev"], rid, blank, "dismissed", "整行空白即为 0，不必通报")
    assert _row(c, "格尔木市公安局").n_warnings == warnings - 1       # a dismissed finding is not counted
    R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对原文")     # recheck: cells.blank fails the same way
    from gongkai.corpus.detail import report_detail
    d = report_detail(c, rid, A.EVERYTHING, u["rev"])
    f = next(x for x in d.findings if x["rule"] == "cells.blank")
    assert (f["decision"], f["comment"], f["reviewer"]) == ("dismissed", "整行空白即为 0，不必通报", "rev")
    assert _row(c, "格尔木市公安局").n_warnings == warnings - 1
    R.correct_cell(c, u["rev"], rid, "t3.other.other.natural", "0", "原文为空白，按 0 计")
    d = report_detail(c, rid, A.EVERYTHING, u["rev"])
    f = next(x for x in d.findings if x["rule"] == "cells.blank")   # other cells now: a new finding
    assert f["decision"] is None and f["decision_zh"] == "未处理"


def test_confirming_an_uncertain_cell(db, tmp_path):
    c, u = _setup(db, tmp_path, extra=["pingtan_cez_2022.txt", "003_5f1914cbe288c934.txt"])
    rid = _rid(c, "平潭综合实验区")
    fid = "t2.normative.issued"                       # a fused 表二 row: uncertain, with a best guess
    guess = _parsed_cell(c, rid, fid)
    assert guess[1] == "uncertain" and guess[0] is not None
    ch = R.confirm_cell(c, u["admin"], rid, fid, "")
    assert ch.n_uncertain == 2
    rules = dict(_findings(c, rid))
    assert rules["parse.uncertain"].startswith("2 个单元格读数存疑") and fid not in rules["parse.uncertain"]
    with c.engine.connect() as k:
        cell = next(x for x in R.effective_cells(k, rid) if x.id == fid)
        assert k.execute(sa.select(S.reports.c.n_uncertain).where(S.reports.c.id == rid)).scalar() == 2
    assert (cell.status, cell.version, float(cell.value)) == ("value", 1, float(guess[0]))
    assert "已对照原文核实" in cell.reason
    assert _parsed_cell(c, rid, fid)[1] == "uncertain"              # the parse is untouched
    with pytest.raises(R.ReviewError, match="不是存疑或推定"):
        R.confirm_cell(c, u["admin"], rid, fid)
    other = _rid(c, "海东市公安局")                                  # uncertain, nothing read: correct it instead
    with pytest.raises(R.ReviewError, match="没有读数，请用「更正」"):
        R.confirm_cell(c, u["rev_other"], other, "t4.review.total")


def test_recheck_without_the_original_file_reruns_the_cell_rules(db, tmp_path):
    c, u = _setup(db, tmp_path)
    rid = _rid(c, "格尔木市公安局")
    (tmp_path / "bad.txt").unlink()
    ch = R.correct_cell(c, u["rev"], rid, NEW_TOTAL, "1", "核对纸质原件")
    assert ch.rechecked_with_source is False and ch.n_errors == 0
    rules = dict(_findings(c, rid))
    assert "t3.row_total" not in rules and "新收 2 件" in rules["narrative.applications"]   # kept as it was


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.suffix in (".txt", ".pdf")))
def test_the_cell_rules_need_only_the_cells(name):
    """CELL_RULES find the same without the prose and the parse's meta (what a recheck
    without the original file gives them), on every sample."""
    from gongkai.checks import run_checks
    from gongkai.model import Report
    from gongkai.pipeline import parse_file
    rep = parse_file(SAMPLES / name, checks=False)
    bare = Report(meta={"format": rep.meta.get("format"), "formats": rep.meta.get("formats")}, cells=rep.cells)
    full = [f.to_dict() for f in run_checks(rep, only=R.recheck_rules())]
    assert full == [f.to_dict() for f in run_checks(bare, only=R.recheck_rules())]


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(min_value=-10 ** 16, max_value=10 ** 16).map(str), st.text(max_size=12),
                 st.decimals(allow_nan=False, allow_infinity=False, places=5).map(str)))
def test_parse_value_accepts_counts_only_and_never_crashes(text):
    for fid in ("t3.new.total", "t2.fees.amount", "t2.licensing.change"):
        try:
            v, status = R.parse_value(fid, text)
        except R.ReviewError:
            continue
        assert status in ("value", "blank")
        if status == "value" and fid == "t3.new.total":
            assert isinstance(v, int) and v >= 0 and v < 10 ** 15
        if status == "value" and fid == "t2.fees.amount":
            assert v >= 0


def test_findings_xlsx_rows_scope_and_formula_text(db, tmp_path):
    from openpyxl import load_workbook
    c, u = _setup(db, tmp_path, extra=["001_b58105edacdfa4c5.txt"])
    rid = _rid(c, "格尔木市公安局")
    with c.engine.connect() as k:
        blank = k.execute(sa.select(S.findings.c.id).where(S.findings.c.report_id == rid,
                                                          S.findings.c.rule == "cells.blank")).scalar()
    R.review_finding(c, u["rev"], rid, blank, "dismissed", "=HYPERLINK(\"http://x\")")
    out = tmp_path / "f.xlsx"
    n = R.findings_xlsx(c, A.scope_of(u["rev"]), 2024, out)
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(R.findings_xlsx.__globals__["HEADER"])
    assert n == len(rows) - 1 == len(_findings(c, rid)) + len(_findings(c, _rid(c, "格尔木市")))
    blank_row = next(r for r in rows if r[2] == "cells.blank" and r[0] == "格尔木市公安局")
    assert blank_row[6:9] == ("已驳回", "=HYPERLINK(\"http://x\")", "rev")
    assert ws.cell(rows.index(blank_row) + 1, 8).data_type == "s"      # text, not a formula
    assert {r[6] for r in rows[1:] if r is not blank_row} == {"未处理"}
    err = next(r for r in rows if r[2] == "t3.row_total")
    assert err[3] == "错误" and "表三 · 一、本年新收政府信息公开申请数量 · 总计" in err[5]
    assert R.findings_xlsx(c, A.scope_of(u["rev_other"]), 2024, tmp_path / "g.xlsx") == 0
    assert R.findings_xlsx(c, A.scope_of(u["staff"]), 2024, tmp_path / "s.xlsx") == len(_findings(c, rid))
