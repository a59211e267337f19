"""Corpus priors for fused 表二 rows (issue 10 item 7).

Crawler text fuses a 表二 row's numbers (``5845546`` for 58 / 45 / 546).  表二 has no
arithmetic, so the parser leaves such cells ``uncertain`` and ranks the readings (numbers
the prose states first).  Within a corpus the same agency's neighbouring years say more:

* continuity across years — 现行有效件数(y) = 现行有效件数(y−1) + 本年制发(y) − 本年废止(y)
  (2021 format; the 2019 format's 对外公开总数量 and 上一年项目数量 likewise); a reading
  for which it holds exactly, with the previous or the next year, is strong evidence;
* counts the prose states (「制发规范性文件58件」; kept from the parse: ``stated`` in the
  cell's provenance, as the corpus keeps no prose);
* magnitude: the readings whose numbers are closest (log distance) to the same cells of
  the nearest other years that know them.

Readings are ordered by these, in this order, and then by the parser's own order.
``rerank_row`` is pure (plain data in, plain data out).  ``apply_t2_priors`` applies it
in the corpus after an import: the cells stay ``uncertain`` (a guess is never a value),
only the best guess, the order of the alternatives and the reason change; the parse's
own guess is kept in the cell's provenance (``parse``), so re-ranking always starts from
it and a later-arriving neighbour year re-ranks an earlier report."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from ..formats import national

MAX_SHOWN = 6            # alternatives kept in a cell (as the parser keeps)
MAX_READINGS = 4000      # as extract.candidates.MAX_CANDIDATES


@dataclass(frozen=True)
class Continuity:
    """A stock carried over: sum(coef · field at year offset) == 0 over ``terms``
    (field of the row, year offset, coef), for the rows ``rows`` of 表二 format ``fmt``."""
    fmt: str
    rows: tuple
    terms: tuple
    zh: str


CONTINUITY = (
    Continuity("2021", ("rules", "normative"),
               (("in_force", 0, -1), ("in_force", -1, 1), ("issued", 0, 1), ("repealed", 0, -1)),
               "现行有效件数（上年现行有效 + 本年制发 − 本年废止）"),
    Continuity("2019", ("rules", "normative"),
               (("published_total", 0, -1), ("published_total", -1, 1), ("new_published", 0, 1)),
               "对外公开总数量（上年总数量 + 本年新公开）"),
    Continuity("2019", ("licensing", "other_services", "penalty", "coercion", "fees"),
               (("prev_items", 0, -1), ("prev_items", -1, 1), ("change", -1, 1)),
               "上一年项目数量（上年的上一年项目数量 + 上年增/减）"),
)


@dataclass
class Guess:
    """The re-ranked row: readings best first (lists of values, one per field of the row)."""
    readings: list
    evidence: list = field(default_factory=list)     # zh phrases, what decided the order
    tags: list = field(default_factory=list)         # continuity:prev | continuity:next | prose | magnitude


COUNT = re.compile(r"(?<![\d.])(\d{2,15})\s*(?=件|项|个|宗|起|份|条|次)")


def narrative_numbers(narrative: str) -> set[int]:
    """The counts of two digits or more the prose states (「制发规范性文件58件」; a date's
    12 and 31 are no count)."""
    return {int(x) for x in COUNT.findall((narrative or "").replace(",", ""))}


def stated_numbers(nums: set[int], raw: str) -> list[int]:
    """Those of the prose's numbers that occur in a row's printed digits: all a re-ranking
    can use of the prose (stored with the cell, as the corpus keeps no prose)."""
    digits = re.sub(r"\D", "", raw or "")
    return sorted(n for n in nums if str(n) in digits) if digits else []


def readings_of(raw: str, n: int, parsed: list) -> list[tuple[list, int]]:
    """Every reading of a row printed as ``raw`` (the parser's own candidate generator),
    with its penalty, in the parser's order.  When the regenerated readings do not cover
    the parser's alternatives (the raw text tokenises otherwise), the parser's are used."""
    from ..extract.candidates import row_candidates
    from ..extract.values import tokenize
    out = []
    try:
        toks, _cells = tokenize(raw or "")
        cands = row_candidates(toks, n) if toks else []
    except Exception:            # noqa: BLE001 - a raw text the tokenizer refuses: use the parse
        cands = []
    seen = set()
    for c in cands[:MAX_READINGS]:
        vals = [s.value if s.kind not in ("blank", "var") else None for s in c.slots]
        key = tuple(map(_key, vals))
        if key not in seen:
            seen.add(key)
            out.append((vals, c.penalty))
    if not parsed or not all(tuple(map(_key, a)) in seen for a in parsed):
        return [(list(a), 0) for a in parsed]
    return out


def _key(v):
    return None if v is None else str(v)


def _num(v):
    return None if v is None or isinstance(v, str) else v


def _plain(v):
    """A stored number as the parse stores it in JSON (int when whole)."""
    from decimal import Decimal, InvalidOperation
    if isinstance(v, str):           # a Decimal the provenance JSON kept as text
        try:
            v = Decimal(v)
        except InvalidOperation:
            return v
        if not v.is_finite():
            return None
    if isinstance(v, (Decimal, float)):
        return int(v) if v == int(v) else float(v)
    return v


def rerank_row(fmt: str, row: str, fields: list[str], raw: str, parsed: list, known: dict,
               prev: dict | None, nxt: dict | None, stated=(), year: int | None = None,
               others: dict | None = None) -> Guess | None:
    """Re-rank one fused 表二 row.  ``parsed``: the parser's alternatives (its order);
    ``known``: this report's cells of the row that are not uncertain (field → value);
    ``prev``/``nxt``: the same agency's previous/next year, field id → value (value and
    inferred cells only); ``others``: year offset → such a dict for every other year of
    the agency (magnitude is measured against the nearest years that know a cell;
    default: the previous and next year).  Returns None when there is no evidence (the
    order stays)."""
    readings = readings_of(raw, len(fields), parsed)
    fids = [f"t2.{row}.{f}" for f in fields]
    # a reading must agree with the row's cells the parse read for sure
    keep = [(r, p) for r, p in readings
            if all(k not in known or _key(known[k]) == _key(v) for k, v in zip(fids, r))]
    readings = keep or readings
    if len(readings) < 2:
        return None
    prev, nxt = prev or {}, nxt or {}
    rels = [c for c in CONTINUITY if c.fmt == fmt and row in c.rows]
    stated = set(stated or ())

    def holds(rel, r, side):
        cur = dict(zip(fields, r))
        other = prev if side == "prev" else nxt
        total = 0
        for f, dy, coef in rel.terms:
            # side "prev": the report is year 0 (the previous at −1); "next": the report is −1
            at_report = dy == 0 if side == "prev" else dy == -1
            v = _num(cur.get(f)) if at_report else _num(other.get(f"t2.{row}.{f}"))
            if v is None:
                return False
            total += coef * v
        return total == 0

    if others is None:
        others = {dy: x for dy, x in ((-1, prev), (1, nxt)) if x}
    near = {}              # field → (year offsets, values) of the nearest years that know it
    for fid in fids:
        have = sorted((abs(dy), dy, _num(x.get(fid))) for dy, x in others.items()
                      if _num(x.get(fid)) is not None and _num(x.get(fid)) >= 0)
        if have:
            d0 = have[0][0]
            near[fid] = ([dy for a, dy, _v in have if a == d0], [v for a, _dy, v in have if a == d0])

    def magnitude(r):
        d = 0.0
        for fid, v in zip(fids, r):
            v = _num(v)
            if v is None or v < 0 or fid not in near:
                continue
            d += min(abs(math.log10(1 + float(v)) - math.log10(1 + float(x))) for x in near[fid][1])
        return d

    def support(r):
        return sum(1 for v in r if _num(v) is not None and len(str(v)) >= 2 and v in stated)

    has_mag = bool(near)
    scored = []
    for i, (r, pen) in enumerate(readings):
        cont = [(rel, side) for rel in rels for side in ("prev", "next") if holds(rel, r, side)]
        scored.append((-len(cont), -support(r), pen, round(magnitude(r), 9) if has_mag else 0.0, i, r, cont))
    if not has_mag and not any(s[6] for s in scored):
        return None
    scored.sort(key=lambda s: s[:5])
    top = scored[0]
    ev, tags = [], []
    for rel in dict.fromkeys(rel for rel, _side in top[6]):
        sides = [side for r2, side in top[6] if r2 is rel]
        names = [str(year + (-1 if sd == "prev" else 1)) if year else ("上" if sd == "prev" else "下") for sd in sides]
        ev.append(f"与{'、'.join(names)}年报告的{rel.zh}连续")
        tags += [f"continuity:{sd}" for sd in sides]
    if top[1] < 0:
        ev.append("正文所述数字")
        tags.append("prose")
    if has_mag:
        dys = sorted({dy for dys, _v in near.values() for dy in dys})
        yrs = "、".join(str(year + dy) for dy in dys) if year else ""
        ev.append(f"{'相邻' if all(abs(dy) == 1 for dy in dys) else '其他'}年度{f'（{yrs} 年）' if yrs else ''}"
                  "同一格数值的量级")
        tags.append("magnitude")
    return Guess([s[5] for s in scored], ev, tags)


# ------------------------------------------------------------------ the corpus
def _t2_positions(fids: list[str]) -> dict:
    return {f: i for i, f in enumerate(fids) if f.startswith("t2.")}


def _known(vals, codes, pos) -> dict:
    return {f: vals[i] for f, i in pos.items() if codes[i] in "vi" and vals[i] is not None}


def apply_t2_priors(corpus, report_ids=None) -> int:
    """Re-rank the fused 表二 cells of every report of the agencies of ``report_ids``
    (of every agency when None) from the same agency's other years.  Returns the number
    of cells whose best guess or reason changed.  Runs in one transaction (PostgreSQL: under an advisory lock)."""
    import sqlalchemy as sa
    from . import schema as S
    from .locks import PRIORS_LOCK
    r = S.reports
    fids = corpus.field_ids
    pos = _t2_positions(fids)
    if not pos:
        return 0
    changed = 0
    with corpus.engine.begin() as c:
        if c.dialect.name == "postgresql":
            c.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PRIORS_LOCK})")
        else:        # SQLite: take the write lock first (reads and writes of one consistent state)
            c.exec_driver_sql("BEGIN IMMEDIATE")
        q = sa.select(r.c.id, r.c.agency_id, r.c.year, r.c.format, r.c.value_array, r.c.status_codes)
        if report_ids is not None:
            ids = list(report_ids)
            if not ids:
                return 0
            agencies = set()
            for k in range(0, len(ids), 500):
                agencies |= {a for (a,) in c.execute(sa.select(r.c.agency_id).where(r.c.id.in_(ids[k:k + 500])))
                             if a is not None}
            if not agencies:
                return 0
            q = q.where(r.c.agency_id.in_(sorted(agencies)))
        rows = c.execute(q.where(r.c.agency_id.is_not(None), r.c.year.is_not(None))).all()
        by = {}                    # agency → year → its reports
        for row in rows:
            by.setdefault(row.agency_id, {}).setdefault(row.year, []).append(row)
        upos = sorted(pos.values())
        for years in by.values():
            known = {}             # year → known 表二 cells, computed once per agency-year
            for year, group in years.items():
                if len(group) != 1:
                    continue       # two reports of one agency-year: which is the neighbour is unclear
                rep = group[0]
                if not any(rep.status_codes[i] == "u" for i in upos):
                    continue
                others = {}
                for y2, g in years.items():
                    if y2 != year and len(g) == 1:
                        if y2 not in known:
                            known[y2] = _known(json.loads(g[0].value_array), g[0].status_codes, pos)
                        others[y2 - year] = known[y2]
                changed += _rerank_report(c, corpus, rep, pos, others.get(-1), others.get(1), others)
    return changed


def _rerank_report(c, corpus, rep, pos, prev, nxt, others) -> int:
    import sqlalchemy as sa
    from . import schema as S
    cl = S.cells
    vals = json.loads(rep.value_array)
    codes = rep.status_codes
    fmt = rep.format or "2021"
    no_of = {f: pos[f] for f in pos}
    stored = {row.field_no: row for row in c.execute(
        sa.select(cl.c.field_no, cl.c.value, cl.c.status, cl.c.raw, cl.c.reason, cl.c.source)
        .where(cl.c.report_id == rep.id, cl.c.field_no.in_(sorted(no_of.values()))))}
    changed = 0
    dirty = False
    for row, fields in national().t2_rows(fmt):
        fids = [f"t2.{row}.{f}" for f in fields]
        if not all(f in no_of for f in fids):
            continue
        unc = [f for f in fids if codes[no_of[f]] == "u" and no_of[f] in stored]
        if not unc:
            continue
        srcs = {f: json.loads(stored[no_of[f]].source or "{}") for f in unc}
        first = srcs[unc[0]]
        parse = first.get("parse") or {}
        parsed = parse.get("alternatives", first.get("alternatives"))
        if not parsed or any(len(a) != len(fields) for a in parsed):
            continue
        raw = stored[no_of[unc[0]]].raw or ""
        known = {f: vals[no_of[f]] for f in fids if f not in unc and codes[no_of[f]] in "vibt"}
        g = rerank_row(fmt, row, fields, raw, parsed, known, prev, nxt, first.get("stated", ()),
                       rep.year, others)
        for f in unc:
            j = fields.index(f.split(".")[2])
            src = srcs[f]
            cell = stored[no_of[f]]
            p = src.get("parse") or {"value": _plain(cell.value), "reason": cell.reason,
                                     "alternatives": src.get("alternatives")}
            if g is None:
                if "parse" not in src:
                    continue                       # never re-ranked: the parse stands
                new_val, new_reason = p["value"], p["reason"]
                src["alternatives"] = p["alternatives"]
                src.pop("parse")
                src.pop("prior", None)
            else:
                top = g.readings[0]
                new_val = top[j]
                n = len(g.readings)
                new_reason = (f"「{raw}」有 {n} 种拆法，表二无算术可校验；按{'、'.join(g.evidence)}排序，"
                              f"暂取：{_show(top)}（推测，请核对原文）")
                src["alternatives"] = [[_plain(x) for x in a] for a in g.readings[:MAX_SHOWN]]
                src["parse"] = p
                src["prior"] = {"evidence": g.tags,
                                "years": sorted(rep.year + dy for dy, x in others.items() if x)}
            new_val = _plain(new_val)
            if _key(new_val) == _key(_plain(cell.value)) and new_reason == cell.reason and \
                    json.dumps(src, sort_keys=True, default=str) == json.dumps(json.loads(cell.source or "{}"),
                                                                               sort_keys=True, default=str):
                continue
            value = new_val
            if isinstance(value, float) and not corpus.as_float:
                from decimal import Decimal
                value = Decimal(str(value))
            c.execute(cl.update().where(cl.c.report_id == rep.id, cl.c.field_no == no_of[f])
                      .values(value=value, reason=new_reason,
                              source=json.dumps(src, ensure_ascii=False, default=str)))
            vals[no_of[f]] = new_val
            dirty = True
            changed += 1
    if dirty:
        c.execute(S.reports.update().where(S.reports.c.id == rep.id)
                  .values(value_array=json.dumps(vals, separators=(",", ":"))))
    return changed


def _show(reading) -> str:
    return "[" + ", ".join("空" if x is None else str(x) for x in reading) + "]"


ALL_AT_ONCE = 2000       # more documents than this in one import: re-rank the whole corpus in one pass


def apply_for_documents(corpus, document_ids: list) -> int:
    """``apply_t2_priors`` for the reports of the documents just stored (and their
    neighbouring years)."""
    import sqlalchemy as sa
    from . import schema as S
    if len(document_ids) > ALL_AT_ONCE:
        return apply_t2_priors(corpus)
    r = S.reports
    ids = []
    with corpus.engine.connect() as c:
        for k in range(0, len(document_ids), 500):
            ids += [i for (i,) in c.execute(sa.select(r.c.id).where(r.c.document_id.in_(document_ids[k:k + 500])))]
    return apply_t2_priors(corpus, ids) if ids else 0
