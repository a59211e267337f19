"""Map the located labels and the text after them to field IDs: 表二, 表三, 表四.

For every row: pick the printed occurrence that looks like a table row, tokenise
its values, generate candidate readings and let the table arithmetic choose
(``solve``).  Cells keep raw text, status, reason and the source line."""
from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from dataclasses import dataclass, field

from ..formats import national
from ..model import NOT_PRINTED, Cell, Finding, Source
from . import columns, conserve, stacks
from .candidates import Candidate, Slot, row_candidates
from .locate import Layout, Located
from .solve import PRINTED_STATUS, Constraint, solve
from .values import Token, clean_row_tokens, is_table_like, tokenize, unsigned_counts


@dataclass
class RowText:
    loc: Located
    tokens: list
    explicit: bool
    dropped: list = field(default_factory=list)


@dataclass
class TableResult:
    cells: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    formats: dict = field(default_factory=dict)
    found: dict = field(default_factory=dict)      # table -> bool
    used: dict = field(default_factory=dict)       # table -> [conserve.used_entry] of printed numbers read into cells
    positive_blank: set = field(default_factory=set)   # blank cells the source shows as empty
    by_absence: set = field(default_factory=set)   # cells read by placing, dropping or joining printed numbers
    detached: set = field(default_factory=set)     # cells whose number stands on another line than its label

    def use(self, lay, table: str, tok) -> None:
        if tok is not None and tok.kind == "num" and tok.line is not None:
            self.used.setdefault(table, []).append(conserve.used_entry(lay.line_of(tok.line), tok.value))


ORPHAN_REASON = "该行数值印在标签之前（表格跨页断开），按位置归入本行"


def _orphans(lay: Layout, loc: Located) -> list:
    """Numeric lines left over after a row's own line (a row split by a page break
    prints its values before the next label).  Lines holding only a short fragment of
    a vertical label (e.g. "供" of 无法提供) are passed over; any other text ends the search."""
    text = lay.value_text(loc)
    if loc.spec.kind == "row":
        # a row keeps its own line; what follows is left over
        first_nl = text.find("\n")
        if first_nl < 0:
            return []
        start = first_nl + 1
    else:
        start = 0       # groups and headers carry no values: all of it is left over
    out = []
    off = loc.value_start + start
    for line in text[start:].split("\n"):
        toks, _explicit = tokenize(line, off)
        off += len(line) + 1
        nums = [t for t in toks if t.kind == "num"]
        texts = "".join(t.raw for t in toks if t.kind == "text")
        if len(nums) >= 2 and not texts:
            out.extend(nums)
        elif texts and len(texts) > 2:
            break
    return out


def _row_text(lay: Layout, loc: Located) -> RowText:
    toks, explicit = tokenize(lay.value_text(loc), loc.value_start)
    if not any(t.kind == "num" for t in toks):
        # nothing after the label: its values may stand just before it (page break)
        i = loc.idx
        prev = lay.labels[i - 1] if i > 0 else None
        # a row in cell mode keeps only its own line, so later numeric lines are left over;
        # in stream mode the row above consumed them (values on the next line are normal)
        if prev is not None and (prev.spec.kind in ("header", "group") or
                                 (prev.spec.kind == "row" and tokenize(lay.value_text(prev))[1])):
            orph = _orphans(lay, prev)
            if orph:
                for t in orph:
                    t.orphan = True
                return RowText(loc, orph, False)
    if explicit:
        cells = [t for t in toks]
        return RowText(loc, cells, True)
    cells, dropped = clean_row_tokens(toks)
    return RowText(loc, cells, False, dropped)


def _best(occ: list[RowText]) -> RowText | None:
    """The occurrence that looks most like a table row (numbers, then fewest prose)."""
    if not occ:
        return None
    if len(occ) == 1:
        return occ[0]

    def score(rt: RowText):
        nums = sum(1 for t in rt.tokens if t.kind == "num")
        like = is_table_like(rt.tokens + rt.dropped)
        return (nums > 0 and like, like, nums, -len(rt.dropped))
    return max(occ, key=score)


