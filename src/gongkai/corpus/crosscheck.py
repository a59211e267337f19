"""Checks across reports — registered in the same rule registry as the core checks
(stage "corpus"), returning the same Finding shape.  Each sees a ``CorpusData``: every
report's agency, year and values (blank cells as 0 where a sum needs them, uncertain or
text cells as unknown)."""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field

from ..checks.registry import REGISTRY, finding, rule
from ..formats import national
from . import schema as S

COLS_ZH = {"natural": "自然人", "commercial": "商业企业", "research": "科研机构", "social": "社会公益组织",
           "legal": "法律服务机构", "other": "其他", "total": "总计"}


@dataclass
class Rec:
    id: int
    agency_id: int | None
    agency: str
    year: int | None
    kind: str | None
    province: str | None
    values: dict                      # field id -> number | None (blank = 0)
    indicators: dict = field(default_factory=dict)


@dataclass
class CorpusData:
    reports: list
    relations: list                   # (parent agency id, child agency id)

    def by_agency_year(self) -> dict:
        out = {}
        for r in self.reports:
            if r.agency_id is not None and r.year is not None:
                out.setdefault((r.agency_id, r.year), []).append(r)
        return out


def load(corpus, conn=None) -> CorpusData:
    """Every report of ``corpus`` (read on ``conn`` when given, inside its transaction)."""
    if conn is None:
        with corpus.engine.connect() as c:
            return load(corpus, c)
    import sqlalchemy as sa
    from .indicators import INDICATORS
    fids = corpus.field_ids
    r, a = S.reports, S.agencies
    ind_cols = [getattr(r.c, i.id) for i in INDICATORS]
    q = (sa.select(r.c.id, r.c.agency_id, a.c.name, r.c.year, a.c.kind, a.c.province, r.c.value_array, r.c.status_codes,
                   *ind_cols).select_from(r.outerjoin(a, a.c.id == r.c.agency_id)).order_by(r.c.id))
    recs = []
    for row in conn.execute(q):
        vals = json.loads(row[6])
        st = row[7]
        values = {}
        for f, v, s in zip(fids, vals, st):
            values[f] = 0 if s == "b" else (v if s in "vi" else None)
        recs.append(Rec(row[0], row[1], row[2] or "", row[3], row[4], row[5], values,
                        {i.id: row[8 + k] for k, i in enumerate(INDICATORS)}))
    rel = [(x.parent_id, x.child_id) for x in conn.execute(sa.select(S.relations))]
    return CorpusData(recs, rel)


def _f(rule_id, msg, reports, fields=(), data=None, severity=None):
    d = dict(data or {})
    d["reports"] = list(reports)
    return finding(rule_id, msg, severity=severity, table="corpus", fields=tuple(fields), data=d)


@rule("corpus.carry_over", "error", "上年结转与上一年度结转下年度不一致", stage="corpus")
def carry_over(data: CorpusData):
    """Same agency, consecutive years, per 表三 column: this year's 二、上年结转 equals last
    year's 四、结转下年度继续办理.  Skipped for a column where either cell is unknown."""
    out = []
    idx = data.by_agency_year()
    for (aid, year), recs in sorted(idx.items(), key=lambda x: (x[0][0], x[0][1])):
        prev = idx.get((aid, year - 1))
        if not prev or len(recs) != 1 or len(prev) != 1:
            continue
        cur, old = recs[0], prev[0]
        bad = []
        for c in national().t3_columns:
            a, b = cur.values.get(f"t3.carried_over.{c}"), old.values.get(f"t3.carried_forward.{c}")
            if a is not None and b is not None and a != b:
                bad.append((c, a, b))
        if bad:
            txt = "；".join(f"{COLS_ZH[c]}：{year}年上年结转 {a}，{year - 1}年结转下年度 {b}" for c, a, b in bad)
            out.append(_f("corpus.carry_over", f"{cur.agency} {txt}", [old.id, cur.id],
                          [f"t3.carried_over.{c}" for c, _a, _b in bad],
                          {"year": year, "columns": [c for c, _a, _b in bad]}))
    return out


SUM_FIELDS = ("t3.new.total", "t3.total.total", "t3.carried_forward.total", "t4.review.total",
              "t4.suit_direct.total", "t4.suit_after_review.total")


@rule("corpus.department_sum", "warning", "政府数据与所属部门之和不符", stage="corpus")
def department_sum(data: CorpusData):
    """Where the user declared that a government's report covers its departments
    (``gongkai corpus relate``), its 表三/表四 totals equal the sum of the departments'
    reports of the same year (checked when every declared department has a report)."""
    out = []
    if not data.relations:
        return out
    idx = data.by_agency_year()
    children = {}
    for p, ch in data.relations:
        children.setdefault(p, []).append(ch)
    years = sorted({y for (_a, y) in idx})
    for p, kids in children.items():
        for y in years:
            if (p, y) not in idx or not all((k, y) in idx for k in kids):
                continue
            gov = idx[(p, y)][0]
            deps = [idx[(k, y)][0] for k in kids]
            for f in SUM_FIELDS:
                vals = [d.values.get(f) for d in deps]
                g = gov.values.get(f)
                if g is None or any(v is None for v in vals):
                    continue
                s = sum(vals)
                if s != g:
                    out.append(_f("corpus.department_sum",
                                  f"{gov.agency} {y} 年 {f} = {g}，所属 {len(deps)} 个部门之和 = {s}",
                                  [gov.id] + [d.id for d in deps], [f], {"year": y, "sum": s, "value": g}))
    return out


