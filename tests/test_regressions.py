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


def test_pdf_ruled_empty_cells_stay_cells(tmp_path):
    """A text-layer PDF dropped ruled cells with nothing printed in them, so a row of
    blanks and numbers lost its columns (and a row with three lost cells crashed the solver)."""
    import random

    from gongkai import parse_file
    from gongkai.read import read_document
    from gongkai.render import RenderInput, render
    from gongkai.synth import random_values
    v = random_values(random.Random(4), "2021", scale=60)
    v = {f: (None if x == 0 and f.startswith("t3.") else x) for f, x in v.items()}
    render(RenderInput("某局", 2024, v, "2021", "2021", "2025-01-20"), "pdf", tmp_path / "r.pdf")
    rows = [ln for ln in read_document(tmp_path / "r.pdf").lines if ln.cells and ln.cells[0].text.startswith("一、本年新收")]
    assert rows and len(rows[0].cells) == 8
    r = parse_file(tmp_path / "r.pdf")
    assert all(r.value(f) == x for f, x in v.items())
    assert all(r.cells[f].status == "blank" for f, x in v.items() if x is None)


def test_several_lost_cells_are_readings_not_a_crash():
    """A row printed with three of seven numbers ('28 9 37': digit runs that could be
    split, but no split adds up) had no reading at all and the solver failed (IndexError)."""
    from gongkai.extract.candidates import row_candidates
    from gongkai.extract.values import tokenize
    toks, _ = tokenize("\t28\t9\t37")
    assert row_candidates(toks, 7, row_sum=True)
    t3 = T3.replace("1 0 0 0 0 0 1", "28 0 0 0 0 9 37")
    text = HEAD + t3.replace("（一）予以公开 28 0 0 0 0 9 37", "（一）予以公开\t28\t9\t37")
    r = parse_text(text)
    truth = dict(zip(("natural", "commercial", "research", "social", "legal", "other", "total"), (28, 0, 0, 0, 0, 9, 37)))
    for c, x in truth.items():
        cell = r.cells[f"t3.granted.{c}"]
        assert cell.status in ("inferred", "uncertain", "value")
        assert cell.status == "uncertain" or cell.value == x, (c, cell)


def test_blank_marker_first_in_table4_value_row():
    """表四's value row beginning with a blank marker ('-' in the first cell) lost that
    cell: the first cell of a row on its own line was taken for the label's rest."""
    t4 = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t"
          "未经复议直接起诉\t复议后起诉\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t"
          "总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n-\t2\t-\t1\t3\t-\t-\t-\t-\t-\t1\t-\t-\t-\t1\n")
    r = parse_text(HEAD + T3 + t4)
    assert r.cells["t4.review.upheld"].status == "blank"
    assert r.value("t4.review.corrected") == 2 and r.value("t4.review.total") == 3
    assert r.value("t4.suit_after_review.upheld") == 1


def test_arithmetic_counts_blank_cells_as_zero():
    """A table that leaves its zeros blank escaped every arithmetic check
    (blank, blank, blank, blank = 总计 1 passed)."""
    t4 = ("四、政府信息公开行政复议、行政诉讼情况\n" + "\t".join([""] * 4 + ["1"] + [""] * 10) + "\n")
    t3 = "\n".join(ln.replace(" ", "\t").replace("\t0", "\t").replace("申请情况", "申请情况") for ln in T3.split("\n"))
    r = parse_text(HEAD + t3 + t4)
    assert r.cells["t3.new.commercial"].status == "blank"
    assert not [f for f in r.findings if f.rule.startswith("t3.")
                and f.severity == "error"]                   # 表三 still balances with blanks as 0
    hit = [f for f in r.findings if f.rule == "t4.group_total"]
    assert hit and "按 0 计" in hit[0].message


def test_a_row_of_blank_marks_is_blank_cells_not_a_markdown_separator():
    """Hypothesis found it (tests/test_render.py, PDF round trip, blank mark 「-」): a 表三
    row printed as seven 「-」 cells (tab-separated by the PDF reader) was taken for a
    Markdown separator row (|---|), so the row lost its cells and the next line's text
    was read instead."""
    from gongkai.extract.values import tokenize
    toks, explicit = tokenize("\t-\t-\t-\t-\t-\t-\t-\n   \n（")
    assert explicit and [t.kind for t in toks] == ["blank"] * 7
    assert [t.kind for t in tokenize("| - | - | - |")[0]] == ["blank"] * 3
    assert tokenize("|:---|---:|")[0] == [] and tokenize("| --- | --- |")[0] == []


def test_pdf_with_blank_marked_rows_round_trips(tmp_path):
    import random
    from gongkai import parse_file
    from gongkai.render import RenderInput, render
    from gongkai.render.style import Style
    from gongkai.synth import random_values
    v = random_values(random.Random(3295837), "2021", scale=60)
    v = {f: (None if x == 0 and f[:3] in ("t3.", "t4.") else x) for f, x in v.items()}
    style = Style(body_font="fangsong", table_font="fangsong", body_pt=16.0, table_pt=9.0, label_scale=1.0,
                  t3_new_page=False, blank_mark="-", margin_cm=2.8)
    out = tmp_path / "r.pdf"
    render(RenderInput("某某县人民政府", 2024, v, "2021", "2021", "2025-01-20", {"overview": "本县持续推进政务公开。"}),
           "pdf", out, style=style)
    r = parse_file(out)
    assert all(r.cells[f].status == "blank" for f, x in v.items() if x is None)
    assert not [f for f, x in v.items() if r.value(f) != x] and not r.uncertain