def _occurrences(lay: Layout, key: str) -> list[RowText]:
    idx = lay.__dict__.setdefault("_by_key", {})
    if not idx:
        for x in lay.labels:
            idx.setdefault(x.spec.key, []).append(x)
    return [_row_text(lay, x) for x in idx.get(key, ())]


def _src(lay: Layout, file, offset) -> Source:
    if lay.locator is not None:
        return lay.locator(offset)
    return Source(file, bisect_right(lay.line_starts, offset))    # lay.line_of(offset)


def _reason(how: str, raw_tokens: list) -> str | None:
    raw = " ".join(t.raw for t in raw_tokens if t.raw)
    if how == "split":
        return f"数字粘连「{raw}」，按表格算术拆分"
    if how == "missing":
        return f"该行印出的数值少于列数（「{raw}」），缺格按表格算术推定"
    if how == "join":
        return f"数字跨行折断（「{raw}」），按表格算术拼接"
    if how in ("align", "drop"):
        return "单元格数与列数不符，按表格算术确定各数所在列"
    return None


def _jv(v):
    return str(v) if isinstance(v, Decimal) else v


def _used_tokens(cands, n_tokens: int) -> set:
    """Indexes of the printed tokens that every surviving reading puts into a cell (a
    token that only some readings use is not certainly accounted for)."""
    used = None
    for c in cands:
        mine = _reads(c, n_tokens)
        used = mine if used is None else used & mine
    return used or set()


def _reads(c: Candidate, n_tokens: int) -> set:
    """Indexes of the printed tokens (below n_tokens) this reading puts into a cell."""
    mine = set()
    for s in c.slots:
        if s.tok is not None and s.kind in ("num", "split"):
            if s.tok < n_tokens:
                mine.add(s.tok)
            if s.extra:
                mine.update(k for k in s.extra if k < n_tokens)
    return mine


def _touching(tokens) -> bool:
    """Some number of the row touches its neighbour with no separator (crawler text)."""
    for a, b in zip(tokens, tokens[1:]):
        if a.line is not None and b.line is not None and a.line + len(a.raw) == b.line and \
                "num" in (a.kind, b.kind) and any(t.kind == "num" and t.digits and len(t.digits) > 1 for t in (a, b)):
            return True
    return False


def _cells_from_solution(lay, file, prefix_ids, rows_info, sol, out: TableResult):
    """rows_info: row -> (RowText|None, [Candidate], [field ids])."""
    for r, (rt, cands, fids) in rows_info.items():
        if rt is None:
            for fid in fids:
                out.cells[fid] = Cell(None, "", "uncertain", NOT_PRINTED, None)
            continue
        _record_used(lay, out, prefix_ids, rt, cands)
        plain = sol.plain.get(r)
        if plain is not None:
            _plain_row_cells(lay, file, prefix_ids, rt, plain, fids, out)
        else:
            _solved_row_cells(lay, file, prefix_ids, r, rt, cands, fids, sol, out)


def _record_used(lay, out: TableResult, table: str, rt: RowText, cands) -> None:
    """The printed numbers every surviving reading of the row reads into a cell (out.use)."""
    toks = [rt.tokens[k] for k in _used_tokens(cands, len(rt.tokens))]
    entries = conserve.used_entries(lay.line_starts, [t for t in toks if t.kind == "num" and t.line is not None])
    if entries:
        out.used.setdefault(table, []).extend(entries)


def _label_line(lay, rt: RowText) -> tuple[int, int]:
    """The label's own line: [start of its last line, next newline)."""
    text = lay.text
    lab_first = text.rfind("\n", 0, max(rt.loc.start, rt.loc.end - 1)) + 1
    nl = text.find("\n", rt.loc.end)
    return lab_first, (len(text) if nl < 0 else nl)


