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
from gongkai.extract.labels import _fuzzy, find_labels
from gongkai.extract.meta import find_meta
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


def test_vertical_group_characters_before_a_numbered_row_label():
    """pdftotext -layout prints 表三's vertical group label one character per line, in
    front of the wrapped row labels (' 三 4.保护第三方合法'): such lines offered no
    candidate, the rows stayed unfound and the row above read their values (16 of
    5.属于三类内部事务信息 became 3.危及…'s total)."""
    text = ("    3.危及“三安全一\n                /    /     /     /     /   /     /\n  （ 稳定”\n"
            " 三 4.保护第三方合法\n                /    /     /     /     /   /     /\n ） 权益\n"
            " 不 5.属于三类内部事\n                /    /     /    16     /   /    16\n 予 务信息\n")
    got = [c[2] for c in _candidates(text, text.index("\n"), len(text), [])]
    assert "4.保护第三方合法" in got and "5.属于三类内部事" in got
    assert "务信息" not in got           # a continuation line is no candidate of its own
    r = parse_file(REGRESS / "layout_vertical_group_numbered_rows.txt")
    assert r.value("t3.denied.internal_affairs.total") == 16
    assert r.cells["t3.denied.safety_stability.total"].status == "blank"


def test_fuzzy_label_does_not_take_a_blank_mark_for_a_changed_character():
    """'四、结转下年度继续办 / - 1 - - 2 - 3 / 理' (label wrapped around its values):
    the edit-distance match took the first blank mark '-' for the label's '理', and the
    row lost its first cell (read as 0 by the arithmetic)."""
    text = "四、结转下年度继续办\n                -    1       -     -     2    -     3\n理\n"
    c = Compact(text)
    specs = [s for s in national().labels if s.key == "t3.row:carried_forward"]
    assert all("-" not in m.text for m in _fuzzy(c.s, specs[0], c.gap_before))
    r = parse_file(REGRESS / "layout_blank_mark_in_wrapped_label.txt")
    assert r.cells["t3.carried_forward.natural"].status == "blank"
    assert r.value("t3.carried_forward.commercial") == 1 and r.value("t3.carried_forward.total") == 3


def test_markdown_cells_holding_several_values():
    """markitdown merges neighbouring PDF columns into one Markdown cell ('| 59 - | 39 8 |'):
    such a cell was one text token, the row's cells shifted, and 59 was lost silently."""
    from gongkai.extract.values import tokenize
    toks, explicit = tokenize("393 146 | 168 161 | 145 | - 1013 |\n")
    assert explicit and [t.value for t in toks] == [393, 146, 168, 161, 145, None, 1013]
    # a row on its own line: its label column(s) — empty or a fragment of the wrapped label — go
    toks, _ = tokenize("（区\n本\n分处理的，只计这一\n|     | 59 - | 39 8 | -   | - 106 |\n年\n")
    assert [t.kind for t in toks] == ["num", "blank", "num", "num", "blank", "blank", "num"]
    toks, _ = tokenize("\n其\n|     | 费用、行政机关不 | 54  | -   | -   | -   | -   | -   | 54  |\n")
    assert [t.value for t in toks] == [54, None, None, None, None, None, 54]
    toks, _ = tokenize("\n|     | — — | — — | 19 — | 19  |\n")     # marks are values, not label text
    assert [t.value for t in toks] == [None, None, None, None, 19, None, 19]
    r = parse_file(REGRESS / "markdown_merged_cells.md")
    assert r.value("t3.partial.natural") == 59 and r.value("t3.partial.total") == 106
    assert r.value("t3.new.natural") == 393 and r.value("t3.new.total") == 1013


