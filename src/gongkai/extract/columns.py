"""表三 rebuilt from the order of its numbers when the rows cannot be read by label.

PDF text extractors that do not keep the page layout (pdfminer's ``extract_text``,
poppler's ``pdftotext`` without ``-layout``) detach the numbers from their row labels:
the labels come out in one block and the numbers in another, row by row (one row's
cells after the other) or column by column (a column's cells top to bottom, then the
next column), and a page break cuts the table into pieces printed one after the
other.  Read label by label, such a table is mostly uncertain.

This stage takes every number (and blank mark) printed between 表三's heading and
表四's heading, in order, and tries a small closed family of orders:

* row by row over the whole table;
* column by column (columns left to right), the table cut into up to three pieces at
  row boundaries (page breaks), each piece printed column by column.  Extractors
  that group text into boxes (pdfminer) may print the applicant columns in another
  order, and their sums do not tell them apart: in such a reading only the 总计
  column and the rows whose six applicant cells are equal are known; the applicant
  cells of the other rows are uncertain.

A grid is kept only if it satisfies every relation of 表三 (each row's 总计 is the
sum of the six applicant columns; each column's outcome rows sum to its 总计;
新收 + 上年结转 = 总计 + 结转下年度 per column).  When all the orders that fit
give the same grid, its cells are ``inferred`` (rule ``parse.column_order``); cells
on which they differ are ``uncertain`` with the alternatives.  Nothing is done when
the count of printed numbers is not the table's cell count (blanks left empty, wide
numbers wrapped): the label-by-label reading and the conservation of numbers stay in
charge.  Work is bounded: at most ``MAX_ORDERS`` orders are tried."""
from __future__ import annotations

from dataclasses import dataclass

from ..formats import national
from ..model import Cell, Finding, Source
from . import conserve
from .conserve import _explained
from .values import is_table_like, tokenize

RULE = "parse.column_order"
MAX_ORDERS = 400          # orders tried per table (1 row-major + chunked column-major)
MAX_PIECES = 3            # pieces a page break may cut 表三 into
REASON = {"row": "表三数值与行标签脱离，按「逐行」顺序重建，符合表三全部算术关系",
          "column": "表三数值按「逐列」顺序印出（文本提取器按列输出），按列重建，符合表三全部算术关系"}


@dataclass
class Rebuilt:
    grid: dict            # (row id, col index) -> value (None: a blank mark)
    tokens: dict          # (row id, col index) -> Token
    orders: list          # names of the orders that fit
    uncertain: dict       # (row id, col index) -> alternatives (orders that fit disagree)


def zone_tokens(lay) -> list | None:
    """Numbers and blank marks printed between 表三's heading and 表四's heading, outside
    every label, in order.  None when the zone is not found or it marks cell
    boundaries (tabs, pipes: a layout the row reader handles)."""
    sec = lay.sections
    if "requests" not in sec or "review" not in sec:
        return None
    z0, z1 = sec["requests"][1], sec["review"][0]
    if z1 <= z0:
        return None
    spans = sorted((x.start, x.end) for x in lay.labels if z0 <= x.start < z1)
    out = []
    pos = z0
    text = lay.text
    for a, b in spans + [(z1, z1)]:
        if a > pos:
            seg = text[pos:a]
            off = pos
            for line in seg.split("\n"):
                if any(ch.isdigit() or ch in "-—–－/／" for ch in line):
                    toks, explicit = tokenize(line, off)
                    if explicit:
                        return None
                    if is_table_like(toks):
                        for t in toks:
                            if t.kind == "blank":
                                out.append(t)
                            elif t.kind == "num":
                                rel = t.line - off
                                if _explained(line, rel, rel + len(t.raw), t.value):
                                    continue
                                out.append(t)
                off += len(line) + 1
        pos = max(pos, b)
    return out


def _orders(n_rows: int, n_cols: int):
    """(name, [(row index, col index)] in print order) for the orders tried."""
    yield "row", [(r, j) for r in range(n_rows) for j in range(n_cols)]
    cuts = [()]
    cuts += [(a,) for a in range(1, n_rows)]
    if MAX_PIECES >= 3:
        cuts += [(a, b) for a in range(1, n_rows) for b in range(a + 1, n_rows)]
    for k, cut in enumerate(cuts):
        if k + 1 >= MAX_ORDERS:
            return
        bounds = (0, *cut, n_rows)
        seq = []
        for p in range(len(bounds) - 1):
            seq.extend((r, j) for j in range(n_cols) for r in range(bounds[p], bounds[p + 1]))
        yield "column", seq


def _holds(grid, constraints) -> bool:
    for c in constraints:
        ls = 0
        for x in c.lhs:
            ls += grid[x] or 0
        rs = 0
        for x in c.rhs:
            rs += grid[x] or 0
        if ls != rs:
            return False
    return True


