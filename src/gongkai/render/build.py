"""Render input (report data + narrative), the checks-first policy, and dispatch to
the HTML, PDF and DOCX writers."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import GongkaiError, InputError
from ..formats import national
from ..model import Cell, Report

STAMP = "未通过校验"


class RenderRefused(GongkaiError):
    """The data has error-level findings and --force was not given."""

    def __init__(self, findings):
        self.findings = findings
        super().__init__(f"数据有 {len(findings)} 个错误级问题，已拒绝生成（可用 --force 强制生成并加盖「{STAMP}」）")


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


def load_input(path: str | Path) -> RenderInput:
    """A report as data: the JSON written by ``gongkai parse`` (or the same shape)."""
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml", ".xlsx"):
        from .template import load_template
        if not p.exists():
            raise InputError(p, "文件不存在")
        return load_template(p)
    try:
        data = json.loads(p.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(p, f"无法读取报告数据（{e.__class__.__name__}）：需要 gongkai parse 输出的 JSON")
    if not isinstance(data, dict):
        raise InputError(p, "报告数据格式不对：应为 gongkai parse 输出的 JSON 对象")
    meta = data.get("meta") or {}
    cells = data.get("cells")
    if not isinstance(meta, dict) or not isinstance(cells, dict) or not meta.get("agency") or not meta.get("year"):
        raise InputError(p, "报告数据缺少 meta.agency、meta.year 或 cells")
    try:
        year = int(meta["year"])
    except (TypeError, ValueError):
        raise InputError(p, f"报告数据的 meta.year 不是年份：{str(meta['year'])[:20]}")
    fm = meta.get("formats") if isinstance(meta.get("formats"), dict) else {}
    sections = data.get("sections") if isinstance(data.get("sections"), dict) else {}
    return RenderInput(agency=str(meta["agency"]), year=year,
                       values={k: _num(v) for k, v in cells.items()},
                       t2_format=fm.get("t2") or meta.get("format") or "2021",
                       t3_format=fm.get("t3") or meta.get("format") or "2021",
                       date=meta.get("date"), sections=sections)


def render(inp: RenderInput, to: str, out: str | Path, force: bool = False, blank_as_zero: bool = False,
           style=None):
    """Check, then write the document.  Returns the findings (errors refused unless force).
    ``style`` (render.style.Style) sets fonts, widths, page breaks and the blank mark."""
    from ..checks import run_checks
    from .style import DEFAULT
    findings = [f for f in run_checks(inp.report()) if f.rule not in ("structure.missing_section",)]
    errors = [f for f in findings if f.severity == "error"]
    if errors and not force:
        raise RenderRefused(errors)
    style = style or DEFAULT
    kw = {"stamp": STAMP if errors else None, "blank": "0" if blank_as_zero else style.blank_mark, "style": style}
    if to == "html":
        from .html import to_html
        _write(out, to_html(inp, **kw).encode("utf-8"))
    elif to == "pdf":
        from .pdf import to_pdf
        _write(out, to_pdf(inp, **kw))
    elif to == "docx":
        from .docx import to_docx
        _write(out, to_docx(inp, **kw))
    else:
        raise InputError(out, f"不支持的输出格式：{to}（可选 docx、pdf、html）")
    return findings


def _write(out, data: bytes):
    try:
        Path(out).write_bytes(data)
    except OSError as e:
        raise InputError(out, f"无法写入输出文件（{e.strerror or e}）")


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