def _plain_row_cells(lay, file, table: str, rt: RowText, cand: Candidate, fids, out: TableResult):
    """The cells of a row read as printed (its one reading, every slot a printed token):
    what _solved_row_cells gives for it, without the solver's per-cell resolution."""
    locator, line_starts = lay.locator, lay.line_starts
    tokens = rt.tokens
    n_tok = len(tokens)
    lab_first, lab_next = _label_line(lay, rt)
    blank_shown = cand.how not in ("align", "drop")      # _solved_row_cells: how_s == "direct"
    placed = cand.how == "drop"
    t34 = table in ("t3", "t4")
    explicit = rt.explicit
    for fid, sl in zip(fids, cand.slots):
        tok = tokens[sl.tok] if (sl.tok is not None and sl.tok < n_tok) else None
        off = tok.line if tok is not None and tok.line is not None else rt.loc.start
        src = locator(off) if locator is not None else Source(file, bisect_right(line_starts, off))
        reason = None
        status, alts, value = PRINTED_STATUS[sl.kind], None, sl.value
        if tok is not None:
            if tok.kind == "blank" and (tok.raw or blank_shown):
                out.positive_blank.add(fid)
            if tok.line is not None and not explicit and not (lab_first <= tok.line < lab_next):
                out.detached.add(fid)
            if tok.orphan:
                reason = ORPHAN_REASON
        if placed:
            out.by_absence.add(fid)
        if t34 and status == "value" and isinstance(value, (int, Decimal)) and value < 0:
            status, alts = "uncertain", [_jv(value), None, _jv(-value)]
            reason = "表中计数不能为负：可能是空白标记「-」与数字连在一起；" + (reason or "")
        out.cells[fid] = Cell(value, tok.raw if tok is not None else "", status, reason, src, alts)


def _solved_row_cells(lay, file, prefix_ids, r, rt: RowText, cands, fids, sol, out: TableResult):
    """The cells of a row as the solver resolved them (several readings, split, joined or
    missing cells)."""
    sol_cells = sol.cells
    locator, line_starts = lay.locator, lay.line_starts     # the Source of an offset, as _src
    how = {c.how for c in cands}
    placed = bool(how & {"drop", "missing", "join"})
    # digits ran together and a cell is missing: in fused text a lost cell and a number
    # to split cannot be told apart (``31----4`` is 3 | 1 | - … not 31 | ? | - …)
    fused_gap = any(c.how == "missing" and any(sl.kind == "split" for sl in c.slots) for c in cands) or \
        (any(c.how == "missing" for c in cands) and _touching(rt.tokens)) or \
        (how & {"split", "missing"} and _touching(rt.tokens) and
         any(t.kind == "blank" and len(t.raw) == 2 for t in rt.tokens))   # "--": one mark or two
    lab_first, lab_next = _label_line(lay, rt)
    how_s = "split" if "split" in how else ("missing" if "missing" in how else "join" if "join" in how else
                                             ("align" if ("align" in how or "drop" in how) else "direct"))
    multi = len(cands) > 1
    t34 = prefix_ids in ("t3", "t4")
    row_reason = _UNSET         # _reason(how_s, rt.tokens), once per row when a cell needs it
    tokens = rt.tokens
    n_tok = len(tokens)
    for j, fid in enumerate(fids):
        res = sol_cells[(r, j)]
        tok = tokens[res.tok] if (res.tok is not None and res.tok < n_tok) else None
        raw = tok.raw if tok is not None else ""
        if res.kind == "split":
            raw = str(res.value) if res.value is not None else raw
        off = tok.line if tok is not None and tok.line is not None else rt.loc.start
        src = locator(off) if locator is not None else Source(file, bisect_right(line_starts, off))
        reason = None
        rstatus = res.status
        if rstatus in ("inferred", "uncertain") or (rstatus == "value" and multi):
            if row_reason is _UNSET:
                row_reason = _reason(how_s, rt.tokens)
            reason = row_reason
        # an empty cell shows a blank only where the row's cells matched the columns
        # (in a row read with cells dropped, an empty one may be a lost number)
        if tok is not None:
            if tok.kind == "blank" and (tok.raw or how_s == "direct"):
                out.positive_blank.add(fid)
            if tok.line is not None and not rt.explicit and not (lab_first <= tok.line < lab_next):
                out.detached.add(fid)
        if placed or res.kind == "var":
            out.by_absence.add(fid)
        if tok is not None and tok.orphan:
            reason = ORPHAN_REASON + (f"；{reason}" if reason else "")
        if rstatus == "uncertain":
            reason = f"有多种读法都符合表格算术：{res.alternatives}；" + (reason or "")
        status, alts = rstatus, (res.alternatives if rstatus == "uncertain" else None)
        if t34 and status in ("value", "inferred"):
            if fused_gap:
                # digits ran together AND cells are missing: in crawler text the lost
                # cells are blanks, so where the gaps fall is not fixed by the sums
                status, alts = "uncertain", [_jv(res.value), None]
                reason = "数字粘连且缺格（可能是空白单元格），各数所在列无法唯一确定；" + (reason or "")
            elif isinstance(res.value, (int, Decimal)) and res.value < 0:
                status, alts = "uncertain", [_jv(res.value), None, _jv(-res.value)]
                reason = "表中计数不能为负：可能是空白标记「-」与数字连在一起；" + (reason or "")
        out.cells[fid] = Cell(res.value, raw, status, reason, src, alts)


