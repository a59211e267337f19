"""The one-way pipeline: read → locate → map → check.  ``parse_text`` is pure
(text in, Report out); ``parse_file`` adds reading and decoding."""
from __future__ import annotations

import re
from bisect import bisect_left
from pathlib import Path

from .version import PARSER_VERSION
from .checks import finding, run_checks
from .errors import InputError, NotNationalFormat
from .extract.evidence import evidence
from .extract.locate import locate
from .extract.meta import find_dates, find_meta, find_period
from .extract.narrative import claims
from .extract.normalize import norm, norm_lines
from .extract.prose import Memo, paragraphs, prose, running_lines, wrap_width
from .extract.tables import extract_tables
from .limits import Limits, applied, checkpoint
from .model import Report
from .read import read_document
from .read.document import Document
from .read.text import clean

_NAMED = re.compile(r"((?:19|20)\d{2})年度?的?政府信息公开(?:工作)?年度?报告")


def parse_file(path: str | Path, checks: bool = True, limits: Limits | None = None) -> Report:
    """Read any supported file (type decided by content) and parse it, within
    ``limits`` (default ``Limits()``: 8 s, plus 30 s per page sent to OCR; pixel and memory caps per page/image;
    over a limit: LimitExceeded, an InputError)."""
    with applied(limits, path):
        doc = read_document(path)
        checkpoint()
        report = parse_document(doc, file=str(path), checks=checks)
        enc = getattr(doc, "encoding", None)
        if enc and enc.get("message"):
            report.meta["encoding"] = enc.get("encoding")
            report.findings.append(finding("read.encoding", enc["message"], table="meta",
                                           lines=tuple(enc.get("lines") or ()),
                                           data={k: v for k, v in enc.items() if k != "message"}))
        elif enc and enc.get("encoding"):
            report.meta["encoding"] = enc["encoding"]
        return report


def parse_document(doc: Document, file: str | None = None, checks: bool = True) -> Report:
    if doc.kind == "text":
        return parse_text(doc.text, file=file, checks=checks)
    report = _parse(clean(doc.text), file, lambda off: doc.source_at(off, file), checks,
                    hints=getattr(doc, "hints", None))
    report.meta["reader"] = doc.kind
    if doc.notes:
        report.meta["reader_notes"] = doc.notes
    return report


def parse_text(text: str, file: str | None = None, checks: bool = True) -> Report:
    return _parse(clean(text), file, None, checks)


MAX_TEXT_CHARS = 2_000_000    # a report runs to 10,000–50,000 characters


