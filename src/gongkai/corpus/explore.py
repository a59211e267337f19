"""语料浏览 (the corpus explorer): the reports of a scope filtered by region, years and
kind; for every indicator (``indicators.INDICATORS``) its formula, the number of reports
where it is defined, their mean and median and the pooled rate (Σ numerators ÷ Σ
denominators); and for one chosen indicator the same per group (year, province, city,
county or kind), ranked.

The minimum sample: a rate (mean, median, pooled) or a rank is shown only when it rests
on at least ``MIN_SAMPLE`` reports where the indicator is defined; below that the page
says 「样本不足（n=…）」.  ``explore(..., min_n=)`` overrides it.

``exploration_table`` is the table the page shows, row for row and column for column;
``download`` writes that table with the export writers (csv, xlsx, parquet, json)."""
from __future__ import annotations

import io
import statistics
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from . import schema as S
from .accounts import Scope, parse_region
from .board import KIND_ZH, _where, regions, years
from .export import check_format, write_table
from .indicators import BY_ID, INDICATORS, Indicator, formula
from .store import CorpusError

MIN_SAMPLE = 5            # reports where an indicator is defined, before its rate is shown or ranked
GROUPS = {"year": "年度", "province": "省份", "city": "地市", "county": "县区", "kind": "类别"}
MAX_YEARS = 50
UNKNOWN = "（未知）"


@dataclass(frozen=True)
class Filters:
    region: str | None = None          # a province, city or county name (accounts.parse_region)
    years: tuple[int, ...] = ()        # none: every year
    kind: str | None = None            # government | department
    indicator: str = "disclosure_rate"  # the indicator of the table and the chart
    group: str = "year"                # GROUPS

    def query(self) -> list[tuple[str, str]]:
        """The filter as query parameters (the page's download links carry it)."""
        out = [("region", self.region)] if self.region else []
        out += [("year", str(y)) for y in self.years]
        if self.kind:
            out.append(("kind", self.kind))
        return out + [("indicator", self.indicator), ("group", self.group)]


def parse_filters(get) -> Filters:
    """Filters from query parameters: ``get(name)`` → list of values (a form sends
    ``year`` once per ticked year).  A bad value → CorpusError naming it."""
    def one(name):
        vals = [v.strip() for v in get(name) if v and v.strip()]
        return vals[-1] if vals else None
    ys = []
    for y in get("year"):
        if not y:
            continue
        if not y.strip().isdigit() or not 1990 <= int(y) <= 2100:
            raise CorpusError(f"年度「{y[:20]}」无效：请写四位数的年份")
        ys.append(int(y))
    if len(ys) > MAX_YEARS:
        raise CorpusError(f"年度太多：最多 {MAX_YEARS} 个")
    kind = one("kind")
    if kind not in (None, *KIND_ZH):
        raise CorpusError(f"类别「{kind[:20]}」无效（可选 {'、'.join(f'{k} {v}' for k, v in KIND_ZH.items())}）")
    ind = one("indicator") or "disclosure_rate"
    if ind not in BY_ID:
        raise CorpusError(f"指标「{ind[:40]}」无效（可选 {'、'.join(BY_ID)}）")
    group = one("group") or "year"
    if group not in GROUPS:
        raise CorpusError(f"分组「{group[:20]}」无效（可选 {'、'.join(f'{k} {v}' for k, v in GROUPS.items())}）")
    region = one("region")
    return Filters(region=region[:100] if region else None, years=tuple(sorted(set(ys))), kind=kind,
                   indicator=ind, group=group)


@dataclass
class Summary:
    """One indicator over a set of reports."""
    indicator: Indicator
    n: int                       # reports where it is defined
    min_n: int
    mean: float | None = None
    median: float | None = None
    pooled: float | None = None  # Σ numerators ÷ Σ denominators; for a count: the total

    @property
    def enough(self) -> bool:
        return self.n >= self.min_n

    @property
    def is_rate(self) -> bool:
        return bool(self.indicator.denominator)

    @property
    def unit(self) -> str:
        return "%" if self.is_rate else "件"

    @property
    def note(self) -> str:
        return "" if self.enough else f"样本不足（n={self.n}）"

    def shown(self, x: float | None) -> float | None:
        """A statistic as the page shows it: a rate in per cent to one decimal, a count
        whole or to one decimal; None below the minimum sample."""
        if x is None or not self.enough:
            return None
        if self.is_rate:
            return round(x * 100, 1)
        return int(x) if float(x).is_integer() else round(x, 1)

    @property
    def formula(self) -> str:
        return formula(self.indicator)


@dataclass
class Group:
    key: str
    reports: int
    summary: Summary
    rank: int | None = None