_UNSET = object()


def _table_labels(lay: Layout, table: str) -> list:
    if table != "t4":
        mine = [x for x in lay.labels if x.spec.table == table]
        last_row = max((x.start for x in mine if x.spec.kind == "row"), default=-1)
        # a header word shared with a later table (表四's 总计) belongs to that table
        return [x for x in mine if x.spec.kind == "row" or x.start < last_row]
    _toks, start = _t4_tokens(lay)
    if start is None:
        return []
    return [x for x in lay.labels if x.start >= start and (x.spec.table in ("t4", "section") or x.spec.kind == "header")]


def _broken(out: TableResult, table: str) -> set:
    """Cells in a sum of the table that does not hold as read."""
    if table in ("t3", "t4"):
        return conserve.broken_constraints(out.cells, _sums(table, out.formats.get("t3") or "2021"))
    return set()


_SUMS: dict = {}    # (id of the format, table, 表三 format) -> (format, sums): built once


def _sums(table: str, fmt: str) -> tuple:
    """The table's sums as (field IDs, number of them on the left-hand side)."""
    nf = national()
    hit = _SUMS.get((id(nf), table, fmt))
    if hit is None or hit[0] is not nf:
        if table == "t3":
            cols = nf.t3_columns
            cons = t3_constraints(fmt)
        else:
            cols = nf.t4_columns
            cons = [Constraint(g, [(g, 4)], [(g, k) for k in range(4)]) for g in nf.t4_groups]
        sums = tuple(([f"{table}.{r}.{cols[j]}" for r, j in c.lhs + c.rhs], len(c.lhs)) for c in cons)
        hit = _SUMS[(id(nf), table, fmt)] = (nf, sums)
    return hit[1]


def _conserve(lay: Layout, out: TableResult):
    """Numbers printed in a table but read into no cell make its absent readings
    uncertain; numbers in the tables zone outside every table (values that drifted away
    from their rows) make every table's absent readings uncertain."""
    found = [t for t in ("t2", "t3", "t4") if out.found.get(t)]
    all_used = [u for t in found for u in out.used.get(t, [])]
    claimed = set()
    stray: dict = {}
    for table in found:
        labels = _table_labels(lay, table)
        claimed.update(id(x) for x in labels)
        nums = conserve.leftover(_printed(lay, table), out.used.get(table, []))
        if nums:
            stray[table] = nums
    outside = [x for x in lay.labels if id(x) not in claimed]
    drifted = conserve.leftover(conserve.printed_numbers(lay, outside), all_used) if outside else []
    for table in found:
        nums = stray.get(table, []) + drifted
        if not nums:
            continue
        suspect = {f for f in out.detached if f.startswith(table + ".")}
        if _broken(out, table):
            # numbers left over and sums that do not hold: the reading of the whole table
            # is in doubt, not only the cells of the broken sums
            suspect |= {f for f in out.cells if f.startswith(table + ".")}
        changed = conserve.apply(out.cells, table, nums, out.positive_blank, out.by_absence, suspect)
        name = {"t2": "表二", "t3": "表三", "t4": "表四"}[table]
        where = "表内" if table in stray else "表格区域内（各表之外）"
        out.findings.append(Finding(
            "parse.leftover_numbers", "warning",
            f"{name}：{where}有 {len(nums)} 个数字未能归入单元格（{'、'.join(nums[:8])}{'…' if len(nums) > 8 else ''}），"
            f"{len(changed)} 个单元格因此标为存疑", table, tuple(changed[:50]), (),
            {"numbers": nums[:50], "cells": changed[:50]}))


