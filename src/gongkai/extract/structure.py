"""Structure-first row mapping.  The national tables' rows come in a fixed order, so a
printed label that matches no row but stands exactly where a missing row belongs —
after its predecessor's values and before its successor — is that row, however many
characters were dropped, added or changed (an OCR or typing error).  The row is then
read like any other and reported as ``label.typo``; the table's arithmetic decides
whether its values fit."""
from __future__ import annotations

from bisect import bisect_right, insort

import re
from difflib import SequenceMatcher

from ..formats import national
from ..limits import checkpoint
from .labels import Match
from .normalize import norm, norm_keep_space

# a line that starts with a label: optional numbering, then text up to the first value
# (in pdftotext -layout a vertical group label's characters stand one per line before
# a numbered row label: "三 4.保护第三方合法", "结   2.其他法律行政法")
_NUMBERING = r"[（(]?[0-9一二三四五六七八九十]{1,2}[)）.、．,，]"
_LINE_LABEL = re.compile(r"[ \t\u3000]*(?:(?:[^\d\s|][ \t\u3000]+){1,2}(?=" + _NUMBERING + r"[^\d\s]))?"
                         r"(?P<prefix>[（(]?[0-9一二三四五六七八九十]{1,2}[)）.、．,，]?)?"
                         r"(?P<label>[^\d\s|\t]{2,}(?:[ \u3000]?[^\d\s|\t]+)*)")
MIN_SIMILARITY = 0.34


def _row_order(table: str) -> list[list[str]]:
    """Row keys in printed order, one list per format."""
    nf = national()
    if table == "t3":
        return [[f"t3.row:{r.id}" for r in nf.t3_rows(f)] for f in ("2021", "2019")]
    return [[f"t2.row:{rid}" for rid, _f in nf.t2_rows(f)] for f in ("2021", "2019")]


def similarity(printed: str, spec) -> float:
    core = norm(spec.label)
    p = norm(printed)
    if not p or not core:
        return 0.0
    return SequenceMatcher(None, p, core, autojunk=False).ratio()


class Spans:
    """(start, end) spans taken by labels; ``covers(pos)`` in O(log n) — a document with
    thousands of labels (a table pasted many times) costs no quadratic scan."""

    def __init__(self, spans=()):
        self._spans = sorted(spans)
        self._index()

    def _index(self):
        self._starts = [a for a, _b in self._spans]
        self._reach, m = [], float("-inf")
        for _a, b in self._spans:
            m = max(m, b)
            self._reach.append(m)

    def add(self, a: int, b: int):
        insort(self._spans, (a, b))
        self._index()

    def covers(self, pos: int) -> bool:
        i = bisect_right(self._starts, pos)
        # the spans starting at or before pos: does any reach past it?  (prefix maxima)
        return i > 0 and self._reach[i - 1] > pos


def _candidates(text: str, a: int, b: int, taken: Spans) -> list[tuple[int, int, str]]:
    """(start, end, printed label) of lines in text[a:b] that begin with a label-like
    text not inside a located label."""
    if not isinstance(taken, Spans):
        taken = Spans(taken)
    out = []
    lo = text.rfind("\n", 0, a) + 1
    # only this span, normalised (same length: full-width digits and letters as ASCII)
    seg = norm_keep_space(text[lo:b])
    end_ = b - lo
    pos = 0
    if lo < a:                        # the rest of the line after a label is its values
        nl = seg.find("\n", a - lo, end_)
        if nl < 0:
            return out
        pos = nl + 1
    n_lines = 0
    while pos < end_:
        n_lines += 1
        if not n_lines & 0x3FF:
            checkpoint()              # the document's time budget (a gap of many lines)
        nl = seg.find("\n", pos, end_)
        end = end_ if nl < 0 else nl
        m = _LINE_LABEL.match(seg, pos, end)
        # a fragment running into the next found label is that label's damaged start
        # ("(二)来" of "(二)来部分公开…"), not a row of its own
        if m and m.end("label") == end_:
            m = None
        if m and not taken.covers(m.start("label") + lo):
            st = m.start("prefix") if m.group("prefix") else m.start("label")
            out.append((st + lo, m.end("label") + lo, seg[st:m.end("label")].strip()))
            # a group label and its first row on one line ("三、本年度办理结果\t（一）予以公开"):
            # the numbered label after it is a candidate too
            m2 = _LINE_LABEL.match(seg, m.end(), end)
            if (m2 and m2.group("prefix") and m2.end("label") < end_
                    and not taken.covers(m2.start("label") + lo)):
                out.append((m2.start("prefix") + lo, m2.end("label") + lo, m2.group(0).strip()))
        pos = end + 1
    return out


