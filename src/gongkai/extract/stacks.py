"""Numbers wrapped inside a narrow cell, in text laid out by position (``pdftotext
-layout``, OCR text with spaces): a cell too narrow for 10955 prints ``1095`` on one
line and ``5`` on the next, both at the cell's horizontal centre, and the pieces may
stand above the row's label line, on it, or below it::

                                              1095 1861 3924
    一、本年新收政府信息公开申请数量   0   0   0   9672
                                                5    6    3

Read line by line the row is ``0 0 0 9672 5 6 3`` (seven numbers, a wrong row) and
``1095 1861 3924`` is left over.  A row has one value per column, so two numbers of
the same row standing at the same horizontal position on different lines are pieces of
one number.  ``restack`` gathers such pieces (from the numeric lines just above a
row's label line, which belong to the text after the previous label, and from the
row's own lines), orders the row's numbers by position and puts the pieces of a stack
next to each other, top first; the row readings then offer the joined numbers
(``candidates._join``), and the table's arithmetic decides (a join is kept only where
the sums hold).  Rows without stacked numbers are left as they are."""
from __future__ import annotations

import unicodedata

from .candidates import row_candidates
from .values import Token, tokenize

ALIGN = 1.5          # centres this close (in characters) are the same column
MAX_ABOVE = 2        # numeric lines above a label line that may hold its top pieces


def _centre(lay, t: Token) -> tuple[int, float]:
    ln = lay.line_of(t.line)
    x = t.line - lay.line_starts[ln - 1]
    return ln, x + len(t.raw) / 2


def _numeric_line(text: str) -> bool:
    """A line of numbers only (no label text): digits, blank marks and spaces."""
    s = text.strip()
    return bool(s) and any(c.isdigit() for c in s) and \
        all(c.isdigit() or c in " \t-—/.,，" for c in s)


def _wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def _stacked(lay, toks: list[Token]) -> bool:
    """Two numbers of one row at the same position on different lines."""
    pos = [_centre(lay, t) for t in toks if t.kind == "num"]
    return any(la != lb and abs(ca - cb) <= ALIGN
               for i, (la, ca) in enumerate(pos) for (lb, cb) in pos[i + 1:])


def _line_tokens(lay, ln: int) -> list[Token]:
    a = lay.line_starts[ln - 1]
    b = lay.line_starts[ln] - 1 if ln < len(lay.line_starts) else len(lay.text)
    return [t for t in tokenize(lay.text[a:b], a)[0] if t.kind == "num"]


def restack(lay, rts: list, n_cols: int) -> None:
    """rts: the table's RowText (or None) in row order, stream mode only; mutated."""
    rows = [rt for rt in rts if rt is not None and not rt.explicit]
    if not rows:
        return
    by_offset = {}
    locked: set = set()          # lines holding pieces of a stack of an earlier row
    for rt in rows:
        for t in rt.tokens:
            if t.line is not None:
                by_offset[t.line] = rt
    for rt in rows:
        label_ln = lay.line_of(rt.loc.start)
        own = [t for t in rt.tokens if t.kind == "num"]
        if not own:
            continue
        # top pieces: numeric lines just above the label line, each number standing over
        # a number of this row, and not already a piece of a stack of the row above
        above: list[Token] = []
        orig = list(rt.tokens)
        below_label = None      # the centres of the row's numbers, once a line above may hold pieces
        for ln in range(label_ln - 1, max(0, label_ln - 1 - MAX_ABOVE), -1):
            if ln in locked:
                break
            a = lay.line_starts[ln - 1]
            b = lay.line_starts[ln] - 1 if ln < len(lay.line_starts) else len(lay.text)
            line = lay.text[a:b]
            if not _numeric_line(line) or _wide(line):
                break
            if below_label is None:
                below_label = [_centre(lay, t)[1] for t in own]
            toks = _line_tokens(lay, ln)
            if not toks or not all(any(abs(_centre(lay, t)[1] - c) <= ALIGN for c in below_label) for t in toks):
                break
            above = toks + above
        if above:
            rt.tokens = above + [t for t in rt.tokens if t.line not in {x.line for x in above}]
        below: list[Token] = []
        if rt.loc.match.gap:
            # the label wrapped around its numbers (values read from inside it): pieces
            # may stand after the label's last characters, on its last line
            nl = lay.text.find("\n", rt.loc.end)
            rest = lay.text[rt.loc.end:nl if nl >= 0 else len(lay.text)]
            if _numeric_line(rest):
                mine = [_centre(lay, t)[1] for t in rt.tokens if t.kind == "num"]
                cand = [t for t in tokenize(rest, rt.loc.end)[0] if t.kind == "num"]
                if cand and all(any(abs(_centre(lay, t)[1] - c) <= ALIGN for c in mine) for t in cand):
                    below = cand
                    rt.tokens = rt.tokens + below
        toks = rt.tokens
        if (len([t for t in toks if t.kind == "num"]) <= n_cols and not above and not below) or \
                not _stacked(lay, toks) or any(t.kind == "text" for t in toks):
            rt.tokens = orig
            continue
        # order by column: stacks of pieces side by side, each stack top first
        keyed = []
        for t in toks:
            ln, c = _centre(lay, t) if t.line is not None else (0, 0.0)
            keyed.append((c, ln, t))
        keyed.sort(key=lambda k: k[0])
        groups: list[list] = []
        for c, ln, t in keyed:
            if groups and abs(groups[-1][0][0] - c) <= ALIGN:
                groups[-1].append((c, ln, t))
            else:
                groups.append([(c, ln, t)])
        new = [t for g in groups for _c, _ln, t in sorted(g, key=lambda k: k[1])]
        # kept only if joining the stacked pieces gives a row whose 总计 is its sum
        if not any(c.how == "join" for c in row_candidates(new, n_cols, row_sum=True)):
            rt.tokens = orig
            continue
        rt.tokens = new
        for t in above:                           # the previous row held them: no longer
            prev = by_offset.get(t.line)
            if prev is not None and prev is not rt:
                prev.tokens = [x for x in prev.tokens if x.line != t.line]
        for g in groups:
            if len({ln for _c, ln, _t in g}) > 1:
                locked.update(ln for _c, ln, _t in g)
