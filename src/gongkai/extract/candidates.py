"""Candidate readings of one printed row: which printed token fills which column.

A row of n columns printed as m tokens:
* m == n: one reading;
* m > n: surplus blanks are padding (cells mode) — or stray tokens; every way of
  dropping them that keeps the order is a reading (deduplicated by values);
* m < n: separators were lost (a digit run such as ``713000074`` holds several
  cells) or cells are missing; every split of digit runs and every placement of
  missing cells (``var``) is a reading.
The solver (``solve.py``) picks among readings with the table's arithmetic."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from ..limits import checkpoint
from .values import Token

MAX_CANDIDATES = 4000
MAX_NODES = 200_000       # work cap of one row's enumeration; beyond it the row is unreadable
MAX_STRAY = 4             # stray numbers one row may drop; beyond, the row is unreadable
MAX_DIGITS = 40           # a digit run longer than this is no row of fused cells (7 cells × 5 digits is 35)
CHECK_EVERY = 0xFFF       # enumerations check the document's deadline every 4,096 nodes


@dataclass(slots=True)
class Slot:
    kind: str                 # "num" | "blank" | "text" | "var" | "split"
    value: object = None
    raw: str = ""
    tok: int | None = None    # index of the source token
    extra: tuple = ()         # further source tokens joined into this value (a wrapped number)

    def key(self):
        return (self.kind if self.kind != "split" else "num", self.value if self.kind != "blank" else None)


@dataclass(slots=True)
class Candidate:
    slots: list[Slot]
    penalty: int = 0
    how: str = "direct"       # direct | split | missing | align | drop

    def values(self) -> tuple:
        return tuple([(s.kind if s.kind != "split" else "num", s.value if s.kind != "blank" else None)
                      for s in self.slots])      # Slot.key() of each slot, inlined


def _slot(t: Token, i: int) -> Slot:
    return Slot(t.kind, t.value, t.raw, i)


def _splits(digits: str, parts: int):
    """All ways to cut a digit run into `parts` numbers without leading zeros."""
    L = len(digits)
    if parts == 1:
        if L == 1 or digits[0] != "0":
            yield [digits]
        return
    for cut in range(1, L - parts + 2):
        head = digits[:cut]
        if len(head) > 1 and head[0] == "0":
            break
        for rest in _splits(digits[cut:], parts - 1):
            yield [head] + rest


def _fill(tokens: list[Token], n: int, max_missing: int | None = None) -> list[Candidate]:
    """m < n: split digit runs and/or place missing cells (at most max_missing)."""
    m = len(tokens)
    out: list[Candidate] = []
    # number of parts per token
    maxparts = [min(len(t.digits), n) if (t.kind == "num" and t.digits and len(t.digits) > 1) else 1
                for t in tokens]

    nodes = 0

    def rec(i, acc, used):
        nonlocal nodes
        nodes += 1
        if len(out) >= MAX_CANDIDATES or nodes > MAX_NODES:
            return
        if not nodes & CHECK_EVERY:
            checkpoint()          # the document's time budget (rows × the node cap is a lot)
        if i == m:
            missing = n - used
            if missing < 0 or (max_missing is not None and missing > max_missing):
                return
            split_used = any(len(p) > 1 for p in acc)
            base = [(tokens[k], k, p) for k, p in enumerate(acc)]
            seq: list[Slot] = []
            for tk, k, p in base:
                if len(p) == 1 and p[0] is None:
                    seq.append(_slot(tk, k))
                else:
                    for piece in p:
                        seq.append(Slot("split", int(piece), piece, k))
            if missing == 0:
                out.append(Candidate(seq, 0, "split" if split_used else "direct"))
                return
            for pos in combinations(range(n), missing):
                slots = []
                it = iter(seq)
                for j in range(n):
                    slots.append(Slot("var") if j in pos else next(it))
                out.append(Candidate(slots, 5 * missing, "missing"))
                if len(out) >= MAX_CANDIDATES:
                    return
            return
        t = tokens[i]
        rest_min = m - i - 1
        if maxparts[i] == 1:
            rec(i + 1, acc + [[None]], used + 1)
            return
        lead0 = t.digits[0] == "0"   # "000" is not one printed number: it must be split
        for parts in range(min(maxparts[i], n - used - rest_min), 0, -1):   # fewest missing cells first
            if parts == 1 and lead0:
                continue
            if parts == 1:
                rec(i + 1, acc + [[None]], used + 1)
            else:
                for sp in _splits(t.digits, parts):
                    if nodes > MAX_NODES or len(out) >= MAX_CANDIDATES:
                        return
                    rec(i + 1, acc + [sp], used + parts)

    rec(0, [], 0)
    return out


def _fill_with_sum(tokens: list[Token], n: int) -> list[Candidate]:
    """m < n, every token a digit run or a blank mark: the readings without missing
    cells in which the last value (the row's 总计) is the sum of the others; a blank mark
    is one cell (crawler text ``31----4`` is 3 | 1 | - | - | - | - | 4).  Depth-first with
    pruning, so long fused rows (17 digits → 8008 splits) cost little."""
    if not tokens or tokens[-1].kind != "num" or \
            any(not ((t.kind == "num" and t.digits) or (t.kind == "blank" and t.raw)) for t in tokens):
        return []
    D = [t.digits if t.kind == "num" else None for t in tokens]
    out: list[Candidate] = []
    nodes = [0]
    last = D[-1]
    for k in range(len(last) - 1, -1, -1):
        total_s = last[k:]
        if len(total_s) > 1 and total_s[0] == "0":
            continue
        total = int(total_s)
        pieces = [(d, i) for i, d in enumerate(D[:-1])] + ([(last[:k], len(D) - 1)] if k else [])
        need = n - 1
        if len(pieces) > need or sum(len(p) if p is not None else 1 for p, _ in pieces) < need:
            continue

        def rec(pi, pos, acc, s, parts_left):
            nodes[0] += 1
            if len(out) >= MAX_CANDIDATES or s > total or nodes[0] > MAX_NODES:
                return
            if not nodes[0] & CHECK_EVERY:
                checkpoint()
            if pi == len(pieces):
                if parts_left == 0 and s == total:
                    slots = [Slot("split", int(x), x, ti) if x is not None else _slot(tokens[ti], ti)
                             for x, ti in acc]
                    slots.append(Slot("split", total, total_s, len(D) - 1))
                    out.append(Candidate(slots, 0, "split"))
                return
            d, ti = pieces[pi]
            rest_pieces = len(pieces) - pi - 1
            if d is None:                       # a blank mark: one empty cell
                if parts_left - 1 >= rest_pieces:
                    rec(pi + 1, 0, acc + [(None, ti)], s, parts_left - 1)
                return
            remaining = len(d) - pos
            for L in range(1, remaining + 1):
                part = d[pos:pos + L]
                if L > 1 and part[0] == "0":
                    break
                if pos + L == len(d):
                    if parts_left - 1 >= rest_pieces:
                        rec(pi + 1, 0, acc + [(part, ti)], s + int(part), parts_left - 1)
                else:
                    if parts_left - 1 >= rest_pieces + 1:
                        rec(pi, pos + L, acc + [(part, ti)], s + int(part), parts_left - 1)
        rec(0, 0, [], 0, need)
    for c in out:
        for sl in c.slots:
            if sl.kind == "split" and sl.tok is not None and len(D[sl.tok]) == len(sl.raw):
                sl.kind = "num"      # a token read whole is a printed value, not a split
    return out


def _drop(tokens: list[Token], n: int) -> list[Candidate]:
    """m > n: drop surplus tokens, blanks first (padding), then stray tokens."""
    m = len(tokens)
    surplus = m - n
    blanks = [i for i, t in enumerate(tokens) if t.kind == "blank"]
    if surplus - len(blanks) > MAX_STRAY:
        return []       # far more numbers than cells: not one row (values of other rows ran in)
    out: dict[tuple, Candidate] = {}
    pools = [blanks] if len(blanks) >= surplus else []
    if not pools or any(t.kind != "blank" for t in tokens) and len(blanks) < surplus:
        pools.append(list(range(m)))
    # dropping leading/trailing padding is free; inner blanks cost 1, other tokens 10
    lead = 0
    while lead < m and tokens[lead].kind == "blank":
        lead += 1
    trail = m
    while trail > 0 and tokens[trail - 1].kind == "blank":
        trail -= 1
    # Candidate.values() of a reading, from the tokens it keeps (a slot of a token has the
    # token's kind, and its value unless blank): readings are built only when kept
    tkeys = [(t.kind if t.kind != "split" else "num", t.value if t.kind != "blank" else None) for t in tokens]
    for pool in pools:
        count = 0
        for drop in combinations(pool, surplus):
            count += 1
            if count > 5000:
                break
            ds = set(drop)
            pen = 0
            for i in drop:
                if tokens[i].kind != "blank":
                    pen += 10
                elif lead <= i < trail:
                    pen += 1
            k = tuple([tk for i, tk in enumerate(tkeys) if i not in ds])
            if k not in out or out[k].penalty > pen:
                slots = [_slot(t, i) for i, t in enumerate(tokens) if i not in ds]
                out[k] = Candidate(slots, pen, "align" if all(tokens[i].kind == "blank" for i in drop) else "drop")
            if len(out) >= MAX_CANDIDATES:
                break
        if out and pool is blanks:
            break
    return list(out.values())


MAX_JOIN_NODES = 50_000


def _joinable(t: Token) -> bool:
    return t.kind == "num" and bool(t.digits) and not t.signed and t.unit is None


def _join(tokens: list[Token], n: int, row_sum: bool) -> list[Candidate]:
    """m > n: a number too wide for its cell wraps onto the next line and comes out as
    two (or three) numbers (``1022`` / ``4`` for 10224).  Every way of joining adjacent
    digit runs into n cells is a reading; with row_sum only those whose last cell is the
    sum of the others."""
    m = len(tokens)
    if m <= n or m > 3 * n:
        return []
    out: list[Candidate] = []
    nodes = 0

    def rec(i, acc):
        nonlocal nodes
        nodes += 1
        if nodes > MAX_JOIN_NODES or len(out) >= MAX_CANDIDATES:
            return
        left = n - len(acc)
        if i == m:
            if left == 0:
                slots = [_slot(tokens[g[0]], g[0]) if len(g) == 1 else
                         Slot("split", int("".join(tokens[k].digits for k in g)),
                              "".join(tokens[k].raw for k in g), g[0], tuple(g[1:])) for g in acc]
                if row_sum:     # blank cells count 0; the total must be printed
                    if any(s.kind not in ("num", "split", "blank") for s in slots) or \
                            slots[-1].kind == "blank" or \
                            sum(s.value for s in slots[:-1] if s.kind != "blank") != slots[-1].value:
                        return
                out.append(Candidate(slots, 3 * sum(len(g) - 1 for g in acc), "join"))
            return
        if left <= 0 or m - i < left:
            return
        for size in (1, 2, 3):
            g = list(range(i, i + size))
            if i + size > m or (m - i - size) < left - 1:
                break
            if size > 1:
                if not all(_joinable(tokens[k]) for k in g) or tokens[i].digits[0] == "0":
                    break
            rec(i + size, acc + [g])

    rec(0, [])
    return [c for c in out if any(s.extra for s in c.slots)]


def unreadable(n: int) -> Candidate:
    """The reading of a row that cannot be read: every cell unknown (uncertain unless the
    table's arithmetic fixes it)."""
    return Candidate([Slot("var") for _ in range(n)], 50, "unreadable")


def row_candidates(tokens: list[Token], n: int, row_sum: bool = False) -> list[Candidate]:
    """row_sum: the last column is the sum of the others (表三), used to find splits fast.
    Always at least one reading; a row beyond the work caps is ``unreadable``."""
    m = len(tokens)
    if m > 3 * n + 10 or any(t.kind == "num" and (t.value is None or (t.digits and len(t.digits) > MAX_DIGITS))
                             for t in tokens):
        return [unreadable(n)]
    cands = _row_candidates(tokens, n, row_sum)
    return cands or [unreadable(n)]


def _row_candidates(tokens: list[Token], n: int, row_sum: bool) -> list[Candidate]:
    m = len(tokens)
    if m == n:
        return [Candidate([Slot(t.kind, t.value, t.raw, i) for i, t in enumerate(tokens)])]     # _slot
    if m == 0:
        return [Candidate([Slot("blank") for _ in range(n)], 0, "empty")]
    if m > n:
        # a number too wide for its cell wraps into two: joins are readings when
        # numbers outnumber cells, or when adjacent numbers can absorb the surplus
        nums = sum(1 for t in tokens if t.kind == "num")
        pairs = sum(1 for a, b in zip(tokens, tokens[1:]) if _joinable(a) and _joinable(b))
        return _drop(tokens, n) + (_join(tokens, n, row_sum) if nums > n or pairs >= m - n else [])
    # when complete splits that satisfy the row exist, they are the readings (if the
    # table then has no solution the solver leaves every differing cell uncertain)
    splittable = any(t.kind == "num" and t.digits and len(t.digits) > 1 for t in tokens)
    if row_sum and splittable:
        # complete splits that satisfy the row (found fast), plus readings with one missing cell
        # (a row printed as one digit run has no separators, so it cannot show a missing cell)
        cands = _fill_with_sum(tokens, n)
        if m >= 2 or not cands:
            cands += [c for c in _fill(tokens, n, max_missing=1) if c.how == "missing"]
        if not cands:        # several cells lost: every placement is a reading
            cands = _fill(tokens, n)
    else:
        cands = _fill(tokens, n)
    # dedupe by values, keep the lowest penalty
    best: dict[tuple, Candidate] = {}
    for c in cands:
        k = c.values()
        if k not in best or best[k].penalty > c.penalty:
            best[k] = c
    return list(best.values())
