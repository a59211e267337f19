"""Section prose as paragraphs, not extraction lines.

A PDF (or a saved page) gives the prose as lines: hard wraps inside sentences, page
numbers (「— 3 —」「- 4 -」「第 3 页 共 9 页」) and running titles repeated on every
page.  :func:`paragraphs` removes the page furniture, joins a line that does not end
a sentence with the next one (CJK without a space, Latin words with one), and keeps
headings (一、… （一）… 1. … Markdown ``#``) as paragraphs of their own."""
from __future__ import annotations

import re
from collections import Counter

from .normalize import norm

_END = "。；;！!？?：:…"
_CLOSERS = "”’\"'）)】」』》"
_PAGE = re.compile(r"^(?:[-—–－~·\s]*[0-9０-９]{1,4}[-—–－~·\s]*"
                   r"|第\s*[0-9０-９]{1,4}\s*页\s*(?:[/，,]?\s*共\s*[0-9０-９]{1,4}\s*页)?"
                   r"|[0-9０-９]{1,4}\s*/\s*[0-9０-９]{1,4}"
                   r"|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]"
                      r"|[0-9]{1,2}[.．、](?![0-9])|[（(][0-9]{1,2}[）)]|第[一二三四五六七八九十]{1,3}[章节部分])")
_DATE_LINE = re.compile(r"^[（(]?\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*[）)]?$")
_MD = re.compile(r"^#{1,6}\s*")
_BOLD = re.compile(r"^\*\*(.+?)\*\*$")
_NUMBER_ONLY = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]?$")   # a heading's number left by the next section
_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")
HEADING_MAX = 40        # a numbered line longer than this is a paragraph that starts with a number
MIN_WRAP = 12           # no PDF wraps prose narrower than this
LONG_LINE = 24          # without a known wrap width, a line this long that stops mid-sentence goes on
RUNNING_MIN = 2         # a short line printed this many times is a running title


def is_page_furniture(line: str) -> bool:
    s = line.strip()
    return bool(s) and bool(_PAGE.match(s))


def running_lines(text: str, title: str | None = None, memo: "Memo | None" = None) -> set:
    """Short lines (compact) printed on several pages: running titles and footers.
    The report's title counts from its second printing (the first is the title)."""
    if memo is None:
        counts = Counter(norm(ln) for ln in text.split("\n"))
    else:
        counts = Counter(memo.norm_raw(ln) for ln in text.split("\n"))
    out = set()
    for s, n in counts.items():
        if n >= RUNNING_MIN and 4 <= len(s) <= 60 and s[-1] not in _END and not _HEADING.match(s):
            out.add(s)
    if title:
        out.add(norm(title))
    return out


class Memo:
    """Per-document memo of line classifications: the same lines are read for the
    running titles, the wrap width, each section and the narrative; each raw line is
    classified and normalised once.  Local to one parse (never shared across documents)."""

    __slots__ = ("raw", "lines")

    def __init__(self):
        self.raw: dict[str, str] = {}
        self.lines: dict[str, tuple] = {}

    def norm_raw(self, ln: str) -> str:
        v = self.raw.get(ln)
        if v is None:
            v = self.raw[ln] = norm(ln)
        return v

    def know(self, text: str, normed: list[str] | None) -> None:
        """Record ``norm`` of each line of ``text`` already computed (``normed``, as
        :func:`gongkai.extract.normalize.norm_lines` gives)."""
        if normed is not None:
            for ln, n in zip(text.split("\n"), normed):
                self.raw.setdefault(ln, n)


def _ends_sentence(s: str) -> bool:
    s = s.rstrip(_CLOSERS) or s
    return s[-1] in _END


TAIL = 32     # characters of a paragraph's end that decide how the next line joins it


def _join(a: str, b: str) -> str:
    if _LATIN_END.search(a) and _LATIN_START.match(b):
        return a + " " + b
    return a + b


def _heading(s: str) -> bool:
    """A line that is a heading on its own (numbered, short, no sentence inside)."""
    if not _HEADING.match(s) or len(s) > HEADING_MAX:
        return False
    body = s.rstrip(_END)
    return not re.search(r"[，,；;。]", body)


