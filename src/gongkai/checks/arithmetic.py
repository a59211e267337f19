"""The arithmetic of 表三 and 表四 (勾稽关系, row totals, column totals, group totals)."""
from __future__ import annotations

from decimal import Decimal

from ..formats import national
from ..model import Report
from .registry import finding, rule

COLS_ZH = {"natural": "自然人", "commercial": "商业企业", "research": "科研机构", "social": "社会公益组织",
           "legal": "法律服务机构", "other": "其他", "total": "总计"}


def _num(report: Report, fid: str):
    c = report.cells.get(fid)
    if c is None or not isinstance(c.value, (int, Decimal)):
        return None
    return c.value


def _all(report, fids):
    """The cells' numbers, blank cells read as 0 (a blank is how many reports print 0;
    cells.blank reports them separately); None when a cell is uncertain or text."""
    vals = []
    for f in fids:
        v = _num(report, f)
        if v is None:
            c = report.cells.get(f)
            if c is None or c.status != "blank":
                return None
            v = 0
        vals.append(v)
    return vals


def _blank_note(report, fids) -> str:
    n = sum(1 for f in fids if (c := report.cells.get(f)) is not None and c.status == "blank")
    return f"（其中 {n} 个空白单元格按 0 计）" if n else ""


def _lines(report, fids):
    out = []
    for f in fids:
        c = report.cells.get(f)
        if c and c.source and c.source.line and c.source.line not in out:
            out.append(c.source.line)
    return tuple(sorted(out))


def _t3_rows(report):
    fmt = report.meta.get("formats", {}).get("t3", report.meta.get("format", "2021"))
    return national().t3_rows(fmt)


@rule("t3.balance", "error", "表三勾稽关系不符")
def balance(report: Report):
    """Per column of 表三: 一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理
    (the note printed in the table's corner).  Blank cells count as 0 (the message says so);
    a column with an uncertain or text cell is skipped."""
    out = []
    for c in national().t3_columns:
        fids = [f"t3.new.{c}", f"t3.carried_over.{c}", f"t3.total.{c}", f"t3.carried_forward.{c}"]
        v = _all(report, fids)
        if v is None:
            continue
        if v[0] + v[1] != v[2] + v[3]:
            out.append(finding(
                "t3.balance",
                f"表三「{COLS_ZH[c]}」列勾稽关系不符：新收 {v[0]} + 上年结转 {v[1]} = {v[0] + v[1]}，"
                f"办理结果总计 {v[2]} + 结转下年度 {v[3]} = {v[2] + v[3]}{_blank_note(report, fids)}",
                table="t3", fields=tuple(fids), lines=_lines(report, fids),
                data={"left": v[0] + v[1], "right": v[2] + v[3]}))
    return out


@rule("t3.row_total", "error", "表三行合计不符")
def row_total(report: Report):
    """Per row of 表三: the 总计 column equals the sum of the six applicant columns."""
    out = []
    cols = national().t3_columns[:6]
    for r in _t3_rows(report):
        fids = [f"t3.{r.id}.{c}" for c in cols]
        v = _all(report, fids + [f"t3.{r.id}.total"])
        if v is None:
            continue
        s = sum(v[:6])
        if s != v[6]:
            out.append(finding(
                "t3.row_total", f"表三「{r.label}」行：六类申请人之和 {s} ≠ 总计 {v[6]}"
                f"{_blank_note(report, fids + [f't3.{r.id}.total'])}",
                table="t3", fields=tuple(fids + [f"t3.{r.id}.total"]),
                lines=_lines(report, [f"t3.{r.id}.total"]), data={"sum": s, "total": v[6]}))
    return out


@rule("t3.outcome_total", "error", "表三办理结果总计不符")
def outcome_total(report: Report):
    """Per column of 表三: （七）总计 equals the sum of all outcome rows
    （一）…（六）, counting the sub-rows of （三）（四）（五）（六）."""
    out = []
    rows = [r.id for r in _t3_rows(report) if r.kind == "outcome"]
    for c in national().t3_columns:
        fids = [f"t3.{r}.{c}" for r in rows]
        v = _all(report, fids + [f"t3.total.{c}"])
        if v is None:
            continue
        s = sum(v[:-1])
        if s != v[-1]:
            out.append(finding(
                "t3.outcome_total", f"表三「{COLS_ZH[c]}」列：各项办理结果之和 {s} ≠ （七）总计 {v[-1]}"
                f"{_blank_note(report, fids + [f't3.total.{c}'])}",
                table="t3", fields=tuple(fids + [f"t3.total.{c}"]),
                lines=_lines(report, [f"t3.total.{c}"]), data={"sum": s, "total": v[-1]}))
    return out


@rule("t4.group_total", "error", "表四总计不符")
def group_total(report: Report):
    """Per group of 表四 (行政复议, 未经复议直接起诉, 复议后起诉):
    总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结."""
    names = {"review": "行政复议", "suit_direct": "行政诉讼（未经复议直接起诉）",
             "suit_after_review": "行政诉讼（复议后起诉）"}
    out = []
    for g in national().t4_groups:
        fids = [f"t4.{g}.{c}" for c in ("upheld", "corrected", "other", "pending", "total")]
        v = _all(report, fids)
        if v is None:
            continue
        if sum(v[:4]) != v[4]:
            out.append(finding(
                "t4.group_total", f"表四「{names[g]}」：维持 {v[0]} + 纠正 {v[1]} + 其他 {v[2]} + 尚未审结 {v[3]}"
                f" = {sum(v[:4])} ≠ 总计 {v[4]}{_blank_note(report, fids)}", table="t4", fields=tuple(fids), lines=_lines(report, fids),
                data={"sum": sum(v[:4]), "total": v[4]}))
    return out
