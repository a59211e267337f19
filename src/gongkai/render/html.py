"""HTML: semantic tables with rowspan/colspan (header rows in <thead> so print
repeats them), printable on A4 and readable on a phone."""
from __future__ import annotations

import html

from .data import paragraphs, section_plan, table_grids
from .grids import HEADER_ROWS
from .style import BLANK_MARKS, DEFAULT, LABEL_COLUMNS

CSS = """
@page { size: A4; margin: 2.5cm $margin 2.2cm $margin;
        @bottom-center { content: "- " counter(page) " -"; font-family: "Noto Serif CJK SC", serif; font-size: 10.5pt; } }
body { font-family: $body_font; font-size: $body_pt; line-height: 1.6; margin: 0 auto; max-width: 48em; padding: 0 1em; }
h1 { font-family: "方正小标宋简体", "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 22pt; text-align: center;
     font-weight: normal; margin: 1em 0 .3em; }
.date { text-align: center; margin-bottom: 1em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: $body_pt; font-weight: normal;
     margin: .8em 0 .3em; }
p { text-indent: 2em; margin: .2em 0; }
.wrap { overflow-x: auto; margin: .5em 0 1em; }
table { border-collapse: collapse; width: 100%; font-family: $table_font; font-size: $table_pt; line-height: 1.3;
        table-layout: fixed; }
td, th { border: 1px solid #000; padding: 2px 3px; text-align: center; vertical-align: middle; font-weight: normal;
         word-break: break-all; }
td.label { text-align: left; }
tr { break-inside: avoid; page-break-inside: avoid; }
h2 { break-after: avoid; page-break-after: avoid; }
@media print { $t3_break .wrap { overflow: visible; } }
.stamp { color: #c00; border: 3px solid #c00; display: block; width: 6em; text-align: center; padding: .1em .4em;
         font-size: 20pt; margin: 0 0 .5em auto; transform: rotate(-6deg); }
@media (max-width: 600px) { body { font-size: 15px; } table { font-size: 12px; min-width: 560px; } }
"""
T3_BREAK = "h2.requests { break-before: page; page-break-before: always; }"


def css(style) -> str:
    from string import Template

    from .style import FONTS
    return Template(CSS).substitute(margin=f"{style.margin_cm:g}cm", body_font=FONTS[style.body_font][1],
                                    body_pt=f"{style.body_pt:g}pt", table_font=FONTS[style.table_font][1],
                                    table_pt=f"{style.table_pt:g}pt", t3_break=T3_BREAK if style.t3_new_page else "")


WIDTHS = {"t2": [28, 24, 24, 24], "t3": [5, 7, 37] + [7.29] * 7, "t4": [100 / 15] * 15}


def _table(grid, key, style):
    nhead = HEADER_ROWS[key]
    out = [f'<div class="wrap"><table class="{key}"><colgroup>']
    out += [f'<col style="width:{w:.2f}%">' for w in style.widths(WIDTHS[key], LABEL_COLUMNS[key])]
    out.append("</colgroup>")
    for i, row in enumerate(grid):
        if i == 0 and nhead:
            out.append("<thead>")
        if i == nhead and nhead:
            out.append("</thead><tbody>")
        elif i == 0 and not nhead:
            out.append("<tbody>")
        tag = "th" if i < nhead else "td"
        cells = []
        for text, rs, cs in row:
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            cls = ' class="label"' if (text not in BLANK_MARKS and
                                       not text.replace(".", "").replace("-", "").replace("+", "").isdigit()
                                       and tag == "td") else ""
            cells.append(f"<{tag}{attrs}{cls}>{html.escape(text)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def body_html(inp, stamp=None, blank="", style=DEFAULT) -> str:
    grids = table_grids(inp, blank)
    out = []
    if stamp:
        out.append(f'<div class="stamp">{html.escape(stamp)}</div>')
    out.append(f"<h1>{html.escape(inp.agency)}{inp.year}年政府信息公开工作年度报告</h1>")
    if inp.date:
        y, m, d = (int(x) for x in inp.date.split("-"))
        out.append(f'<div class="date">（{y}年{m}月{d}日）</div>')
    out.append(f"<p>本报告所列数据的统计期限为{inp.year}年1月1日至{inp.year}年12月31日。</p>")
    for _n, heading, sid, table in section_plan(inp):
        out.append(f'<h2 class="{sid}">{html.escape(heading)}</h2>')
        for para in paragraphs(inp.sections.get(sid, "")):
            out.append(f"<p>{html.escape(para)}</p>")
        if table:
            out.append(_table(grids[table], table, style))
        elif not inp.sections.get(sid):
            out.append("<p>无。</p>")
    return "\n".join(out)


def to_html(inp, stamp=None, blank="", style=None) -> str:
    style = style or DEFAULT
    title = f"{inp.agency}{inp.year}年政府信息公开工作年度报告"
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{css(style)}</style></head><body>"
            f"{body_html(inp, stamp, blank, style)}</body></html>")