def _parse(text: str, file, locator, checks: bool, hints: dict | None = None) -> Report:
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(file or "<text>", f"文本过长（{len(text) // 10000} 万字符，上限 {MAX_TEXT_CHARS // 10000} 万）"
                                           "——一份年度报告通常不到 5 万字，可能是重复或拼接的内容")
    lay = locate(text)
    lay.locator = locator
    z0, z1 = lay.zone
    narrative = text[:z0] + "\n" + text[z1:]
    checkpoint()
    if not evidence(lay, enough=True).national:     # old reports, link pages, 工作要点: no invented numbers
        raise NotNationalFormat(file or "<text>")
    tables = extract_tables(lay, file, narrative)
    checkpoint()
    if not any(tables.found.values()):
        raise NotNationalFormat(file or "<text>")

    lines = text.split("\n")
    first_section = min((a for a, _b, _e in lay.sections.values()), default=len(text))
    pre = text[:first_section]
    period = find_period(norm(pre)) or find_period(norm(text[:z0] if z0 else text[:4000]))
    title = find_meta(lines, hints=hints, file=file, opening=text[:min(len(text), first_section + 400)],
                      period=period)
    fmts = tables.formats
    meta = {
        "agency": title["agency"],
        "year": title["year"],
        "format": fmts.get("t2") or fmts.get("t3"),
        "formats": fmts,
        "title": title["title"],
        "agency_source": title["agency_source"],
        "year_source": title["year_source"],
        "period_year": period,
        "tables_found": tables.found,
        "sections_found": list(lay.sections),
        "source": file,
        "parser_version": PARSER_VERSION,
    }
    # years named in the preamble as the year of "the" report (besides the title)
    named = []
    title_line = title.get("line")
    for i, ln in enumerate(pre.split("\n"), 1):
        if i == title_line or "报告" not in ln:
            continue
        nl = norm(ln)
        for m in _NAMED.finditer(nl):
            if "关于" in nl[max(0, m.start() - 12):m.start()]:
                continue  # the title of a notice ("关于做好2023年度…年度报告编制…的通知")
            snippet = nl[max(0, m.start() - 10):m.end() + 2]
            named.append((int(m.group(1)), snippet))
    meta["years_named"] = named
    dates = find_dates(norm(text[-400:]))
    if dates:
        meta["date"] = "%04d-%02d-%02d" % dates[-1]

    memo = Memo()
    same = lay.__dict__.get("_same_length")
    if same is not None:
        memo.know(text, norm_lines(text, same))
    running, wrap = running_lines(text, title["title"], memo), wrap_width(narrative, memo)
    sections = {sid: section_prose(lay, text, sid, running, wrap, memo) for sid in lay.sections}
    # claims are read from whole sentences: wraps joined, page numbers and running titles gone
    told = "\n\n".join(paragraphs(narrative, running, wrap, memo))
    from .extract.confirm import confirm_ocr, needs_confirmation
    if any(needs_confirmation(c) for c in tables.cells.values()):
        confirm_ocr(tables.cells, fmts.get("t3") or "2021")
    report = Report(meta=meta, cells=tables.cells, sections=sections, findings=list(tables.findings),
                    narrative=narrative, claims=claims(told), source=file)
    inferred = {k: title[k + "_source"] for k in ("agency", "year")
                if title[k + "_source"] in ("opening", "filename")}
    if inferred:
        what = "、".join(f"{'机关名称' if k == 'agency' else '报告年度'}「{title[k]}」取自"
                        f"{'正文开头' if src == 'opening' else '文件名'}" for k, src in inferred.items())
        report.findings.append(finding("meta.inferred", f"未找到报告标题，{what}，请核实", table="meta",
                                       fields=tuple(f"meta.{k}" for k in inferred),
                                       data={k: title[k] for k in inferred}))
    unc = uncertain_finding(report.uncertain)
    if unc:
        report.findings.append(unc)
    if checks:
        checkpoint()
        report.findings.extend(run_checks(report))
    return report


def uncertain_finding(unc: list[str]):
    """The parse.uncertain finding naming the uncertain cells ``unc`` (None: there are none).
    The review (corpus.review) makes it again from the cells a reviewer has not yet confirmed."""
    if not unc:
        return None
    return finding("parse.uncertain", f"{len(unc)} 个单元格读数存疑，请对照原文核实：{', '.join(unc[:10])}"
                   + (" 等" if len(unc) > 10 else ""), fields=tuple(unc), table=unc[0].split(".")[0])


def section_prose(lay, text: str, sid: str, running: set | None = None, wrap: int | None = None,
                  memo: Memo | None = None) -> str:
    """A section's own text without its table (the table's lines are data, kept in the
    cells; the prose before and after it is what a renderer needs), as paragraphs
    separated by a blank line (:mod:`gongkai.extract.prose`)."""
    _a, b, e = lay.sections[sid]
    starts = lay.__dict__.get("_starts")
    if starts is None or len(starts) != len(lay.labels):
        starts = lay.__dict__["_starts"] = [x.start for x in lay.labels]     # in order (locate)
    inside = [x for x in lay.labels[bisect_left(starts, b):bisect_left(starts, e)]
              if x.spec.table in ("t2", "t3", "t4")]
    if not inside:
        return prose(text[b:e], running, wrap, memo)
    t_start = text.rfind("\n", b, min(x.start for x in inside)) + 1 or b
    last = max(inside, key=lambda x: x.start)
    t_end = max(x.end for x in inside)
    hi = min(last.value_end, e)
    last_value = max(text.rfind(ch, last.value_start, hi) for ch in "0123456789０１２３４５６７８９\t")
    t_end = max(t_end, last_value + 1)
    nl = text.find("\n", t_end, e)
    t_end = e if nl < 0 else nl
    before, after = prose(text[b:max(b, t_start)], running, wrap, memo), prose(text[t_end:e], running, wrap, memo)
    return "\n\n".join(x for x in (before, after) if x)
