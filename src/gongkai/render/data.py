"""What every writer renders: the input (report data + narrative), its tables as grids,
the sections in the official order, and narrative text as paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..formats import national
from ..model import Cell, Report


@dataclass
class RenderInput:
    agency: str
    year: int
    values: dict                       # field ID -> int | Decimal | None
    t2_format: str = "2021"
    t3_format: str = "2021"
    date: str | None = None            # 成文日期, e.g. "2025-01-20"
    sections: dict = field(default_factory=dict)   # section id -> Markdown text

    def report(self) -> Report:
        cells = {f: Cell(v, "" if v is None else str(v), "blank" if v is None else "value")
                 for f, v in self.values.items()}
        meta = {"agency": self.agency, "year": self.year, "format": self.t2_format,
                "formats": {"t2": self.t2_format, "t3": self.t3_format},
                "tables_found": {"t2": True, "t3": True, "t4": True},
                "sections_found": [s["id"] for s in national().sections],
                "period_year": self.year, "years_named": []}
        return Report(meta=meta, cells=cells)


def _num(x):
    if isinstance(x, float):
        return Decimal(str(x)) if x != int(x) else int(x)
    if isinstance(x, str):
        try:
            return Decimal(x) if "." in x else int(x)
        except Exception:
            return None
    return x


def table_grids(inp: RenderInput, blank: str = "") -> dict:
    """表二/三/四 as (text, rowspan, colspan) grids; ``blank`` is printed in empty cells."""
    from .grids import t2_grid, t3_grid, t4_grid
    return {"t2": t2_grid(inp.values, inp.t2_format, blank), "t3": t3_grid(inp.values, inp.t3_format, blank),
            "t4": t4_grid(inp.values, blank)}


def section_plan(inp: RenderInput):
    """(number, heading, section id, table key or None) in the official order."""
    nf = national()
    tables = {"proactive": "t2", "requests": "t3", "review": "t4"}
    for s in nf.sections:
        label = s["label"]
        if s["id"] == "problems" and inp.t2_format == "2019":
            label = "政府信息公开工作存在的主要问题及改进情况"
        yield s["number"], f"{s['number']}、{label}", s["id"], tables.get(s["id"])


def paragraphs(md: str) -> list[str]:
    """Markdown-ish text → paragraphs (blank lines separate; '#' marks dropped).  The
    parser's sections are already one paragraph per block; a block wrapped over lines
    is joined (CJK without a space, Latin words with one)."""
    out = []
    for block in (md or "").replace("\r\n", "\n").split("\n\n"):
        t = ""
        for x in block.split("\n"):
            x = x.strip().lstrip("#").strip()
            if x:
                t = t + " " + x if t and re.search(r"[A-Za-z,.;:!?]$", t) and re.match(r"[A-Za-z]", x) else t + x
        if t:
            out.append(t)
    return out
