"""Report metadata: the agency (as the title names it) and the report year, plus the
statistics period and the publication date when printed.

The title comes in many forms — agency first or year first, 「关于…年度…的报告」,
with an 「（…编制）」 note, broken over two or three lines, the agency on the line
before.  Where there is no title in the body it is taken, in this order, from a
capture header block (「标题：…」「单位：…」), the web page's ``<title>`` or first
headings, the opening sentences (「本报告由某某局根据…编制」), and last the file name.
:func:`find_meta` records how each value was obtained (``agency_source``,
``year_source``), so that a value read from the opening text or the file name is
never a silent guess."""
from __future__ import annotations

import re
from itertools import islice
from pathlib import Path

from .normalize import norm

Y = r"((?:19|20)\d{2})"
_CORE = r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:情况)?的?(?:年度)?报告"
# agency-first (or no agency), year first, 关于 forms, and the year after the title
_FORMS = [
    ("agency_year", re.compile(rf"(?P<pre>.*?)(?:关于)?{Y}年度?的?{_CORE}")),
    ("year_agency", re.compile(rf"(?P<pre>){Y}年度?的?(?P<ag>[^\d,，。;：:()]{{2,40}}?)(?:关于)?{_CORE}")),
    ("year_after", re.compile(rf"(?P<pre>.*?){_CORE}[(\[]?{Y}年度?[)\]]?")),
]
_TITLE = re.compile(rf"{Y}年度?的?政府信息公开(?:工作)?年度?报告")     # kept for callers
_NOTE = re.compile(r"\([^()]{0,40}?(?:编制|编印|印发|发布|\d{4}年\d{1,2}月(?:\d{1,2}日)?)[^()]{0,10}\)")
_PERIOD = re.compile(r"(?:统计|数据)[^。]{0,24}?((?:19|20)\d{2})年1月1日(?:起)?(?:至|到|-|~)((?:19|20)\d{2})?年?12月31日")
_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_STRIP_HEAD = re.compile(r"^(?:标题[:：]|题名[:：]|#+|关于|[\[(（].{0,6}?[\])）])+")
_HEADER = re.compile(r"^\s*(标题|题名|文章标题|名称|单位|发布单位|发布机构|发文机关|发文单位|来源|信息来源"
                     r"|发布日期|发布时间|成文日期|日期)\s*[:：]\s*(.*?)\s*$")
_AGENCY_FIELDS = ("单位", "发布单位", "发布机构", "发文机关", "发文单位", "来源", "信息来源")
_OPENING = [
    re.compile(r"本(?:年度)?报告(?:是)?由(?P<ag>[^,，。;：:《》]{2,40}?)(?:根据|依据|按照|依照|结合|负责|编制)"),
    re.compile(r"^(?P<ag>[^,，。;：:《》]{2,40}?)(?:根据|依据|按照|依照)《[^》]{0,60}》[^。]{0,160}?编制(?:了)?(?:本|此)"),
    re.compile(r"汇总(?P<ag>[^,，。;：:《》]{2,30}?)(?:各有关单位|所属各单位|各单位|各部门)?的?政府信息公开(?:工作)?情况"
               r"[^。]{0,8}?编制"),
]
_AGENCY_END = re.compile(r"(?:政府|办公室|办公厅|委员会|局|厅|委|办|院|署|部|中心|分局|支队|大队|管委会|实验区|新区"
                         r"|开发区|街道|镇|乡|区|县|市|州|盟|旗|省|所|站|会|队|馆)$")
_PRONOUN = re.compile(r"^(?:本|我|该)(?:局|委|厅|办|院|单位|机关|部门|区|县|市|镇|乡|街道|中心|公司)?$")
_FILE_YEAR = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?![0-9])")


def _clean_agency(s: str) -> str:
    s = _STRIP_HEAD.sub("", s)
    s = re.sub(r"^[\s\d.、]+", "", s)
    s = s.strip(" :：-—_()（）《》")
    if s.endswith("关于"):
        s = s[:-2]
    if s.endswith("文件"):
        s = s[:-2]
    return s.strip(" :：-—_")


