"""The official table structure (国办公开办函〔2021〕30号 / 〔2019〕60号) as grids of
(text, rowspan, colspan) built from the format data and a report's values."""
from __future__ import annotations

from decimal import Decimal

from ..formats import national

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def fmt_value(x, blank: str = "") -> str:
    """A value as printed; ``blank`` is what an empty cell shows ("", "0", "/", "—" …)."""
    if x is None:
        return blank
    if isinstance(x, float):
        x = Decimal(str(x))
    if isinstance(x, Decimal):
        s = format(x, "f")
        return s
    return str(x)


def t2_grid(values: dict, fmt: str, blank: str = ""):
    nf = national()
    items = {"rules": ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"] if fmt == "2021"
                       else ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
             "licensing": ("第二十条第（五）项", ["本年处理决定数量"] if fmt == "2021"
                           else ["上一年项目数量", "本年增/减", "处理决定数量"]),
             "penalty": ("第二十条第（六）项", ["本年处理决定数量"] if fmt == "2021"
                         else ["上一年项目数量", "本年增/减", "处理决定数量"]),
             "fees": ("第二十条第（八）项", ["本年收费金额（单位：万元）"] if fmt == "2021" else ["上一年项目数量", "本年增/减"]),
             "procurement": ("第二十条第（九）项", ["采购项目数量", "采购总金额"])}
    labels = {r["id"]: r.get("label_2019" if fmt == "2019" else "label", r["label"]) for r in nf.raw["t2"]["rows"]}
    grid = []

    def spread(cells):
        span = 3 // len(cells)
        return [(x, 1, span if i < len(cells) - 1 else 3 - span * (len(cells) - 1)) for i, x in enumerate(cells)]
    for rid, fields in nf.t2_rows(fmt):
        if rid in items:
            cap, heads = items[rid]
            grid.append([(cap, 1, 4)])
            grid.append([("信息内容", 1, 1)] + spread(heads))
        vals = [fmt_value(values.get(f"t2.{rid}.{f}"), blank) for f in fields]
        if fmt == "2019":
            vals = [("+" + v if (f == "change" and v.isdigit() and v != "0") else v)
                    for v, f in zip(vals, fields)]
        grid.append([(labels[rid], 1, 1)] + spread(vals))
    return grid


def t3_grid(values: dict, fmt: str, blank: str = ""):
    nf = national()
    cols = nf.t3_columns
    grid = [[(T3_NOTE, 3, 3), ("申请人情况", 1, 7)],
            [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
            [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)]]
    rows = nf.t3_rows(fmt)
    n_results = sum(1 for r in rows if r.kind in ("outcome", "total"))
    seen = set()
    for r in rows:
        vals = [(fmt_value(values.get(f"t3.{r.id}.{c}"), blank), 1, 1) for c in cols]
        if r.kind in ("input", "output"):
            grid.append([(r.label, 1, 3)] + vals)
            continue
        row = []
        if "results" not in seen:
            row.append(("三、本年度办理结果", n_results, 1))
            seen.add("results")
        if r.group:
            if r.group not in seen:
                g = next(x for x in nf.raw["t3"]["groups"] if x["id"] == r.group)
                row.append((g["label"], sum(1 for x in rows if x.group == r.group), 1))
                seen.add(r.group)
            row.append((r.label, 1, 1))
        else:
            row.append((r.label, 1, 2))
        grid.append(row + vals)
    return grid


def t4_grid(values: dict, blank: str = ""):
    nf = national()
    heads = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [[("行政复议", 1, 5), ("行政诉讼", 1, 10)],
            [(h, 2, 1) for h in heads] + [("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
            [(h, 1, 1) for h in heads] * 2,
            [(fmt_value(values.get(f"t4.{g}.{c}"), blank), 1, 1) for g in nf.t4_groups for c in nf.t4_columns]]


HEADER_ROWS = {"t2": 0, "t3": 3, "t4": 3}     # rows repeated when a table crosses a page
