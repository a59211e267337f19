"""Plain-text rendering of reports and findings for the terminal (zh)."""
from __future__ import annotations

import unicodedata

from .formats import national

SEV_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, w: int) -> str:
    return s + " " * max(0, w - width(s))


def fmt_cell(c) -> str:
    if c is None:
        return "?"
    if c.value is None:
        return {"blank": "空", "text": "文字"}.get(c.status, "?")
    s = str(c.value)
    if c.status == "inferred":
        s += "*"
    elif c.status == "uncertain":
        s += "?"
    return s


def report_tables(report) -> str:
    nf = national()
    out = []
    m = report.meta
    out.append(f"【{m.get('agency') or '未识别机关'}】{m.get('year') or '?'} 年度 · {m.get('format') or '?'} 格式"
               f"  （* 推定  ? 存疑  空 = 空白）")
    t2f = m.get("formats", {}).get("t2", "2021")
    out.append("表二 主动公开：" + "  ".join(
        f"{fid[3:]}={fmt_cell(report.cells.get(fid))}" for fid in nf.t2_field_ids(t2f)))
    t3f = m.get("formats", {}).get("t3", "2021")
    head = ["自然人", "商业", "科研", "公益", "法律", "其他", "总计"]
    out.append("表三 依申请公开：")
    out.append("  " + pad("", 34) + "".join(pad(h, 8) for h in head))
    for r in nf.t3_rows(t3f):
        label = r.label if len(r.label) <= 16 else r.label[:15] + "…"
        out.append("  " + pad(label, 34) + "".join(
            pad(fmt_cell(report.cells.get(f"t3.{r.id}.{c}")), 8) for c in nf.t3_columns))
    names = {"review": "行政复议", "suit_direct": "直接起诉", "suit_after_review": "复议后起诉"}
    out.append("表四 复议诉讼（维持/纠正/其他/未结/总计）：" + "  ".join(
        f"{names[g]} " + "/".join(fmt_cell(report.cells.get(f"t4.{g}.{c}")) for c in nf.t4_columns)
        for g in nf.t4_groups))
    return "\n".join(out)


def findings_table(report) -> str:
    if not report.findings:
        return "  未发现问题"
    rows = []
    for f in report.findings:
        loc = f.table or ""
        if f.lines:
            loc += f" 第{f.lines[0]}行" if len(f.lines) == 1 else f" 第{f.lines[0]}–{f.lines[-1]}行"
        rows.append((SEV_ZH.get(f.severity, f.severity), f.rule, loc, f.message))
    w0 = max(width(r[0]) for r in rows)
    w1 = max(width(r[1]) for r in rows)
    w2 = max(width(r[2]) for r in rows)
    return "\n".join("  " + pad(a, w0) + "  " + pad(b, w1) + "  " + pad(c, w2) + "  " + d for a, b, c, d in rows)