TITLE_SCAN = 1000     # characters of a string a title is looked for in (regexes stay linear-bounded)
LINE_SCAN = 400       # characters of a line find_title looks at (a title line is shorter)


def parse_title(s: str) -> dict:
    """One title string (compact or not) → {agency, year, title, start, end} or {}.
    Only the first TITLE_SCAN characters are read: a title is never longer, and the
    forms' lazy prefixes would otherwise make a very long line (a 6,000-digit run)
    cost quadratic time."""
    c = _NOTE.sub("", norm(s[:TITLE_SCAN]))
    best = None
    for form, rx in _FORMS:
        m = rx.search(c)
        if m and (best is None or m.start(2) < best[1].start(2)):
            best = (form, m)
        if form == "agency_year" and m:
            break
    if not best:
        return {}
    form, m = best
    year = int(m.group(2))
    anchor = m.end("pre") if form == "year_after" else m.start(2)
    sentence = False
    if form == "year_agency":
        agency = _clean_agency(m.group("ag"))
        if agency.endswith("人民") and re.match(r"政府信息", c[m.end("ag"):]):
            agency += "政府"     # 「2020年某市人民政府信息公开…」
    else:
        pre = m.group("pre")
        sentence = bool(re.search(r"[，。；,;!?！？]", pre))
        agency = _clean_agency(pre.rsplit("《", 1)[-1])
    if _PRONOUN.match(agency):
        agency = ""          # 「本局2023年…报告如下」: no name
    if len(agency) > 40:
        agency = ""          # a breadcrumb or a sentence, not an agency
    notes = [x[1:-1] for x in _NOTE.findall(norm(s[:TITLE_SCAN]))]
    return {"agency": agency or None, "year": year, "title": _clean_agency(c[:m.end()]) or None,
            "start": anchor, "end": m.end(), "form": form, "notes": notes,
            "sentence": sentence}


COLLAPSED = 300    # a line this long with spaces in it is a document whose line breaks became spaces


def _pieces(lines: list[str], limit: int = 40):
    """(line index, normalised text) of each line; a collapsed line (a crawler's text
    with every line break turned into a space) gives its space-separated pieces, so
    that the title at its start is found like a title on its own line."""
    for i, ln in enumerate(lines):
        if len(ln) > COLLAPSED and " " in ln.strip():
            for piece in ln.split(None, limit)[:limit]:     # no more pieces than are looked at
                yield i, norm(piece[:LINE_SCAN])
        else:
            yield i, norm(ln[:LINE_SCAN])


def find_title(lines: list[str], max_lines: int = 40, first_line: int = 0) -> dict:
    """Look for the title in the first lines; it may be broken over up to three lines
    and the agency may stand on the line before."""
    nonempty = list(islice(((i, x) for i, x in _pieces(lines[:first_line + 160], max_lines)
                            if x and i >= first_line), max_lines))
    for k in range(len(nonempty)):
        parts = []
        for k2 in range(k, min(k + 3, len(nonempty))):
            parts.append(nonempty[k2][1])
            if k2 > k and len(parts[-1]) > 60:
                break      # a title does not continue into a paragraph
            t = parse_title("".join(parts))
            if t and not t["sentence"] and t["start"] <= len(parts[0]) and len("".join(parts)) - t["end"] <= 24:
                if not t["agency"] and k > 0:
                    prev = nonempty[k - 1][1]
                    if len(prev) <= 40 and not re.search(r"[，。；,;：:]", prev):
                        t["agency"] = _clean_agency(prev) or None
                t["line"] = nonempty[k][0] + 1
                return t
    return {}


def find_header(lines: list[str], max_lines: int = 30) -> dict:
    """A capture header block (「标题：…」「单位：…」「来源：…」「发布日期：…」)."""
    out: dict = {}
    for ln in lines[:max_lines]:
        m = _HEADER.match(ln)
        if m and m.group(2) and m.group(1) not in out:
            out[m.group(1)] = m.group(2)
    return out


