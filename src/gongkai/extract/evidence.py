"""Is this a report in the national format at all?  Reports before 2019 (counted in
sentences such as 「主动公开政府信息 1234 条」), pages that only link to a report,
工作要点 and notices name a few of the national labels in their prose; that is no
table.  The evidence: how many *distinct* national labels of 表二 / 表三 / 表四 are
located in a table-like context (a short line, a tab-separated row, or a label that
is followed by its numbers)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# thresholds (distinct labels in a table-like context); one table is enough
T3_ROWS = 6          # of 26 (2021) / 21 (2019) rows of 表三
T3_HEADERS = 3       # 自然人, 商业企业, 科研机构, … with some 表三 rows
T3_ROWS_WITH_HEADERS = 3
T4_HEADERS = 5       # of 行政复议, 行政诉讼, 结果维持, 结果纠正, 其他结果, 尚未审结, 总计, …
T2_ROWS = 3          # of 规章, 行政规范性文件, 行政许可, 行政处罚, 行政强制, 行政事业性收费 …
T2_FORMAT_HEADERS = 1   # 本年制发件数, 本年处理决定数量, 本年新公开数量 …
T2_ROWS_ALONE = 5       # without a header (a capture that ran the table into one line)
SHORT_LINE = 60
# the 2019+ section headings 三、收到和处理政府信息公开申请情况 / 四、政府信息公开行政复议、
# 行政诉讼情况 (older reports title them 依申请公开… / 因政府信息公开申请行政复议…) with a row
T3_ROWS_UNDER_HEADING = 1
T4_HEADERS_UNDER_HEADING = 3

# the label's numbers right after it, bare (a table cell), not a count in a sentence
# (「予以公开 30 件」「行政复议0件」)
_BARE_NUMBER = re.compile(r"[\s:：]{0,3}[0-9０-９][0-9０-９.,\s]*(?![0-9０-９.,\s]*(?:件|条|项|个|人次|次|宗|起|万|元|%|％|天|日|年|月))")


@dataclass
class Evidence:
    t2_rows: set = field(default_factory=set)
    t2_headers: set = field(default_factory=set)     # headers that identify a format
    t3_rows: set = field(default_factory=set)
    t3_headers: set = field(default_factory=set)
    t4_headers: set = field(default_factory=set)
    headings: set = field(default_factory=set)       # national section ids found

    @property
    def tables(self) -> dict:
        """Which tables the evidence supports."""
        n3, n4 = len(self.t3_rows), len(self.t4_headers)
        t3 = (n3 >= T3_ROWS or (n3 >= T3_ROWS_WITH_HEADERS and len(self.t3_headers) >= T3_HEADERS)
              or ("requests" in self.headings and n3 >= T3_ROWS_UNDER_HEADING))
        t4 = n4 >= T4_HEADERS or ("review" in self.headings and n4 >= T4_HEADERS_UNDER_HEADING)
        n2 = len(self.t2_rows)
        t2 = (n2 >= T2_ROWS and len(self.t2_headers) >= T2_FORMAT_HEADERS) or n2 >= T2_ROWS_ALONE
        return {"t2": t2, "t3": t3, "t4": t4}

    @property
    def national(self) -> bool:
        return any(self.tables.values())

    def summary(self) -> dict:
        return {"t2_rows": len(self.t2_rows), "t2_headers": len(self.t2_headers),
                "t3_rows": len(self.t3_rows), "t3_headers": len(self.t3_headers),
                "t4_headers": len(self.t4_headers), "headings": sorted(self.headings), "tables": self.tables}


def _line_span(text: str, a: int, b: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, a) + 1
    e = text.find("\n", b)
    return s, (e if e >= 0 else len(text))


_COUNTED = re.compile(r"[0-9０-９]\s*(?:件|条|项|个|人次|宗|起)")   # 「予以公开 30 件」: a list, not a row
_PROSE = re.compile(r"[，。；！？,;!?、]")


def table_like(text: str, loc) -> bool:
    """The label stands in a table: in a tab-separated row, followed by its bare
    numbers (no unit: 「行政规范性文件8855698」, not 「予以公开 30 件」), or on a line
    where the rest (without the label) is short, no sentence (no 。，；、) and no
    count with a unit."""
    s, e = _line_span(text, loc.start, loc.end)
    if "\t" in text[s:e]:
        return True
    if _BARE_NUMBER.match(text, loc.end, min(loc.end + 40, len(text))):
        return True
    rest = "".join((text[s:loc.start] + " " + text[loc.end:e]).split())
    return len(rest) <= SHORT_LINE and not _PROSE.search(rest) and not _COUNTED.search(rest)


def evidence(lay, enough: bool = False) -> Evidence:
    """The evidence of every label; with ``enough``, only until it shows a national table
    (``Evidence.national`` only grows with more labels, so the answer is the same)."""
    ev = Evidence(headings=set(lay.sections) & {"requests", "review"})
    for x in lay.labels:
        sp = x.spec
        if sp.table not in ("t2", "t3", "t4") or not table_like(lay.text, x):
            continue
        if sp.table == "t3" and sp.kind == "row":
            grown = _add(ev.t3_rows, sp.ident)
        elif sp.table == "t3" and sp.kind == "header":
            grown = _add(ev.t3_headers, sp.ident)
        elif sp.table == "t4" and sp.kind == "header":
            grown = _add(ev.t4_headers, sp.ident)
        elif sp.table == "t2" and sp.kind == "row":
            grown = _add(ev.t2_rows, sp.ident)
        elif sp.table == "t2" and sp.kind == "header" and sp.format:
            grown = _add(ev.t2_headers, sp.ident)
        else:
            continue
        if enough and grown and ev.national:
            break
    return ev


def _add(s: set, x) -> bool:
    n = len(s)
    s.add(x)
    return len(s) > n
