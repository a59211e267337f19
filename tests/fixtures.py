"""Fixture builder: known report values rendered in the official table structure as
HTML (rowspan/colspan) and DOCX (real merged cells).  Gold = the values."""
from __future__ import annotations

import html
import io

def table_grids(values: dict, fmt: str = "2021"):
    """The three tables in the official structure (the library's grid builder)."""
    from gongkai.render.grids import t2_grid, t3_grid, t4_grid
    return t2_grid(values, fmt), t3_grid(values, fmt), t4_grid(values)


def _html_table(grid, blank="&nbsp;"):
    out = ['<table border="1" cellspacing="0">']
    for row in grid:
        out.append("<tr>" + "".join(
            f'<td{f" rowspan={rs}" if rs > 1 else ""}{f" colspan={cs}" if cs > 1 else ""}>'
            f'{html.escape(t) if t else blank}</td>' for t, rs, cs in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def to_html(values, fmt="2021", agency="某某市某某局", year=2024, page=True, charset="utf-8") -> bytes:
    t2, t3, t4 = table_grids(values, fmt)
    body = f"""
<h1>{agency}{year}年政府信息公开工作年度报告</h1>
<p>本报告所列数据的统计期限为{year}年1月1日至{year}年12月31日。</p>
<h2>一、总体情况</h2><p>本机关持续推进政务公开工作。</p>
<h2>二、主动公开政府信息情况</h2>{_html_table(t2)}
<h2>三、收到和处理政府信息公开申请情况</h2>{_html_table(t3)}
<h2>四、政府信息公开行政复议、行政诉讼情况</h2>{_html_table(t4)}
<h2>五、存在的主要问题及改进情况</h2><p>仍需加强。</p>
<h2>六、其他需要报告的事项</h2><p>无。</p>"""
    if page:
        doc = f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>年报</title>
<script>var menu = "一、本年新收政府信息公开申请数量 9 9 9";</script><style>td{{border:1px solid}}</style></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/xxgk">信息公开</a></div>
<table class="layout"><tr><td class="left">栏目导航</td><td class="main">{body}</td></tr></table>
<div class="footer">主办单位：某某市人民政府办公室 备案号 12345678</div></body></html>"""
    else:
        doc = body
    return doc.encode(charset)


def to_docx(values, fmt="2021", agency="某某市某某局", year=2024) -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph(f"{agency}{year}年政府信息公开工作年度报告")
    d.add_paragraph(f"本报告所列数据的统计期限为{year}年1月1日至{year}年12月31日。")
    t2, t3, t4 = table_grids(values, fmt)
    for head, grid in (("一、总体情况", None), ("二、主动公开政府信息情况", t2), ("三、收到和处理政府信息公开申请情况", t3),
                       ("四、政府信息公开行政复议、行政诉讼情况", t4), ("五、存在的主要问题及改进情况", None),
                       ("六、其他需要报告的事项", None)):
        d.add_paragraph(head)
        if grid is None:
            d.add_paragraph("无。")
            continue
        ncols = max(sum(cs for _t, _rs, cs in row) for row in grid[:3])
        tbl = d.add_table(rows=len(grid), cols=ncols)
        tbl.style = "Table Grid"          # ruled, as real reports are
        tbl.autofit = False
        from docx.shared import Cm
        widths = {4: [4.0, 3.5, 3.5, 3.5], 10: [1.2, 1.8, 3.6] + [1.45] * 7, 15: [1.05] * 15}.get(ncols)
        if widths:
            for ci, w in enumerate(widths):
                for cell in tbl.columns[ci].cells:
                    cell.width = Cm(w)
        occ = set()
        for ri, row in enumerate(grid):
            ci = 0
            for text, rs, cs in row:
                while (ri, ci) in occ:
                    ci += 1
                cell = tbl.cell(ri, ci)
                if rs > 1 or cs > 1:
                    cell = cell.merge(tbl.cell(ri + rs - 1, ci + cs - 1))
                cell.text = text
                for dr in range(rs):
                    for dc in range(cs):
                        occ.add((ri + dr, ci + dc))
                ci += cs
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- PDF fixtures
LAYOUT_CSS = {
    # ordinary A4 report
    "plain": "body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC';font-size:11pt}"
             "table{border-collapse:collapse;width:100%} td{border:1px solid #000;padding:2px}",
    # a very narrow label column: labels wrap over many lines
    "narrow": "body{font-family:'Noto Sans CJK SC';font-size:10pt} table{border-collapse:collapse;width:100%}"
              "td{border:1px solid #000;padding:1px} td:first-child{width:2.2em}",
    # big top matter so that 表三 breaks across two pages
    "pagebreak": "body{font-family:'Noto Serif CJK SC';font-size:12pt} table{border-collapse:collapse;width:100%}"
                 "td{border:1px solid #000;padding:4px} h2{margin-top:2em} p{margin-bottom:12em}",
    # compact: everything on one page (for the OCR fixture)
    "compact": "@page{size:A4;margin:1cm} body{font-family:'Noto Sans CJK SC';font-size:7.5pt}"
               "table{border-collapse:collapse;width:100%} td{border:1px solid #000;padding:0 2px} h1,h2,p{margin:2px 0}",
}


def to_pdf_weasy(values, fmt="2021", layout="plain", **kw) -> bytes:
    import weasyprint
    doc = to_html(values, fmt, page=False, **kw).decode("utf-8")
    html_doc = f"<html><head><meta charset='utf-8'><style>{LAYOUT_CSS[layout]}</style></head><body>{doc}</body></html>"
    return weasyprint.HTML(string=html_doc).write_pdf()


def to_pdf_libreoffice(values, fmt="2021", workdir=None) -> bytes:
    import os
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        src = os.path.join(tmp, "r.docx")
        with open(src, "wb") as fh:
            fh.write(to_docx(values, fmt))
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", tmp, src], capture_output=True, timeout=180, check=True)
        with open(os.path.join(tmp, "r.pdf"), "rb") as fh:
            return fh.read()


def scanned(pdf_bytes: bytes, page: int = 0, dpi: int = 200, angle: float = 0.8, noise: int = 18, seed: int = 0):
    """A 'scan' of one PDF page: rendered, slightly rotated, with grey noise (PIL image)."""
    import random

    import pypdfium2 as pdfium
    from PIL import Image
    img = pdfium.PdfDocument(pdf_bytes)[page].render(scale=dpi / 72).to_pil().convert("L")
    img = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    rng = random.Random(seed)
    px = img.load()
    w, h = img.size
    for _ in range(w * h // 60):
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = max(0, min(255, px[x, y] + rng.randint(-noise * 4, noise * 4)))
    return img


def image_pdf(img) -> bytes:
    import io as _io
    buf = _io.BytesIO()
    img.convert("RGB").save(buf, format="PDF", resolution=200)
    return buf.getvalue()
