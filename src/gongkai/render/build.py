"""The checks-first policy and the dispatch to the HTML, PDF and DOCX writers; a report
loaded from JSON (``load_input``).  The writers' common input is ``data``."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import GongkaiError, InputError
from .data import RenderInput, _num

STAMP = "未通过校验"


class RenderRefused(GongkaiError):
    """The data has error-level findings and --force was not given."""

    def __init__(self, findings):
        self.findings = findings
        super().__init__(f"数据有 {len(findings)} 个错误级问题，已拒绝生成（可用 --force 强制生成并加盖「{STAMP}」）")


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
