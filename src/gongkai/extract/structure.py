"""Structure-first row mapping.  The national tables' rows come in a fixed order, so a
printed label that matches no row but stands exactly where a missing row belongs —
after its predecessor's values and before its successor — is that row, however many
characters were dropped, added or changed (an OCR or typing error).  The row is then
read like any other and reported as ``label.typo``; the table's arithmetic decides
whether its values fit."""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..formats import national
from .labels import Match
from .normalize import norm

# a line that starts with a label: optional numbering, then text up to the first value
_LINE_LABEL = re.compile(r"[ \t\u3000]*(?P<prefix>[（(]?[0-9一二三四五六七八九十]{1,2}[)）.、．,，]?)?"
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


def _candidates(text: str, a: int, b: int, taken) -> list[tuple[int, int, str]]:
    """(start, end, printed label) of lines in text[a:b] that begin with a label-like
    text not inside a located label."""
    out = []
    pos = text.rfind("\n", 0, a) + 1
    if pos < a:                       # the rest of the line after a label is its values
        nl = text.find("\n", a, b)
        if nl < 0:
            return out
        pos = nl + 1
    while pos < b:
        nl = text.find("\n", pos, b)
        end = b if nl < 0 else nl
        m = _LINE_LABEL.match(text, pos, end)
        if m and not any(s <= m.start("label") < e for s, e in taken):
            st = m.start("prefix") if m.group("prefix") else m.start("label")
            out.append((st, m.end("label"), m.group(0).strip()))
        pos = end + 1
    return out


def missing_rows(text: str, located: list, zone_end: int, specs_by_key: dict) -> list:
    """New (spec, start, end, printed) for rows found by their place between found
    neighbours.  ``located`` is the sorted list of Located labels."""
    found = {}
    for x in located:
        if x.spec.kind == "row":
            found.setdefault(x.spec.key, x)
    taken = [(x.start, x.end) for x in located]
    starts = sorted(x.start for x in located)
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
                cands = _candidates(text, prev.end, nxt.start, taken)
                missing = [specs_by_key[k] for k in order[i:j] if k in specs_by_key]
                if cands and len(cands) == len(missing):
                    for spec, (st, en, printed) in zip(missing, cands):
                        if similarity(printed, spec) >= MIN_SIMILARITY or _same_prefix(printed, spec):
                            out.append((spec, st, en, printed))
                            found[spec.key] = _Placed(spec, st, en)
                            taken.append((st, en))
                i = j
    _ = starts, zone_end
    return out


def _same_prefix(printed: str, spec) -> bool:
    p = norm(spec.prefix)
    return bool(p) and norm(printed).startswith(p) and len(norm(printed)) > len(p) + 1


class _Placed:
    def __init__(self, spec, start, end):
        self.spec, self.start, self.end = spec, start, end


def as_match(spec, printed: str) -> Match:
    return Match(spec, 0, 0, 0, norm(printed), exact=False, typo=True, has_prefix=False)