JUMP_FACTOR = 10
JUMP_MIN = 5          # the smaller of the two years must be at least this (10 → 1 is no jump worth a look)


@rule("corpus.jump", "warning", "申请量同比剧烈变化", stage="corpus")
def jump(data: CorpusData):
    """Same agency, consecutive years: 本年新收 (总计) changed by a factor of 10 or more
    (the smaller year at least 5), or fell to 0 after two or more years of at least 5."""
    out = []
    series = {}
    for r in data.reports:
        v = r.values.get("t3.new.total")
        if r.agency_id is not None and r.year is not None and v is not None:
            series.setdefault(r.agency_id, {})[r.year] = (v, r)
    for aid, s in series.items():
        for y in sorted(s):
            if y - 1 not in s:
                continue
            (a, ra), (b, rb) = s[y - 1], s[y]
            lo, hi = min(a, b), max(a, b)
            if lo >= JUMP_MIN and hi >= JUMP_FACTOR * lo:
                out.append(_f("corpus.jump", f"{rb.agency} 本年新收申请 {y - 1} 年 {a} 件 → {y} 年 {b} 件"
                                             f"（{hi / lo:.0f} 倍），请核实", [ra.id, rb.id], ["t3.new.total"],
                              {"year": y, "before": a, "after": b}))
            elif b == 0 and a >= JUMP_MIN and y - 2 in s and s[y - 2][0] >= JUMP_MIN:
                out.append(_f("corpus.jump", f"{rb.agency} {y - 2}–{y - 1} 年每年收到 {s[y - 2][0]}、{a} 件申请，"
                                             f"{y} 年为 0，请核实", [ra.id, rb.id], ["t3.new.total"],
                              {"year": y, "before": a, "after": 0}))
    return out


OUTLIER_Z = 5.0       # robust z-score (median / MAD) beyond which a value stands out
OUTLIER_PEERS = 8     # at least this many peers (same province, kind and year)


@rule("corpus.outlier", "info", "与同类机关相比异常", stage="corpus")
def outlier(data: CorpusData):
    """Among peers (same province, same kind, same year; at least 8), a report whose
    application count or 公开率 lies more than 5 robust standard deviations (1.4826·MAD)
    from the peers' median."""
    out = []
    groups = {}
    for r in data.reports:
        if r.province and r.kind and r.year:
            groups.setdefault((r.province, r.kind, r.year), []).append(r)
    for (prov, kind, year), rs in groups.items():
        if len(rs) < OUTLIER_PEERS:
            continue
        for ind, zh in (("applications", "申请量"), ("disclosure_rate", "公开率")):
            xs = [(r.indicators.get(ind), r) for r in rs if r.indicators.get(ind) is not None]
            if len(xs) < OUTLIER_PEERS:
                continue
            vals = [x for x, _ in xs]
            med = statistics.median(vals)
            mad = statistics.median(abs(x - med) for x in vals) * 1.4826
            if mad == 0:
                continue
            for x, r in xs:
                z = (x - med) / mad
                if abs(z) > OUTLIER_Z:
                    out.append(_f("corpus.outlier", f"{r.agency} {year} 年{zh} {x:g}，同省同类 {len(xs)} 个机关中位数 "
                                                    f"{med:g}（偏离 {z:+.1f} 个稳健标准差）", [r.id], [],
                                  {"indicator": ind, "value": x, "median": med, "z": round(z, 2)}))
    return out


def run_corpus_checks(corpus) -> list:
    """Run every corpus rule; replace the stored corpus findings; return them.

    Corpus findings are derived state: computed from the reports and rewritten whole, in
    one transaction that first takes the write lock (SQLite: the DELETE; PostgreSQL: an
    advisory lock), so two importers finishing at once leave one consistent set."""
    from .locks import CHECKS_LOCK
    with corpus.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.exec_driver_sql(f"SELECT pg_advisory_xact_lock({CHECKS_LOCK})")
        c.execute(S.findings.delete().where(S.findings.c.scope == "corpus"))
        data = load(corpus, c)
        found = []
        for r in REGISTRY.values():
            if r.stage == "corpus" and r.corpus_func is not None:
                found.extend(r.corpus_func(data))
        rows = [{"report_id": f.data["reports"][-1], "scope": "corpus", "rule": f.rule, "severity": f.severity,
                 "message": f.message, "table_id": f.table,
                 "fields": json.dumps(list(f.fields), ensure_ascii=False) if f.fields else None, "lines": None,
                 "data": json.dumps({k: v for k, v in f.data.items() if k != "reports"}, ensure_ascii=False,
                                    default=str),
                 "reports": json.dumps(f.data["reports"])} for f in found]
        if rows:
            c.execute(S.findings.insert(), rows)
    return found