@dataclass
class Exploration:
    filters: Filters
    min_n: int
    reports: int = 0
    summaries: list[Summary] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    years: list[int] = field(default_factory=list)       # options of the form, from the scope
    regions: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def indicator(self) -> Indicator:
        return BY_ID[self.filters.indicator]

    @property
    def group_zh(self) -> str:
        return GROUPS[self.filters.group]

    def chart(self) -> dict:
        """What the chart draws (only groups with enough reports have a value)."""
        ind = self.indicator
        s = next(x for x in self.summaries if x.indicator.id == ind.id) if self.summaries else None
        return {"title": f"{ind.zh}（按{self.group_zh}）", "unit": s.unit if s else "",
                "groups": [g.key for g in self.groups],
                "values": [g.summary.shown(g.summary.pooled) for g in self.groups],
                "n": [g.summary.n for g in self.groups], "min_n": self.min_n,
                "value_name": "合计比率" if ind.denominator else "合计", "n_name": "样本数"}


def _base(q, scope: Scope, f: Filters, region):
    """``q`` over report_indicators (one narrow row per report) joined to its agency,
    narrowed to the scope and the filters."""
    ri, a = S.report_indicators, S.agencies
    q = q.select_from(ri.outerjoin(a, a.c.id == ri.c.agency_id))
    for cond in _where(scope, region, f.kind):
        q = q.where(cond)
    if f.years:
        q = q.where(ri.c.year.in_(f.years))
    return q


def _num_den(ind: Indicator):
    ri = S.report_indicators
    return ri.c[f"{ind.id}_num"], (ri.c[f"{ind.id}_den"] if ind.denominator else None)


def _aggregates(ind: Indicator) -> list:
    """count, mean, Σ numerator, Σ denominator of ``ind`` (SQL; the stored numerator and
    denominator are set only where the indicator is defined)."""
    import sqlalchemy as sa
    v = S.report_indicators.c[ind.id]
    num, den = _num_den(ind)
    return [sa.func.count(v), sa.func.avg(v), sa.func.sum(num), sa.func.sum(den) if den is not None else sa.null()]


def _summary(ind: Indicator, n, mean, num, den, min_n: int, median=None) -> Summary:
    s = Summary(ind, int(n or 0), min_n)
    if not s.n:
        return s
    s.mean, s.median = float(mean), median
    if ind.denominator:
        s.pooled = float(num) / float(den) if den else None
    else:
        s.pooled = float(num or 0)
    return s


def _median(sorted_values: list) -> float | None:
    return statistics.median(sorted_values) if sorted_values else None


def _group_column(group: str):
    return S.report_indicators.c.year if group == "year" else S.agencies.c[group]


def _group_key(group: str, v) -> str:
    if group == "kind":
        return KIND_ZH.get(v or "", v or UNKNOWN)
    return UNKNOWN if v is None else str(v)


CACHE_SECONDS = 60.0      # a kept exploration is reused for at most this long …
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 256            # pages and card sums
_CACHE_LOCK = threading.Lock()


def data_stamp(corpus) -> tuple:
    """… and only while the data it summed is unchanged as far as this sees: the number of
    reports and the newest report (imports, deletions), the newest audit row (every
    change made by a person: corrections, merges, catalogue edits) and the newest review
    version.  A re-parse in place changes none of these: its figures show within
    ``CACHE_SECONDS``."""
    import sqlalchemy as sa
    ri, au, rv = S.report_indicators, S.audit, S.report_versions
    with corpus.engine.connect() as c:
        return tuple(c.execute(sa.select(sa.select(sa.func.count()).select_from(ri).scalar_subquery(),
                                         sa.select(sa.func.max(ri.c.report_id)).scalar_subquery(),
                                         sa.select(sa.func.max(au.c.id)).scalar_subquery(),
                                         sa.select(sa.func.max(rv.c.id)).scalar_subquery())).one())


def _kept(key, stamp, make):
    """``make()``, or what it gave for ``key`` less than CACHE_SECONDS ago at the same stamp."""
    now = time.monotonic()
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == stamp and now - hit[1] < CACHE_SECONDS:
            _CACHE.move_to_end(key)
            return hit[2]
    value = make()
    with _CACHE_LOCK:
        _CACHE[key] = (stamp, now, value)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def explore(corpus, scope: Scope, filters: Filters, min_n: int = MIN_SAMPLE) -> Exploration:
    """The exploration of the reports of ``scope`` that pass ``filters``, kept for reuse
    (``CACHE_SECONDS``, ``data_stamp``); the indicator cards, which do not depend on the
    chosen indicator or grouping, are kept per region, years and kind (at 100,000 reports
    the unfiltered cards take ≈ 0.1 s on SQLite)."""
    min_n = max(1, int(min_n))
    stamp = data_stamp(corpus)
    return _kept(("page", corpus.url, scope, filters, min_n), stamp,
                 lambda: compute_exploration(corpus, scope, filters, min_n, stamp))


