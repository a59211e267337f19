"""表三 rebuilt from the printed order (extract/columns.py, rule parse.column_order):
numbers detached from their row labels, printed row by row or column by column."""
from __future__ import annotations

import pytest

from gongkai import parse_text
from gongkai.degrade import MissingTool, generate, same
from gongkai.formats import national
from gongkai.synth import T3_HEADER

NF = national()
ROWS = NF.t3_rows("2021")
COLS = NF.t3_columns
HEAD = ("某市司法局2024年政府信息公开工作年度报告\n一、总体情况\n工作平稳。\n二、主动公开政府信息情况\n"
        "第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n规章\n0\n0\n0\n")
TAIL = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
        "未经复议直接起诉 复议后起诉\n" + " ".join(["0"] * 15) + "\n五、存在的主要问题及改进情况\n无。\n"
        "六、其他需要报告的事项\n无。\n")


def grid(natural: dict, legal: dict) -> dict:
    """A consistent 表三: outcome rows of the natural and legal columns given, the rest
    derived (总计 row and column, 新收 = 总计 + 结转下年度 − 上年结转)."""
    g = {r.id: [0] * 7 for r in ROWS}
    for col, vals in ((0, natural), (4, legal)):
        for rid, v in vals.items():
            g[rid][col] = v
        g["total"][col] = sum(g[r.id][col] for r in ROWS if r.kind == "outcome")
        g["carried_over"][col] = 1
        g["carried_forward"][col] = 2
        g["new"][col] = g["total"][col] + 2 - 1
    for r in ROWS:
        g[r.id][6] = sum(g[r.id][:6])
    return g


G = grid({"granted": 5, "denied.state_secret": 3, "rejected.duplicate": 7},
         {"partial": 4, "unavailable.not_held": 2, "other.other": 9})


def labels_block() -> str:
    return "\n".join(["三、收到和处理政府信息公开申请情况", T3_HEADER] + [r.label for r in ROWS]) + "\n"


def column_wise(g: dict, cut: int | None = None, order=range(7)) -> str:
    """The text pdfminer makes of 表三: every label first, then the numbers one per
    line, column by column (columns in ``order``), the table cut at row ``cut`` by a
    page break."""
    ids = [r.id for r in ROWS]
    pieces = [ids] if cut is None else [ids[:cut], ids[cut:]]
    lines = []
    for piece in pieces:
        for j in order:
            lines.extend(str(g[r][j]) for r in piece)
        lines.append("- 3 -")
    return HEAD + labels_block() + "\n".join(lines) + "\n" + TAIL


def row_wise(g: dict) -> str:
    """The text pdftotext (no -layout) makes of 表三 here: labels first, then each row's
    cells one per line."""
    lines = [str(v) for r in ROWS for v in g[r.id]]
    return HEAD + labels_block() + "\n".join(lines) + "\n" + TAIL


def _rule(report, rule):
    return [f for f in report.findings if f.rule == rule]


def test_row_wise_numbers_are_rebuilt_and_inferred():
    r = parse_text(row_wise(G))
    for row in ROWS:
        for j, c in enumerate(COLS):
            cell = r.cells[f"t3.{row.id}.{c}"]
            assert cell.value == G[row.id][j] and cell.status == "inferred", (row.id, c, cell)
    assert _rule(r, "parse.column_order") and "t3.granted.natural" not in r.uncertain


def test_column_wise_total_column_and_equal_rows_are_inferred():
    """Column by column over a page break: the 总计 column and the rows whose applicant
    cells are all equal are known."""
    r = parse_text(column_wise(G, cut=15))
    assert _rule(r, "parse.column_order")
    for row in ROWS:
        tot = r.cells[f"t3.{row.id}.total"]
        assert tot.value == G[row.id][6] and tot.status == "inferred"
    for c in COLS[:6]:
        z = r.cells[f"t3.denied.third_party.{c}"]
        assert z.value == 0 and z.status == "inferred"


def test_column_wise_applicant_columns_are_uncertain():
    """Regression (pdfminer, seed 11 #13): pdfminer printed the 法律服务机构 column third,
    and the column-by-column reading put its numbers under 科研机构, inferred, though
    the sums hold whatever the order of the applicant columns.  Those cells are now
    uncertain, with the other applicant values as alternatives."""
    moved = [0, 1, 4, 2, 3, 5, 6]          # legal printed where research stands
    r = parse_text(column_wise(G, order=moved))
    for row in ("granted", "partial", "unavailable.not_held", "new"):
        for c in COLS[:6]:
            cell = r.cells[f"t3.{row}.{c}"]
            assert cell.status == "uncertain", (row, c, cell)
            want = G[row][COLS.index(c)]
            assert want in cell.alternatives
    assert r.cells["t3.granted.total"].status == "inferred" and r.value("t3.granted.total") == 5
    # not one cell is wrong and unflagged
    for row in ROWS:
        for j, c in enumerate(COLS):
            f = f"t3.{row.id}.{c}"
            assert r.value(f) == G[row.id][j] or f in r.uncertain


def test_order_breaking_the_sums_is_not_used():
    """One number changed: no order fits the arithmetic, nothing is rebuilt and the cells
    stay flagged."""
    text = row_wise(G).replace("\n9\n", "\n8\n", 1)
    r = parse_text(text)
    assert not _rule(r, "parse.column_order")
    assert any(f.startswith("t3.") for f in r.uncertain)


def test_missing_number_is_not_guessed():
    """A blank left empty (one number fewer than cells): the count does not match, so no
    order is tried; the cells are not filled by position."""
    lines = row_wise(G).split("\n")
    k = lines.index(str(G["other.other"][4]))
    del lines[k]
    r = parse_text("\n".join(lines))
    assert not _rule(r, "parse.column_order")


def test_rows_read_by_label_are_untouched():
    """A clean table (numbers on their labels' lines) never reaches this stage."""
    body = "\n".join(f"{row.label} " + " ".join(str(v) for v in G[row.id]) for row in ROWS)
    r = parse_text(HEAD + "三、收到和处理政府信息公开申请情况\n" + T3_HEADER + "\n" + body + "\n" + TAIL)
    assert not _rule(r, "parse.column_order")
    assert r.cells["t3.granted.natural"].status == "value" and r.value("t3.granted.natural") == 5


@pytest.fixture(scope="module")
def raw_docs():
    """pdftotext (no -layout) of the degradation corpus, seed 20261201 #0–#1 (#1: labels
    printed apart from a row-by-row block of numbers, table cut by a page break)."""
    try:
        return list(generate(["pdftotext_raw"], 2, 20261201))
    except MissingTool as e:
        pytest.skip(str(e))


def test_real_pdftotext_row_wise_table_is_exact(raw_docs, tmp_path):
    from gongkai.pipeline import parse_file
    doc = raw_docs[1]
    report = parse_file(doc.write(tmp_path))
    assert _rule(report, "parse.column_order")
    t3 = {f: v for f, v in doc.gold["cells"].items() if f.startswith("t3.")}
    wrong = [f for f, v in t3.items() if not same(report.value(f), v)]
    assert not wrong, wrong[:5]
    assert {report.cells[f].status for f in t3} <= {"inferred", "value"}