def rebuild_t3(lay, fmt: str, constraints) -> Rebuilt | None:
    """The grid the printed order gives under 表三's arithmetic, or None."""
    nf = national()
    rows = [r.id for r in nf.t3_rows(fmt)]
    n_cols = len(nf.t3_columns)
    toks = zone_tokens(lay)
    if not toks or len(toks) != len(rows) * n_cols:
        return None
    if any(t.kind == "num" and (not isinstance(t.value, int) or t.value < 0) for t in toks):
        return None
    vals = [t.value if t.kind == "num" else None for t in toks]
    if all(v is None for v in vals):
        return None
    # cheapest constraints first: a wrong order usually fails the first row sum
    cons = sorted(constraints, key=lambda c: len(c.lhs) + len(c.rhs))
    fits = []
    for name, seq in _orders(len(rows), n_cols):
        grid = {(rows[r], j): vals[i] for i, (r, j) in enumerate(seq)}
        if _holds(grid, cons):
            fits.append((name, seq, grid))
    if not fits:
        return None
    first = fits[0][2]
    uncertain = {}
    for key in first:
        alts = []
        for _n, _s, g in fits:
            if g[key] not in alts:
                alts.append(g[key])
        if len(alts) > 1:
            uncertain[key] = alts
    # printed column by column, the applicant columns are told apart only by where
    # they stand, and extractors that group text into boxes (pdfminer) reorder them:
    # their sums are the same whatever the order, so a row whose applicant cells differ
    # is known up to a permutation of those cells
    n_app = n_cols - 1
    for name, _s, g in fits:
        if name != "column":
            continue
        for r in rows:
            row = [g[(r, j)] for j in range(n_app)]
            if len(set(row)) > 1:
                for j in range(n_app):
                    alts = uncertain.setdefault((r, j), [first[(r, j)]])
                    for v in row:
                        if v not in alts:
                            alts.append(v)
    seq0 = fits[0][1]
    tokens = {(rows[r], j): toks[i] for i, (r, j) in enumerate(seq0)}
    return Rebuilt(first, tokens, sorted({n for n, _s, _g in fits}), uncertain)


def _trusted(out, fid) -> bool:
    """A cell read from its own label's line by a direct reading: the rebuilt grid must
    agree with it."""
    c = out.cells.get(fid)
    return (c is not None and c.status in ("value", "blank") and fid not in out.by_absence
            and fid not in out.detached and (c.status != "blank" or fid in out.positive_blank))


def apply_t3(lay, file, out, fmt: str, constraints, src) -> bool:
    """Replace 表三's cells by the rebuilt grid (the caller calls this only when the
    label-by-label reading left cells uncertain, numbers unread or sums broken).
    Returns True when the cells were replaced."""
    nf = national()
    cols = nf.t3_columns
    fids = {(r.id, j): f"t3.{r.id}.{c}" for r in nf.t3_rows(fmt) for j, c in enumerate(cols)}
    cells = out.cells
    rb = rebuild_t3(lay, fmt, constraints)
    if rb is None:
        return False
    for key, fid in fids.items():
        if _trusted(out, fid) and key not in rb.uncertain and cells[fid].value != rb.grid[key]:
            return False       # the printed order contradicts a row read by its label
    how = "column" if rb.orders == ["column"] else "row" if rb.orders == ["row"] else "column"
    reason = REASON[how] if len(rb.orders) == 1 else REASON["row"] + "（逐行、逐列两种顺序结果相同）"
    used = []
    for key, fid in fids.items():
        tok = rb.tokens[key]
        v = rb.grid[key]
        source = src(tok.line if tok.line is not None else lay.sections["requests"][0])
        if key in rb.uncertain:
            alts = rb.uncertain[key]
            cells[fid] = Cell(v, tok.raw, "uncertain",
                              f"有多种读法都符合表格算术：{alts}；表三数值与行标签脱离，印出顺序有多种可能",
                              source, alts)
        elif tok.kind == "blank":
            cells[fid] = Cell(None, tok.raw, "blank", None, source)
            out.positive_blank.add(fid)
        else:
            cells[fid] = Cell(v, tok.raw, "inferred", reason, source)
        out.by_absence.add(fid)
        out.detached.discard(fid)
        if tok.kind == "num":
            used.append(conserve.used_entry(lay.line_of(tok.line), tok.value))
    out.used["t3"] = used
    # the label-by-label findings of 表三 no longer describe the cells
    out.findings = [f for f in out.findings if not (f.table == "t3" and f.rule.startswith("parse."))]
    n_unc = len(rb.uncertain)
    order = "、".join({"row": "逐行", "column": "逐列"}[o] for o in rb.orders)
    out.findings.append(Finding(
        RULE, "info" if not n_unc else "warning",
        f"表三数值与行标签脱离（文本提取器未保留版面），已按印出顺序（{order}）在表三算术下重建"
        + (f"，{n_unc} 个单元格有多种读法" if n_unc else ""),
        "t3", ("t3",), (lay.line_of(lay.sections["requests"][0]),),
        {"orders": rb.orders, "uncertain": n_unc}))
    return True


def source_at(lay, file):
    def at(offset) -> Source:
        if lay.locator is not None:
            return lay.locator(offset)
        return Source(file=file, line=lay.line_of(offset))
    return at
