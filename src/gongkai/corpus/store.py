"""Open a corpus database (SQLite file by default, PostgreSQL by URL), bring its schema
up to date with Alembic, and write one parsed document per transaction."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from ..errors import GongkaiError
from . import schema as S

DEFAULT_DB = "gongkai.db"


class CorpusError(GongkaiError):
    """The corpus database cannot be opened or written."""


def db_url(url: str | None) -> str:
    """A URL (``sqlite:///path``, ``postgresql://…``) or a plain file path → SQLAlchemy URL."""
    url = url or os.environ.get("GONGKAI_DB") or DEFAULT_DB
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _explain(url: str, e: Exception) -> str:
    text = str(e).split("\n")[0]
    if "database is locked" in text:
        return f"数据库文件被其他程序锁定（{url}）：请等待另一个导入结束，或关闭占用它的程序后重试"
    if "disk" in text.lower() and ("full" in text.lower() or "space" in text.lower()):
        return f"磁盘空间不足，数据库 {url} 未写入（已写入的报告不受影响）"
    if "unable to open database" in text or "No such file or directory" in text:
        return f"无法打开数据库文件 {url}：请检查路径所在文件夹是否存在、是否有写权限"
    if "psycopg" in text or "connection" in text.lower() or "could not" in text.lower():
        return f"无法连接数据库 {url}：{text}"
    return f"数据库 {url} 出错：{text}"


class Corpus:
    """A connection to one corpus database."""

    def __init__(self, url: str | None = None, migrate: bool = True, lock_timeout: float = 30.0):
        try:
            import sqlalchemy as sa
        except ImportError as e:        # pragma: no cover - a core dependency
            raise CorpusError(f"语料库需要 SQLAlchemy：{e}")
        self.url = db_url(url)
        self.display = self.url.replace("postgresql+psycopg://", "postgresql://")
        kw = {}
        if self.url.startswith("sqlite"):
            kw["connect_args"] = {"timeout": lock_timeout}     # seconds to wait for another writer
        else:
            kw["pool_pre_ping"] = True
        try:
            self.engine = sa.create_engine(self.url, **kw)
        except ImportError as e:
            raise CorpusError(f"连接 {self.display} 需要数据库驱动：{e}（PostgreSQL：pip install 'gongkai[postgres]'）")
        except Exception as e:
            raise CorpusError(f"数据库地址无效：{self.display}（{e}）")
        if self.url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            with self.engine.connect() as c:
                c.exec_driver_sql("SELECT 1")
            if migrate:
                self.migrate()
            self._fields = self._load_fields()
            self._agency_cache: dict = {}
        except CorpusError:
            raise
        except Exception as e:
            raise CorpusError(_explain(self.display, e)) from None

    # ------------------------------------------------------------------ schema
    def migrate(self):
        """Upgrade the schema to the newest revision (creates it in a new database)."""
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        try:
            if self.revision() == head:
                return                       # up to date: nothing to run (and the fields are stored)
        except Exception:
            pass                             # a new database: no version table yet
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        self._ensure_fields()

    def revision(self) -> str | None:
        with self.engine.connect() as c:
            return c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def _ensure_fields(self):
        from ..formats import national
        import sqlalchemy as sa
        ids = [f[0] for f in national().all_fields()]
        with self.engine.begin() as c:
            have = {r.id for r in c.execute(sa.select(S.fields.c.id))}
            start = c.execute(sa.select(sa.func.coalesce(sa.func.max(S.fields.c.no), -1))).scalar() + 1
            new = [f for f in ids if f not in have]
            if new:
                c.execute(S.fields.insert(), [{"no": start + i, "id": f, "table_id": f.split(".")[0]}
                                              for i, f in enumerate(new)])

    def _load_fields(self) -> list[str]:
        import sqlalchemy as sa
        with self.engine.connect() as c:
            return [r.id for r in c.execute(sa.select(S.fields.c.id).order_by(S.fields.c.no))]

    @property
    def field_ids(self) -> list[str]:
        return self._fields

    # ------------------------------------------------------------------ reads
    def known_hashes(self) -> dict[str, tuple]:
        """sha256 → (document id, status, parser_version)."""
        import sqlalchemy as sa
        d = S.documents
        with self.engine.connect() as c:
            return {r.sha256: (r.id, r.status, r.parser_version)
                    for r in c.execute(sa.select(d.c.id, d.c.sha256, d.c.status, d.c.parser_version))}

    def counts(self) -> dict:
        import sqlalchemy as sa
        with self.engine.connect() as c:
            return {t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                    for t in (S.documents, S.reports, S.cells, S.findings, S.agencies)}

    # ------------------------------------------------------------------ writes
    def store(self, doc: dict, report: dict | None) -> int:
        """Write one document (and its report) in one transaction; returns the document id.
        ``doc``: sha256, path, size, format, parser_version, status, error.
        ``report``: rows prepared by ``prepare`` (in the worker that parsed it).  A
        document already stored with the same hash is replaced (re-parse)."""
        import sqlalchemy as sa
        try:
            with self.engine.begin() as c:
                old = c.execute(sa.select(S.documents.c.id).where(S.documents.c.sha256 == doc["sha256"])).scalar()
                if old is not None:
                    _delete_document(c, old)
                doc_id = c.execute(S.documents.insert().values(
                    **doc, imported_at=datetime.now(timezone.utc))).inserted_primary_key[0]
                if report is not None:
                    from .agencies import agency_id
                    name = report["report"]["agency_raw"]
                    aid = self._agency_cache.get(name)
                    if aid is None:
                        aid = agency_id(c, name)
                        new_agency = True
                    else:
                        new_agency = False
                    self._insert_report(c, doc_id, aid, report)
            if report is not None and new_agency and aid is not None:
                self._agency_cache[name] = aid      # only once committed
            return doc_id
        except Exception as e:
            raise CorpusError(_explain(self.display, e)) from None

    def _sql(self, table: str, n: int) -> str:
        cols = {"cells": "report_id, field_no, value, status, raw, reason, line, page, source",
                "findings": "report_id, scope, rule, severity, message, table_id, fields, lines, data, reports"}[table]
        mark = "?" if self.url.startswith("sqlite") else "%s"
        return f"INSERT INTO {table} ({cols}) VALUES ({', '.join([mark] * n)})"

    def _insert_report(self, c, doc_id, aid, prep):
        rid = c.execute(S.reports.insert().values(document_id=doc_id, agency_id=aid, **prep["report"])
                        ).inserted_primary_key[0]
        if prep["cells"]:      # plain DBAPI executemany: ~200 rows per report, the hot path of an import
            c.exec_driver_sql(self._sql("cells", 9), [(rid,) + r for r in prep["cells"]])
        if prep["findings"]:
            c.exec_driver_sql(self._sql("findings", 10), [(rid,) + r for r in prep["findings"]])
        return rid

    def store_report(self, doc: dict, report) -> int:
        """Store a parsed ``Report`` (library use); see ``store``."""
        return self.store(doc, prepare(compact_report(report), self._fields, self.as_float))

    @property
    def as_float(self) -> bool:
        return self.url.startswith("sqlite")      # SQLite binds no Decimal

def _delete_document(c, doc_id):
    import sqlalchemy as sa
    rid = c.execute(sa.select(S.reports.c.id).where(S.reports.c.document_id == doc_id)).scalar()
    if rid is not None:
        c.execute(S.cells.delete().where(S.cells.c.report_id == rid))
        c.execute(S.findings.delete().where(S.findings.c.report_id == rid))
        c.execute(S.reports.delete().where(S.reports.c.id == rid))
    c.execute(S.documents.delete().where(S.documents.c.id == doc_id))


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _canon(v) -> str:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, float):
        return format(Decimal(str(v)), "f")
    return str(v)


