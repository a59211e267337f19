"""OCR values are never accepted on their own: a cell read by OCR keeps its status
only when every sum it takes part in holds (表三 row totals, （七）总计, 勾稽关系; 表四
group totals).  Otherwise — and always for 表二, which has no arithmetic — it is
``uncertain``."""
from __future__ import annotations

from decimal import Decimal

from ..formats import national
from .tables import ORPHAN_REASON, t3_constraints

REASON = "OCR 读数，未能由表格算术证实，请对照原件核实"


def _fid_constraints(t3fmt: str):
    nf = national()
    cols = nf.t3_columns
    out = []
    for c in t3_constraints(t3fmt):
        out.append(([f"t3.{r}.{cols[j]}" for r, j in c.lhs], [f"t3.{r}.{cols[j]}" for r, j in c.rhs]))
    for g in nf.t4_groups:
        out.append(([f"t4.{g}.total"], [f"t4.{g}.{k}" for k in ("upheld", "corrected", "other", "pending")]))
    return out


def needs_confirmation(c) -> bool:
    """OCR readings, and values placed in a row by position only (page-break orphans)."""
    return bool(c.source is not None and (c.source.ocr or (c.reason or "").startswith(ORPHAN_REASON)))


def confirm_ocr(cells: dict, t3fmt: str) -> int:
    """Mark unconfirmed OCR (or orphan-placed) cells uncertain; returns how many were marked."""
    ok: dict[str, bool] = {}

    def read(c) -> bool:
        # a cell inferred as missing was computed from the others: it cannot confirm them
        return c is not None and isinstance(c.value, (int, Decimal)) and (
            c.status == "value" or (c.status == "inferred" and "数字粘连" in (c.reason or "")))
    for lhs, rhs in _fid_constraints(t3fmt):
        vals = [cells.get(f) for f in lhs + rhs]
        holds = all(read(c) for c in vals) and \
            sum(cells[f].value for f in lhs) == sum(cells[f].value for f in rhs)
        for f in lhs + rhs:
            ok[f] = ok.get(f, True) and holds
    n = 0
    for fid, c in cells.items():
        if not needs_confirmation(c) or c.status not in ("value", "inferred"):
            continue
        if not ok.get(fid, False):
            c.doubt(REASON if c.source.ocr else "位置推定的读数未能由表格算术证实")
            n += 1
    return n