def _classify(raw: str, memo: "Memo | None" = None) -> tuple:
    """(line, kind, compact line) of one raw line; kind "skip" (nothing: a blanked page
    number or page furniture), "blank", "heading", "start" or ""."""
    if raw and not raw.strip(" "):
        return ("", "skip", "")      # a page number the reader blanked out (read.text.clean)
    s = raw.strip().replace("\u3000", " ").strip()
    md = bool(_MD.match(s))
    s = _MD.sub("", s).rstrip("#").strip()
    b = _BOLD.match(s)
    if b:                 # a Markdown bold line: a heading
        s, md = b.group(1).strip(), True
    if s.strip("*") == "":
        s = ""
    if not s:
        return ("", "blank", "")
    if is_page_furniture(s):
        return ("", "skip", "")      # page furniture: not even a paragraph break
    kind = "heading" if md or _DATE_LINE.match(s) else ("start" if _HEADING.match(s) else "")
    # s is raw without whitespace, Markdown marks (# *, ignorable): the same compact form
    return (s, kind, memo.norm_raw(raw) if memo is not None else norm(s))


def _lines(text: str, running: set, memo: Memo | None = None) -> list[tuple[str, str]]:
    """(line, kind) with kind "heading" | "start" | "" ; ("", "") = a blank line."""
    out = []
    cache = memo.lines if memo is not None else {}
    for raw in text.replace("\r\n", "\n").split("\n"):
        c = cache.get(raw)
        if c is None:
            c = cache[raw] = _classify(raw, memo)
        s, kind, n = c
        if kind == "skip":
            continue
        if kind == "blank":
            out.append(("", ""))
            continue
        if n in running:
            continue          # a running title: not even a paragraph break
        out.append((s, kind))
    return out


def wrap_width(text: str, memo: Memo | None = None) -> int | None:
    """The width a document's lines were wrapped at (None: lines are paragraphs)."""
    return _wrap_width([len(s) for s, k in _lines(text, set(), memo) if s and k != "heading"])


def paragraphs(text: str, running: set | None = None, wrap: int | None = None,
               memo: Memo | None = None) -> list[str]:
    """Lines → paragraphs.  ``running``: compact lines to drop (see
    :func:`running_lines`); page numbers are always dropped.  ``wrap``: the
    document's wrap width (:func:`wrap_width`; computed from ``text`` if not given)."""
    lines = _lines(text, running or set(), memo)
    if wrap is None:
        wrap = _wrap_width([len(s) for s, k in lines if s and k != "heading"])
    out: list[str] = []
    cur: list[str] = []        # the paragraph being built, as pieces (joined once: linear)
    tail = cur_last = ""       # tail: the paragraph's last characters
    blank_after = False
    for s, kind in lines:
        if not s:
            blank_after = True
            continue
        if kind == "start" and _heading(s) and not _full(s, wrap):
            kind = "heading"
        if kind:
            if cur:
                out.append("".join(cur))
            cur, tail = [], ""
        if kind == "heading":
            out.append(s)
            cur_last, blank_after = "", False
            continue
        if cur and (_ends_sentence(tail) and not (wrap and len(cur_last) >= wrap and not blank_after)
                    or (blank_after and not _continues(cur_last, wrap))):
            # a sentence's end at the paragraph's end — unless the line runs to the full
            # wrap width, where a sentence ending mid-paragraph is far likelier
            out.append("".join(cur))
            cur, tail = [], ""
        piece = _join(tail, s)[len(tail):] if cur else s     # _join may put a space between
        cur.append(piece)
        tail = (tail + piece)[-TAIL:]
        cur_last = s
        blank_after = False
    if cur:
        out.append("".join(cur))
    while out and _NUMBER_ONLY.match(out[-1]):
        out.pop()
    return out


def _continues(line: str, wrap: int | None) -> bool:
    """Across a blank line, the paragraph goes on: the line ran to the wrap width or
    stops at a comma."""
    return _full(line, wrap) or line.rstrip()[-1:] in "，,、"


def _wrap_width(widths: list[int]) -> int | None:
    """The width the lines were wrapped at: the length (±2) shared by many lines
    (a PDF's full lines); None when the lines are whole paragraphs."""
    if len(widths) < 6:
        return None
    counts = Counter(widths)
    best, n = max(((w, sum(counts.get(w + d, 0) for d in range(-2, 3))) for w in counts),
                  key=lambda x: (x[1], x[0]))
    if n < max(6, 0.4 * len(widths)) or best < MIN_WRAP:
        return None
    return max(w for w in widths if abs(w - best) <= 2)


def _full(line: str, wrap: int | None) -> bool:
    """The line runs to the wrap width (so it was wrapped, not ended); with no wrap
    width known, a long line (a heading, a signature or a date is short)."""
    return len(line) >= (wrap * 0.8 if wrap else LONG_LINE)


def prose(text: str, running: set | None = None, wrap: int | None = None, memo: Memo | None = None) -> str:
    """Paragraphs separated by a blank line."""
    return "\n\n".join(paragraphs(text, running, wrap, memo))