def test_title_of_a_collapsed_crawler_text():
    """A crawler text with every line break turned into a space: the title at its start
    was refused (too much text after it on 'its line'), so the agency was missing."""
    body = ("洛阳市偃师区司法局2024年政府信息公开工作年度报告 本报告所列数据的统计期限为2024年1月1日至"
            "2024年12月31日。 一、总体情况 " + "（一）主动公开方面。严格落实“五公开”要求，及时更新栏目39个。 " * 8)
    m = find_meta(body.split("\n"))
    assert m["agency"] == "洛阳市偃师区司法局" and m["year"] == 2024 and m["agency_source"] == "title"


def test_wrapped_total_among_blank_cells_is_joined():
    """pypdf: '83 — — — 63 — 14 6' — the total 146 wrapped in its cell.  Joins were only
    tried when numbers outnumbered cells, and the row-sum check refused blank cells, so a
    reading with 14 as 其他 and 6 as 总计 was taken (consistently with 表三's 总计 row)."""
    from gongkai.extract.candidates import row_candidates
    from gongkai.extract.values import tokenize
    toks, _ = tokenize("83 — — — 63 — 14 6")
    cands = row_candidates(toks, 7, row_sum=True)
    assert any(c.how == "join" and c.slots[-1].value == 146 for c in cands)
    r = parse_file(REGRESS / "pypdf_wrapped_total_with_blanks.txt")
    assert r.value("t3.new.total") == 146 and r.value("t3.total.total") == 145
    assert r.cells["t3.new.other"].status == "blank"


def test_markdown_row_label_over_several_table_rows():
    """markitdown: a wrapped row label fills several Markdown rows whose value cells are
    empty; the values stand on a later one.  The first (empty) one was read: seven blanks."""
    from gongkai.extract.values import tokenize
    toks, _ = tokenize("\n六\n| 其 | 2.申请人逾期未按收费 |     |     |\n| --- | --- | --- | --- |\n"
                       "| 他 | 通知要求缴纳费用、行  |     |     |\n|             |             | 0   | 0   |\n")
    assert [t.value for t in toks if t.kind == "num"] == [0, 0]
    r = parse_file(REGRESS / "markdown_label_over_table_rows.md")
    assert r.value("t3.other.no_fee.natural") == 0 and r.value("t3.other.no_fee.total") == 0


def test_empty_cell_of_a_misaligned_row_is_no_evidence_of_a_blank():
    """markitdown lost '14' of a wrapped 146 and left its cell empty ('| — |     |'), the '6'
    on the next line.  The row had more cells than columns, yet the empty cell counted as
    a printed blank, so the leftover 6 did not make it uncertain."""
    r = parse_file(REGRESS / "markdown_lost_number_beside_empty_cell.md")
    assert "t3.new.total" in r.uncertain


def test_a_bare_number_before_a_column_header_is_no_numbering():
    """pdfminer (degrade seed 7 #19): a value "3" on its own line, then the column header
    "其他", was read as 表三's "3.其他" row (a 2021-only row), so a 2019 report was read as
    2021 and its (六)其他处理 cells went missing."""
    specs = [s for s in national().labels if s.key == "t3.row:other.other"]
    c = Compact("20\n\n3\n\n其他\n\n20\n")
    assert find_labels(c.s, specs, gap_before=c.gap_before) == []
    r = parse_file(REGRESS / "pdfminer_value_then_column_header_not_numbering.txt")
    assert r.meta["formats"]["t3"] == "2019" and "t3.other.natural" in r.cells


def test_t2_row_holding_only_a_header_word_is_not_read_as_values():
    """pdftotext raw (degrade seed 7 #9): 「行政事业性收费」 followed only by the header word
    「上一年项目数」, its numbers printed after the next header: the row's cells were
    'inferred'/'value' with no value (two silent errors) although 75685 and -26 were left
    over in 表二."""
    r = parse_file(REGRESS / "raw_t2_header_word_in_fee_row.txt")
    for f in ("t2.fees.prev_items", "t2.fees.change"):
        assert r.cells[f].status == "uncertain"
    assert any(f.rule == "parse.leftover_numbers" and f.table == "t2" for f in r.findings)


