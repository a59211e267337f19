"""Character normalisation for matching.  The raw text is never changed: matching
works on a *compact* copy (normalised, whitespace and ignorable marks removed) with a
map from each compact index back to the original offset."""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from operator import sub

from ..formats import chars

_SKIP = object()


@lru_cache(maxsize=1)
def _table() -> dict:
    c = chars()
    t: dict[int, object] = {}
    for cp in range(0xFF01, 0xFF5F):          # full-width ASCII → ASCII
        t[cp] = chr(cp - 0xFEE0)
    t[0x3000] = " "
    for a, b in c["traditional"].items():
        t[ord(a)] = b
    for ch in c["ignorable"]:
        t[ord(ch)] = _SKIP
    t.update({ord("—"): "-", ord("–"): "-", ord("−"): "-", ord("﹣"): "-",
              ord("。"): "。", ord("；"): ";", ord("〔"): "[", ord("〕"): "]",
              ord("【"): "[", ord("】"): "]", ord("﹝"): "[", ord("﹞"): "]"})
    return t


@lru_cache(maxsize=1)
def _translate_table() -> dict:
    return {k: ("" if v is _SKIP else v) for k, v in _table().items()}


def _indexed(table: dict) -> tuple:
    """The same ``str.translate`` table as a tuple indexed by code point (identity where
    the dict has no entry; code points past the tuple are left alone, as with the dict):
    the same result, looked up about twice as fast as a dict (a tuple of ints, so the
    garbage collector does not walk it)."""
    out: list = list(range(max(0x10000, max(table, default=0) + 1)))
    for k, v in table.items():
        out[k] = None if v == "" else (ord(v) if len(v) == 1 else v)
    return tuple(out)


@lru_cache(maxsize=1)
def _norm_list() -> tuple:
    return _indexed(_translate_table())


def _changes(table: dict) -> tuple:
    """(a regex that splits a text around the characters ``table`` changes, keeping them;
    character → its replacement): ``translate`` below."""
    changed = {chr(k): v for k, v in table.items() if v != chr(k)}
    cls = "".join(re.escape(ch) for ch in sorted(changed))
    return re.compile(f"([{cls}])"), changed


@lru_cache(maxsize=None)
def _changes_of(name: str) -> tuple:
    return _changes({"norm": _translate_table, "keep_space": _keep_space_table,
                     "same_length": _same_length_table}[name]())


SHORT = 48      # below this length (or for ASCII text) str.translate is the faster


def translate(s: str, name: str, indexed: tuple) -> str:
    """``s.translate(indexed)`` (``indexed``: the table ``name`` as :func:`_indexed`
    gives).  For long non-ASCII text (a document, a paragraph) the same result is
    built from the few characters the table changes: CPython's ``translate`` looks up
    every character of such a text one by one (~100 ns each), a regex split scans them
    in C."""
    if len(s) < SHORT or s.isascii():
        return s.translate(indexed)
    pat, changed = _changes_of(name)
    parts = pat.split(s)
    if len(parts) > 1:
        parts[1::2] = [changed[ch] for ch in parts[1::2]]
    return "".join(parts)


def norm(s: str) -> str:
    """Normalise a string and drop whitespace/ignorable characters (for labels)."""
    return "".join(translate(s, "norm", _norm_list()).split())


@lru_cache(maxsize=1)
def _keep_space_table() -> dict:
    # same length as the input, so token offsets are original offsets: ignorable
    # marks (quotes, Markdown emphasis) become spaces instead of disappearing
    tt = {k: (" " if v == "" else v) for k, v in _translate_table().items()}
    for ch in "|\t":
        tt.pop(ord(ch), None)
    return tt


@lru_cache(maxsize=1)
def _keep_space_list() -> tuple:
    return _indexed(_keep_space_table())


def norm_keep_space(s: str) -> str:
    """Normalise characters but keep whitespace and cell separators (for tokenising values)."""
    return translate(s, "keep_space", _keep_space_list())


_GAP_SPLIT = re.compile(r"([\s\x00]+)")
_LINE_GAP = re.compile(r"[^\S\n]+")      # whitespace within a line (as str.split sees it)