def _jsonable(v):
    if isinstance(v, Decimal):
        return float(v)
    return v


def compact_report(report) -> dict:
    """A parsed Report → the picklable dict the importer sends from worker processes:
    cells as (value, status, raw, reason, line, page, source JSON)."""
    cells = {}
    for f, c in report.cells.items():
        src = c.source
        rest = None
        if src is not None:
            extra = {k: v for k, v in src.to_dict().items() if k not in ("file", "line", "page")}
            if c.alternatives:
                extra["alternatives"] = c.alternatives
            rest = json.dumps(extra, ensure_ascii=False, default=str) if extra else None
        value = c.value
        cells[f] = (value, c.status, c.raw, c.reason, src.line if src else None, src.page if src else None, rest)
    meta = {k: report.meta.get(k) for k in ("agency", "year", "format", "formats", "date", "reader")}
    return {"meta": meta, "cells": cells, "findings": [f.to_dict() for f in report.findings]}


def relate(corpus, parent: str, children: list[str]) -> int:
    """Declare that ``parent``'s figures are the sum of ``children``'s (agency names)."""
    import sqlalchemy as sa
    from .agencies import agency_id
    with corpus.engine.begin() as c:
        pid = agency_id(c, parent)
        n = 0
        for ch in children:
            cid = agency_id(c, ch)
            if cid is None or cid == pid:
                continue
            exists = c.execute(sa.select(S.relations).where(S.relations.c.parent_id == pid,
                                                             S.relations.c.child_id == cid)).first()
            if not exists:
                c.execute(S.relations.insert().values(parent_id=pid, child_id=cid))
            n += 1
    return n


def prepare(rep: dict, fields: list[str], as_float: bool) -> dict:
    """A compact report → the rows to insert (all the CPU work of storing, done in the
    worker process): the reports row without its ids, cell and finding tuples without
    the report id."""
    from .indicators import compute
    meta = rep["meta"]
    fno = {f: i for i, f in enumerate(fields)}
    vals = [None] * len(fields)
    codes = ["-"] * len(fields)      # "-": the field is not in this report's format
    cells = []
    for f, (value, status, raw, reason, line, page, source) in rep["cells"].items():
        k = fno.get(f)
        if k is None:
            continue
        vals[k] = _jsonable(value)
        codes[k] = S.STATUS_CODE.get(status, "u")
        printed = "" if value is None else _canon(value)
        if as_float and isinstance(value, Decimal):
            value = float(value)
        cells.append((k, value, status, None if raw == printed else raw, reason, line, page, source))
    sev = [f["severity"] for f in rep["findings"]]
    report = dict(agency_raw=meta.get("agency"), year=meta.get("year"), format=meta.get("format"),
                  t3_format=(meta.get("formats") or {}).get("t3"), date=meta.get("date"),
                  n_uncertain=sum(1 for cell in rep["cells"].values() if cell[1] == "uncertain"),
                  n_errors=sev.count("error"), n_warnings=sev.count("warning"),
                  value_array=json.dumps(vals, separators=(",", ":")), status_codes="".join(codes),
                  **compute({f: cell[0] for f, cell in rep["cells"].items()}))
    findings = [("report", f["rule"], f["severity"], f["message"], f.get("table"),
                 json.dumps(f.get("fields", []), ensure_ascii=False) if f.get("fields") else None,
                 json.dumps(f.get("lines")) if f.get("lines") else None,
                 json.dumps(f.get("data"), ensure_ascii=False, default=str) if f.get("data") else None, None)
                for f in rep["findings"]]
    return {"report": report, "cells": cells, "findings": findings}
