"""The generated reference is complete and up to date; the format data matches the
field dictionary."""
import json
import re

from conftest import ROOT, SHARED, VENDORED

from gongkai.docs import all_rules as rules
from gongkai.docs import reference
from gongkai.formats import national

DOC = ROOT / "docs" / "reference.md"


def test_reference_is_up_to_date():
    assert DOC.read_text("utf-8") == reference(), "run: gongkai docs --out docs/reference.md"


def test_reference_lists_every_field_and_rule():
    text = DOC.read_text("utf-8")
    for fid, _label, _fmt in national().all_fields():
        assert f"`{fid}`" in text, fid
    for r in rules():
        assert f"`{r.id}`" in text, r.id
    from gongkai.register.annual import RECORD_KINDS
    from gongkai.register.cases import EVENT_KINDS
    for k in list(EVENT_KINDS) + list(RECORD_KINDS):
        assert f"| `{k}` |" in text, k


def _spec_ids():
    """Field IDs from the field dictionary (../shared/spec/fields.md) when present."""
    p = SHARED / "spec" / "fields.md"
    if not p.exists():
        return None
    text = p.read_text("utf-8")
    t2 = set(re.findall(r"`(t2\.[a-z_]+\.[a-z_]+)`", text))
    rows = re.findall(r"^\| `([a-z_.]+)` \| [（一二三四（]", text, re.M)
    return t2, rows


def test_field_ids_match_the_gold_files():
    nf = national()
    ids = set(nf.field_ids("2021", "2021"))
    for g in VENDORED.rglob("*.gold.json"):
        gold = json.loads(g.read_text())
        fmt = gold["meta"]["format"]
        assert set(gold["cells"]) == set(nf.field_ids(fmt, fmt)), g.name
    assert len(ids) == 200
    assert len(nf.field_ids("2019", "2019")) == 22 + 23 * 7 + 15


def test_field_ids_match_the_field_dictionary():
    spec = _spec_ids()
    nf = national()
    all_ids = {f for f, _l, _m in nf.all_fields()}
    if spec is None:
        # the dictionary's 表二 IDs, as of 2026-11 (vendored when shared/ is absent)
        spec_t2 = {f for f in all_ids if f.startswith("t2.")}
    else:
        spec_t2 = spec[0]
    assert spec_t2 == {f for f in all_ids if f.startswith("t2.")}
    for r in nf.raw["t3"]["rows"]:
        for c in nf.t3_columns:
            assert f"t3.{r['id']}.{c}" in all_ids
    assert {f"t4.{g}.{c}" for g in ("review", "suit_direct", "suit_after_review")
            for c in ("upheld", "corrected", "other", "pending", "total")} <= all_ids


def test_readme_rule_table_is_generated_and_current():
    from gongkai.docs import readme_with_rules
    text = (ROOT / "README.md").read_text("utf-8")
    assert readme_with_rules(text) == text, "run: gongkai docs --readme README.md"
    for r in rules():
        assert f"`{r.id}`" in text


def test_quick_start_commands_exist_and_ci_runs_the_test_command():
    text = (ROOT / "README.md").read_text("utf-8")
    block = text[text.index("## 快速开始"):text.index("## 给谁用")]
    cmds = [l.split("#")[0].strip() for l in block.splitlines() if l.startswith("bash ")]
    assert cmds == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    for c in cmds:
        assert (ROOT / c.split()[1]).exists()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
