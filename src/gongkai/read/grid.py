"""Rebuild ruled table grids from characters and ruling segments — shared by the
text-layer PDF reader (pypdfium2 characters and path objects) and OCR (recognised
characters and the rules found in the scan).

Every character is placed in the cell bounded by the nearest rules around it that
actually reach it (so merged cells are one cell); a table row is a band between two
horizontal rules; a cell taller than the band (a merged label) is emitted once, in
the first band it covers."""
from __future__ import annotations

from bisect import bisect_right

from .document import CellRef, DocLine

TOL = 3.0


class _Lines:
    """Ruling segments on one axis, grouped by their position: ``pos`` sorted, and for
    each position the (lo, hi) extents along the other axis, sorted, with the running
    maximum of hi — so "the nearest rule before/after p that reaches q" is a walk over
    positions (a handful) with a bisect at each, not a scan of every segment."""

    def __init__(self, segs, tol):
        self.tol = tol
        groups: dict[float, list] = {}
        for pos, lo, hi in sorted(segs):
            groups.setdefault(pos, []).append((lo, hi))
        self.pos = sorted(groups)
        self.spans = []
        for p in self.pos:
            iv = sorted(groups[p])
            los = [a for a, _b in iv]
            run, m = [], float("-inf")
            for _a, b in iv:
                m = max(m, b)
                run.append(m)
            self.spans.append((los, run))

    def _reaches(self, k, q) -> bool:
        los, run = self.spans[k]
        i = bisect_right(los, q + self.tol)       # intervals starting at or before q (+tol)
        return i > 0 and run[i - 1] >= q - self.tol

    def before(self, p, q):
        pos, spans, tol = self.pos, self.spans, self.tol
        for k in range(bisect_right(pos, p) - 1, -1, -1):
            los, run = spans[k]                   # self._reaches(k, q), inlined (once per character)
            i = bisect_right(los, q + tol)
            if i > 0 and run[i - 1] >= q - tol:
                return pos[k]
        return None

    def after(self, p, q):
        pos, spans, tol = self.pos, self.spans, self.tol
        for k in range(bisect_right(pos, p), len(pos)):
            if pos[k] > p:
                los, run = spans[k]               # self._reaches(k, q), inlined
                i = bisect_right(los, q + tol)
                if i > 0 and run[i - 1] >= q - tol:
                    return pos[k]
        return None


class Rules:
    def __init__(self, hs, vs, tol=TOL):
        self.tol = tol
        self.vs = sorted(vs, key=lambda v: v[0])          # (x, y0, x, y1)
        self.hs = sorted(hs, key=lambda h: h[1])          # (x0, y, x1, y)
        self._v = _Lines([(v[0], v[1], v[3]) for v in self.vs], tol)
        self._h = _Lines([(h[1], h[0], h[2]) for h in self.hs], tol)

    def cell(self, cx, cy):
        left = self._v.before(cx, cy)
        if left is None:
            return None
        right = self._v.after(cx, cy)
        if right is None:
            return None
        top = self._h.before(cy, cx)
        if top is None:
            return None
        bottom = self._h.after(cy, cx)
        if bottom is None or right - left < 1 or bottom - top < 1:
            return None
        return (round(left, 0), round(top, 0), round(right, 0), round(bottom, 0))


def _cell_text(chs) -> str:
    """Characters of one cell in reading order: lines by vertical position, then x."""
    chs = sorted(chs, key=lambda c: c[1])
    lines: list[list] = []
    for c in chs:
        h = max(2.0, (c[7] - c[6]) if len(c) > 7 else 8.0)
        if lines and abs(lines[-1][0][1] - c[1]) < 0.5 * h:
            lines[-1].append(c)
        else:
            lines.append([c])
    return "".join(line_text(ln, ascii_gaps_only=True) for ln in lines)


def line_text(ln, ascii_gaps_only: bool = False) -> str:
    """Characters of one line, left to right; a space where the gap is wide (inside table
    cells only next to ASCII, where it separates numbers)."""
    ln = sorted(ln, key=lambda c: c[0])
    parts = [ln[0][2]]
    for a, b in zip(ln, ln[1:]):
        wide = len(a) > 7 and b[4] - a[5] > 0.3 * max(1.0, b[7] - b[6])
        if wide and (not ascii_gaps_only or a[2].isascii() or b[2].isascii()):
            parts.append(" ")
        parts.append(b[2])
    return "".join(parts)


MIN_CELL = 4.0   # points: narrower gaps between rules are double borders, not cells


def _add_empty_cells(cells, rules, rows):
    """Ruled cells with nothing printed in them are cells too (a blank cell must stay a
    blank cell, not vanish and shift its neighbours).  For each row band, every gap
    between the vertical rules crossing the band's middle is probed for its cell."""
    t = rules.tol
    for top, bottom in rows:
        mid = (top + bottom) / 2
        xs = sorted({v[0] for v in rules.vs if v[1] - t <= mid <= v[3] + t})
        for a, b in zip(xs, xs[1:]):
            if b - a < MIN_CELL:
                continue
            key = rules.cell((a + b) / 2, mid)
            if key is not None and key[2] - key[0] >= MIN_CELL and key not in cells:
                cells[key] = []


def grid_rows(chars, hs, vs, page, scale=1.0, ocr=False, table_base=0):
    """chars: (cx, cy, ch, score[, x0, x1, top, bottom]).  Returns (DocLines, ids of used chars)."""
    if not hs or not vs:
        return [], set()
    rules = Rules(hs, vs, TOL * (1 if scale == 1.0 else scale))
    cells: dict[tuple, list] = {}
    for ch in chars:
        key = rules.cell(ch[0], ch[1])
        if key is not None:
            cells.setdefault(key, []).append(ch)
    if not cells:
        return [], set()
    used = {id(c) for chs in cells.values() for c in chs}
    bands = sorted({(k[1], k[3]) for k in cells})
    # a band is a row when no smaller band lies inside it (merged cells span several rows)
    rows = [b for b in bands if not any(o != b and o[0] >= b[0] - 1 and o[1] <= b[1] + 1 for o in bands)]
    if not ocr:
        _add_empty_cells(cells, rules, rows)
    emitted = set()
    out = []
    for top, bottom in rows:
        keys = [k for k in cells if k not in emitted and k[1] <= top + 1 and k[3] >= bottom - 1]
        if not keys:
            continue
        keys.sort(key=lambda k: k[0])
        if not any(cells[k] for k in keys):
            continue
        refs = []
        for k in keys:
            emitted.add(k)
            sc = min((c[3] for c in cells[k]), default=None)
            refs.append(CellRef(_cell_text(cells[k]), page, tuple(v / scale for v in k), None, None, None, ocr,
                                sc if ocr else None))
        out.append(DocLine(page=page, cells=refs, top=top / scale))
    for k in cells:                      # cells in no row band (should not happen): keep their text
        if k not in emitted and cells[k]:
            out.append(DocLine(text=_cell_text(cells[k]), page=page, top=k[1] / scale))
    return out, used
