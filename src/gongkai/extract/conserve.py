"""Conservation of numbers: every number printed inside a table is either a cell's
value or explained (row numbering, a header year).  When numbers are left over, the
table's reading is incomplete, so no cell of it may be *blank* or *inferred* by
absence — those cells become ``uncertain`` with the leftover numbers as candidates.

A blank is kept only when the source positively shows it (an empty table cell, an
empty tab field, a blank mark); a row that printed nothing is blank only while every
number of its table is accounted for."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from .values import MAX_NUMBER_DIGITS, _plain_safe, is_table_like, tokenize

# a number that is a year of a header ("2024年") or the numbering of a label ("3." "（2）")
_YEAR_AFTER = re.compile(r"\s*年")
_NUMBERING_AFTER = re.compile(r"\s*[.．、)）]\s*[^\d\s]")
_DIGIT = re.compile(r"[0-9０-９]")
_PLAIN_LINE = re.compile(r"[0-9 \r]*")
LEFTOVER_REASON = "表内有数字未归入任何单元格（{nums}），此格的读数不能由原文确定"


def _explained(text: str, start: int, end: int, value) -> bool:
    after = text[end:end + 3]
    if isinstance(value, int) and 1900 <= value <= 2100 and _YEAR_AFTER.match(after):
        return True
    if isinstance(value, int) and value <= 20 and _NUMBERING_AFTER.match(text[end:end + 4]):
        return True
    before = text[max(0, start - 1):start]
    if before and (before.isalpha() or "\u4e00" <= before <= "\u9fff") and start > 0:
        return True     # part of a word such as 数据1 (a header cell), not a value
    if before in ("(", "（") and text[end:end + 1] in (")", "）"):
        return True
    return False


def printed_numbers(lay, locs) -> Counter:
    """(line, value) of every number printed in the value text of these labels, on
    lines that look like table rows (prose lines are the narrative's)."""
    keys: list = []
    add = keys.append
    starts = lay.line_starts
    seen = set()
    for loc in locs:
        if loc.value_start in seen:
            continue
        seen.add(loc.value_start)
        # up to the next label: a wrapped label's values (its gap) and what follows it
        nxt = lay.labels[loc.idx + 1].start if 0 <= loc.idx < len(lay.labels) - 1 else lay.zone[1]
        off = loc.value_start
        text = lay.text[off:max(off, nxt)]
        if not _DIGIT.search(text):
            continue
        for line in text.split("\n"):
            if not _DIGIT.search(line):
                off += len(line) + 1
                continue
            flat = line.replace("|", " ").replace("\t", " ")
            runs = flat.split() if _PLAIN_LINE.fullmatch(flat) and _plain_safe() else None
            if runs and max(map(len, runs)) <= MAX_NUMBER_DIGITS:
                # plain counts only (the common row): every run is a printed number, none
                # explained (no year, numbering or word beside it) — as the tokens would say;
                # an ASCII digit run's value without leading zeros is str(int(run))
                ln = bisect_right(starts, off)      # lay.line_of(off)
                keys.extend([(ln, r.lstrip("0") or "0") for r in runs])
                off += len(line) + 1
                continue
            toks, _explicit = tokenize(flat, off)
            if any(t.kind == "num" for t in toks) and is_table_like(toks):
                ln = lay.line_of(off)       # the tokens of one line are all on it
                for t in toks:
                    if t.kind != "num" or t.line is None:
                        continue
                    rel = t.line - off
                    if _explained(line, rel, rel + len(t.raw), t.value):
                        continue
                    add((ln, _key(t.value)))
            off += len(line) + 1
    return Counter(keys)


def _key(v):
    # a count read from "-22" (a blank mark run into 22, values.unsigned_counts) is the
    # printed number 22: signs do not tell printed numbers apart
    return str(-v) if isinstance(v, int) and v < 0 else str(v)


def used_entry(line: int, value) -> tuple:
    """How a number read into a cell is recorded for :func:`leftover`: (line, key)."""
    return line, _key(value)


def used_entries(line_starts: list, toks) -> list:
    """:func:`used_entry` of each of these number tokens (``line_starts``: the layout's)."""
    return [(bisect_right(line_starts, t.line), _key(t.value)) for t in toks]


def leftover(printed: Counter, used: list) -> list:
    """Values printed but not used by any cell (multiset difference, per line);
    ``used``: the :func:`used_entry` of each number read into a cell."""
    rest = dict(printed)        # a plain copy (Counter(printed) copies item by item in Python)
    get = rest.get
    for k in used:
        if get(k):
            rest[k] -= 1
    vals = []
    for (line, v), n in sorted([kn for kn in rest.items() if kn[1]]):
        vals.extend([v] * n)
    return vals


def apply(cells: dict, table: str, nums: list, positive_blank: set, by_absence: set,
          suspect: set = frozenset()) -> list:
    """Make the table's blank-by-absence and inferred-by-absence cells uncertain, and the
    suspect ones (read away from their label, or in a sum that does not hold).
    Returns the field IDs changed."""
    changed = []
    shown = nums[:12]
    why = LEFTOVER_REASON.format(nums="、".join(shown) + ("…" if len(nums) > 12 else ""))
    for fid, c in cells.items():
        if not fid.startswith(table + "."):
            continue
        if (c.status == "blank" and (fid not in positive_blank or fid in suspect)) \
                or (c.status in ("value", "inferred") and (fid in by_absence or fid in suspect)) \
                or (c.status == "text" and (table in ("t3", "t4") or fid in by_absence or fid in suspect)):
            alts = [None] + [_num(v) for v in shown]
            if c.value is not None and _num(str(c.value)) not in alts:
                alts.insert(0, _num(str(c.value)))
            c.doubt(why, alts)
            changed.append(fid)
    return changed


def _num(s: str):
    try:
        return int(s)
    except ValueError:
        return s


def broken_constraints(cells: dict, sums) -> set:
    """Field IDs of the cells in sums that do not hold (blank cells as 0; sums touching
    an uncertain cell without a value are skipped).  ``sums``: (field IDs, how many of
    them are on the left-hand side) of each sum."""
    bad = set()
    get = cells.get
    for fids, n in sums:
        vals = []
        for f in fids:
            x = get(f)
            if x is None or (x.value is None and x.status == "uncertain"):
                break
            vals.append(x.value or 0)
        else:
            if sum(vals[:n]) != sum(vals[n:]):
                bad.update(fids)
    return bad
