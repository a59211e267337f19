"""PDF: the HTML rendering laid out by weasyprint (A4, Noto CJK embedded as subsets,
表三/表四 header rows repeated across pages, page numbers "- N -")."""
from __future__ import annotations

from ..errors import GongkaiError
from .html import to_html


def to_pdf(inp, stamp=None, blank="", style=None) -> bytes:
    try:
        import weasyprint
    except (ImportError, OSError) as e:
        raise GongkaiError(f"生成 PDF 需要 weasyprint 及其系统库（pango、Noto CJK 字体）：{e}")
    return weasyprint.HTML(string=to_html(inp, stamp, blank, style)).write_pdf()
