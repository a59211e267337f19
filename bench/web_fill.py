"""Fill a corpus database fast with N synthetic reports for the web app's latency figures
(bench/bench_web.py latency).  A handful of synthetic reports (``gongkai.synth``) is parsed
once and turned into rows by the store's own ``prepare``; the copies are written with the
store's own inserts (``Corpus._insert_returning`` / ``_insert_report``: executemany on
SQLite; on PostgreSQL the cells of a chunk in one COPY), ``CHUNK`` reports per transaction
instead of one each.

Agencies: departments of generated counties in generated cities of the 27 provinces and
autonomous regions that are not municipalities (names unique, so each is one agency;
their parents — county and city governments — are created as an import creates them).
Each agency gets a report for most of the years 2019–2025; some are missing, as on a
real board.  Documents get a made-up sha256 and path (no file behind them)."""
from __future__ import annotations

import hashlib
import random
import tempfile
import time
from pathlib import Path

CHUNK = 2000
YEARS = tuple(range(2019, 2026))
SYLLABLES = "安宁平和兴华东西南北永长清泰德阳山河江海林春丰昌新桂云金明福顺康乐盛嘉定远广"
DEPARTMENTS = ["人民政府", "人民政府办公室", "公安局", "财政局", "自然资源和规划局", "住房和城乡建设局", "教育局",
               "生态环境局", "市场监督管理局", "卫生健康委员会", "审计局", "交通运输局", "司法局"]
MUNICIPAL = ("北京市", "天津市", "上海市", "重庆市", "香港特别行政区", "澳门特别行政区", "台湾省")


def provinces() -> list[str]:
    from gongkai.corpus.agencies import _data
    return [p for p, _short in _data()["provinces"] if p not in MUNICIPAL]


def agency_names(n: int, seed: int = 7) -> list[str]:
    """At least ``n`` distinct agency names 省 + 市 + 县/区 + department, spread over the provinces."""
    rng = random.Random(seed)
    provs = provinces()
    counties_needed = -(-n // len(DEPARTMENTS))
    per_city = 7
    cities_needed = -(-counties_needed // per_city)
    pairs = [a + b for a in SYLLABLES for b in SYLLABLES if a != b]
    rng.shuffle(pairs)
    if cities_needed > len(pairs):
        raise SystemExit(f"too many agencies asked for ({n}); at most {len(pairs) * per_city * len(DEPARTMENTS)}")
    names = []
    for i in range(cities_needed):
        prov, city = provs[i % len(provs)], pairs[i] + "市"
        for k in range(per_city):
            county = pairs[(i * 31 + k * 7 + 1) % len(pairs)] + ("县" if k % 2 else "区")
            names += [prov + city + county + d for d in DEPARTMENTS]
    return names[:max(n, 1)]


def templates(corpus, k: int = 8, seed: int = 11) -> list[dict]:
    """``k`` synthetic text reports parsed and prepared for ``corpus`` (its fields, its
    number type)."""
    from gongkai.corpus.store import prepare
    from gongkai.pipeline import parse_file
    from gongkai.synth import corpus as synth
    out = []
    with tempfile.TemporaryDirectory() as d:
        for path in synth(k, d, formats=("txt",), seed=seed):
            rep = parse_file(str(path))
            out.append(prepare(rep, corpus.field_ids, corpus.as_float))
    return out


def fill(corpus, n_reports: int, n_agencies: int | None = None, seed: int = 5, progress=print) -> dict:
    """Write ``n_reports`` reports (copies of ``templates``) over ``n_agencies`` agencies
    (default ``n_reports // 6``: six years in seven on average).  Returns what was made."""
    from gongkai import PARSER_VERSION
    from gongkai.corpus.agencies import agency_id
    from gongkai.corpus.store import _now
    n_agencies = n_agencies or max(1, n_reports // 6)
    rng = random.Random(seed)
    t0 = time.perf_counter()
    names = agency_names(n_agencies)
    with corpus.engine.begin() as c:
        ids = [agency_id(c, name) for name in names]
    t_agencies = time.perf_counter() - t0
    tpl = templates(corpus)
    # each (agency, year) at most once; years dropped at random so that some are missing
    slots = [(a, y) for a in range(len(ids)) for y in YEARS]
    rng.shuffle(slots)
    if n_reports > len(slots):
        raise SystemExit(f"{n_reports} reports need more agencies than {len(ids)}")
    slots = sorted(slots[:n_reports], key=lambda s: (s[1], s[0]))
    t1 = time.perf_counter()
    now = _now(corpus.as_float)
    copy = not corpus.as_float          # PostgreSQL: the chunk's cells in one COPY, not one per report
    for start in range(0, n_reports, CHUNK):
        with corpus.engine.begin() as c:
            later = []
            for i in range(start, min(n_reports, start + CHUNK)):
                a, year = slots[i]
                prep = tpl[i % len(tpl)]
                sha = hashlib.sha256(f"bench-web-{seed}-{i}".encode()).hexdigest()
                doc_id = corpus._insert_returning(c, "documents", {
                    "sha256": sha, "path": f"/bench/{year}/{i:06d}.txt", "size": 20_000, "format": "text",
                    "parser_version": PARSER_VERSION, "status": "ok", "error": None, "imported_at": now})
                row = {**prep["report"], "agency_raw": names[a], "year": year}
                rid = corpus._insert_report(c, doc_id, ids[a], {**prep, "report": row,
                                                                "cells": [] if copy else prep["cells"]})
                if copy:
                    later.append((rid, prep["cells"]))
            if later:
                cur = c.connection.dbapi_connection.cursor()
                with cur.copy("COPY cells (report_id, field_no, value, status, raw, reason, line, page, source) "
                              "FROM STDIN") as cp:
                    for rid, cells in later:
                        for r in cells:
                            cp.write_row((rid,) + r)
        if progress and (start // CHUNK) % 10 == 9:
            done = min(n_reports, start + CHUNK)
            progress(f"  filled {done} reports ({done / (time.perf_counter() - t1):.0f}/s)")
    secs = time.perf_counter() - t1
    _analyze(corpus)
    return {"agencies": len(ids), "reports": n_reports, "seconds": secs, "agency_seconds": t_agencies,
            "templates": len(tpl), "cells_per_report": sum(len(t["cells"]) for t in tpl) / len(tpl)}


def _analyze(corpus):
    """Fresh planner statistics (and PostgreSQL's visibility map), as a database that grew
    by imports and was auto-vacuumed would have."""
    with corpus.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("ANALYZE" if corpus.as_float else "VACUUM ANALYZE")


def db_size(corpus) -> int:
    """Bytes of the database (SQLite: the file and its WAL; PostgreSQL: pg_database_size)."""
    if corpus.url.startswith("sqlite"):
        from sqlalchemy.engine import make_url
        p = Path(make_url(corpus.url).database)
        return sum(f.stat().st_size for f in p.parent.glob(p.name + "*") if f.is_file())
    with corpus.engine.connect() as c:
        return c.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
