"""One stored report as a page shows it: its meta; 表二, 表三 and 表四 in the official
layout (the renderer's grids, ``render.grids``), each data cell with its value, status,
raw text, reason, alternatives and whether a failing check names it; the cells that need
a look (uncertain, inferred, text); and the findings with the cells they name — only
when the report is in the reader's scope (otherwise None, as for a report that does not
exist).  The source of a cell (page image, lines, table cell) is ``source_view``."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from .accounts import Scope
from .board import STATUS_ZH, report_status
from .stored import (SEVERITY_ZH, STATUS_CELL_ZH, TABLE_TITLES, alt_text, display_name, failing_fields, field_labels,
                     named_fields, report_findings, visible_report)


@dataclass
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    field: str | None = None          # a data cell: its field ID
    status: str | None = None         # value | blank | text | inferred | uncertain (None: not in the report)
    raw: str | None = None            # as printed, when it differs from the value
    reason: str | None = None
    alternatives: list | None = None  # other readings (uncertain cells), as text
    failing: bool = False             # named by a failing check (error or warning)
    label: str = ""                   # 表三 · 一、本年新收… · 自然人
    version: int = 0                  # the review's version that set it (0: as parsed)

    @property
    def status_zh(self) -> str:
        return STATUS_CELL_ZH.get(self.status or "", "")

    @property
    def tip(self) -> str:
        """The cell's tooltip: what it is and why it is coloured."""
        parts = [self.label or self.field or ""]
        if self.status and self.status != "value":
            parts.append(self.status_zh + (f"：{self.reason}" if self.reason else ""))
        if self.raw:
            parts.append(f"原文「{self.raw}」")
        if self.version:
            parts.append(f"第 {self.version} 版")
        if self.failing:
            parts.append("校验未通过")
        return " · ".join(p for p in parts if p)


@dataclass
class ReportDetail:
    meta: dict
    status: str
    t3: list[list[GridCell]] = field(default_factory=list)
    tables: list[tuple[str, str, list]] = field(default_factory=list)   # (t2|t3|t4, title, grid)
    notable: list[dict] = field(default_factory=list)      # cells that are not plain values
    findings: list[dict] = field(default_factory=list)
    failing: set = field(default_factory=set)              # field IDs named by failing checks
    review: dict = field(default_factory=dict)             # state, history, versions, what the user may do

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


def _finding_dict(x, present) -> dict:
    names = json.loads(x.fields) if x.fields else []
    return {"id": x.id, "rule": x.rule, "severity": x.severity,
            "severity_zh": SEVERITY_ZH.get(x.severity, x.severity), "message": x.message, "table": x.table_id,
            "fields": names, "cells": named_fields(names, present),
            "lines": json.loads(x.lines) if x.lines else []}


def load_report(corpus, report_id: int, scope: Scope, review: bool = False):
    """(report row, its effective cells — the parse with the review's corrections —, its
    findings, the file's name to show), or None when the report is absent or outside
    ``scope``.  ``review``: a fifth item, the review's state, versions and decisions."""
    from .review import decisions, effective_cells, history, state_history
    from .review.state import current_state
    with corpus.engine.connect() as c:
        row = visible_report(c, int(report_id), scope)
        if row is None:
            return None
        got = (row, effective_cells(c, row.id), report_findings(c, row.id),
               display_name(c, row._mapping["path"], row._mapping["sha256"]))
        if not review:
            return got
        info = {"state": current_state(c, row.id), "states": state_history(c, row.id),
                "decisions": decisions(c, row.id)}
    info["versions"] = history(corpus, row.id, scope) or []
    return got + (info,)


def report_detail(corpus, report_id: int, scope: Scope, user=None) -> ReportDetail | None:
    """The report page's data (None: absent or outside ``scope``); with ``user``, also
    what that user may do in the review (``review["may"]``)."""
    from ..render.grids import t2_grid, t3_grid, t4_grid
    from .export import _number
    from .review import DECISION_ZH, REVIEW_ZH, finding_key, may
    got = load_report(corpus, report_id, scope, review=True)
    if got is None:
        return None
    row, cells, finds, name, review = got
    m = row._mapping
    meta = {k: m[k] for k in ("id", "agency", "agency_raw", "province", "city", "county", "kind", "year",
                              "format", "t3_format", "date", "sha256", "file_format", "imported_at",
                              "parser_version", "n_errors", "n_warnings", "n_uncertain")}
    meta["file"] = name                                     # the name only: no server paths shown
    present = [x.id for x in cells]
    findings = [_finding_dict(x, present) for x in finds]
    for f, x in zip(findings, finds):
        d = review["decisions"].get(finding_key(x.rule, x.fields))
        f.update(decision=d.decision if d is not None else None,
                 decision_zh=DECISION_ZH[d.decision if d is not None else None],
                 comment=(d.comment or "") if d is not None else "", reviewer=d.by_user if d is not None else "")
    review.update(state_zh=REVIEW_ZH.get(review["state"] or "", "未提交"), may=may(user, review["state"]))
    order = {"error": 0, "warning": 1, "info": 2}
    findings.sort(key=lambda x: order.get(x["severity"], 3))
    failing = failing_fields([f for f in findings if f.get("decision") != "dismissed"])
    labels = field_labels()
    by_field = {x.id: x for x in cells}
    marks = {x.id: "\x00" + x.id for x in cells}

    def data_cell(fid, rs, cs) -> GridCell:
        x = by_field[fid]
        v = _number(x.value)
        shown = x.raw if x.status == "text" else ("" if v is None else str(v))
        src = json.loads(x.source) if x.source else {}
        alts = src.get("alternatives")
        return GridCell(shown or "", rs, cs, x.id, x.status, raw=x.raw, reason=x.reason,
                        alternatives=[alt_text(a) for a in alts] if alts else None,
                        failing=x.id in failing, label=labels.get(x.id, x.id), version=x.version)

    def grid_of(lines) -> list[list[GridCell]]:
        return [[data_cell(text[1:], rs, cs) if text.startswith("\x00") else GridCell(text, rs, cs)
                 for text, rs, cs in line] for line in lines]
    fmt2 = m["format"] or "2021"
    fmt3 = m["t3_format"] or m["format"] or "2021"
    tables = []
    if any(f.startswith("t2.") for f in present):
        tables.append(("t2", TABLE_TITLES["t2"], grid_of(t2_grid(marks, fmt2))))
    t3 = grid_of(t3_grid(marks, fmt3))
    tables.append(("t3", TABLE_TITLES["t3"], t3))
    if any(f.startswith("t4.") for f in present):
        tables.append(("t4", TABLE_TITLES["t4"], grid_of(t4_grid(marks))))
    notable = [{"field": x.id, "label": labels.get(x.id, x.id), "value": _number(x.value), "status": x.status,
                "status_zh": STATUS_CELL_ZH.get(x.status, x.status), "raw": x.raw, "reason": x.reason,
                "line": x.line, "page": x.page} for x in cells if x.status not in ("value", "blank")]
    status = report_status({"n_errors": m["n_errors"], "review": review["state"]})
    return ReportDetail(meta=meta, status=status, t3=t3, tables=tables, notable=notable, findings=findings,
                        failing=failing, review=review)