def compute_exploration(corpus, scope: Scope, filters: Filters, min_n: int = MIN_SAMPLE,
                        stamp: tuple | None = None) -> Exploration:
    """The exploration itself (with ``stamp``, the cards may come from the cache).  A region the page cannot read sets ``error``
    and narrows to nothing (never to everything).

    Everything is summed in SQL over ``report_indicators``; the medians (of the chosen
    indicator: overall and per group) come from one ordered read of its values — the
    other indicators' cards show n, mean and the pooled rate."""
    import sqlalchemy as sa
    min_n = max(1, int(min_n))
    out = Exploration(filters=filters, min_n=min_n, years=years(corpus, scope), regions=regions(corpus, scope))
    region = None
    if filters.region:
        try:
            region = parse_region(filters.region)
        except CorpusError as e:
            out.error = str(e)
            out.summaries = [_summary(i, 0, None, None, None, min_n) for i in INDICATORS]
            return out
    chosen = BY_ID[filters.indicator]
    gcol = _group_column(filters.group)
    v = S.report_indicators.c[chosen.id]
    cards = _base(sa.select(sa.func.count(), *[x for i in INDICATORS for x in _aggregates(i)]), scope, filters,
                  region)
    groups = _base(sa.select(gcol, sa.func.count(), *_aggregates(chosen)), scope, filters, region).group_by(gcol)
    values = _base(sa.select(gcol, v), scope, filters, region).where(v.is_not(None))
    def card_sums():
        with corpus.engine.connect() as c:
            return tuple(c.execute(cards).one())
    total, *agg = (card_sums() if stamp is None else
                   _kept(("cards", corpus.url, scope, filters.region, filters.years, filters.kind), stamp, card_sums))
    with corpus.engine.connect() as c:
        per_group = c.execute(groups).all()
        pairs = c.execute(values).cursor.fetchall()   # plain tuples (two plain columns): ~2× SQLAlchemy rows
    ordered: dict = {}
    for g, x in pairs:
        ordered.setdefault(g, []).append(x)
    for xs in ordered.values():
        xs.sort()
    every = sorted(x for _g, x in pairs)
    out.reports = total or 0
    out.summaries = [_summary(i, *agg[4 * k:4 * k + 4], min_n, _median(every) if i is chosen else None)
                     for k, i in enumerate(INDICATORS)]
    made = {}
    for g, n_reports, n, mean, num, den in per_group:
        key = _group_key(filters.group, g)
        made[key] = Group(key, n_reports, _summary(chosen, n, mean, num, den, min_n, _median(ordered.get(g, []))))
    out.groups = [made[k] for k in sorted(made, key=lambda k: (k == UNKNOWN, k))]
    ranked = sorted((g for g in out.groups if g.summary.enough), key=lambda g: -(g.summary.pooled or 0))
    for i, g in enumerate(ranked, 1):
        g.rank = i
    return out


def exploration_table(e: Exploration) -> tuple[list[str], list[tuple]]:
    """The table of the page: (header, rows), values as shown (rates in %, one decimal;
    None where the sample is too small or the value is undefined)."""
    unit = "（%）" if e.indicator.denominator else "（件）"
    pooled = "合计比率" if e.indicator.denominator else "合计"
    header = [e.group_zh, "报告数", "样本数", f"平均值{unit}", f"中位数{unit}", f"{pooled}{unit}", "排名", "说明"]
    rows = [(g.key, g.reports, g.summary.n, g.summary.shown(g.summary.mean), g.summary.shown(g.summary.median),
             g.summary.shown(g.summary.pooled), g.rank, g.summary.note) for g in e.groups]
    return header, rows


MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "parquet": "application/vnd.apache.parquet"}


def download(corpus, scope: Scope, filters: Filters, fmt: str, min_n: int = MIN_SAMPLE) -> tuple[bytes, str, str]:
    """The page's table as a file: (bytes, media type, file name)."""
    fmt = check_format(fmt)
    e = explore(corpus, scope, filters, min_n)
    if e.error:
        raise CorpusError(e.error)
    header, rows = exploration_table(e)
    buf = io.BytesIO()
    write_table(buf, fmt, header, rows, sheet=e.indicator.zh[:31])
    name = f"explore-{e.filters.indicator}-by-{e.filters.group}.{fmt}"
    return buf.getvalue(), MEDIA[fmt], name
