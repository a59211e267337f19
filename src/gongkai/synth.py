"""Synthetic reports: random consistent data and writers that print it in the text
layouts met in real reports (clean, broken labels, tabs with blanks, lost separators,
a missing cell, a page break interleaving 表二 into 表三); ``corpus`` writes a varied
corpus in txt/html/docx/pdf with a gold JSON per file (``gongkai synth``)."""
from __future__ import annotations

import math
import random
from decimal import Decimal

from .formats import national
from .model import Cell, Report

NF = national()
COLS = NF.t3_columns
T3_HEADER = """（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况
自然人
法人或其他组织
总计
商业企业
科研机构
社会公益组织
法律服务机构
其他"""
T4_HEADER = """行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计
未经复议直接起诉 复议后起诉
结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计"""


def random_values(rng: random.Random, fmt: str = "2021", scale: int = 20) -> dict:
    v = {}
    for fid in NF.t2_field_ids(fmt):
        kind = NF.field_kind(fid)
        if kind == "amount":
            v[fid] = Decimal(rng.randint(0, 999999)) / Decimal(100)
        elif kind == "signed":
            v[fid] = rng.randint(-50, 50)
        else:
            v[fid] = rng.choice([0, 0, rng.randint(0, 99999)])
    rows = NF.t3_rows(fmt)
    outcome = [r.id for r in rows if r.kind == "outcome"]
    for c in COLS[:6]:
        busy = rng.random() < 0.5
        for r in outcome:
            v[f"t3.{r}.{c}"] = rng.randint(0, scale) if busy and rng.random() < 0.4 else 0
        tot = sum(v[f"t3.{r}.{c}"] for r in outcome)
        v[f"t3.total.{c}"] = tot
        fwd = rng.randint(0, 3) if busy else 0
        car = rng.randint(0, min(3, tot + fwd))
        v[f"t3.carried_forward.{c}"] = fwd
        v[f"t3.carried_over.{c}"] = car
        v[f"t3.new.{c}"] = tot + fwd - car
    for r in rows:
        v[f"t3.{r.id}.total"] = sum(v[f"t3.{r.id}.{c}"] for c in COLS[:6])
    for g in NF.t4_groups:
        parts = [rng.choice([0, 0, rng.randint(0, 30)]) for _ in range(4)]
        for c, x in zip(NF.t4_columns[:4], parts):
            v[f"t4.{g}.{c}"] = x
        v[f"t4.{g}.total"] = sum(parts)
    return v


def _lognormal_count(rng: random.Random, lo: float, hi: float) -> int:
    """A count drawn log-uniformly in [lo, hi] (agencies differ by orders of magnitude)."""
    return int(round(10 ** rng.uniform(math.log10(lo), math.log10(hi)))) if hi >= lo > 0 else 0


