"""Find the format's labels (rows, groups, headers, section headings) in a compact
stream.  Exact matches of the core text and its variants first; a bounded
edit-distance search (anchored on half of the core) finds labels with a dropped or
changed character.  Overlaps are resolved longest-first."""
from __future__ import annotations

import re
from itertools import islice
from dataclasses import dataclass
from functools import lru_cache

from ..formats import LabelSpec
from .normalize import norm

_CN_NUM = "一二三四五六七八九十"


@dataclass
class Match:
    spec: LabelSpec
    start: int          # compact index (prefix included)
    end: int            # compact index after the label (suffix included)
    core_start: int
    text: str           # compact matched text
    exact: bool = True  # exact core/variant (False: edit-distance match)
    typo: bool = False  # matched a known typo variant or inexactly
    has_prefix: bool = False
    gap: tuple | None = None   # compact span of numbers printed inside the label (wrapped cell)


@lru_cache(maxsize=None)
def prefix_variants(prefix: str) -> tuple[str, ...]:
    """Printed forms of a numbering prefix, normalised (longest first)."""
    p = norm(prefix)
    if not p:
        return ()
    m = re.fullmatch(r"\(?([0-9一二三四五六七八九十]+)[\).、,]?", p)
    if not m:
        return (p,)
    n = m.group(1)
    forms = {f"({n})", f"{n}、", f"{n}.", f"{n},", f"{n})", f"{n}:"}
    if n.isdigit():
        forms.add(n)           # "1属于…" (dot lost in extraction)
    return tuple(sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=None)
def _prefix_forms(prefix: str) -> tuple[tuple[str, ...], frozenset]:
    """(prefix_variants, the last character of each): a prefix ends with one of these."""
    forms = prefix_variants(prefix)
    return forms, frozenset(pv[-1] for pv in forms)


_BY_SPEC: dict = {}    # id(spec) -> (spec, cores, prefixed): a frozen spec's hash is costly to recompute


def _normalised(spec: LabelSpec) -> tuple:
    hit = _BY_SPEC.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = _BY_SPEC[id(spec)] = (spec, tuple((norm(c), t) for c, t in spec.cores),
                                    tuple(norm(c) for c in spec.prefixed))
    return hit


def _cores(spec: LabelSpec) -> tuple[tuple[str, bool], ...]:
    return _normalised(spec)[1]


def _prefixed(spec: LabelSpec) -> tuple[str, ...]:
    return _normalised(spec)[2]


def _find_all(s: str, sub: str):
    i = s.find(sub)
    while i >= 0:
        yield i
        i = s.find(sub, i + 1)


def _prefix_at(s: str, pos: int, spec: LabelSpec, gap_before=None) -> int:
    """Length of the spec's numbering prefix printed just before pos (0 if none).

    A bare number ("3其他", its dot lost) glued to a digit before it is the tail of a
    value, not a numbering: "22033\n其他" is not "3其他"; nor is a bare number with
    whitespace between it and the label ("3\n\n其他": a value and a column header)
    (``gap_before(i)`` tells whether whitespace stood before compact index i)."""
    forms, ends = _prefix_forms(spec.prefix)
    if pos == 0 or s[pos - 1] not in ends:
        return 0
    for pv in forms:
        if pos >= len(pv) and s.startswith(pv, pos - len(pv)):
            b = pos - len(pv)
            if (gap_before is not None and pv.isdigit() and b > 0 and s[b - 1].isdigit()
                    and not gap_before(b)):
                continue
            if gap_before is not None and pv.isdigit() and gap_before(pos):
                continue    # "3\n\n其他": a value, then a column header — a lost dot leaves "3其他"
            return len(pv)
    return 0


def _absorb_suffix(s: str, end: int, spec: LabelSpec) -> int:
    """Extend end over a parenthesised note after the label (e.g. 部分公开's note)."""
    if end < len(s) and s[end] == "(":
        limit = max((len(norm(x)) for x in spec.suffixes), default=12) + 6
        close = s.find(")", end, end + limit)
        if close > 0 and not re.search(r"\d", s[end:close]):
            return close + 1
    return end


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance, or limit+1 once it is certain to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = i
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if cur[j] < best:
                best = cur[j]
        if best > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _free_ends_row(core: str, window: str) -> list[int]:
    """Last row of the edit-distance table of core against window, where the match may
    start anywhere in the window (row 0 all zeros)."""
    prev = [0] * (len(window) + 1)
    for i, ca in enumerate(core, 1):
        cur = [i]
        left = i
        # cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != window[j - 1]))
        for cb, diag, up in zip(window, prev, prev[1:]):
            d = diag + (ca != cb)
            if up + 1 < d:
                d = up + 1
            if left + 1 < d:
                d = left + 1
            cur.append(d)
            left = d
        prev = cur
    return prev


def _best_substring(core: str, window: str, limit: int):
    """Semi-global alignment: the substring of window closest to core.
    Returns (distance, start, end) or None when the distance exceeds limit."""
    row = _free_ends_row(core, window)
    d = min(row)
    if d > limit:
        return None
    end = max(j for j, x in enumerate(row) if x == d)
    # the start: the same alignment of the reversed strings, ending at the start
    back_row = _free_ends_row(core[::-1], window[:end][::-1])
    back = max((j for j, x in enumerate(back_row) if x == d), default=len(core))
    return d, end - back, end