@lru_cache(maxsize=1)
def _same_length_table() -> dict:
    """1:1 character substitutions; ignorable characters become NUL (dropped later)."""
    return {k: ("\x00" if v is _SKIP else v) for k, v in _table().items()}


@lru_cache(maxsize=1)
def _same_length_list() -> tuple:
    return _indexed(_same_length_table())


class Compact:
    """A normalised copy of ``text[start:end]`` without whitespace/ignorable characters.

    ``s`` is the compact string; ``orig(i)`` maps a compact index back to the offset in
    the original text (``orig(len(s))`` is the end offset).  Built with C-speed
    ``str.translate`` and one regex pass over the gaps, so it costs little per document."""

    __slots__ = ("s", "same", "_cstarts", "_shift", "_start", "_end")

    def __init__(self, text: str, start: int = 0, end: int | None = None):
        end = len(text) if end is None else end
        t = translate(text[start:end], "same_length", _same_length_list())
        parts = _GAP_SPLIT.split(t)       # the kept runs and, between them, the gaps
        offsets = list(accumulate(map(len, parts), initial=start))     # original offset of each part
        runs, run_at = parts[0::2], offsets[0:-1:2]
        if runs[-1] == "":          # only the first and last run can be empty
            runs.pop(), run_at.pop()
        if runs and runs[0] == "":
            runs, run_at = runs[1:], run_at[1:]
        cstarts = list(accumulate(map(len, runs), initial=0))   # compact index where each run starts
        cstarts.pop()
        self.s = "".join(runs)
        self.same = t       # text[start:end] normalised character for character (ignorable: NUL)
        self._cstarts = cstarts
        self._shift = list(map(sub, run_at, cstarts))    # original offset - compact index
        self._start = start
        self._end = end

    def orig(self, i: int) -> int:
        """Original offset of compact index i (i == len(s): just after the last char)."""
        if i >= len(self.s):
            if not self.s:
                return self._end
            return self.orig(len(self.s) - 1) + 1
        k = bisect_right(self._cstarts, i) - 1
        return i + self._shift[k]

    def gap_before(self, i: int) -> bool:
        """Whether whitespace (or an ignorable mark) stood between compact chars i-1 and i."""
        k = bisect_right(self._cstarts, i) - 1
        return k >= 0 and self._cstarts[k] == i


class View:
    """The part of a Compact between two original offsets (same interface)."""

    __slots__ = ("s", "_base", "_c0")

    def __init__(self, base: Compact, start: int, end: int):
        # first compact index whose original offset is >= start / >= end
        lo = _first_at_or_after(base, start)
        hi = _first_at_or_after(base, end)
        self._base = base
        self._c0 = lo
        self.s = base.s[lo:hi]

    def orig(self, i: int) -> int:
        return self._base.orig(self._c0 + i)

    def gap_before(self, i: int) -> bool:
        return self._base.gap_before(self._c0 + i)


def _first_at_or_after(c: Compact, offset: int) -> int:
    lo, hi = 0, len(c.s)
    while lo < hi:
        mid = (lo + hi) // 2
        if c.orig(mid) < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


@lru_cache(maxsize=1)
def _lines_align() -> bool:
    """Whether the same-length normalisation keeps the line structure (no character
    becomes a newline, the newline stays) and differs from :func:`norm`'s only in
    turning ignorable characters into NUL instead of dropping them."""
    same, drop = _same_length_table(), _translate_table()
    if ord("\n") in same or any("\n" in v for v in same.values()):
        return False
    return all(same[k] == ("\x00" if v == "" else v) for k, v in drop.items()) and set(same) == set(drop) \
        and not any("\x00" in v for k, v in drop.items())


def norm_lines(text: str, same: str) -> list[str] | None:
    """``[norm(line) for line in text.split("\n")]`` from ``same`` (``text`` normalised
    character for character, as ``Compact.same``) without translating again; None when
    that is not exact (NUL in the text, or tables that do not allow it)."""
    if len(same) != len(text) or "\x00" in text or not _lines_align():
        return None
    return _LINE_GAP.sub("", same.replace("\x00", "")).split("\n")
