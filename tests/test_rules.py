"""For every check: a report that passes and one that fails."""
import random
from decimal import Decimal

import pytest
from gongkai.synth import random_values, report_from, write

from gongkai import parse_text
from gongkai.checks import REGISTRY, rules
from gongkai.model import NOT_PRINTED, Cell


def _base(fmt="2021", seed=1):
    v = random_values(random.Random(seed), fmt)
    v["t2.fees.amount"] = Decimal("12.5")
    return v


def _run(rule_id, report):
    return REGISTRY[rule_id].func(report)


def _set(v, fid, x):
    v = dict(v)
    v[fid] = x
    return v


# rule id -> (passing report, failing report)
def cases():
    v = _base()
    c = {}
    c["t3.balance"] = (report_from(v), report_from(_set(v, "t3.new.natural", v["t3.new.natural"] + 1)))
    c["t3.row_total"] = (report_from(v), report_from(_set(v, "t3.granted.total", v["t3.granted.total"] + 3)))
    c["t3.outcome_total"] = (report_from(v), report_from(_set(v, "t3.partial.legal", v["t3.partial.legal"] + 2)))
    c["t4.group_total"] = (report_from(v), report_from(_set(v, "t4.review.total", v["t4.review.total"] + 1)))
    c["value.type"] = (report_from(v), report_from(_set(v, "t3.granted.natural", -1)))
    c["t2.fee_unit"] = (report_from(v), report_from(_set(v, "t2.fees.amount", Decimal("250000"))))
    blank = report_from(v)
    blank.cells["t3.partial.natural"] = Cell(None, "", "blank")
    c["cells.blank"] = (report_from(v), blank)
    txt = report_from(v)
    txt.cells["t2.fees.amount"] = Cell(None, "见附件", "text")
    c["cells.text"] = (report_from(v), txt)
    mt = report_from(v, meta={"tables_found": {"t2": True, "t3": True, "t4": False}})
    c["structure.missing_table"] = (report_from(v), mt)
    mr = report_from(v)
    for col in ("natural", "total"):
        mr.cells[f"t3.partial.{col}"] = Cell(None, "", "blank", NOT_PRINTED)
    c["structure.missing_row"] = (report_from(v), mr)
    c["structure.missing_section"] = (report_from(v), report_from(v, meta={"sections_found": ["overview"]}))
    c["format.mixed"] = (report_from(v), report_from(v, meta={"formats": {"t2": "2019", "t3": "2021"}}))
    c["year.format"] = (report_from(v), report_from(v, meta={"format": "2019", "year": 2023}))
    c["year.period"] = (report_from(v), report_from(v, meta={"period_year": 2023}))
    c["year.other_report"] = (report_from(v, meta={"years_named": [(2024, "2024年报告")]}),
                              report_from(v, meta={"years_named": [(2023, "2023年政府信息公开年度报告")]}))
    c["meta.missing"] = (report_from(v), report_from(v, meta={"agency": None}))
    new = v["t3.new.total"]
    c["narrative.applications"] = (
        report_from(v, narrative=f"全年共收到政府信息公开申请{new}件。"),
        report_from(v, narrative=f"全年共收到政府信息公开申请{new + 5}件。"))
    rv = v["t4.review.total"]
    c["narrative.review_suits"] = (
        report_from(v, narrative=f"发生政府信息公开行政复议案件{rv}件。"),
        report_from(v, narrative=f"发生政府信息公开行政复议案件{rv + 2}件。"))
    vp = _set(_set(v, "t4.review.pending", 1), "t4.review.total", v["t4.review.total"] + 1)
    c["narrative.cases_closed"] = (
        report_from(_set(_set(v, "t4.review.pending", 0), "t4.review.total",
                         v["t4.review.total"] - v["t4.review.pending"]),
                    narrative="行政复议案件已全部审结。"),
        report_from(vp, narrative="行政复议案件已全部审结。"))
    return c


CASES = cases()


def test_every_check_rule_has_cases():
    check_rules = {r.id for r in rules() if r.stage == "check"}
    assert check_rules == set(CASES), check_rules ^ set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_and_fails(rule_id):
    ok, bad = CASES[rule_id]
    assert _run(rule_id, ok) == [], [f.message for f in _run(rule_id, ok)]
    found = _run(rule_id, bad)
    assert found and all(f.rule == rule_id for f in found)
    assert all(f.message and f.severity in ("error", "warning", "info") for f in found)


def test_every_rule_is_documented():
    for r in rules():
        assert r.doc and r.title and r.severity in ("error", "warning", "info"), r.id


# parse-stage rules: text that triggers them, and text that does not
def _parse(layout, seed=3, mutate=None):
    rng = random.Random(seed)
    v = _base(seed=seed)
    text, _ = write(v, layout, "2021", rng)
    if mutate:
        text = mutate(text)
    return {f.rule for f in parse_text(text).findings}


def test_parse_rules_clean_report_is_quiet():
    found = _parse("clean")
    assert not found & {"parse.missing_cell", "parse.split_digits", "parse.uncertain", "label.typo"}, found


def test_parse_missing_cell_reported():
    assert "parse.missing_cell" in _parse("missing")


def test_parse_split_digits_reported():
    assert "parse.split_digits" in _parse("clean", mutate=lambda t: t.replace("予以公开 ", "予以公开 ").replace(
        "2.其他法律行政法规禁止公开 0 0 0 0 0 0 0", "2.其他法律行政法规禁止公开 0000000"))


def test_parse_uncertain_reported_for_unresolvable_split():
    text = "\n".join(["某局2024年政府信息公开工作年度报告", "二、主动公开政府信息情况", "第二十条第（一）项",
                      "信息内容 本年制发件数 本年废止件数 现行有效件数", "规章 0 0 0", "行政规范性文件 123456",
                      "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0"])
    r = parse_text(text)
    assert "parse.uncertain" in {f.rule for f in r.findings}
    assert {"t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force"} <= set(r.uncertain)


def test_label_typo_reported():
    assert "label.typo" in _parse("clean", mutate=lambda t: t.replace("属于三类内部事务信息", "属于三类内容事务信息"))
