"""Report metadata from the title: agency (as the title names it) and report year;
plus the statistics period and the publication date when printed."""
from __future__ import annotations

import re

from .normalize import norm

_TITLE = re.compile(r"((?:19|20)\d{2})年度?的?政府信息公开(?:工作)?年度?报告")
_PERIOD = re.compile(r"(?:统计|数据)[^。]{0,24}?((?:19|20)\d{2})年1月1日(?:起)?(?:至|到|-|~)((?:19|20)\d{2})?年?12月31日")
_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_STRIP_HEAD = re.compile(r"^(?:标题[:：]|#+|关于)+")


def _clean_agency(s: str) -> str:
    s = _STRIP_HEAD.sub("", s)
    s = re.sub(r"^[\s\d.、]+", "", s)
    s = s.strip(" :：-—()（）《》")
    if s.endswith("关于"):
        s = s[:-2]
    return s


def find_title(lines: list[str], max_lines: int = 40) -> dict:
    """Look for "<agency><year>年…政府信息公开工作年度报告" in the first lines; the title
    may be broken over several lines and the agency may stand on the line before."""
    nonempty = [(i, x) for i, x in ((i, norm(l)) for i, l in enumerate(lines[:120])) if x][:max_lines]
    for k in range(len(nonempty)):
        joined = ""
        parts = []
        for k2 in range(k, min(k + 3, len(nonempty))):
            parts.append(nonempty[k2][1])
            joined = "".join(parts)
            m = _TITLE.search(joined)
            if m and m.start() < len(parts[0]) + 1:
                agency = _clean_agency(joined[:m.start()])
                if not agency and k > 0:
                    prev = nonempty[k - 1][1]
                    if len(prev) <= 40 and not re.search(r"[，。；]", prev):
                        agency = _clean_agency(prev)
                if agency.endswith("文件"):
                    agency = agency[:-2]
                return {"agency": agency or None, "year": int(m.group(1)), "line": nonempty[k][0] + 1,
                        "title": (_clean_agency(joined[:m.end()]))}
    return {}


def find_period(compact_text: str) -> int | None:
    m = _PERIOD.search(compact_text)
    if not m:
        return None
    y1 = int(m.group(1))
    y2 = int(m.group(2)) if m.group(2) else y1
    return y1 if y1 == y2 else None


def find_dates(compact_text: str) -> list[tuple[int, int, int]]:
    out = []
    for m in _DATE.finditer(compact_text):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            out.append((y, mo, d))
    return out
