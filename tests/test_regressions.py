"""Named regression cases: each is a bug found while building, kept as a test."""
from gongkai import parse_text
from gongkai.extract.narrative import claims

HEAD = "某局2024年政府信息公开工作年度报告\n一、总体情况\n工作平稳。\n二、主动公开政府信息情况\n"
T3 = ("三、收到和处理政府信息公开申请情况\n"
      "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
      "（一）予以公开 1 0 0 0 0 0 1\n（七）总计 1 0 0 0 0 0 1\n四、结转下年度继续办理 0 0 0 0 0 0 0\n")


def test_label_end_keeps_following_tabs():
    """A label's end once swallowed the tabs after it, shifting OCR cells by one column."""
    text = HEAD + "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量\t\t5\t\t\t\t\t\t5\t\n"
    r = parse_text(text)
    assert r.value("t3.new.natural") == 5 and r.value("t3.new.total") == 5
    assert r.value("t3.new.commercial") is None


def test_next_row_label_fragment_is_not_a_cell():
    """'(四)' of a group label split over lines was read as a text cell of the row above."""
    text = HEAD + ("三、收到和处理政府信息公开申请情况\n8. 属于行政查询事项\t\t\t\t\t\t\t\t\t\n(四)\t1. 本机关不掌握相关政府信息"
                   "\t\t\t\t\t\t\t\t\n")
    r = parse_text(text)
    assert all(r.cells[f"t3.denied.admin_query.{c}"].status == "blank" for c in ("natural", "other", "total"))


def test_handled_count_inside_carry_over_phrase():
    """'结转到2025年办结1件' was read as 办结 1 件 (handled)."""
    cs = claims("全年收到政府信息公开申请1项，办结0件，结转到2025年办结1件。")
    kinds = {(c.kind, c.value) for c in cs}
    assert ("handled", 0) in kinds and ("carried_forward", 1) in kinds and ("handled", 1) not in kinds


def test_table2_words_in_prose_before_the_table_are_not_rows():
    """'行政处罚 501 项' in section 二's prose was taken for the 行政处罚 row."""
    text = HEAD + ("公开权责事项 653 项（其中行政许可事项 9 项、行政处罚 501 项）。\n第二十条第（五）项\n信息内容 本年处理决定数量\n"
                   "行政许可\n第二十条第（六）项\n信息内容 本年处理决定数量\n行政处罚 202\n" + T3)
    r = parse_text(text)
    assert r.value("t2.licensing.decisions") is None and r.cells["t2.licensing.decisions"].status == "blank"
    assert r.value("t2.penalty.decisions") == 202


def test_zero_run_is_never_one_number():
    """'000' in a three-column row must be 0|0|0, not 0 plus two missing cells."""
    text = HEAD + "第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章000\n" + T3
    r = parse_text(text)
    assert [r.value(f"t2.rules.{f}") for f in ("issued", "repealed", "in_force")] == [0, 0, 0]
    assert not any(f.startswith("t2.rules") for f in r.uncertain)


def test_missing_cell_readings_do_not_hide_a_unique_split():
    """Readings with missing cells once made every fused row uncertain."""
    text = HEAD + T3.replace("1 0 0 0 0 0 1\n二", "1000001\n二")
    r = parse_text(text)
    assert r.value("t3.new.natural") == 1 and r.cells["t3.new.natural"].status == "inferred"
    assert not [f for f in r.uncertain if f.startswith(("t3.new.", "t3.granted.", "t3.total."))]
    # rows this short report does not print are unknown, not blank
    assert r.cells["t3.partial.natural"].status == "uncertain" and r.value("t3.partial.natural") is None


def test_two_rows_whose_splits_swap_are_flagged():
    """Two fused rows that can trade values without breaking any sum: both flagged."""
    text = HEAD + ("三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 11 10 0 0 0 0 21\n"
                   "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n（一）予以公开 1110000012\n（二）部分公开 1011000012\n"
                   "（七）总计 11 10 0 0 0 0 21\n四、结转下年度继续办理 0 0 0 0 0 0 0\n")
    r = parse_text(text)
    # 11|1|0..|12 + 10|1|..  or  1|11|..|12 + 10|... : several readings fit → flagged, never settled silently
    for f in ("t3.granted.natural", "t3.partial.natural"):
        c = r.cells[f]
        assert c.status in ("uncertain", "inferred")
        if c.status == "inferred":
            assert c.value in (11, 10, 1)
