"""Missing tables, rows and sections; reports mixing the 2019 and 2021 formats."""
from __future__ import annotations

from ..formats import national
from ..model import NOT_PRINTED, Report
from .registry import finding, rule

TABLE_ZH = {"t2": "表二 主动公开政府信息情况", "t3": "表三 收到和处理政府信息公开申请情况",
            "t4": "表四 政府信息公开行政复议、行政诉讼情况"}


@rule("structure.missing_table", "error", "缺少表格")
def missing_table(report: Report):
    """表二, 表三 or 表四 is not in the report at all."""
    found = report.meta.get("tables_found", {})
    return [finding("structure.missing_table", f"未找到{TABLE_ZH[t]}", table=t, fields=(t,))
            for t in ("t2", "t3", "t4") if not found.get(t)]


@rule("structure.missing_row", "error", "表格缺行")
def missing_row(report: Report):
    """A row of a table that is present is not printed (its cells are null, reason
    "表中未找到该行")."""
    found = report.meta.get("tables_found", {})
    rows: dict[str, list[str]] = {}
    for f, c in report.cells.items():
        t = f.split(".")[0]
        if c.reason == NOT_PRINTED and found.get(t):
            rows.setdefault(f.rsplit(".", 1)[0], []).append(f)
    if any(f.startswith("t4.") for fs in rows.values() for f in fs):
        rows = {r: fs for r, fs in rows.items() if not r.startswith("t4")}
    labels = {f"t3.{r['id']}": r["label"] for r in national().raw["t3"]["rows"]}
    labels.update({f"t2.{r['id']}": r["label"] for r in national().raw["t2"]["rows"]})
    return [finding("structure.missing_row", f"未找到「{labels.get(r, r)}」行", table=r.split(".")[0],
                    fields=tuple(fs)) for r, fs in rows.items()]


@rule("structure.missing_section", "warning", "缺少章节")
def missing_section(report: Report):
    """One of the six sections (一、总体情况 … 六、其他需要报告的事项) has no heading."""
    found = report.meta.get("sections_found", [])
    out = []
    for s in national().sections:
        if s["id"] not in found:
            out.append(finding("structure.missing_section", f"未找到第{s['number']}部分「{s['number']}、{s['label']}」",
                               table="sections", fields=(f"section.{s['id']}",)))
    return out


@rule("format.mixed", "warning", "混用 2019 与 2021 格式")
def mixed(report: Report):
    """表二 and 表三 follow different national formats (e.g. a 2019 表二 with a 2021
    表三 whose （六）其他处理 has three sub-rows)."""
    f = report.meta.get("formats", {})
    if f.get("t2") and f.get("t3") and f["t2"] != f["t3"]:
        return [finding("format.mixed", f"表二为 {f['t2']} 格式，表三为 {f['t3']} 格式", table="meta",
                        fields=("meta.format",))]
    return []