# ------------------------------------------------------------------ 表二
def _t2_format(lay: Layout) -> str | None:
    votes = {"2019": 0, "2021": 0}
    for x in lay.labels:
        if x.spec.table == "t2" and x.spec.kind == "header" and x.spec.format:
            votes[x.spec.format] += 1
        if x.spec.key in ("t2.row:other_services", "t2.row:procurement"):
            votes["2019"] += 2
    if votes["2019"] > votes["2021"]:
        return "2019"
    if votes["2021"] > votes["2019"]:
        return "2021"
    # no headers: count the values printed for 行政许可/行政处罚 (1 in 2021, 3 in 2019)
    for rid in ("licensing", "penalty"):
        b = _best(_occurrences(lay, f"t2.row:{rid}"))
        if b is not None:
            n = sum(1 for t in b.tokens if t.kind != "text")
            if n >= 3:
                return "2019"
            if n == 1:
                return "2021"
    return None


def _narrative_numbers(narrative: str) -> set[int]:
    return {int(x) for x in re.findall(r"(?<![\d.])(\d{2,15})(?![\d.])", narrative.replace(",", ""))}


def extract_t2(lay: Layout, file, narrative: str, out: TableResult, fmt: str):
    nf = national()
    nums = None
    found_any = False
    for rid, fields in nf.t2_rows(fmt):
        fids = [f"t2.{rid}.{f}" for f in fields]
        rt = _best(_occurrences(lay, f"t2.row:{rid}"))
        if rt is None:
            for fid in fids:
                out.cells[fid] = Cell(None, "", "uncertain", NOT_PRINTED, None)
            continue
        found_any = True
        cands = row_candidates(rt.tokens, len(fields))
        if len(cands) == 1:
            sol = solve({rid: cands}, [])
            _cells_from_solution(lay, file, "t2", {rid: (rt, cands, fids)}, sol, out)
            continue
        # several readings and no arithmetic in 表二: rank by numbers the prose states
        if nums is None:
            nums = _narrative_numbers(narrative)

        def support(c: Candidate):
            return sum(1 for s in c.slots if s.kind in ("split", "num") and s.value is not None
                       and len(str(s.value)) >= 2 and s.value in nums)
        cands.sort(key=lambda c: (-support(c), c.penalty))
        top = cands[0]
        for k in _used_tokens(cands, len(rt.tokens)):
            out.use(lay, "t2", rt.tokens[k])
        alts = [[s.value for s in c.slots] for c in cands[:6]]
        placed = any(c.how in ("missing", "drop", "join") for c in cands)
        for j, fid in enumerate(fids):
            s = top.slots[j]
            vals = {c.slots[j].value for c in cands}
            tok = rt.tokens[s.tok] if s.tok is not None and s.tok < len(rt.tokens) else None
            src = _src(lay, file, tok.line if tok is not None and tok.line is not None else rt.loc.start)
            raw = " ".join(t.raw for t in rt.tokens)
            if placed:
                out.by_absence.add(fid)      # left over numbers elsewhere make it uncertain
            if tok is not None and tok.kind == "blank" and tok.raw and not placed:
                out.positive_blank.add(fid)
            if len(vals) == 1 and all(c.slots[j].kind == "var" for c in cands):
                # a missing cell: 表二 has no arithmetic to infer it from
                out.cells[fid] = Cell(None, raw, "uncertain",
                                      f"「{raw}」印出的数值少于列数，表二无算术可推定此格", src, [None])
                continue
            if len(vals) == 1:
                out.cells[fid] = Cell(s.value, raw, "inferred" if s.kind in ("split", "var") else
                                      ("text" if s.kind == "text" else "blank" if s.kind == "blank" else "value"),
                                      _reason(top.how, rt.tokens), src)
            else:
                why = ("与正文所述数字相符的读法" if support(top) > 0 else "无正文佐证，取第一种读法")
                out.cells[fid] = Cell(s.value, raw, "uncertain",
                                      f"「{raw}」有 {len(cands)} 种拆法，表二无算术可校验；暂取{why}：{alts[0]}",
                                      src, alts)
        if top.how == "missing":
            out.findings.append(Finding("parse.missing_cell", "warning",
                                        f"表二「{rt.loc.spec.label}」印出的数值少于列数", "t2", tuple(fids),
                                        (lay.line_of(rt.loc.start),)))
    out.found["t2"] = found_any


