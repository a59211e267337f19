"""Choose among candidate row readings with the table's arithmetic.

Each constraint says sum(lhs cells) == sum(rhs cells).  A combination of readings is
scored by the constraints it breaks, strictly (only where every cell holds a number)
and leniently (blank cells read as 0, used to place values when blanks make strict
checks impossible).  Missing cells (``var``) are solved from constraints in which they
are the only unknown.  A cell is settled when all best combinations agree on it;
otherwise it is *uncertain* and keeps the alternatives."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

from ..limits import checkpoint, remaining
from decimal import Decimal


MAX_COMBOS = 4096
_VAR = object()
PRINTED_STATUS = {"num": "value", "blank": "blank", "text": "text"}   # a printed slot's cell status
_STATUS_OF = PRINTED_STATUS


@dataclass
class Constraint:
    name: str
    lhs: list            # [(row, col), ...]
    rhs: list

    @cached_property
    def cells(self) -> tuple:
        """lhs + rhs, read by every check of a reading (built once)."""
        return tuple(self.lhs + self.rhs)

    @cached_property
    def sides(self) -> tuple:
        """(side, other side, rows of the side, rows of the other), both ways round."""
        lhs, rhs = tuple(self.lhs), tuple(self.rhs)
        lrows, rrows = frozenset(x[0] for x in lhs), frozenset(x[0] for x in rhs)
        return (lhs, rhs, lrows, rrows), (rhs, lhs, rrows, lrows)


@dataclass(slots=True)
class Resolved:
    value: object
    kind: str            # num | split | var | blank | text
    status: str
    reason: str | None = None
    alternatives: list | None = None
    tok: int | None = None


@dataclass
class Solution:
    cells: dict = field(default_factory=dict)     # (row, col) -> Resolved, for the rows not in ``plain``
    plain: dict = field(default_factory=dict)     # row -> its one reading, read as printed (its cells are its slots)
    violations: int = 0                            # strict violations of the chosen reading
    survivors: dict = field(default_factory=dict)  # row -> candidates among the best readings


def _grid(rows, combo):
    g = {}
    for r, cand in zip(rows, combo):
        for j, s in enumerate(cand.slots):
            if s.kind in ("num", "split"):
                g[(r, j)] = s.value
            elif s.kind == "var":
                g[(r, j)] = _VAR
            else:
                g[(r, j)] = None
    return g


def _propagate(g, constraints):
    """Solve var cells that are the only unknown of a constraint (strict). False if negative."""
    changed = True
    while changed:
        changed = False
        for c in constraints:
            cells = c.cells
            vals = [g.get(x) for x in cells]
            if vals.count(_VAR) != 1 or None in vals:
                continue
            k = vals.index(_VAR)
            nl = len(c.lhs)
            ls = rs = 0
            for i, v in enumerate(vals):
                if i == k:
                    continue
                if i < nl:
                    ls += v
                else:
                    rs += v
            v = (rs - ls) if k < nl else (ls - rs)
            if v < 0:
                return False
            g[cells[k]] = v
            changed = True
    return True


def _score(g, constraints):
    # grid values are numbers (int, Decimal), None (blank, text) or _VAR
    strict = lenient = 0
    for c in constraints:
        vals = [g.get(x) for x in c.cells]
        if _VAR in vals:
            continue
        nl = len(c.lhs)
        if None not in vals:
            if sum(vals[:nl]) != sum(vals[nl:]):
                strict += 1
                lenient += 1
            continue
        ls = sum((v or 0) for v in vals[:nl])
        rs = sum((v or 0) for v in vals[nl:])
        if ls != rs:
            lenient += 1
    return strict, lenient


def solve(rows: dict, constraints: list[Constraint]) -> Solution:
    """rows: row id -> list of Candidate (at least one each)."""
    names = list(rows)
    if all(len(c) == 1 and all(sl.kind in ("num", "blank", "text") for sl in c[0].slots) for c in rows.values()):
        # every row printed plainly: nothing to choose
        sol = Solution()
        for r in names:
            cand = rows[r][0]
            sol.survivors[r] = [cand]
            sol.plain[r] = cand
        return sol
    full = {r: list(c) for r, c in rows.items()}
    simple = {}
    locals_: dict = {}
    for c in constraints:
        rs = {x[0] for x in c.lhs + c.rhs}
        if len(rs) == 1:
            locals_.setdefault(next(iter(rs)), []).append(c)
    for r in names:
        local = locals_.get(r, [])
        full[r] = _local(full[r], local, occam=False)
        simple[r] = _local(full[r], local, occam=True)
    results, complete = _search(names, simple, [r for r in names if len(simple[r]) > 1], constraints)
    differs = any(len(simple[r]) != len(full[r]) for r in names)
    rows = simple
    if not results or differs:
        # confirm with every reading: a reading with a missing cell may fit as well
        amb_full = [r for r in names if len(full[r]) > 1]
        more, complete_full = _search(names, full, amb_full, constraints)
        if more or not results:
            rows = full
            results, complete = more, complete_full
    amb = [r for r in names if len(rows[r]) > 1]
    sol = Solution()
    if not results:
        # no reading satisfies the arithmetic (the report itself is inconsistent, or the
        # search was cut short): nothing can be settled by arithmetic
        choice = {r: min(rows[r], key=lambda c: c.penalty) for r in amb}
        g = _grid(names, [choice.get(r, rows[r][0]) for r in names])
        _propagate(g, constraints)
        results = [((99, 99), 0, g, choice)]
        complete = False
        broken = True
    else:
        broken = False
    best = min(s for s, *_ in results)
    surv = [x for x in results if x[0] == best]
    surv.sort(key=lambda x: x[1])
    sol.violations = best[0]
    chosen_choice = surv[0][3]
    for r in names:
        seen = {}
        for *_x, ch in surv:
            c = ch.get(r, rows[r][0])
            seen.setdefault(id(c), c)
        if not complete:
            # not every reading was examined: every reading of the row stays possible
            for c in rows[r]:
                seen.setdefault(id(c), c)
        sol.survivors[r] = list(seen.values())
    for r in names:
        cand0 = chosen_choice.get(r, rows[r][0])
        if r not in amb and complete and all(sl.kind in ("num", "blank", "text") for sl in cand0.slots):
            sol.plain[r] = cand0
            continue
        in_surv = {id(ch.get(r, rows[r][0])) for *_x, ch in surv}
        for j in range(len(cand0.slots)):
            vals = [(None if g.get((r, j)) is _VAR else g.get((r, j))) for _sc, _pen, g, _ch in surv]
            kinds = {c.slots[j].kind for c in sol.survivors[r]}
            for c in sol.survivors[r]:
                if id(c) not in in_surv:
                    sl = c.slots[j]
                    vals.append(sl.value if sl.kind in ("num", "split") else None)
            slot = cand0.slots[j]
            v0 = vals[0]
            distinct = []
            for v in vals:
                if not any(_same(v, d) for d in distinct):
                    distinct.append(v)
            if r not in amb and slot.kind not in ("var", "split") and complete:
                st = _STATUS_OF[slot.kind]
                sol.cells[(r, j)] = Resolved(slot.value, slot.kind, st, tok=slot.tok)
                continue
            if len(distinct) > 1 or (slot.kind == "var" and v0 is None):
                sol.cells[(r, j)] = Resolved(v0, slot.kind, "uncertain",
                                             alternatives=[_jsonable(d) for d in distinct], tok=slot.tok)
                continue
            if "var" in kinds or "split" in kinds:
                # inferred only when the arithmetic holds: in a table with no consistent
                # reading nothing inferred is confirmed
                st = "inferred" if (v0 is not None and not broken) else "uncertain"
                sol.cells[(r, j)] = Resolved(v0, slot.kind, st, tok=slot.tok,
                                             alternatives=None if st == "inferred" else [_jsonable(d) for d in distinct])
            else:
                st = _STATUS_OF[slot.kind]
                sol.cells[(r, j)] = Resolved(slot.value if slot.kind != "num" else v0, slot.kind, st,
                                             tok=slot.tok)
    return sol


MAX_NODES = 30_000
MAX_SOLUTIONS = 64
MAX_SECONDS = 2.0       # one search; past it the search is incomplete and nothing it left open is settled


def _local(cands, local, occam: bool):
    """Prune one row's readings with the constraints inside the row (its 总计 = sum).
    With occam=True prefer the readings with the fewest missing cells that satisfy them."""
    if len(cands) <= 1 or not local:
        return cands
    scored = []
    loc = [Constraint(c.name, [(None, x[1]) for x in c.lhs], [(None, x[1]) for x in c.rhs]) for c in local]
    for cand in cands:
        g = _grid([None], [cand])
        if not _propagate(g, loc):
            continue
        nv = sum(1 for sl in cand.slots if sl.kind == "var")
        scored.append((_score(g, loc), nv, cand))
    if not scored:
        return cands
    if occam:
        for k in sorted({nv for _s, nv, _c in scored}):
            grp = [(sc, c) for sc, nv, c in scored if nv == k and sc[0] == 0]
            if grp:
                best = min(sc for sc, _c in grp)
                return [c for sc, c in grp if sc == best]
    best = min(sc for sc, _nv, _c in scored)
    return [c for sc, _nv, c in scored if sc == best]


def _search(names, rows, amb, constraints):
    """Depth-first search over the ambiguous rows for readings that break no constraint
    (strictly).  Partial assignments are pruned with the bound every sum constraint
    gives for non-negative counts.  Returns (results, complete)."""
    fixed = {r: rows[r][0] for r in names if r not in amb}
    # rows that stand alone on one side of a constraint (totals) first: they bound the rest
    single = {c.lhs[0][0] for c in constraints if len(c.lhs) == 1}
    order = sorted(amb, key=lambda r: (r not in single, len(rows[r])))
    results = []
    nodes = 0
    complete = True
    by_row = {}
    for c in constraints:
        for r in {x[0] for x in c.cells}:
            by_row.setdefault(r, []).extend(c.sides)
    assigned = dict(fixed)
    g = _grid(list(assigned), list(assigned.values()))
    # only constraints that involve an open row (or a missing cell) can tell readings apart;
    # the others are the report's own arithmetic, which the checks report
    dyn = set(amb) | {r for r, c in fixed.items() if any(sl.kind == "var" for sl in c.slots)}
    rel = [c for c in constraints if any(x[0] in dyn for x in c.lhs + c.rhs)]

    def ok_partial(r):
        keys = assigned.keys()
        for side, other, side_rows, other_rows in by_row.get(r, ()):
            if not keys >= side_rows:
                continue
            known = 0
            for x in side:
                v = g.get(x)
                if v is _VAR or v is None:
                    break
                known += v
            else:
                part = 0
                for x in other:
                    if x[0] in keys:
                        v = g.get(x)
                        if v is not _VAR and v is not None:
                            part += v
                if part > known:
                    return False
                if keys >= other_rows and part != known and \
                        not any(v is _VAR or v is None for v in [g.get(x) for x in other]):
                    return False
        return True

    budget = MAX_SECONDS
    left = remaining()          # the document's budget: a report with many ambiguous
    if left is not None:        # tables runs several searches; together they leave time
        budget = max(0.05, min(budget, left / 4))
    deadline = time.monotonic() + budget

    def rec(i):
        nonlocal nodes, complete
        if nodes & 1023 == 0:
            checkpoint()        # the document's own time budget (gongkai.limits)
        if len(results) >= MAX_SOLUTIONS or nodes > MAX_NODES or time.monotonic() > deadline:
            complete = False
            return
        if i == len(order):
            full = dict(g)
            if not _propagate(full, rel):
                return
            sc = _score(full, rel)
            if sc[0] == 0:
                choice = {r: assigned[r] for r in amb}
                results.append((sc, sum(c.penalty for c in choice.values()), full, choice))
            return
        r = order[i]
        for cand in rows[r]:
            nodes += 1
            assigned[r] = cand
            for j, sl in enumerate(cand.slots):
                g[(r, j)] = sl.value if sl.kind in ("num", "split") else (_VAR if sl.kind == "var" else None)
            if ok_partial(r):
                rec(i + 1)
            del assigned[r]
            for j in range(len(cand.slots)):
                g.pop((r, j), None)
            if not complete and len(results) >= MAX_SOLUTIONS:
                return

    rec(0)
    if len(results) >= MAX_SOLUTIONS:
        complete = False
    return results, complete


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b


def _jsonable(v):
    if isinstance(v, Decimal):
        return str(v)
    return v
