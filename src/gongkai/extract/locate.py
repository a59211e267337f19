"""Locate section headings and the zone holding the tables, and find every label
inside that zone.  Pure functions over the document text; the result is a
``Layout`` that can be inspected (``gongkai debug``)."""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add
from dataclasses import dataclass, field

from ..formats import national
from .labels import Match, find_labels
from .structure import as_match, missing_rows
from .normalize import Compact, View


@dataclass
class Located:
    match: Match
    start: int           # original offsets of the label
    end: int
    value_start: int     # original offsets of the text after it (up to the next label)
    value_end: int
    idx: int = -1        # position in Layout.labels

    def __post_init__(self):
        self.spec = self.match.spec     # read very often: an attribute, not a property


@dataclass
class Layout:
    text: str
    line_starts: list
    sections: dict = field(default_factory=dict)      # id -> (heading start, heading end, body end) offsets
    section_matches: dict = field(default_factory=dict)
    zone: tuple = (0, 0)                              # original offsets of the tables zone
    labels: list = field(default_factory=list)        # Located, in order
    locator: object = None                            # offset -> Source (readers with cells/pages)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def value_text(self, loc: Located) -> str:
        return self.text[loc.value_start:loc.value_end]


def line_starts(text: str) -> list[int]:
    """Offset of the start of each line (after each newline)."""
    lengths = map(len, text.split("\n"))
    out = list(accumulate(map(add, lengths, repeat(1)), initial=0))
    out.pop()       # the end of the last line starts no line
    return out


def locate(text: str) -> Layout:
    nf = national()
    lay = Layout(text, line_starts(text))
    full = Compact(text)
    sec_specs = [s for s in nf.labels if s.kind == "section"]
    order = [s["id"] for s in nf.sections]
    smatches = find_labels(full.s, sec_specs, gap_before=full.gap_before)
    chosen: dict[str, Match] = {}
    last = -1
    for sid in order:
        for m in smatches:
            if m.spec.ident == sid and m.start > last:
                chosen[sid] = m
                last = m.start
                break
    pos = sorted((full.orig(m.start), full.orig(m.end - 1) + 1, sid) for sid, m in chosen.items())
    for k, (a, b, sid) in enumerate(pos):
        body_end = pos[k + 1][0] if k + 1 < len(pos) else len(text)
        lay.sections[sid] = (a, b, body_end)
        lay.section_matches[sid] = chosen[sid]

    # the tables zone: from 表二's first caption/header (or section 二) to section 五/六
    z_start = lay.sections["proactive"][0] if "proactive" in lay.sections else 0
    z_end = len(text)
    for sid in ("problems", "other"):
        if sid in lay.sections and lay.sections[sid][0] > z_start:
            z_end = lay.sections[sid][0]
            break
    zc = View(full, z_start, z_end)
    matches = find_labels(zc.s, nf.labels, gap_before=zc.gap_before)   # headings inside the zone are delimiters too
    located = [Located(m, zc.orig(m.start), zc.orig(m.end - 1) + 1, 0, 0) for m in matches]
    located.sort(key=lambda x: x.start)
    # 表二 rows before the first 表二 caption are prose (e.g. "行政处罚 501 项" in section 二's text)
    first_t2_header = next((x.start for x in located if x.spec.table == "t2" and x.spec.kind == "header"), None)
    if first_t2_header is not None:
        located = [x for x in located if not (x.spec.table == "t2" and x.spec.kind == "row"
                                               and x.start < first_t2_header)]
    # rows whose label is too damaged to match, found by their place between neighbours
    by_key = {sp.key: sp for sp in nf.labels}
    for spec, st, en, printed in missing_rows(text, located, by_key):
        located.append(Located(as_match(spec, printed), st, en, 0, 0))
    located.sort(key=lambda x: x.start)
    for i, x in enumerate(located):
        x.idx = i
        if x.match.gap:     # numbers printed inside a wrapped label
            x.value_start, x.value_end = zc.orig(x.match.gap[0]), zc.orig(x.match.gap[1] - 1) + 1
            continue
        x.value_start = x.end
        x.value_end = located[i + 1].start if i + 1 < len(located) else z_end
    lay.zone = (z_start, z_end)
    lay.labels = located
    lay.__dict__["_same_length"] = full.same     # the normalised text, for the prose (pipeline)
    return lay