def _absent(core: str, window: str) -> int:
    """Characters of core (counted by position) found nowhere in window: a lower bound of
    the edit distance between core and any substring of window (each is substituted or
    deleted)."""
    have = set(window)
    return sum(1 for ch in core if ch not in have)


MAX_FUZZY_HITS = 64    # anchor occurrences tried per label: a label is printed a few times at most
_MARKS = set("-/\\…")     # blank marks as normalised


def _fuzzy(s: str, spec: LabelSpec, gap_before=None) -> list[Match]:
    core = _cores(spec)[0][0]
    L = len(core)
    if L < 6:
        return []
    limit = 1 if L < 12 else 2
    half = L // 2
    anchors = {(core[:half], 0), (core[half:], half)}
    found: dict[int, int] = {}
    for a, off in anchors:
        for p in islice(_find_all(s, a), MAX_FUZZY_HITS):
            w0 = max(0, p - off - limit)
            w1 = min(len(s), p - off + L + limit)
            window = s[w0:w1]
            if _absent(core, window) > limit:
                continue            # more edits than allowed, whatever the alignment
            res = _best_substring(core, window, limit)
            # a digit or a blank mark ("-", "/") is never a changed character of a label:
            # it is a value (a wrapped label with its numbers printed inside it is found
            # by _gapped)
            if res and res[0] > 0 and not any(ch.isdigit() or (ch in _MARKS and ch not in core)
                                              for ch in s[w0 + res[1]:w0 + res[2]]):
                found.setdefault(w0 + res[1], w0 + res[2])
    out = []
    for st, en in found.items():
        pl = _prefix_at(s, st, spec, gap_before)
        if spec.require_prefix and not pl:
            continue
        en = _absorb_suffix(s, en, spec) if spec.suffixes else en
        out.append(Match(spec, st - pl, en, st, s[st - pl:en], exact=False, typo=True, has_prefix=bool(pl)))
    return out


_NUMERIC = set("0123456789.,+-%")


def _gapped(s: str, spec: LabelSpec, gap_before=None) -> list[Match]:
    """A row label whose wrapped lines are interrupted by the row's numbers (the values
    are printed at the cell's vertical centre): core[:k] + numbers + core[k:]."""
    core = _cores(spec)[0][0]
    L = len(core)
    if L < 4:
        return []
    out = []
    for k in range(L - 1, 0, -1):
        tail = core[k:]
        for q in _find_all(s, tail):
            # walk back over the numbers; up to two stray characters (a fragment of a
            # vertical group label such as "理" of 其他处理) may stand among them
            g, stray = q, 0
            while g > 0:
                ch = s[g - 1]
                if ch in _NUMERIC:
                    g -= 1
                elif stray < 2 and s[g - k:g] != core[:k]:
                    stray += 1
                    g -= 1
                else:
                    break
            if g == q or not any(ch.isdigit() for ch in s[g:q]):
                continue
            st = g - k
            if st < 0 or s[st:g] != core[:k]:
                continue
            pl = _prefix_at(s, st, spec, gap_before)
            if not pl and (spec.require_prefix or k < 3):
                continue
            out.append(Match(spec, st - pl, q + len(tail), st, s[st - pl:q + len(tail)], exact=False,
                             typo=False, has_prefix=bool(pl), gap=(g, q)))
        if out:
            return out
    return out


def find_labels(s: str, specs, fuzzy_kinds=("row", "section"), gap_before=None) -> list[Match]:
    """All non-overlapping label matches in compact string s, in order (``gap_before``:
    the Compact's method, so that a numbering is not read out of a value's digits)."""
    cands: list[Match] = []
    found_specs = set()
    find = s.find
    for spec in specs:
        _spec, cores, prefixed = _normalised(spec)
        need_prefix = spec.require_prefix or spec.kind == "section"
        for core, is_typo in cores:
            if not core:
                continue
            p = find(core)
            while p >= 0:
                pl = _prefix_at(s, p, spec, gap_before)
                if pl or not need_prefix:
                    end = p + len(core)
                    if spec.suffixes:
                        end = _absorb_suffix(s, end, spec)
                    cands.append(Match(spec, p - pl, end, p, s[p - pl:end], True, is_typo, bool(pl)))
                    found_specs.add(spec.key)
                p = find(core, p + 1)
        for pc in prefixed:
            p = find(pc)
            while p >= 0:
                # the prefixed short form (e.g. "(六)其他") only when not the start of a longer label
                cands.append(Match(spec, p, p + len(pc), p, pc, True, False, True))
                found_specs.add(spec.key)
                p = find(pc, p + 1)
    for spec in specs:
        if spec.kind in fuzzy_kinds and spec.key not in found_specs:
            fz = _fuzzy(s, spec, gap_before)
            if not fz and spec.kind == "row" and spec.table in ("t2", "t3"):   # wrapped labels
                fz = _gapped(s, spec, gap_before)
            cands.extend(fz)
    # longest first, exact before fuzzy; then keep non-overlapping
    cands.sort(key=lambda m: (-(m.end - m.start), not m.exact, m.start))
    taken: list[Match] = []
    occupied = bytearray(len(s) + 1)
    for m in cands:
        if any(occupied[m.start:m.end]):
            continue
        taken.append(m)
        occupied[m.start:m.end] = b"\x01" * (m.end - m.start)
    taken.sort(key=lambda m: m.start)
    return taken
