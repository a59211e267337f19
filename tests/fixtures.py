"""Fixture builder: known report values rendered in the official table structure as
HTML (rowspan/colspan) and DOCX (real merged cells).  Gold = the values."""
from __future__ import annotations

import html
import io

from synth import NF

COLS = NF.t3_columns


def _v(x):
    return "" if x is None else str(x)


def table_grids(values: dict, fmt: str = "2021"):
    """The three tables as lists of rows; a cell is (text, rowspan, colspan)."""
    t2 = []
    items = {"rules": ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"] if fmt == "2021"
                       else ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
             "licensing": ("第二十条第（五）项", ["本年处理决定数量"] if fmt == "2021" else ["上一年项目数量", "本年增/减", "处理决定数量"]),
             "penalty": ("第二十条第（六）项", ["本年处理决定数量"] if fmt == "2021" else ["上一年项目数量", "本年增/减", "处理决定数量"]),
             "fees": ("第二十条第（八）项", ["本年收费金额（单位：万元）"] if fmt == "2021" else ["上一年项目数量", "本年增/减"]),
             "procurement": ("第二十条第（九）项", ["采购项目数量", "采购总金额"])}
    labels = {r["id"]: r.get("label_2019" if fmt == "2019" else "label", r["label"]) for r in NF.raw["t2"]["rows"]}
    for rid, fields in NF.t2_rows(fmt):
        if rid in items:
            cap, heads = items[rid]
            t2.append([(cap, 1, 4)])
            span = 3 // len(heads)
            t2.append([("信息内容", 1, 1)] + [(h, 1, span if i < len(heads) - 1 else 3 - span * (len(heads) - 1))
                                            for i, h in enumerate(heads)])
        vals = [_v(values.get(f"t2.{rid}.{f}")) for f in fields]
        span = 3 // len(vals)
        t2.append([(labels[rid], 1, 1)] + [(x, 1, span if i < len(vals) - 1 else 3 - span * (len(vals) - 1))
                                          for i, x in enumerate(vals)])
    t3 = [[("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7)],
          [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
          [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)]]
    rows = NF.t3_rows(fmt)
    n_results = sum(1 for r in rows if r.kind in ("outcome", "total"))
    seen = set()
    for r in rows:
        vals = [(_v(values.get(f"t3.{r.id}.{c}")), 1, 1) for c in COLS]
        if r.kind in ("input", "output"):
            t3.append([(r.label, 1, 3)] + vals)
            continue
        row = []
        if "results" not in seen:
            row.append(("三、本年度办理结果", n_results, 1))
            seen.add("results")
        if r.group:
            if r.group not in seen:
                g = next(x for x in NF.raw["t3"]["groups"] if x["id"] == r.group)
                n = sum(1 for x in rows if x.group == r.group)
                row.append((g["label"], n, 1))
                seen.add(r.group)
            row.append((r.label, 1, 1))
        else:
            row.append((r.label, 1, 2))
        t3.append(row + vals)
    t4 = [[("行政复议", 1, 5), ("行政诉讼", 1, 10)],
          [(h, 2, 1) for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
          + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
          [(h, 1, 1) for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")] * 2,
          [(_v(values.get(f"t4.{g}.{c}")), 1, 1) for g in NF.t4_groups for c in NF.t4_columns]]
    return t2, t3, t4


def _html_table(grid, blank="&nbsp;"):
    out = ['<table border="1" cellspacing="0">']
    for row in grid:
        out.append("<tr>" + "".join(
            f'<td{f" rowspan={rs}" if rs > 1 else ""}{f" colspan={cs}" if cs > 1 else ""}>'
            f'{html.escape(t) if t else blank}</td>' for t, rs, cs in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def to_html(values, fmt="2021", agency="某某市某某局", year=2024, page=True, charset="utf-8",
            p_in_cells=False) -> bytes:
    t2, t3, t4 = table_grids(values, fmt)
    if p_in_cells:   # labels split into <p> inside the cell, as some CMSs print them
        t3 = [[(t if len(t) < 8 else t, rs, cs) for t, rs, cs in row] for row in t3]
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
