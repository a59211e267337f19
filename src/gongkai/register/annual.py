"""表二 and 表四 from the register's records, and the year's whole report data.

Records are append-only (a wrong one is voided by a ``void`` record):
* ``doc_issued`` (subtype rules | normative, title, 文号) and ``doc_repealed`` (ref: the
  issuing record) → 表二 （一） 本年制发 / 本年废止 / 现行有效 (issued by 31 Dec, not
  repealed by then);
* ``decisions`` (subtype licensing | penalty | coercion, value: how many, on a date) →
  表二 （五）（六） 本年处理决定数量;
* ``fee_income`` (value: 万元) → 表二 （八） 本年收费金额;
* ``review_filed`` (subtype review | suit_direct | suit_after_review, ref: the
  application, optional) and ``review_decided`` (ref: the filing, subtype upheld |
  corrected | other) → 表四.

表四 counting is a choice the sources do not settle (domain.md §1.4 gives only the
co-defendant rule): a case is counted in the year it was filed, with its result if
decided by 31 December of that year, else 尚未审结."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .cases import RegisterError, table3

RECORD_KINDS = {
    "doc_issued": "制发规章或行政规范性文件（subtype：rules 或 normative）",
    "doc_repealed": "废止规章或行政规范性文件（ref：制发记录编号）",
    "decisions": "行政许可/处罚/强制处理决定（subtype：licensing、penalty、coercion；value：件数）",
    "fee_income": "行政事业性收费（value：万元）",
    "doc_published": "公开规章或规范性文件（ref：制发记录编号；2019 年格式的“新公开数量”）",
    "items": "事项数量（subtype：licensing、other_services、penalty、coercion、fees；value：此日起的项目数；2019 年格式）",
    "procurement": "政府集中采购项目（value：金额；2019 年格式）",
    "review_filed": "被申请行政复议或被提起行政诉讼（subtype：review、suit_direct、suit_after_review；"
                    "ref：相关申请编号，可选）",
    "review_decided": "复议决定或判决（ref：立案记录编号；subtype：upheld、corrected、other）",
    "void": "更正：作废一条记录（ref：记录编号）",
}
SUBTYPES = {"doc_issued": ("rules", "normative"),
            "decisions": ("licensing", "other_services", "penalty", "coercion"),
            "items": ("licensing", "other_services", "penalty", "coercion", "fees"),
            "review_filed": ("review", "suit_direct", "suit_after_review"),
            "review_decided": ("upheld", "corrected", "other")}
NEEDS_REF = ("doc_repealed", "doc_published", "review_decided", "void")


@dataclass
class Record:
    id: int
    kind: str
    on: date
    subtype: str | None = None
    ref: int | None = None
    value: Decimal | None = None
    title: str = ""
    doc_no: str = ""
    user: str = ""


def check_record(rec: Record, existing: list[Record]):
    """Raise RegisterError when the record cannot be added to ``existing``."""
    if rec.kind not in RECORD_KINDS:
        raise RegisterError(f"未知的记录类型：{rec.kind}（可选 {', '.join(RECORD_KINDS)}）")
    if rec.kind in SUBTYPES and rec.subtype not in SUBTYPES[rec.kind]:
        raise RegisterError(f"{rec.kind} 的 subtype 应为 {', '.join(SUBTYPES[rec.kind])} 之一")
    by_id = {r.id: r for r in existing}
    live = _live(existing)
    if rec.kind in NEEDS_REF:
        target = by_id.get(rec.ref)
        if target is None:
            raise RegisterError(f"{rec.kind} 须指明所指记录（ref），编号 {rec.ref} 不存在")
        want = {"doc_repealed": "doc_issued", "doc_published": "doc_issued",
                "review_decided": "review_filed"}.get(rec.kind)
        if want and target.kind != want:
            raise RegisterError(f"{rec.kind} 所指的记录 {rec.ref} 应为 {want}")
        if rec.kind != "void" and target.id not in {r.id for r in live}:
            raise RegisterError(f"记录 {rec.ref} 已作废")
        if rec.kind != "void" and rec.on < target.on:
            raise RegisterError(f"{rec.kind} 的日期 {rec.on} 早于所指记录的日期 {target.on}")
        if rec.kind != "void" and any(r.kind == rec.kind and r.ref == rec.ref for r in live):
            raise RegisterError(f"记录 {rec.ref} 已有 {rec.kind}（如需更正请先作废原记录）")
    if rec.kind in ("decisions", "fee_income", "items", "procurement"):
        if rec.value is None or rec.value < 0:
            raise RegisterError(f"{rec.kind} 须填写非负的 value")
        if rec.kind in ("decisions", "items") and rec.value != int(rec.value):
            raise RegisterError("数量须为整数")


def _live(records: list[Record]) -> list[Record]:
    voided = {r.ref for r in records if r.kind == "void"}
    return [r for r in records if r.id not in voided and r.kind != "void"]


def _total(live, kind: str, start: date, end: date, sub: str | None = None) -> Decimal:
    """Sum of the values of ``kind`` records (of subtype ``sub``) dated in [start, end]."""
    return sum((r.value for r in live if r.kind == kind and (sub is None or r.subtype == sub)
                and start <= r.on <= end), Decimal(0))


def table2(records: list[Record], year: int, fmt: str = "2021") -> dict:
    """表二 of ``year`` (2021 format; the 2019 format when asked)."""
    if fmt == "2019":
        return table2_2019(records, year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    live = _live(records)
    repealed = {r.ref: r.on for r in live if r.kind == "doc_repealed"}
    v = {}
    for sub in ("rules", "normative"):
        docs = [r for r in live if r.kind == "doc_issued" and r.subtype == sub]
        v[f"t2.{sub}.issued"] = sum(1 for r in docs if start <= r.on <= end)
        v[f"t2.{sub}.repealed"] = sum(1 for r in docs if r.id in repealed and start <= repealed[r.id] <= end)
        v[f"t2.{sub}.in_force"] = sum(1 for r in docs if r.on <= end and not (r.id in repealed and
                                                                               repealed[r.id] <= end))
    for sub in ("licensing", "penalty", "coercion"):
        v[f"t2.{sub}.decisions"] = int(_total(live, "decisions", start, end, sub))
    v["t2.fees.amount"] = _total(live, "fee_income", start, end)
    return v


def table2_2019(records: list[Record], year: int) -> dict:
    """表二 in the 2019 format (国办公开办函〔2019〕60号): documents made / published in the
    year and published in all; items at the end of last year and the change; decisions;
    procurement.  本年增/减 is signed."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    live = _live(records)
    published = {r.ref: r.on for r in live if r.kind == "doc_published"}
    v = {}
    for sub in ("rules", "normative"):
        docs = [r for r in live if r.kind == "doc_issued" and r.subtype == sub]
        v[f"t2.{sub}.new_made"] = sum(1 for r in docs if start <= r.on <= end)
        v[f"t2.{sub}.new_published"] = sum(1 for r in docs if r.id in published and start <= published[r.id] <= end)
        v[f"t2.{sub}.published_total"] = sum(1 for r in docs if r.id in published and published[r.id] <= end)

    def items_at(sub, day):
        snaps = [r for r in live if r.kind == "items" and r.subtype == sub and r.on <= day]
        return int(max(snaps, key=lambda r: (r.on, r.id)).value) if snaps else 0
    for sub in ("licensing", "other_services", "penalty", "coercion", "fees"):
        prev = items_at(sub, date(year - 1, 12, 31))
        v[f"t2.{sub}.prev_items"] = prev
        v[f"t2.{sub}.change"] = items_at(sub, end) - prev
        if sub != "fees":
            v[f"t2.{sub}.decisions"] = int(_total(live, "decisions", start, end, sub))
    v["t2.procurement.items"] = sum(1 for r in live if r.kind == "procurement" and start <= r.on <= end)
    v["t2.procurement.amount"] = _total(live, "procurement", start, end)
    return v


