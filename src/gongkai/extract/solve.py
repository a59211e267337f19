"""Choose among candidate row readings with the table's arithmetic.

Each constraint says sum(lhs cells) == sum(rhs cells).  A combination of readings is
scored by the constraints it breaks, strictly (only where every cell holds a number)
and leniently (blank cells read as 0, used to place values when blanks make strict
checks impossible).  Missing cells (``var``) are solved from constraints in which they
are the only unknown.  A cell is settled when all best combinations agree on it;
otherwise it is *uncertain* and keeps the alternatives."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product

from .candidates import Candidate

MAX_COMBOS = 4096
_VAR = object()


@dataclass
class Constraint:
    name: str
    lhs: list            # [(row, col), ...]
    rhs: list


@dataclass
class Resolved:
    value: object
    kind: str            # num | split | var | blank | text
    status: str
    reason: str | None = None
    alternatives: list | None = None
    tok: int | None = None


@dataclass
class Solution:
    cells: dict = field(default_factory=dict)     # (row, col) -> Resolved
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
            cells = c.lhs + c.rhs
            unknown = [x for x in cells if g.get(x, None) is _VAR]
            if len(unknown) != 1:
                continue
            if any(g.get(x) is None for x in cells if x not in unknown):
                continue
            u = unknown[0]
            ls = sum(g[x] for x in c.lhs if x != u)
            rs = sum(g[x] for x in c.rhs if x != u)
            v = (rs - ls) if u in c.lhs else (ls - rs)
            if v < 0:
                return False
            g[u] = v
            changed = True
    return True


def _score(g, constraints):
    strict = lenient = 0
    for c in constraints:
        vals = [g.get(x) for x in c.lhs + c.rhs]
        if any(v is _VAR for v in vals):
            continue
        if all(isinstance(v, (int, Decimal)) for v in vals):
            if sum(g[x] for x in c.lhs) != sum(g[x] for x in c.rhs):
                strict += 1
                lenient += 1
            continue
        ls = sum((g.get(x) or 0) for x in c.lhs)
        rs = sum((g.get(x) or 0) for x in c.rhs)
        if ls != rs:
            lenient += 1
    return strict, lenient


def solve(rows: dict, constraints: list[Constraint], direct_rows: set | None = None) -> Solution:
    """rows: row id -> list of Candidate (at least one each)."""
    names = list(rows)
    # local pruning: constraints that only involve one row
    for r in names:
        cands = rows[r]
        if len(cands) <= 1:
            continue
        local = [c for c in constraints if all(x[0] == r for x in c.lhs + c.rhs)]
        if not local:
            continue
        scored = []
        for cand in cands:
            g = _grid([r], [cand])
            if not _propagate(g, local):
                continue
            scored.append((_score(g, local), cand))
        if scored:
            best = min(s for s, _ in scored)
            keep = [c for s, c in scored if s == best]
            rows[r] = keep

    amb = [r for r in names if len(rows[r]) > 1]
    fixed = [r for r in names if len(rows[r]) == 1]
    total = 1
    for r in amb:
        total *= len(rows[r])

    def evaluate(choice: dict):
        combo = [choice.get(r, rows[r][0]) for r in names]
        g = _grid(names, combo)
        if not _propagate(g, constraints):
            return None
        return _score(g, constraints), g

    results = []   # (score, penalty, grid, choice)
    if total <= MAX_COMBOS:
        for pick in product(*[rows[r] for r in amb]):
            choice = dict(zip(amb, pick))
            ev = evaluate(choice)
            if ev is None:
                continue
            sc, g = ev
            results.append((sc, sum(c.penalty for c in pick), g, choice))
    else:
        # too many combinations: settle rows one at a time, others at their best prior
        base = {r: min(rows[r], key=lambda c: c.penalty) for r in amb}
        for r in amb:
            for cand in rows[r]:
                choice = dict(base)
                choice[r] = cand
                ev = evaluate(choice)
                if ev is None:
                    continue
                sc, g = ev
                results.append((sc, cand.penalty, g, choice))
    sol = Solution()
    if not results:
        choice = {r: min(rows[r], key=lambda c: c.penalty) for r in amb}
        g = _grid(names, [choice.get(r, rows[r][0]) for r in names])
        results = [((99, 99), 0, g, choice)]
    best = min(s for s, *_ in results)
    surv = [x for x in results if x[0] == best]
    surv.sort(key=lambda x: x[1])
    sol.violations = best[0]
    chosen_choice = surv[0][3]
    for r in names:
        sv = []
        for *_x, ch in surv:
            c = ch.get(r, rows[r][0])
            if not any(c is o for o in sv):
                sv.append(c)
        sol.survivors[r] = sv
    for r in names:
        cand0 = chosen_choice.get(r, rows[r][0])
        ncol = len(cand0.slots)
        for j in range(ncol):
            vals = []
            kinds = set()
            for _sc, _pen, g, ch in surv:
                v = g.get((r, j))
                vals.append(None if v is _VAR else v)
                kinds.add(ch.get(r, rows[r][0]).slots[j].kind)
            slot = cand0.slots[j]
            v0 = vals[0]
            distinct = []
            for v in vals:
                if not any(_same(v, d) for d in distinct):
                    distinct.append(v)
            if r not in amb and slot.kind not in ("var", "split"):
                st = {"num": "value", "blank": "blank", "text": "text"}[slot.kind]
                sol.cells[(r, j)] = Resolved(slot.value, slot.kind, st, tok=slot.tok)
                continue
            if len(distinct) > 1 or (slot.kind == "var" and v0 is None):
                sol.cells[(r, j)] = Resolved(v0, slot.kind, "uncertain",
                                             alternatives=[_jsonable(d) for d in distinct], tok=slot.tok)
                continue
            if "var" in kinds or "split" in kinds:
                sol.cells[(r, j)] = Resolved(v0, slot.kind, "inferred" if v0 is not None else "uncertain",
                                             tok=slot.tok)
            else:
                st = {"num": "value", "blank": "blank", "text": "text"}[slot.kind]
                sol.cells[(r, j)] = Resolved(slot.value if slot.kind != "num" else v0, slot.kind, st,
                                             tok=slot.tok)
    return sol


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b


def _jsonable(v):
    if isinstance(v, Decimal):
        return str(v)
    return v
