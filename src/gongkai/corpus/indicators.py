"""Indicators computed from a report's cells — defined once here, stored with each
report in the corpus, documented in docs/corpus.md and exported with the data.

Each indicator is a ratio of sums of cells; it is None when a cell it needs is not a
number (blank, text or unknown: an indicator is never computed from a guess) or the
denominator is 0."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache


@dataclass(frozen=True)
class Indicator:
    id: str                  # column name in reports / exports
    zh: str                  # Chinese name
    numerator: tuple         # field IDs (or prefixes ending with '*') summed
    denominator: tuple
    doc: str


def _t3(row: str) -> str:
    return f"t3.{row}.total"


INDICATORS = [
    Indicator("applications", "申请总量（新收 + 上年结转）", ("t3.new.total", "t3.carried_over.total"), (),
              "Applications handled in the year: 本年新收 + 上年结转 (总计 column). A count, not a ratio."),
    Indicator("disclosure_rate", "公开率", (_t3("granted"), _t3("partial")), (_t3("total"),),
              "（予以公开 + 部分公开）/ 办理结果总计."),
    Indicator("denial_share", "不予公开占比", ("t3.denied.*",), (_t3("total"),),
              "Sum of the eight 不予公开 rows / 办理结果总计."),
    Indicator("unavailable_share", "无法提供占比", ("t3.unavailable.*",), (_t3("total"),),
              "Sum of the three 无法提供 rows / 办理结果总计."),
    Indicator("rejected_share", "不予处理占比", ("t3.rejected.*",), (_t3("total"),),
              "Sum of the five 不予处理 rows / 办理结果总计."),
    Indicator("carry_rate", "结转率", (_t3("carried_forward"),), ("t3.new.total", "t3.carried_over.total"),
              "结转下年度继续办理 / (本年新收 + 上年结转)."),
    Indicator("review_correction_rate", "复议纠正率", ("t4.review.corrected",),
              ("t4.review.upheld", "t4.review.corrected", "t4.review.other"),
              "行政复议 结果纠正 / 已审结 (维持 + 纠正 + 其他)."),
    Indicator("suit_correction_rate", "诉讼纠正率", ("t4.suit_direct.corrected", "t4.suit_after_review.corrected"),
              ("t4.suit_direct.upheld", "t4.suit_direct.corrected", "t4.suit_direct.other",
               "t4.suit_after_review.upheld", "t4.suit_after_review.corrected", "t4.suit_after_review.other"),
              "行政诉讼 结果纠正 / 已审结, both kinds of suit together."),
]
BY_ID = {i.id: i for i in INDICATORS}


@lru_cache(maxsize=64)
def _expand(ids: tuple) -> tuple:
    """'t3.denied.*' → the 总计 cells of every 不予公开 row of either format."""
    from ..formats import national
    every = [f for f, _l, _m in national().all_fields()]
    out = []
    for f in ids:
        if f.endswith("*"):
            p = f[:-1]
            out += [k for k in every if k.startswith(p) and k.endswith(".total")]
        else:
            out.append(f)
    return tuple(out)


def _sum(ids, values):
    s = 0
    for f in _expand(ids):
        if f not in values and f not in ids:
            continue                     # a row of the other format
        v = values.get(f)
        if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
            return None
        s += v
    return s


def compute(values: dict) -> dict:
    """field ID → number (None for blank/unknown) ⇒ indicator id → float | None."""
    out = {}
    for ind in INDICATORS:
        num, den = parts_of(ind, values)
        if not ind.denominator:
            out[ind.id] = None if num is None else float(num)
            continue
        out[ind.id] = None if (num is None or not den) else round(float(num) / float(den), 6)
    return out


def stored_row(values: dict) -> dict:
    """The ``report_indicators`` columns of one report: for each indicator its value
    (``compute``) and, where the value is defined, its numerator and denominator, so that
    pooled rates (Σ numerators ÷ Σ denominators) are sums in SQL (``explore``)."""
    out = compute(values)
    for ind in INDICATORS:
        defined = out[ind.id] is not None
        num, den = parts_of(ind, values) if defined else (None, None)
        out[f"{ind.id}_num"] = None if num is None else float(num)
        if ind.denominator:
            out[f"{ind.id}_den"] = None if den is None else float(den)
    return out


def parts_of(ind: Indicator, values: dict) -> tuple:
    """(numerator, denominator) of one indicator (denominator None for a count)."""
    return _sum(ind.numerator, values), (_sum(ind.denominator, values) if ind.denominator else None)


def _term(fid: str, labels: dict) -> str:
    """One summed cell (or group of rows) in words, from the national format's labels."""
    if fid.endswith("*"):
        return labels[fid[:-2]] + "（各项之和）"
    return labels[fid]


@lru_cache(maxsize=1)
def _labels() -> dict:
    """Field ID (and 表三 row group id) → its label in a formula: 表三 cells are all of the
    总计 column, named by their row; 表四 cells by group and column."""
    from ..formats import national
    raw = national().raw
    out = {f"t3.{g['id']}": g["label"] for g in raw["t3"]["groups"]}
    out.update({f"t3.{r['id']}.total": r["prefix"] + r["core"] for r in raw["t3"]["rows"]})
    groups = {g["id"]: g["label"] for g in raw["t4"]["groups"]}
    cols = {c["id"]: c["label"] for c in raw["t4"]["columns"]}
    out.update({f"t4.{g}.{c}": f"{gl}「{cols[c]}」" for g, gl in groups.items() for c in cols})
    return out


def formula(ind: Indicator) -> str:
    """The indicator's formula in words, e.g. 公开率 = （（一）予以公开 + （二）部分公开）÷ （七）总计
    （表三，总计列）— built from the definition above and the labels of formats/national.toml."""
    labels = _labels()
    num = [_term(f, labels) for f in ind.numerator]
    den = [_term(f, labels) for f in ind.denominator]
    text = " + ".join(num)
    if den:
        if len(num) > 1:
            text = f"（{text}）"
        text += " ÷ " + (f"（{' + '.join(den)}）" if len(den) > 1 else den[0])
    tables = sorted({f[:2] for f in ind.numerator + ind.denominator})
    where = "、".join({"t3": "表三，总计列", "t4": "表四"}[t] for t in tables)
    return f"{ind.zh.split('（')[0]} = {text}（{where}）"
