"""Every finding listed in the gold files (not marked optional) is reported."""
import json

import pytest
from conftest import VENDORED

from gongkai import parse_file

# gold "kind" -> rule IDs that report it
KINDS = {
    "narrative-vs-table": {"narrative.applications", "narrative.review_suits", "narrative.cases_closed"},
    "blank-cells": {"cells.blank", "parse.nothing_printed"},   # a table showing nothing at all
    "missing-cell": {"parse.missing_cell"},
    "year-mismatch": {"year.other_report", "year.period", "year.format"},
    "non-numeric": {"cells.text"},
    "label-typo": {"label.typo"},
}


def _golds():
    for sub in ("seeds", "dev"):
        for g in sorted((VENDORED / sub).glob("*.gold.json")):
            gold = json.loads(g.read_text())
            for i, f in enumerate(gold.get("findings", [])):
                if not f.get("optional"):
                    yield pytest.param(g, gold, f, id=f"{g.stem}-{i}-{f['kind']}")


def _covers(finding, about: str) -> bool:
    names = list(finding.fields) + ([finding.table] if finding.table else [])
    for n in names:
        if n == about or n.startswith(about + ".") or about.startswith(n + "."):
            return True
    return False


@pytest.mark.parametrize("gold_path,gold,expected", list(_golds()))
def test_gold_finding_reported(gold_path, gold, expected):
    src = gold_path.parent / gold["source"]
    report = parse_file(src)
    rules = KINDS.get(expected["kind"])
    assert rules, f"unmapped finding kind {expected['kind']}"
    hits = [f for f in report.findings if f.rule in rules and _covers(f, expected["about"])]
    assert hits, (expected, [(f.rule, f.fields[:3], f.message) for f in report.findings])


def test_consistent_reports_raise_no_arithmetic_or_narrative_findings():
    """huaian/shuyang-style clean reports: no false alarms from the strong checks."""
    for name in ("shuyang_county_gov_2025_ocr.txt", "002_98b9844beaabac24.txt"):
        p = next(VENDORED.rglob(name))
        rules = {f.rule for f in parse_file(p).findings}
        assert not rules & {"t3.balance", "t3.row_total", "t3.outcome_total", "t4.group_total",
                            "narrative.applications", "narrative.review_suits"}, (name, rules)
