"""DOCX (python-docx): title, the six sections, the three tables with the official
merged structure, fixed column widths, 仿宋/宋体 with fallbacks, page numbers "- N -"."""
from __future__ import annotations

import io

from .data import paragraphs, section_plan, table_grids
from .grids import HEADER_ROWS
from .style import DEFAULT, FONTS, LABEL_COLUMNS

WIDTHS_CM = {"t2": [4.2, 3.6, 3.6, 3.6], "t3": [1.1, 1.6, 4.1] + [1.25] * 7, "t4": [1.01] * 15}


def _font(run, east_asia: str, size_pt: float, bold=False, color=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    if color:
        run.font.color.rgb = RGBColor(*color)


def _page_number_footer(section):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("- ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._element.append(el)
    p.add_run(" -")


def _table(d, grid, key, style=DEFAULT, text_cm=15.6):
    """Append a table in the official merged structure, written as WordprocessingML
    directly (gridSpan for column spans, vMerge for row spans; fixed layout and widths)."""
    from xml.sax.saxutils import escape

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    ncols = max(sum(cs for _t, _rs, cs in row) for row in grid[:3])
    base = style.widths(WIDTHS_CM[key][:ncols], LABEL_COLUMNS[key])
    fit = min(1.0, text_cm / sum(base))                         # never wider than the text block
    widths = [int(w * fit * 567) for w in base]                  # cm → twips
    origin: dict[tuple, tuple] = {}
    for ri, row in enumerate(grid):
        ci = 0
        for text, rs, cs in row:
            while (ri, ci) in origin:
                ci += 1
            for dr in range(rs):
                for dc in range(cs):
                    origin[(ri + dr, ci + dc)] = (ri, ci, rs, cs, text)
            ci += cs
    border = "".join(f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
    xml = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           '<w:tblCellMar><w:left w:w="40" w:type="dxa"/><w:right w:w="40" w:type="dxa"/></w:tblCellMar></w:tblPr>'
           "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"]
    half_pt = int(style.table_pt * 2)
    run_pr = (f'<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
              f'w:eastAsia="{FONTS[style.table_font][0]}"/><w:sz w:val="{half_pt}"/><w:szCs w:val="{half_pt}"/></w:rPr>')
    for ri in range(len(grid)):
        repeat = "<w:tblHeader/>" if ri < HEADER_ROWS[key] else ""      # Word repeats these rows per page
        xml.append(f"<w:tr><w:trPr><w:cantSplit/>{repeat}</w:trPr>")
        for ci in range(ncols):
            o = origin.get((ri, ci))
            if o is None:
                continue
            r0, c0, rs, cs, text = o
            if c0 != ci:
                continue                                   # inside a column span
            w = sum(widths[c0:c0 + cs])
            span = f'<w:gridSpan w:val="{cs}"/>' if cs > 1 else ""
            if r0 == ri:
                vm = '<w:vMerge w:val="restart"/>' if rs > 1 else ""
                body = (f'<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:before="0" w:after="0"/></w:pPr>'
                        f'<w:r>{run_pr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>')
            else:
                vm, body = "<w:vMerge/>", "<w:p/>"
            xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{span}{vm}<w:vAlign w:val="center"/></w:tcPr>'
                       f"{body}</w:tc>")
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    tbl = parse_xml("".join(xml))
    body = d.element.body
    body.insert(len(body) - 1, tbl)        # before the section properties
    d.add_paragraph()


def to_docx(inp, stamp=None, blank="", style=None) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt
    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    style = style or DEFAULT
    side = style.margin_cm + 0.5
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(side), Cm(side)
    text_cm = 21 - 2 * side
    _page_number_footer(sec)
    if stamp:
        _font(d.add_paragraph().add_run(f"【{stamp}】"), "黑体", 16, bold=True, color=(0xCC, 0, 0))
    t = d.add_paragraph()
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(t.add_run(f"{inp.agency}{inp.year}年政府信息公开工作年度报告"), "方正小标宋简体", 22)
    if inp.date:
        y, m, dd = (int(x) for x in inp.date.split("-"))
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(f"（{y}年{m}月{dd}日）"), "楷体_GB2312", 16)
    grids = table_grids(inp, blank)
    body_font = FONTS[style.body_font][0]

    def para(text, font=None, size=None, indent=True):
        font, size = font or body_font, size or style.body_pt
        p = d.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        _font(p.add_run(text), font, size)
    para(f"本报告所列数据的统计期限为{inp.year}年1月1日至{inp.year}年12月31日。")
    for _n, heading, sid, table in section_plan(inp):
        if sid == "requests" and style.t3_new_page:
            from docx.enum.text import WD_BREAK
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        para(heading, "黑体")
        for text in paragraphs(inp.sections.get(sid, "")):
            para(text)
        if table:
            _table(d, grids[table], table, style, text_cm)
        elif not inp.sections.get(sid):
            para("无。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
