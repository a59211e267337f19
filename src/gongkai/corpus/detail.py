"""One stored report as a page shows it: its meta, 表三 in the official layout with each
cell's value and status, the cells that need a look (uncertain, inferred,
text; blanks are coloured in the grid) with their raw text and reason, and the findings — only when the report
is in the reader's scope (otherwise None, as for a report that does not exist)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePath

from . import schema as S
from .accounts import Scope
from .board import STATUS_ZH, report_status

STATUS_CELL_ZH = {"value": "数值", "blank": "空白", "text": "文字", "inferred": "推定", "uncertain": "存疑"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    field: str | None = None          # a data cell: its field ID
    status: str | None = None         # value | blank | text | inferred | uncertain (None: not in the report)


@dataclass
class ReportDetail:
    meta: dict
    status: str
    t3: list[list[GridCell]] = field(default_factory=list)
    notable: list[dict] = field(default_factory=list)      # cells that are not plain values
    findings: list[dict] = field(default_factory=list)

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


def _visible(c, report_id: int, scope: Scope):
    import sqlalchemy as sa
    r, a, d = S.reports, S.agencies, S.documents
    q = (sa.select(r, a.c.name.label("agency"), a.c.province, a.c.city, a.c.county, a.c.kind,
                   d.c.path, d.c.sha256, d.c.format.label("file_format"), d.c.imported_at, d.c.parser_version)
         .select_from(r.join(d, d.c.id == r.c.document_id).outerjoin(a, a.c.id == r.c.agency_id))
         .where(r.c.id == report_id))
    cond = scope.condition()
    if cond is not None:
        q = q.where(cond)
    return c.execute(q).first()


def report_detail(corpus, report_id: int, scope: Scope) -> ReportDetail | None:
    import sqlalchemy as sa
    from ..render.grids import t3_grid
    from .export import _number
    cl, f = S.cells, S.fields
    with corpus.engine.connect() as c:
        row = _visible(c, int(report_id), scope)
        if row is None:
            return None
        cells = c.execute(sa.select(f.c.id, cl.c.value, cl.c.status, cl.c.raw, cl.c.reason, cl.c.line, cl.c.page)
                          .select_from(cl.join(f, f.c.no == cl.c.field_no))
                          .where(cl.c.report_id == row.id).order_by(cl.c.field_no)).all()
        finds = c.execute(sa.select(S.findings).where(S.findings.c.report_id == row.id)
                          .order_by(S.findings.c.id)).all()
    m = row._mapping
    meta = {k: m[k] for k in ("id", "agency", "agency_raw", "province", "city", "county", "kind", "year",
                              "format", "t3_format", "date", "sha256", "file_format", "imported_at",
                              "parser_version", "n_errors", "n_warnings", "n_uncertain")}
    meta["file"] = PurePath(m["path"] or "").name          # the name only: no server paths shown
    by_field = {x.id: x for x in cells}
    marks = {x.id: "\x00" + x.id for x in cells if x.id.startswith("t3.")}
    grid = []
    for line in t3_grid(marks, m["t3_format"] or m["format"] or "2021"):
        out = []
        for text, rs, cs in line:
            if text.startswith("\x00"):
                x = by_field[text[1:]]
                v = _number(x.value)
                shown = x.raw if x.status == "text" else ("" if v is None else str(v))
                out.append(GridCell(shown, rs, cs, x.id, x.status))
            else:
                out.append(GridCell(text, rs, cs))
        grid.append(out)
    notable = [{"field": x.id, "value": _number(x.value), "status": x.status,
                "status_zh": STATUS_CELL_ZH.get(x.status, x.status), "raw": x.raw, "reason": x.reason,
                "line": x.line, "page": x.page} for x in cells if x.status not in ("value", "blank")]
    findings = [{"rule": x.rule, "severity": x.severity, "severity_zh": SEVERITY_ZH.get(x.severity, x.severity),
                 "message": x.message, "table": x.table_id,
                 "fields": json.loads(x.fields) if x.fields else [],
                 "lines": json.loads(x.lines) if x.lines else []} for x in finds]
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda x: order.get(x["severity"], 3))
    return ReportDetail(meta=meta, status=report_status({"n_errors": m["n_errors"]}), t3=grid,
                        notable=notable, findings=findings)
