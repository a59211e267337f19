"""Value types: counts are non-negative integers; 表二（八） is a non-negative amount
in 万元; the 2019 format's 本年增/减 may be signed."""
from __future__ import annotations

import re
from decimal import Decimal

from ..formats import national
from ..model import Report
from .registry import finding, rule


@rule("value.type", "error", "数值类型不符")
def value_type(report: Report):
    """Every count cell holds a non-negative integer; 表二（八）行政事业性收费 a
    non-negative decimal (万元); 2019 本年增/减 a signed integer."""
    nf = national()
    out = []
    for fid, c in report.cells.items():
        v = c.value
        if v is None:
            continue
        kind = nf.field_kind(fid)
        problem = None
        if kind == "count":
            if isinstance(v, Decimal) and v != v.to_integral_value():
                problem = f"应为整数，却是 {v}"
            elif v < 0:
                problem = f"应为非负整数，却是 {v}"
        elif kind == "signed":
            if isinstance(v, Decimal) and v != v.to_integral_value():
                problem = f"应为整数，却是 {v}"
        elif kind == "amount":
            if v < 0:
                problem = f"金额不应为负数：{v}"
        if problem:
            out.append(finding("value.type", f"{fid}：{problem}", table=fid.split(".")[0], fields=(fid,),
                               lines=(c.source.line,) if c.source and c.source.line else ()))
    return out


@rule("t2.fee_unit", "warning", "收费金额单位疑为元")
def fee_unit(report: Report):
    """表二（八）本年收费金额 is in 万元.  Flags a cell printed with 元 (not 万元), an
    amount of 10 亿元 or more, and an amount that the prose gives in 元."""
    c = report.cells.get("t2.fees.amount")
    if c is None or c.value is None:
        return []
    out = []
    v = c.value
    raw = c.raw or ""
    lines = (c.source.line,) if c.source and c.source.line else ()
    if "元" in raw and "万元" not in raw:
        out.append(finding("t2.fee_unit", f"表二行政事业性收费金额印作「{raw}」，单位应为万元",
                           table="t2", fields=("t2.fees.amount",), lines=lines))
    elif v >= 100000:
        out.append(finding("t2.fee_unit", f"表二行政事业性收费金额 {v} 万元（≥ 10 亿元），请确认是否误按元填报",
                           table="t2", fields=("t2.fees.amount",), lines=lines))
    else:
        for m in re.finditer(r"收费[^。；]{0,20}?(\d+(?:\.\d+)?)元", report.narrative.replace(" ", "")):
            if "万" in m.group(0)[-3:]:
                continue
            if Decimal(m.group(1)) == Decimal(str(v)) and v >= 100:
                out.append(finding("t2.fee_unit",
                                   f"正文称收费 {m.group(1)} 元，表二却填 {v}（单位万元），疑为按元填报",
                                   table="t2", fields=("t2.fees.amount",), lines=lines))
                break
    return out