# ------------------------------------------------------------------ 表三
_T3_CONSTRAINTS: dict = {}     # (id of the format, fmt) -> (format, constraints): built once


def t3_constraints(fmt: str) -> list[Constraint]:
    nf = national()
    hit = _T3_CONSTRAINTS.get((id(nf), fmt))
    if hit is None or hit[0] is not nf:
        hit = _T3_CONSTRAINTS[(id(nf), fmt)] = (nf, tuple(_t3_constraints(nf, fmt)))
    return list(hit[1])


def _t3_constraints(nf, fmt: str) -> list[Constraint]:
    rows = nf.t3_rows(fmt)
    ids = [r.id for r in rows]
    cons = []
    for r in ids:   # 总计 column = six applicant columns
        cons.append(Constraint(f"row:{r}", [(r, 6)], [(r, j) for j in range(6)]))
    outcome = [r.id for r in rows if r.kind == "outcome"]
    for j in range(7):
        cons.append(Constraint(f"total:{j}", [("total", j)], [(r, j) for r in outcome]))
        cons.append(Constraint(f"balance:{j}", [("new", j), ("carried_over", j)],
                               [("total", j), ("carried_forward", j)]))
    return cons


def _t3_format(lay: Layout, fallback: str | None) -> str | None:
    subs = [f"t3.row:other.{x}" for x in ("no_correction", "no_fee", "other")]
    if any(x.spec.key in subs for x in lay.labels):
        return "2021"
    six = _best(_occurrences(lay, "t3.row:other"))
    if six is not None and any(t.kind == "num" for t in six.tokens):
        return "2019"
    return fallback


def extract_t3(lay: Layout, file, out: TableResult, fmt: str):
    nf = national()
    rows = nf.t3_rows(fmt)
    cols = nf.t3_columns
    info = {}
    cand_map = {}
    found = 0
    best = {r.id: _best(_occurrences(lay, f"t3.row:{r.id}")) for r in rows}
    stacks.restack(lay, [best[r.id] for r in rows], len(cols))
    for r in rows:
        fids = [f"t3.{r.id}.{c}" for c in cols]
        rt = best[r.id]
        if rt is None:
            cands = [Candidate([Slot("blank") for _ in cols], 0, "absent")]
        else:
            found += 1
            rt.tokens = unsigned_counts(rt.tokens)
            cands = row_candidates(rt.tokens, len(cols), row_sum=True)
        info[r.id] = (rt, cands, fids)
        cand_map[r.id] = list(cands)
    out.found["t3"] = found > 0
    if not found:
        for r in rows:
            for fid in info[r.id][2]:
                out.cells[fid] = Cell(None, "", "uncertain", NOT_PRINTED, None)
        return
    sol = solve(cand_map, t3_constraints(fmt))
    # the readings that survived describe how each row was read
    info = {r: (rt, sol.survivors[r], fids) for r, (rt, _c, fids) in info.items()}
    _cells_from_solution(lay, file, "t3", info, sol, out)
    for r in rows:
        rt, cands, fids = info[r.id]
        if rt is None:
            continue
        hows = {c.how for c in cands}
        line = (lay.line_of(rt.loc.start),)
        if "missing" in hows:
            n_print = sum(1 for t in rt.tokens if t.kind != "text")
            out.findings.append(Finding(
                "parse.missing_cell", "warning",
                f"表三「{r.label}」只印出 {n_print} 个数值（应为 7 个），缺格已按表格算术推定",
                "t3", (f"t3.{r.id}",), line, {"printed": n_print, "expected": 7}))
        if hows == {"join"}:
            out.findings.append(Finding(
                "parse.joined_digits", "info",
                f"表三「{r.label}」有数字跨行折断（「{' '.join(t.raw for t in rt.tokens)}」），已按表格算术拼接",
                "t3", (f"t3.{r.id}",), line))
        if "split" in hows:
            out.findings.append(Finding(
                "parse.split_digits", "info",
                f"表三「{r.label}」数字粘连（「{' '.join(t.raw for t in rt.tokens)}」），已按表格算术拆分",
                "t3", (f"t3.{r.id}",), line))