def missing_rows(text: str, located: list, specs_by_key: dict) -> list:
    """New (spec, start, end, printed) for rows found by their place between found
    neighbours.  ``located`` is the sorted list of Located labels."""
    found = {}
    for x in located:
        if x.spec.kind == "row":
            found.setdefault(x.spec.key, x)
    taken = Spans((x.start, x.end) for x in located)
    out = []
    for table in ("t3", "t2"):
        for order in _row_order(table):
            if not any(k in found for k in order):
                continue
            i = 0
            while i < len(order):
                if order[i] in found:
                    i += 1
                    continue
                j = i
                while j < len(order) and order[j] not in found:
                    j += 1
                # order[i:j] missing; neighbours order[i-1] and order[j]
                prev = found[order[i - 1]] if i > 0 else None
                nxt = found[order[j]] if j < len(order) else None
                if prev is None and nxt is not None:     # the first rows: after the table's header
                    prev = max((x for x in located if x.spec.table == table and x.spec.kind == "header"
                                and x.start < nxt.start), key=lambda x: x.start, default=None)
                if nxt is None and prev is not None:     # the last rows: before what follows the table
                    nxt = min((x for x in located if x.start > prev.start and x.spec.table != table),
                              key=lambda x: x.start, default=None)
                if prev is None or nxt is None:
                    i = j
                    continue
                if not prev.start < nxt.start:
                    i = j
                    continue
                missing = [specs_by_key[k] for k in order[i:j] if k in specs_by_key and _placeable(k, found)]
                cands = _candidates(text, prev.end, nxt.start, taken) if missing else []
                for spec, st, en, printed in align(missing, cands):
                    out.append((spec, st, en, printed))
                    found[spec.key] = _Placed(spec, st, en)
                    taken.add(st, en)
                i = j
    return out


def _placeable(key: str, found: dict) -> bool:
    """The rows that tell the formats apart (2021's sub-rows of 其他处理, 2019's single
    row) are only placed when the format is already evident from a found row."""
    subs = [k for k in found if k.startswith("t3.row:other.")]
    if key.startswith("t3.row:other."):
        return bool(subs)
    if key == "t3.row:other":
        return not subs
    return True


def _score(printed: str, spec) -> float:
    sim = similarity(printed, spec)
    if sim >= MIN_SIMILARITY or (_same_prefix(printed, spec) and sim >= 0.2):
        return sim + (0.2 if _same_prefix(printed, spec) else 0.0)
    return 0.0


def align(missing: list, cands: list) -> list:
    """Monotone alignment of the missing rows (in format order) with the candidate lines
    (in printed order), maximising the summed similarity; pairs below the threshold are
    never made (dynamic programming, both sequences may skip)."""
    k, c = len(missing), len(cands)
    if not k or not c:
        return []
    sc = [[_score(cands[j][2], missing[i]) for j in range(c)] for i in range(k)]
    best = [[0.0] * (c + 1) for _ in range(k + 1)]
    for i in range(k - 1, -1, -1):
        for j in range(c - 1, -1, -1):
            take = sc[i][j] + best[i + 1][j + 1] if sc[i][j] > 0 else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out, i, j = [], 0, 0
    while i < k and j < c:
        if sc[i][j] > 0 and best[i][j] == sc[i][j] + best[i + 1][j + 1]:
            out.append((missing[i], cands[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return [(spec, *cand) for spec, cand in out]


def _same_prefix(printed: str, spec) -> bool:
    p = norm(spec.prefix)
    return bool(p) and norm(printed).startswith(p) and len(norm(printed)) > len(p) + 1


class _Placed:
    def __init__(self, spec, start, end):
        self.spec, self.start, self.end = spec, start, end


def as_match(spec, printed: str) -> Match:
    return Match(spec, 0, 0, 0, norm(printed), exact=False, typo=True, has_prefix=False)