def test_row_of_dashes_around_a_number_is_no_page_number():
    """crawler text (degrade seed 7 #14): 表四's values row '---22----------' matched the
    page-number pattern ('- 22 -') and was blanked out before parsing; 表四 then showed
    nothing and was read as 15 blanks — review.pending/total (2, 2) silently lost."""
    from gongkai.read.text import clean
    assert clean("---22----------\n").strip() == "---22----------"
    for page in ("- 3 -", "— 12 —", "-4-", "——5——", "第 3 页", "3/12"):
        assert clean(page + "\n").strip() == "", page
    r = parse_file(REGRESS / "crawler_t4_marks_row_like_page_number.txt")
    for f in ("t4.review.pending", "t4.review.total"):
        assert r.cells[f].value == 2 or f in r.uncertain
        assert r.cells[f].status != "blank"


def test_table_found_with_nothing_printed_is_not_blank():
    """A 表四 whose header is there but whose values row is missing (lost by the
    extractor or OCR) shows no number, no blank mark, no empty cell: its sums hold for
    any reading, so every cell is uncertain — never 15 silent blanks."""
    text = (REGRESS / "crawler_t4_marks_row_like_page_number.txt").read_text(encoding="utf-8")
    text = text.replace("---22----------\n", "")
    r = parse_text(text)
    t4 = [c for f, c in r.cells.items() if f.startswith("t4.")]
    assert len(t4) == 15 and all(c.status == "uncertain" and c.value is None for c in t4)
    assert any(f.rule == "parse.nothing_printed" and f.table == "t4" for f in r.findings)


def test_row_of_blank_marks_is_read_as_the_blank_values_row():
    """A 表四 of blanks printed as a line of marks of its own (HTML ``—`` cells, crawler
    ``---------------``) is 15 positively shown blanks, with the marks as their source,
    not a table with nothing printed."""
    text = (REGRESS / "crawler_t4_marks_row_like_page_number.txt").read_text(encoding="utf-8")
    r = parse_text(text.replace("---22----------", "-" * 15))
    t4 = [c for f, c in r.cells.items() if f.startswith("t4.")]
    assert all(c.status == "blank" and c.raw == "-" for c in t4)
    tabbed = text.replace("---22----------", "\t".join(["—"] * 15))
    r = parse_text(tabbed)
    assert all(c.status == "blank" for f, c in r.cells.items() if f.startswith("t4."))


def test_blank_marks_run_into_counts_are_blanks_not_signs():
    """crawler text prints 3 | 2 | - | 2 | 2 | - | 9 as '32-22-9' and 3 | 1 | - | - | - | - | 4
    as '31----4': the tokenizer reads -22 and -4 (a 2019 表二 本年增/减 may be signed), but
    in 表三/表四 counts are never negative, so the sign is a blank mark; and a complete
    split reading may hold blank marks (it was only tried on rows of digits alone, so
    '31' was read whole with a missing cell — a silent error once the signs were fixed)."""
    from gongkai.extract.candidates import row_candidates
    from gongkai.extract.values import tokenize, unsigned_counts
    toks = unsigned_counts(tokenize("32-22-9")[0])
    assert [(t.kind, t.raw) for t in toks] == [("num", "32"), ("blank", "-"), ("num", "22"), ("blank", "-"),
                                                ("num", "9")]
    assert [t.value for t in tokenize("0-130")[0]] == [0, -130]         # 表二 2019 keeps its sign
    toks = unsigned_counts(tokenize("31----4")[0])
    readings = [[v for _k, v in c.values()] for c in row_candidates(toks, 7, row_sum=True) if c.how == "split"]
    assert readings == [[3, 1, None, None, None, None, 4]]
    r = parse_file(REGRESS / "crawler_t4_marks_row_like_page_number.txt")
    gold = json.loads((REGRESS / "crawler_t4_marks_row_like_page_number.gold.json").read_text(encoding="utf-8"))
    for row in ("new", "carried_over", "total", "carried_forward"):
        for col in national().t3_columns:
            f = f"t3.{row}.{col}"
            assert same(r.cells[f].value, gold["cells"][f]), f
            assert r.cells[f].status in ("value", "inferred", "blank"), f