# ------------------------------------------------------------------ 表四
def _t4_tokens(lay: Layout) -> tuple[list[Token], int | None]:
    memo = lay.__dict__.get("_t4_memo")
    if memo is None:
        memo = lay.__dict__["_t4_memo"] = _t4_tokens_uncached(lay)
    return memo


def _t4_tokens_uncached(lay: Layout) -> tuple[list[Token], int | None]:
    last_t3 = max((x.end for x in lay.labels if x.spec.table == "t3" and x.spec.kind == "row"), default=None)
    start = None
    for x in lay.labels:
        if x.spec.key == "section.section:review" or (x.spec.table == "t4"):
            if last_t3 is None or x.start >= last_t3:
                start = x.start
                break
    if start is None:
        return [], None
    toks: list[Token] = []
    runs, gap = 0, True     # groups of numbers separated by lines of header words
    for x in lay.labels:
        if x.start < start:
            continue
        if x.spec.table not in ("t4", "section") and x.spec.kind != "header":
            continue
        text = lay.value_text(x)
        off = x.value_start
        lines = text.split("\n")
        ends_line = lay.text[x.value_end:x.value_end + 1] in ("\n", "")
        for i, line in enumerate(lines):
            # a later line is a row of its own: its first cell is a value, not the label's rest
            lt, explicit = tokenize(line, off) if i == 0 or "\t" not in line else tokenize("\t" + line, off - 1)
            off += len(line) + 1
            # a line of blank marks only (``—\t—\t…``, ``---------------``, empty cells on
            # a line of their own) is a row of 表四's values too: all its cells are blank
            whole = i > 0 and (i < len(lines) - 1 or ends_line)      # a line of its own
            marks = len(lt) >= 2 and all(t.kind == "blank" for t in lt) and (whole or all(t.raw for t in lt))
            if not marks and not any(t.kind == "num" for t in lt):
                if any(t.kind == "text" for t in lt) or (i == 0 and x.spec.kind == "header"):
                    gap = True
                continue
            runs += gap
            gap = False
            if not explicit:
                if not is_table_like(lt):
                    continue
                lt = [t for t in lt if t.kind != "text"]
            else:
                lt = [t for t in lt if t.kind != "text"]
            toks.extend(lt)
    lay.__dict__["_t4_runs"] = runs
    return toks, start


def extract_t4(lay: Layout, file, out: TableResult):
    nf = national()
    groups, cols = nf.t4_groups, nf.t4_columns
    fids = [f"t4.{g}.{c}" for g in groups for c in cols]
    toks, start = _t4_tokens(lay)
    out.found["t4"] = start is not None
    if start is None:
        for fid in fids:
            out.cells[fid] = Cell(None, "", "uncertain", NOT_PRINTED, None)
        return
    loc = next(x for x in lay.labels if x.start == start)
    toks = unsigned_counts(toks)
    rt = RowText(loc, toks, True)
    cands = row_candidates(toks, len(fids))
    cons = []
    for gi, g in enumerate(groups):
        b = gi * len(cols)
        cons.append(Constraint(f"t4:{g}", [("t4", b + 4)], [("t4", b + k) for k in range(4)]))
    sol = solve({"t4": cands}, cons)
    cands = sol.survivors["t4"]
    _cells_from_solution(lay, file, "t4", {"t4": (rt, cands, fids)}, sol, out)
    n_missing = len(fids) - len(toks)
    if lay.__dict__.get("_t4_runs", 0) > 3 or (toks and n_missing >= 2):
        # values interleaved with header words over many lines (text extracted column by
        # column): their order is not the table's, whatever the sums say
        why = ("表四数值分散在多处、与表头文字交错，无法确定各数所在的列" if n_missing < 2 else
               f"表四少印了 {n_missing} 个数值，各数所在的列无法唯一确定")
        for fid in fids:
            c = out.cells[fid]
            if c.status in ("value", "inferred", "blank"):
                c.doubt(why, [c.json_value()])
    hows = {c.how for c in cands}
    if "missing" in hows and toks:
        out.findings.append(Finding("parse.missing_cell", "warning",
                                    f"表四只印出 {len(toks)} 个数值（应为 15 个），缺格已按表格算术推定",
                                    "t4", ("t4",), (lay.line_of(start),)))


