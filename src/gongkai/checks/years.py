"""Years: report year vs format, statistics period and other years named."""
from __future__ import annotations

from ..model import Report
from .registry import finding, rule


@rule("year.format", "warning", "格式与年度不符")
def format_year(report: Report):
    """The 2019 (试行) format in a report for 2021 or later (the 2021 format was issued
    2021-09-26), or the 2021 format in a report for 2020 or earlier."""
    y, f = report.meta.get("year"), report.meta.get("format")
    if not y or not f:
        return []
    if f == "2019" and y >= 2021:
        return [finding("year.format", f"{y} 年度报告仍使用 2019 年（试行）格式，应使用国办公开办函〔2021〕30号格式",
                        table="meta", fields=("meta.format", "meta.year"))]
    if f == "2021" and y <= 2020:
        return [finding("year.format", f"{y} 年度报告使用了 2021 年才印发的格式", table="meta",
                        fields=("meta.format", "meta.year"))]
    return []


@rule("year.period", "error", "统计期限与报告年度不符")
def period(report: Report):
    """The statistics period ("统计期限为 YYYY 年 1 月 1 日至 12 月 31 日") names a
    different year than the title."""
    y, p = report.meta.get("year"), report.meta.get("period_year")
    if y and p and y != p:
        return [finding("year.period", f"标题为 {y} 年度，统计期限却是 {p} 年", table="meta",
                        fields=("meta.year",))]
    return []


@rule("year.other_report", "warning", "正文提到其他年度的报告")
def other_report(report: Report):
    """The text before 一、总体情况 announces a report of another year
    (e.g. a 2021 report saying "现将《…2020 年政府信息公开年度报告》予以公布")."""
    y = report.meta.get("year")
    out = []
    for other, snippet in report.meta.get("years_named", []):
        if y and other != y:
            out.append(finding("year.other_report", f"{y} 年度报告的前言提到「{snippet}」", table="meta",
                               fields=("meta.year",), data={"year": other}))
    return out


@rule("meta.missing", "warning", "未能识别报告标题")
def meta_missing(report: Report):
    """The title (机关名称 + 年度 + 政府信息公开工作年度报告) was not found, so the agency
    or the year is unknown."""
    out = []
    if not report.meta.get("agency"):
        out.append(finding("meta.missing", "未能从标题识别机关名称", table="meta", fields=("meta.agency",)))
    if not report.meta.get("year"):
        out.append(finding("meta.missing", "未能识别报告年度", table="meta", fields=("meta.year",)))
    return out