def random_t2_series(rng: random.Random, years: list[int], fmts: list[str], noise: float = 0.0) -> dict:
    """表二 of one agency over consecutive years: year → {field: value}.  Each agency has
    its own size (counts log-uniform over orders of magnitude), yearly counts vary about
    it (×0.5–2), and stocks carry over: 现行有效件数 = last year's + 制发 − 废止 (2021
    format), 对外公开总数量 and 上一年项目数量 likewise (2019).  ``noise``: the share of years
    whose stock does not carry over exactly (a recount, a slip), as in real series."""
    out = {}
    size = {r: (_lognormal_count(rng, 1, 3000) if rng.random() < 0.8 else 0)
            for r in ("rules", "normative", "licensing", "other_services", "penalty", "coercion", "procurement")}
    stock = {r: _lognormal_count(rng, max(1, size[r]), max(1, size[r]) * 20) if size[r] else 0
             for r in ("rules", "normative")}
    items = {r: _lognormal_count(rng, 1, 300) if size.get(r, 1) else 0
             for r in ("licensing", "other_services", "penalty", "coercion", "fees")}
    change = {r: 0 for r in items}
    fees = rng.uniform(0, 6)

    def vary(base):
        return int(round(base * 2 ** rng.uniform(-1, 1))) if base else 0

    for year, fmt in zip(years, fmts):
        v = {}
        slip = rng.random() < noise
        for r in items:                      # 上一年项目数量 carries last year's change
            items[r] = max(0, items[r] + change[r])
            change[r] = rng.randint(-min(items[r], 20), 20)
        for r in ("rules", "normative"):
            issued = vary(max(1, size[r] // 10)) if size[r] else 0
            if fmt == "2021":       # 现行有效 = last year's + 制发 − 废止
                repealed = min(stock[r], vary(issued // 3)) if issued else 0
                stock[r] += issued - repealed
            else:                   # 对外公开总数量 = last year's + 本年新公开
                published = max(0, issued - vary(issued // 5))
                stock[r] += published
            if slip:
                stock[r] = max(0, stock[r] + rng.choice([-1, 1]) * rng.randint(1, max(1, stock[r] // 5)))
            if fmt == "2021":
                v[f"t2.{r}.issued"], v[f"t2.{r}.repealed"], v[f"t2.{r}.in_force"] = issued, repealed, stock[r]
            else:
                v[f"t2.{r}.new_made"], v[f"t2.{r}.new_published"] = issued, published
                v[f"t2.{r}.published_total"] = stock[r]
        for r in ("licensing", "penalty", "coercion"):
            v[f"t2.{r}.decisions"] = vary(size[r] * 10)
        if fmt == "2021":
            v["t2.fees.amount"] = Decimal(int(10 ** rng.uniform(0, fees) * 100)) / Decimal(100)
        else:
            for r in ("licensing", "other_services", "penalty", "coercion", "fees"):
                v[f"t2.{r}.prev_items"], v[f"t2.{r}.change"] = items[r], change[r]
            v["t2.other_services.decisions"] = vary(size["other_services"] * 10)
            v["t2.procurement.items"] = vary(size["procurement"])
            v["t2.procurement.amount"] = Decimal(int(10 ** rng.uniform(0, fees) * 100)) / Decimal(100)
        assert set(v) == set(NF.t2_field_ids(fmt)), set(v) ^ set(NF.t2_field_ids(fmt))
        out[year] = v
    return out


def report_from(values: dict, meta: dict | None = None, narrative: str = "") -> Report:
    """A Report built directly from values (for rule tests)."""
    from .extract.narrative import claims
    cells = {}
    for f, x in values.items():
        cells[f] = Cell(x, "" if x is None else str(x), "blank" if x is None else "value")
    m = {"agency": "测试局", "year": 2024, "format": "2021", "formats": {"t2": "2021", "t3": "2021"},
         "tables_found": {"t2": True, "t3": True, "t4": True},
         "sections_found": [s["id"] for s in NF.sections], "period_year": 2024, "years_named": []}
    m.update(meta or {})
    return Report(meta=m, cells=cells, narrative=narrative, claims=claims(narrative))


def _num(x) -> str:
    return "" if x is None else str(x)


def _t2_lines(values, fmt, sep=" ", blanks=False):
    heads = {"2021": {"rules": "信息内容 本年制发件数 本年废止件数 现行有效件数", "licensing": "信息内容 本年处理决定数量",
                      "penalty": "信息内容 本年处理决定数量", "fees": "信息内容 本年收费金额（单位：万元）"},
             "2019": {"rules": "信息内容 本年新制作数量 本年新公开数量 对外公开总数量",
                      "licensing": "信息内容 上一年项目数量 本年增/减 处理决定数量",
                      "penalty": "信息内容 上一年项目数量 本年增/减 处理决定数量",
                      "fees": "信息内容 上一年项目数量 本年增/减", "procurement": "信息内容 采购项目数量 采购总金额"}}[fmt]
    items = {"rules": "第二十条第（一）项", "licensing": "第二十条第（五）项", "penalty": "第二十条第（六）项",
             "fees": "第二十条第（八）项", "procurement": "第二十条第（九）项"}
    labels = {"normative": "行政规范性文件" if fmt == "2021" else "规范性文件"}
    out = []
    for rid, fields in NF.t2_rows(fmt):
        if rid in items:
            out.append(items[rid])
            out.append(heads[rid].replace(" ", sep))
        vals = [values[f"t2.{rid}.{f}"] for f in fields]
        txt = [_num(x) for x in vals]
        out.append(sep.join([labels.get(rid, NF.raw["t2"]["rows"][[r["id"] for r in NF.raw["t2"]["rows"]].index(rid)]["label"])] + txt))
    return out


def _t3_rows(values, fmt):
    rows = []
    grp_printed = set()
    for r in NF.t3_rows(fmt):
        labels = []
        if r.kind == "outcome" and "results" not in grp_printed:
            labels.append("三、本年度办理结果")
            grp_printed.add("results")
        if r.group and r.group not in grp_printed:
            g = next(x for x in NF.raw["t3"]["groups"] if x["id"] == r.group)
            labels.append(g["label"])
            grp_printed.add(r.group)
        rows.append((r.id, labels, r.label, [values.get(f"t3.{r.id}.{c}") for c in COLS]))
    return rows


def write(values: dict, layout: str = "clean", fmt: str = "2021", rng: random.Random | None = None,
          agency: str = "某某市某某局", year: int = 2024) -> tuple[str, dict]:
    """Print values as a report text.  Returns (text, truth) where truth is what the
    document prints (a value the layout drops is not in truth)."""
    rng = rng or random.Random(0)
    truth = dict(values)
    t2 = _t2_lines(values, fmt, "\t" if layout == "tabs" else " ")
    rows = _t3_rows(values, fmt)
    body = []
    for rid, groups, label, vals in rows:
        texts = [_num(x) for x in vals]
        if layout == "tabs":
            line = "\t".join(groups + [label] + texts)
            body.append(line)
            continue
        if layout == "fused" and rng.random() < 0.5:
            vtext = "".join(texts)
        else:
            vtext = " ".join(texts)
        if layout == "broken":
            out_groups = ["\n".join(g) if rng.random() < 0.5 else g for g in groups]
            cut = rng.randint(1, max(1, len(label) - 1))
            lab = label[:cut] + "\n" + label[cut:] if len(label) > 6 and rng.random() < 0.7 else label
            sepv = "\n" if rng.random() < 0.5 else " "
            body.extend(out_groups)
            body.append(lab + sepv + vtext)
        else:
            body.extend(groups)
            body.append(label + " " + vtext)
    if layout == "missing":
        # drop one printed value from one row whose values are all printed
        k = rng.randrange(len(body))
        while not any(ch.isdigit() for ch in body[k].split(" ")[-1]):
            k = (k + 1) % len(body)
        parts = body[k].split(" ")
        nums = [i for i, p in enumerate(parts) if p.isdigit()]
        drop = rng.choice(nums[-7:])
        del parts[drop]
        body[k] = " ".join(parts)
    if layout == "pagebreak":
        # 表二's last three rows printed in the middle of 表三 (a page break)
        moved = t2[-3:]
        t2 = t2[:-3]
        mid = len(body) // 2
        body = body[:mid] + [""] + moved + [""] + body[mid:]
    t4_vals = [values.get(f"t4.{g}.{c}") for g in NF.t4_groups for c in NF.t4_columns]
    t4_line = ("\t" if layout == "tabs" else " ").join(_num(x) for x in t4_vals)
    text = "\n".join([
        f"{agency}{year}年政府信息公开工作年度报告", "",
        f"本报告所列数据的统计期限为{year}年1月1日至{year}年12月31日。", "",
        "一、总体情况", "", "本机关认真贯彻落实《中华人民共和国政府信息公开条例》，持续推进政务公开。", "",
        "二、主动公开政府信息情况", "", *t2, "",
        "三、收到和处理政府信息公开申请情况", "", T3_HEADER, *body, "",
        "四、政府信息公开行政复议、行政诉讼情况", "", T4_HEADER, t4_line, "",
        "五、存在的主要问题及改进情况", "", "公开工作仍需加强。", "",
        "六、其他需要报告的事项", "", "无。", ""])
    return text, truth


# ---------------------------------------------------------------- corpus generator
PLACES = ["北京市东城区", "上海市浦东新区", "广州市", "成都市武侯区", "西安市", "杭州市余杭区", "武汉市汉阳区", "长沙县",
          "格尔木市", "淮安市", "沭阳县", "平潭综合实验区", "海东市平安区", "洛阳市偃师区", "咸宁市", "大理市", "榆林市"]
DEPARTMENTS = ["人民政府", "人民政府办公室", "公安局", "财政局", "自然资源和规划局", "住房和城乡建设局", "教育局",
               "生态环境局", "市场监督管理局", "卫生健康委员会", "审计局", "交通运输局", "司法局", "某某镇人民政府"]
ERRORS = {   # planted error kind -> (rule that must report it, gold kind)
    "balance": ("t3.balance", "arithmetic"),
    "row_total": ("t3.row_total", "arithmetic"),
    "group_total": ("t4.group_total", "arithmetic"),
    "blank_row": ("cells.blank", "blank-cells"),
    "narrative": ("narrative.applications", "narrative-vs-table"),
    "year": ("year.other_report", "year-mismatch"),
}


def _plant(kind: str, v: dict, rng: random.Random, fmt: str):
    """Break the data in one known way; returns (about, note) for the gold file."""
    if kind == "balance":
        c = rng.choice(COLS[:6])
        for f in (f"t3.new.{c}", "t3.new.total"):
            v[f] += 1
        return f"t3.new.{c}", "本年新收多计 1 件，勾稽关系不符"
    if kind == "row_total":
        r = rng.choice([x.id for x in NF.t3_rows(fmt) if x.kind == "outcome"])
        v[f"t3.{r}.total"] += 2
        return f"t3.{r}.total", "该行总计比各列之和多 2"
    if kind == "group_total":
        v["t4.review.total"] += 1
        return "t4.review.total", "行政复议总计比各项之和多 1"
    if kind == "blank_row":
        r = rng.choice([x.id for x in NF.t3_rows(fmt) if x.kind == "outcome"])
        for c in COLS:
            v[f"t3.{r}.{c}"] = None
        return f"t3.{r}", "整行空白"
    return None, None


def random_report(rng: random.Random) -> tuple:
    """(year, format, agency, scale, values) of a random report: the year decides the
    format (2019 up to 2020, rarely later), an agency from the place and department
    lists, values at a random scale (scale 0: an office that received no application)."""
    year = rng.choice([2019, 2020, 2021, 2022, 2023, 2024, 2025])
    fmt = "2019" if year <= 2020 or rng.random() < 0.05 else "2021"
    agency = rng.choice(PLACES) + rng.choice(DEPARTMENTS)
    scale = rng.choice([0, 0, 2, 5, 20, 60, 400, 3000])
    v = random_values(rng, fmt, scale=max(1, scale))
    if scale == 0:
        v = {f: (0 if f[:3] in ("t3.", "t4.") else x) for f, x in v.items()}
    return year, fmt, agency, scale, v


def corpus(n: int, out_dir, formats=("txt",), seed: int = 0, error_rate: float = 0.3) -> list:
    """Write n varied reports with gold files; returns the list of written paths."""
    from pathlib import Path
    import json
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    written = []
    for i in range(n):
        year, fmt, agency, _scale, v = random_report(rng)
        blank_style = rng.random() < 0.15      # some agencies leave zero cells blank
        kind = rng.choice(list(ERRORS)) if rng.random() < error_rate else None
        about, note = _plant(kind, v, rng, fmt) if kind else (None, None)
        to = rng.choice(list(formats))
        narrative = ""
        if kind == "narrative":
            narrative = f"全年共收到政府信息公开申请{(v['t3.new.total'] or 0) + 3}件。"
            about, note = "t3.new.total", "正文所述收到申请数比表三多 3 件"
        stem = f"{i:05d}_{to}"
        if to == "txt":
            layout = rng.choice(["clean", "broken", "tabs", "pagebreak"])
            vv = dict(v)
            if blank_style and layout == "tabs":
                for f in vv:
                    if f.startswith("t3.") and vv[f] == 0:
                        vv[f] = None
            text, truth = write(vv, layout, fmt, rng, agency=agency, year=year)
            if narrative:
                text = text.replace("持续推进政务公开。", "持续推进政务公开。" + narrative, 1)
            if kind == "year":
                text = text.replace("本报告所列数据", f"现将《{agency}{year - 1}年政府信息公开工作年度报告》予以公布。本报告所列数据", 1)
                about, note = "meta.year", f"前言提到 {year - 1} 年的报告"
            path = out / f"{stem}.txt"
            path.write_text(text, "utf-8")
            gold_cells = truth if not (blank_style and layout == "tabs") else vv
        else:
            from .render import RenderInput, render
            from .render.style import Style
            style = Style.random(rng)
            if blank_style:                    # zeros left blank, printed as the style's blank mark
                v = {f: (None if x == 0 and f[:3] in ("t3.", "t4.") else x) for f, x in v.items()}
            sections = {"overview": "本机关持续推进政务公开工作。" + narrative}
            if kind == "year":
                sections["overview"] = f"现将《{agency}{year - 1}年政府信息公开工作年度报告》予以公布。"
                kind, about, note = None, None, None      # only the preamble carries it; prose here
            inp = RenderInput(agency, year, v, fmt, fmt, f"{year + 1}-01-{rng.randint(10, 31):02d}", sections)
            path = out / f"{stem}.{to}"
            render(inp, to, path, force=True, blank_as_zero=False, style=style)
            gold_cells = v
            layout = style.describe()
        gold = {"source": path.name, "meta": {"agency": agency, "year": year, "format": fmt},
                "cells": {f: (float(x) if hasattr(x, "as_tuple") else x) for f, x in gold_cells.items()},
                "notes": [f"synthetic report (gongkai synth, seed {seed}, #{i}); layout: {layout}"],
                "findings": ([{"about": about, "kind": ERRORS[kind][1], "rule": ERRORS[kind][0], "note": note}]
                             if kind and about else [])}
        (out / f"{stem}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), "utf-8")
        written.append(path)
    return written
