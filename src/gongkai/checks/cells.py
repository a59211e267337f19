"""Blank and non-numeric cells, and cells the parser could not settle."""
from __future__ import annotations

from collections import OrderedDict

from ..model import NOT_PRINTED, Report
from .registry import finding, rule

TABLE_ZH = {"t2": "表二", "t3": "表三", "t4": "表四"}


def _rows(fids):
    rows = OrderedDict()
    for f in fids:
        rows.setdefault(f.rsplit(".", 1)[0], []).append(f)
    return rows


@rule("cells.blank", "warning", "单元格空白")
def blank(report: Report):
    """Cells left blank (not 0).  One finding per table listing the blank cells; a
    blank is kept as null and never read as 0."""
    out = []
    blanks = [f for f, c in report.cells.items() if c.status == "blank" and c.reason != NOT_PRINTED]
    if not blanks:
        return out
    per_row: dict[str, int] = {}
    for f in report.cells:
        r = f.rsplit(".", 1)[0]
        per_row[r] = per_row.get(r, 0) + 1
    for t in ("t2", "t3", "t4"):
        fids = [f for f in blanks if f.startswith(t + ".")]
        if not fids:
            continue
        total = sum(1 for f in report.cells if f.startswith(t + "."))
        rows = _rows(fids)
        full = [r for r, fs in rows.items() if len(fs) == per_row[r]]
        desc = "全表空白" if len(fids) == total else f"{len(fids)} 个单元格空白"
        if len(fids) != total and full and t == "t3":
            desc += f"（整行空白：{'、'.join(r.split('.', 1)[1] for r in full[:8])}{' 等' if len(full) > 8 else ''}）"
        lines = sorted({report.cells[f].source.line for f in fids
                        if report.cells[f].source and report.cells[f].source.line})
        out.append(finding("cells.blank", f"{TABLE_ZH[t]}{desc}，应填 0 的请填 0", table=t,
                           fields=tuple(fids), lines=tuple(lines[:50]),
                           data={"blank": len(fids), "cells": total, "blank_rows": full}))
    return out


@rule("cells.text", "warning", "数值单元格填了文字")
def text(report: Report):
    """A number cell holds text (e.g. "POS 机统一缴费，县级部门无发统计"): value null,
    the text is kept in ``raw``."""
    out = []
    for f, c in report.cells.items():
        if c.status == "text":
            out.append(finding("cells.text", f"{f} 填的是文字「{c.raw}」而不是数字", table=f.split(".")[0],
                               fields=(f,), lines=(c.source.line,) if c.source and c.source.line else ()))
    return out