def _from_header(header: dict) -> dict:
    t = {}
    for key in ("标题", "题名", "文章标题", "名称"):
        if key in header:
            t = parse_title(header[key])
            if t:
                break
    if not t.get("agency"):
        for key in _AGENCY_FIELDS:
            v = _clean_agency(norm(header.get(key, "")))
            if v and _AGENCY_END.search(v) and len(v) <= 40:
                t["agency"] = v
                break
    return t


def _from_hints(hints: dict) -> dict:
    cands = []
    if hints.get("title"):
        cands.extend(x for x in re.split(r"\s*[_|｜]\s*|\s+[-—–]\s+", hints["title"]) if x.strip())
    cands.extend(hints.get("headings") or [])
    for s in cands:
        t = parse_title(s)
        if t:
            return t
    return {}


def _from_opening(text: str) -> dict:
    """Agency and year stated in the opening sentences."""
    out: dict = {}
    c = _NOTE.sub("", norm(text))
    for sent in re.split(r"[。;!?！？]", c):
        if "agency" not in out:
            for rx in _OPENING:
                m = rx.search(sent)
                if m:
                    ag = _clean_agency(m.group("ag"))
                    ag = re.sub(r"^(?:现|特|兹|本报告|由)", "", ag)
                    if ag and _AGENCY_END.search(ag) and not re.match(r"^(?:本|我)", ag):
                        out["agency"] = ag
                        break
        for q in re.findall(r"《([^》]{4,80})》", sent):
            t = parse_title(q)
            if t:
                out.setdefault("year", t["year"])
                if t.get("agency") and "agency" not in out:
                    out["agency"] = t["agency"]
        if "year" not in out:
            m = re.match(rf"^(?:一、总体情况|总体情况)?{Y}年(?:度)?[,，以来]", sent)
            if m:
                out["year"] = int(m.group(1))
        if "agency" in out and "year" in out:
            break
    return out


def _from_filename(file) -> dict:
    if not file:
        return {}
    stem = Path(str(file)).stem
    t = parse_title(stem)
    if t:
        return t
    m = _FILE_YEAR.search(stem)
    out = {"year": int(m.group(1))} if m else {}
    for run in re.findall(r"[\u4e00-\u9fff]{2,40}", stem):
        if _AGENCY_END.search(run):
            out["agency"] = run
            break
    return out


def find_meta(lines: list[str], hints: dict | None = None, file=None, opening: str = "",
              period: int | None = None) -> dict:
    """Agency, year and title with their sources.  Returns a dict with ``agency``,
    ``year``, ``title``, ``agency_source``, ``year_source`` and ``line`` (the title's
    line in the body, when the title comes from the body)."""
    out = {"agency": None, "year": None, "title": None, "agency_source": None, "year_source": None}

    def take(t: dict, source: str):
        if not t:
            return
        if out["title"] is None and t.get("title"):
            out["title"] = t["title"]
            if t.get("line"):
                out["line"] = t["line"]
        for key in ("agency", "year"):
            if out[key] is None and t.get(key):
                out[key] = t[key]
                out[key + "_source"] = source

    header = find_header(lines)
    head_title = _from_header(header) if header else {}
    if any(k in header for k in ("标题", "题名", "文章标题", "名称")):
        take(head_title, "header")
    take(find_title(lines), "title")
    take(head_title, "header")
    if hints:
        take(_from_hints(hints), "html_title")
    if out["agency"] is None or out["year"] is None:
        take(find_title(lines, max_lines=200), "title")
    if out["year"] is None and period:
        out["year"], out["year_source"] = period, "period"
    if out["agency"] is None or out["year"] is None:
        take(_from_opening(opening), "opening")
    if out["agency"] is None or out["year"] is None:
        take(_from_filename(file), "filename")
    return out


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
