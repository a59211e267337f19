"""两份报告对照 (two reports side by side) for a reader: ``export.compare`` (every field of
either report, differences marked) with the fields' official labels, the indicators of
both, and the same agency's previous-year report (``previous_year``) — only when both
reports are in the reader's scope (otherwise None, as for a report that does not exist)."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import schema as S
from .accounts import Scope
from .stored import STATUS_CELL_ZH, TABLE_TITLES, field_labels, visible_report
from .export import _number, compare
from .indicators import INDICATORS


@dataclass
class Row:
    field: str
    label: str
    a: object
    b: object
    a_status: str | None
    b_status: str | None
    differs: bool

    @property
    def a_status_zh(self) -> str:
        return STATUS_CELL_ZH.get(self.a_status or "", "不适用")

    @property
    def b_status_zh(self) -> str:
        return STATUS_CELL_ZH.get(self.b_status or "", "不适用")


@dataclass
class Comparison:
    a: dict                                   # report meta: id, agency, year, format, region
    b: dict
    tables: list[tuple[str, list[Row]]] = field(default_factory=list)   # (title, rows) for 表二/三/四
    indicators: list[dict] = field(default_factory=list)
    differing: int = 0                        # fields that differ
    total: int = 0                            # fields compared
    only_differences: bool = False


def _meta(row) -> dict:
    m = row._mapping
    return {"id": m["id"], "agency": m["agency"] or m["agency_raw"] or "", "year": m["year"], "format": m["format"],
            "region": "".join(x for x in (m["province"], m["city"], m["county"]) if x),
            **{i.id: m[i.id] for i in INDICATORS}}


def comparison(corpus, scope: Scope, a_id: int, b_id: int, only_differences: bool = False) -> Comparison | None:
    """Reports ``a_id`` and ``b_id`` side by side, or None if either is absent or outside
    ``scope``.  ``only_differences``: the rows that differ only (the counts stay whole)."""
    with corpus.engine.connect() as c:
        rows = [visible_report(c, int(x), scope) for x in (a_id, b_id)]
    if any(r is None for r in rows):
        return None
    a, b = (_meta(r) for r in rows)
    res = compare(corpus, a["id"], b["id"])
    labels = field_labels()
    out = Comparison(a=a, b=b, only_differences=only_differences)
    by_table: dict[str, list[Row]] = {}
    for f in res["fields"]:
        row = Row(f["field"], labels.get(f["field"], f["field"]), _number(f["a"]), _number(f["b"]),
                  f["a_status"], f["b_status"], f["differs"])
        out.total += 1
        out.differing += row.differs
        if row.differs or not only_differences:
            by_table.setdefault(row.field[:2], []).append(row)
    out.tables = [(TABLE_TITLES[t], by_table[t]) for t in ("t2", "t3", "t4") if t in by_table]
    for ind in INDICATORS:
        x, y = a[ind.id], b[ind.id]
        out.indicators.append({"id": ind.id, "zh": ind.zh, "rate": bool(ind.denominator), "a": x, "b": y,
                               "differs": x != y})
    return out


def previous_year(corpus, scope: Scope, report_id: int) -> int | None:
    """The newest report of the same agency for the year before, in ``scope`` (None: there
    is none, the report has no agency or year, or it is not visible)."""
    import sqlalchemy as sa
    r, a = S.reports, S.agencies
    with corpus.engine.connect() as c:
        row = visible_report(c, int(report_id), scope)
        if row is None or row.agency_id is None or row.year is None:
            return None
        q = (sa.select(r.c.id).select_from(r.outerjoin(a, a.c.id == r.c.agency_id))
             .where(r.c.agency_id == row.agency_id, r.c.year == row.year - 1).order_by(r.c.id.desc()).limit(1))
        cond = scope.condition()
        if cond is not None:
            q = q.where(cond)
        return c.execute(q).scalar()