def _t3_in_doubt(lay: Layout, out: TableResult) -> bool:
    """表三 as read label by label has uncertain cells, numbers read into no cell, or a
    sum that does not hold."""
    if any(c.status == "uncertain" and f.startswith("t3.") for f, c in out.cells.items()):
        return True
    if _broken(out, "t3"):
        return True
    return bool(conserve.leftover(_printed(lay, "t3"), out.used.get("t3", [])))


def _printed(lay: Layout, table: str):
    """conserve.printed_numbers of a table's labels, once per document."""
    memo = lay.__dict__.setdefault("_printed_memo", {})
    if table not in memo:
        memo[table] = conserve.printed_numbers(lay, _table_labels(lay, table))
    return memo[table]


NOTHING_PRINTED = "{name}的位置没有印出任何数值或空白标记（可能是提取时丢失），不能认定为空白"


def _nothing_printed(out: TableResult, table: str):
    """A table found by its labels whose cells show nothing at all — no number, no
    blank mark, no empty cell — is not a table of blanks: the numbers may have been
    lost in extraction, and its sums hold for any reading, so every cell is uncertain."""
    if not out.found.get(table):
        return
    prefix = table + "."
    cells = []
    for f, c in out.cells.items():
        if f.startswith(prefix):
            if c.status != "blank" or f in out.positive_blank:
                return
            cells.append((f, c))
    if not cells:
        return
    why = NOTHING_PRINTED.format(name={"t2": "表二", "t3": "表三", "t4": "表四"}[table])
    for _f, c in cells:
        c.doubt(why, [None])
    out.findings.append(Finding("parse.nothing_printed", "warning", why, table, (table,), ()))


def extract_tables(lay: Layout, file, narrative: str) -> TableResult:
    out = TableResult()
    t2f = _t2_format(lay)
    t3f = _t3_format(lay, t2f)
    t2f = t2f or t3f or "2021"
    t3f = t3f or t2f
    out.formats = {"t2": t2f, "t3": t3f}
    extract_t2(lay, file, narrative, out, t2f)
    extract_t3(lay, file, out, t3f)
    extract_t4(lay, file, out)
    # 表三 whose numbers came out detached from their labels (row by row or column by column)
    if out.found.get("t3") and _t3_in_doubt(lay, out):
        columns.apply_t3(lay, file, out, t3f, t3_constraints(t3f), columns.source_at(lay, file))
    _conserve(lay, out)
    for table in ("t2", "t3", "t4"):
        _nothing_printed(out, table)
    # labels printed with a typo
    for x in lay.labels:
        m = x.match
        if m.typo and x.spec.kind in ("row", "group", "section"):
            table = x.spec.table if x.spec.table != "section" else {
                "proactive": "t2", "requests": "t3", "review": "t4"}.get(x.spec.ident, "sections")
            printed = lay.text[x.start:x.end].replace("\n", "")
            out.findings.append(Finding(
                "label.typo", "info", f"标签印作「{printed}」，规范写法为「{x.spec.label}」",
                table, (table,), (lay.line_of(x.start),), {"printed": printed, "official": x.spec.label}))
    return out
