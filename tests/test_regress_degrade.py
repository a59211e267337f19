"""Regression cases from the degradation corpus (gongkai.degrade: real pdftotext /
markitdown output, damaged labels).  Each document in tests/corpus/regress/ showed a
silent error once; it must parse with none (every wrong cell listed as uncertain).
The named tests below pin the mechanism each one exposed."""
from __future__ import annotations

import json

import pytest

from conftest import VENDORED
from gongkai import parse_text
from gongkai.degrade import same
from gongkai.extract.labels import find_labels
from gongkai.extract.normalize import Compact
from gongkai.extract.structure import _candidates
from gongkai.formats import national
from gongkai.pipeline import parse_file

REGRESS = VENDORED / "regress"
DOCS = sorted(p for p in REGRESS.iterdir() if not p.name.endswith(".gold.json"))


def _silent(path):
    gold = json.loads(path.with_name(path.stem + ".gold.json").read_text(encoding="utf-8"))
    r = parse_file(path)
    d = r.to_dict(detail=False)
    unc = set(d["uncertain"])
    return [(f, want, d["cells"].get(f, "<absent>")) for f, want in gold["cells"].items()
            if not same(d["cells"].get(f, "<absent>"), want) and f not in unc]


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_regress_document_has_no_silent_error(path):
    assert _silent(path) == []


def test_bare_numbering_is_not_the_tail_of_a_value():
    """'行政许可 0 36 22033' then a damaged '其他对外…' line: the value's last digit '3'
    was read as the numbering of 表三's '3.其他' (dot lost), which cut 22033 to 2203 and
    pulled a 表三 row (and the 2021 format) into 表二."""
    text = "行政许可 0 36 22033\n其他对埋服工务事发项 0 24 0\n"
    c = Compact(text)
    specs = [s for s in national().labels if s.key == "t3.row:other.other"]
    assert find_labels(c.s, specs, gap_before=c.gap_before) == []
    # the same bare numbering after whitespace is a numbering
    c2 = Compact("0 0 0\n3其他 0 0 0 0 0 0 0\n")
    assert [m.spec.key for m in find_labels(c2.s, specs, gap_before=c2.gap_before)] == ["t3.row:other.other"]
    r = parse_file(REGRESS / "lc_numbering_from_value_digit.txt")
    assert r.value("t2.licensing.decisions") == 22033
    assert "t3.other.natural" in r.cells and "t3.other.other.natural" not in r.cells   # 2019 表三


def test_label_fragment_running_into_a_found_label_is_no_row():
    """'(二)来部分公开…' (部分公开 found) offered '(二)来' as a row: structure-first
    mapping placed 表三 '（一）予以公开' there — an empty row read as seven blanks — since
    the brackets alone made the two 'similar'."""
    text = "（一）以公开\t\t\t2\t\t\t\t2\n(二)来部分公开上（区分处理的）\t\t\t\t5\t\t\t5\n"
    b = text.index("部分公开")
    assert [c[2] for c in _candidates(text, 0, b, [])] == ["(一)以公开"]
    r = parse_file(REGRESS / "lc_row_fragment_before_label.txt")
    assert r.cells["t3.granted.research"].status != "blank"


def test_numbered_row_after_a_group_label_on_its_line_is_a_candidate():
    """'三、本年度办埋子结果\\t（一）以公开\\t…': the group label and its first row share a
    line; the damaged row label after the tab is found by its place."""
    head = "某局2022年政府信息公开工作年度报告\n一、总体情况\n工作平稳。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n"
    text = head + ("一、本年新收政府信息公开申请数量\t2\t0\t0\t0\t0\t0\t2\n"
                   "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
                   "三、本年度办埋子结果\t（一）以公开\t2\t0\t0\t0\t0\t0\t2\n"
                   "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t0\t0\t0\t0\t0\t0\t0\n")
    r = parse_text(text)
    assert r.value("t3.granted.natural") == 2 and r.value("t3.granted.total") == 2