def table4(records: list[Record], year: int) -> dict:
    """表四 of ``year``: cases filed in the year, by result as of 31 December."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    live = _live(records)
    decided = {r.ref: (r.subtype, r.on) for r in live if r.kind == "review_decided"}
    v = {f"t4.{g}.{c}": 0 for g in SUBTYPES["review_filed"] for c in ("upheld", "corrected", "other", "pending",
                                                                      "total")}
    for r in live:
        if r.kind != "review_filed" or not start <= r.on <= end:
            continue
        res = decided.get(r.id)
        col = res[0] if res and res[1] <= end else "pending"
        v[f"t4.{r.subtype}.{col}"] += 1
        v[f"t4.{r.subtype}.total"] += 1
    return v


def report_data(apps, records: list[Record], year: int, agency: str, t2_format: str = "2021") -> dict:
    """The year's report data (the JSON ``gongkai render`` reads): 表二/三/四 computed
    (表三 in the 2021 format; 表二 in the 2019 format when asked)."""
    cells = {**table2(records, year, t2_format), **table3(apps, year), **table4(records, year)}
    return {"meta": {"agency": agency, "year": year, "format": t2_format,
                     "formats": {"t2": t2_format, "t3": "2021"}},
            "cells": {k: (float(v) if isinstance(v, Decimal) else v) for k, v in cells.items()},
            "notes": ["由登记簿计算（gongkai cases report）"]}