@pytest.mark.parametrize("name", ["layout_wrapped_numbers_above_and_below_row",
                                  "layout_wrapped_total_around_wrapped_label",
                                  "layout_wrapped_piece_between_rows"])
def test_numbers_wrapped_in_narrow_cells_are_joined_by_position(name):
    """pdftotext -layout (degrade seed 7 #3, #2, #23): a number too wide for its cell wraps
    into pieces printed at the cell's centre above and below the row's label line
    (``1095`` / ``5`` for 10955, the top piece in the text after the previous label).
    Pieces of one row at the same position are one number (extract/stacks.py); the
    joins stand where the row's 总计 is its sum.  Before, these 表三 cells were all
    flagged with wrong values; now every 表三 cell is exact and settled — and a piece
    line between two rows goes to the row whose stack it completes (#23: '6' under '14'
    belongs to 一、本年新收, not to the 4 of 二、上年结转 below it)."""
    path = REGRESS / f"{name}.txt"
    gold = json.loads(path.with_name(name + ".gold.json").read_text(encoding="utf-8"))["cells"]
    r = parse_file(path)
    wrong = [(f, v, r.cells[f].value) for f, v in gold.items() if f.startswith("t3.") and not same(r.cells[f].value, v)]
    assert wrong == []
    assert not [f for f in gold if f.startswith("t3.") and f in r.uncertain]


def test_stacks_need_the_row_sum():
    """Numbers at the same position on the row's line and the line below are joined only
    where the joined row's 总计 is its sum; otherwise the row is left as printed."""
    from gongkai.extract.locate import locate
    from gongkai.extract.stacks import restack
    from gongkai.extract.tables import _best, _occurrences

    def tokens(line1, line2):
        text = (f"一、本年新收政府信息公开申请数量{line1}\n{line2}\n"
                "二、上年结转政府信息公开申请数量   0   0   0   0   0   0    0\n")
        lay = locate(text)
        rt = _best(_occurrences(lay, "t3.row:new"))
        before = [t.raw for t in rt.tokens]
        restack(lay, [rt], 7)
        return before, [t.raw for t in rt.tokens]

    #                 0   0   0   5   0   0   5        pieces under both 5s: 53 … 53
    before, after = tokens("   0   0   0   5   0   0    5", " " * 31 + "3" + " " * 12 + "3")
    assert before == ["0", "0", "0", "5", "0", "0", "5", "3", "3"]
    assert after == ["0", "0", "0", "5", "3", "0", "0", "5", "3"]
    # 5|3 and 17|4: no joined reading whose 总计 is the sum of the others
    before, after = tokens("   0   0   0   5   0   0   17", " " * 31 + "3" + " " * 12 + "4")
    assert len(before) == 9 and after == before


def test_doubled_slash_is_two_blank_cells():
    """crawler (degrade seed 20261201 #143): '//21/352682' is two blank cells, 21, a blank
    and three fused numbers; '//' was read as one (doubled) mark, so the true reading was
    not among the candidates and a wrong split fitted the sums (5 silent errors).  A slash
    is never doubled; a '--' may be one mark (—— normalised) or two, so a fused row
    holding one is never settled by a split."""
    from gongkai.extract.values import tokenize
    assert [t.raw for t in tokenize("//21/3")[0]] == ["/", "/", "21", "/", "3"]
    assert [t.raw for t in tokenize("21--")[0]] == ["21", "--"]
    r = parse_file(REGRESS / "crawler_doubled_slash_is_two_blanks.txt")
    row = [r.cells[f"t3.denied.internal_affairs.{c}"] for c in national().t3_columns]
    assert [c.value for c in row][:4] == [None, None, 21, None]
