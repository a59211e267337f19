"""年报工作台 (the board): for one year, every agency of a scope with the status of its
report, the counts of errors, warnings and uncertain cells, and the agencies that have
no report.  The web app's board page is this module's ``board``; the status of a
report is ``report_status`` (with the review: 待审核, 已通过, 已退回; the counts are those of
the reviewed data, see ``review``)."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import schema as S
from .accounts import Region, Scope, parse_region, region_condition
from .agencies import kind_names
from .review.state import latest_states

STATUS_ZH = {"missing": "未收录", "imported": "已收录", "errors": "有错误",
             "pending": "待审核", "approved": "已通过", "returned": "已退回"}
KIND_ZH = kind_names()          # agency_types.toml: government 政府, department 部门, street 街道 …


def report_status(report: dict | None) -> str:
    """A report's status code (STATUS_ZH has the Chinese), the first that holds of:

    1. ``missing`` — no report for the year;
    2. ``approved`` — its review state is 已通过 (overrides errors: the reviewer signed off);
    3. ``returned`` — its review state is 已退回 (overrides errors: the agency must act);
    4. ``errors`` — a finding of error severity not dismissed, on the effective data
       (parse + corrections; ``n_errors``), also while the report waits for review;
    5. ``pending`` — submitted (待审核) and without errors;
    6. ``imported`` — otherwise.

    ``report``: ``n_errors`` and ``review`` (the review state: pending | approved |
    returned | None)."""
    if report is None:
        return "missing"
    review = report.get("review")
    if review in ("approved", "returned"):
        return review
    if (report.get("n_errors") or 0) > 0:
        return "errors"
    if review == "pending":
        return "pending"
    return "imported"


@dataclass
class BoardRow:
    agency_id: int
    agency: str
    province: str | None
    city: str | None
    county: str | None
    kind: str | None
    status: str
    report_id: int | None = None
    versions: int = 0                 # reports of this agency and year (the newest is shown)
    n_errors: int = 0
    n_warnings: int = 0
    n_uncertain: int = 0

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]

    @property
    def kind_zh(self) -> str:
        return KIND_ZH.get(self.kind or "", self.kind or "")

    @property
    def region(self) -> str:
        return "".join(x for x in (self.province, self.city, self.county) if x)


PER_PAGE = 200          # agencies on one page of the board (a province has thousands)


@dataclass
class Board:
    """One page of the board (``rows``) and the figures of all its agencies (``total``,
    ``counts``, ``totals``)."""
    year: int | None
    rows: list[BoardRow] = field(default_factory=list)
    years: list[int] = field(default_factory=list)       # years with a report in the scope
    region: str | None = None
    kind: str | None = None
    total: int = 0                                       # agencies on all pages
    counts: dict = field(default_factory=lambda: {k: 0 for k in STATUS_ZH})
    totals: dict = field(default_factory=lambda: {"errors": 0, "warnings": 0, "uncertain": 0})
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def missing(self) -> int:
        return self.counts["missing"]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first row (1-based; 0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


def _where(scope: Scope, region: Region | None, kind: str | None) -> list:
    a = S.agencies
    conds = []
    c = scope.condition()
    if c is not None:
        conds.append(c)
    if region is not None:
        conds.append(region_condition(region))
    if kind:
        conds.append(a.c.kind == kind)
    return conds


def years(corpus, scope: Scope) -> list[int]:
    """The years with at least one report of an agency in the scope, newest first."""
    import sqlalchemy as sa
    r, a = S.reports, S.agencies
    q = (sa.select(r.c.year).distinct().select_from(r.outerjoin(a, a.c.id == r.c.agency_id))
         .where(r.c.year.is_not(None)).order_by(r.c.year.desc()))
    for cond in _where(scope, None, None):
        q = q.where(cond)
    with corpus.engine.connect() as c:
        return [y for y in c.execute(q).scalars()]


def regions(corpus, scope: Scope) -> list[str]:
    """Region names to filter by (provinces, cities, counties of the scope's agencies)."""
    import sqlalchemy as sa
    a = S.agencies
    q = sa.select(a.c.province, a.c.city, a.c.county).distinct()
    for cond in _where(scope, None, None):
        q = q.where(cond)
    seen: dict[str, None] = {}
    with corpus.engine.connect() as c:
        for row in c.execute(q):
            for x in row:
                if x:
                    seen[x] = None
    return sorted(seen)


def board(corpus, year: int | None, scope: Scope, region: str | Region | None = None,
          kind: str | None = None, page: int = 1, per_page: int | None = None) -> Board:
    """The board of ``year`` (None: the newest year with a report in the scope) for the
    agencies of ``scope``, narrowed to ``region`` (a name, parsed as ``parse_region``)
    and ``kind`` (a code of KIND_ZH): page ``page`` of its rows (``per_page``, default
    ``PER_PAGE``, agencies in the order province, city, county, name; a page past the end
    is the last one) and the counts of all.  A region outside the scope narrows to
    nothing: the scope is always applied.  An agency's newest report of the year (highest
    id) is shown, with its review state."""
    import sqlalchemy as sa
    if isinstance(region, str):
        region = parse_region(region) if region.strip() else None
    ys = years(corpus, scope)
    if year is None:
        year = ys[0] if ys else None
    out = Board(year=year, years=ys, region=region.name if region else None, kind=kind or None,
                per_page=max(1, per_page or PER_PAGE))
    a, r = S.agencies, S.reports
    # the page's rows: each agency's newest report of the year looked up per agency (index
    # year, agency, id); the counts: the year's newest reports of the scope's agencies
    r2, r3, nr = r.alias("r2"), r.alias("r3"), r.alias("nr")
    conds = _where(scope, region, kind)
    st = latest_states()
    newest = sa.select(sa.func.max(r2.c.id)).where(r2.c.year == year, r2.c.agency_id == a.c.id).scalar_subquery()
    versions = (sa.select(sa.func.count()).select_from(r3).where(r3.c.year == year, r3.c.agency_id == a.c.id)
                .scalar_subquery())
    q = (sa.select(a.c.id, a.c.name, a.c.province, a.c.city, a.c.county, a.c.kind, nr.c.id.label("rid"),
                   versions.label("versions"), nr.c.n_errors, nr.c.n_warnings, nr.c.n_uncertain,
                   st.c.status.label("review"))
         .select_from(a.outerjoin(nr, nr.c.id == newest if year is not None else sa.false())
                      .outerjoin(st, st.c.report_id == nr.c.id))
         .where(*conds).order_by(a.c.province, a.c.city, a.c.county, a.c.name, a.c.id))
    newer = sa.exists().where(r2.c.year == nr.c.year, r2.c.agency_id == nr.c.agency_id, r2.c.id > nr.c.id)
    has_errors = sa.func.coalesce(nr.c.n_errors, 0) > 0
    summary = (sa.select(has_errors.label("has_errors"), st.c.status, sa.func.count(), sa.func.sum(nr.c.n_errors),
                         sa.func.sum(nr.c.n_warnings), sa.func.sum(nr.c.n_uncertain))
               .select_from(nr.join(a, a.c.id == nr.c.agency_id).outerjoin(st, st.c.report_id == nr.c.id))
               .where(nr.c.year == year, ~newer, *conds).group_by(has_errors, st.c.status))
    with corpus.engine.connect() as c:
        out.total = c.execute(sa.select(sa.func.count()).select_from(a).where(*conds)).scalar() or 0
        reported = 0
        for errs, review, n, e, w, u in (c.execute(summary) if year is not None else ()):
            out.counts[report_status({"n_errors": 1 if errs else 0, "review": review})] += n
            reported += n
            out.totals["errors"] += e or 0
            out.totals["warnings"] += w or 0
            out.totals["uncertain"] += u or 0
        out.counts["missing"] = out.total - reported
        out.page = min(max(1, page), out.pages)
        q = q.limit(out.per_page).offset((out.page - 1) * out.per_page)
        for x in c.execute(q):
            row = BoardRow(x.id, x.name, x.province, x.city, x.county, x.kind, "missing")
            if x.rid is not None:
                row.report_id, row.versions = x.rid, x.versions
                row.status = report_status({"n_errors": x.n_errors, "review": x.review})
                row.n_errors, row.n_warnings, row.n_uncertain = x.n_errors or 0, x.n_warnings or 0, x.n_uncertain or 0
            out.rows.append(row)
    return out
