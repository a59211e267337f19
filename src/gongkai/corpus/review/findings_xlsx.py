"""The findings of a scope and year for a 通报: one row per finding of each agency's
report of the year (the newest, as the board shows it) — 机关, 地区, 规则, 严重程度,
说明, 单元格, 状态 (未处理 / 已确认 / 已驳回), 意见, 审核人, 报告编号."""
from __future__ import annotations

import json
from pathlib import Path

from .. import schema as S
from ..export import as_text_if_formula
from ..store import CorpusError
from .state import DECISION_ZH, decisions, finding_key

HEADER = ["机关", "地区", "规则", "严重程度", "说明", "单元格", "状态", "意见", "审核人", "报告编号"]
MAX_LABELS = 8           # cells named by their label; more: the first ones and 「等 N 个」


def cells_named(names, present, labels) -> str:
    """What a finding names, for a reader: cells by their label (the first MAX_LABELS and
    「等 N 个单元格」), a whole table as 表三, a row or other prefix as written."""
    from ..stored import named_fields
    from ...checks.cells import TABLE_ZH
    cells = [n for n in names if n in labels]
    shown = [labels[f] for f in cells[:MAX_LABELS]]
    if len(cells) > MAX_LABELS:
        shown[-1] += f" 等 {len(cells)} 个单元格"
    for n in names:
        if n not in labels:
            shown.append(TABLE_ZH.get(n, n) + ("" if n in TABLE_ZH or not named_fields([n], present) else "（整行）"))
    return "、".join(shown)


def findings_rows(corpus, scope, year: int, region=None, kind: str | None = None) -> list[list]:
    """The rows (HEADER's columns) for ``year`` within ``scope`` (and the board's region
    and kind filters), by region, agency and severity."""
    import sqlalchemy as sa
    from ..accounts import parse_region
    from ..board import _where
    if isinstance(region, str):
        region = parse_region(region) if region.strip() else None
    from ..stored import SEVERITY_ZH, field_labels, report_cells
    r, a, fi = S.reports, S.agencies, S.findings
    newest = (sa.select(sa.func.max(r.c.id).label("id")).select_from(r.join(a, a.c.id == r.c.agency_id))
              .where(r.c.year == int(year)).group_by(r.c.agency_id))
    for cond in _where(scope, region, kind):
        newest = newest.where(cond)
    q = (sa.select(a.c.name, a.c.province, a.c.city, a.c.county, fi.c.report_id, fi.c.rule, fi.c.severity,
                   fi.c.message, fi.c.fields)
         .select_from(fi.join(r, r.c.id == fi.c.report_id).join(a, a.c.id == r.c.agency_id))
         .where(fi.c.scope == "report", fi.c.report_id.in_(newest))
         .order_by(a.c.province, a.c.city, a.c.county, a.c.name, fi.c.report_id, fi.c.id))
    labels = field_labels()
    order = {"error": 0, "warning": 1, "info": 2}
    out = []
    with corpus.engine.connect() as c:
        rows = c.execute(q).all()
        present, dec = {}, {}
        for x in rows:
            if x.report_id not in present:
                present[x.report_id] = [y.id for y in report_cells(c, x.report_id)]
                dec[x.report_id] = decisions(c, x.report_id)
            shown = cells_named(json.loads(x.fields) if x.fields else [], present[x.report_id], labels)
            d = dec[x.report_id].get(finding_key(x.rule, x.fields))
            out.append([x.name, "".join(p for p in (x.province, x.city, x.county) if p), x.rule,
                        SEVERITY_ZH.get(x.severity, x.severity), x.message, shown,
                        DECISION_ZH[d.decision if d is not None else None], (d.comment or "") if d is not None else "",
                        d.by_user if d is not None else "", x.report_id, order.get(x.severity, 3)])
    out.sort(key=lambda row: (row[1], row[0], row[9], row[10]))
    return [row[:10] for row in out]


def findings_xlsx(corpus, scope, year: int, path, region=None, kind: str | None = None) -> int:
    """Write the findings of ``year`` within ``scope`` to the XLSX ``path``; returns the
    number of findings written.  Text that a spreadsheet would read as a formula is
    written as text."""
    from openpyxl import Workbook
    rows = findings_rows(corpus, scope, year, region, kind)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年度校验发现"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
        as_text_if_formula(ws[ws.max_row])     # a comment 「=HYPERLINK(…)」 stays text
    for col, width in zip("ABCDEFGHIJ", (28, 16, 22, 8, 60, 40, 8, 30, 12, 8)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    try:
        wb.save(path if hasattr(path, "write") else Path(path))
    except OSError as e:
        raise CorpusError(f"{path}: 无法写入（{e.strerror or e}）") from None
    return len(rows)
