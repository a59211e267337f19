"""The common document model every reader produces: an ordered list of lines; a
table row is a line whose cells are known (with page/box or table/row/col).  The
extract stage works on the serialised text (cells joined by tabs) and maps every
offset back to its source with ``source_at``."""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ..model import Source

_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_WRAP = re.compile(rf"(?<=[{_CJK}])\s*\n\s*(?=[{_CJK}])")


def cell_text(s: str | None) -> str:
    """One cell's text on one line: a line wrap between CJK characters is dropped,
    other wraps become a space; tabs never survive inside a cell."""
    if not s:
        return ""
    s = _WRAP.sub("", s)
    return re.sub(r"[\t\r\n]+", " ", s).strip()


@dataclass
class CellRef:
    text: str
    page: int | None = None
    bbox: tuple | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    ocr: bool = False
    score: float | None = None      # OCR confidence


@dataclass
class DocLine:
    text: str = ""
    page: int | None = None
    cells: list | None = None      # list[CellRef] for table rows
    top: float = 0.0               # vertical position on the page (ordering)
    sep: str = "\t"                # "\t": cells are table cells; " ": OCR boxes (not cell boundaries)

    def serialise(self) -> str:
        if self.cells is None:
            return self.text
        return self.sep.join(c.text for c in self.cells)


@dataclass
class Document:
    lines: list = field(default_factory=list)
    kind: str = "text"             # text | pdf | docx | html | ocr
    notes: list = field(default_factory=list)   # reader notes (zh), e.g. pages without text
    encoding: dict | None = None   # text/HTML: how the bytes were decoded (read.encoding.Decoded.info)
    hints: dict = field(default_factory=dict)   # metadata hints: {"title": page <title>, "headings": [h1–h3]}
    _text: str | None = None
    _starts: list | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            parts = [ln.serialise() for ln in self.lines]
            self._text = "\n".join(parts)
            starts, pos = [], 0
            for p in parts:
                starts.append(pos)
                pos += len(p) + 1
            self._starts = starts
        return self._text

    def source_at(self, offset: int, file: str | None) -> Source:
        self.text  # noqa: B018  (builds the offsets)
        i = max(0, bisect_right(self._starts, offset) - 1)
        ln = self.lines[i]
        src = Source(file=file, line=i + 1, page=ln.page)
        if ln.cells:
            k = self._text.count(ln.sep, self._starts[i], max(self._starts[i], offset))
            if k < len(ln.cells):
                c = ln.cells[k]
                src.bbox = tuple(round(x, 1) for x in c.bbox) if c.bbox else None
                src.page = c.page if c.page is not None else src.page
                src.row, src.col = c.row, c.col
                if c.table is not None:
                    src.table = c.table
                if c.ocr:
                    src.ocr = True
        return src
