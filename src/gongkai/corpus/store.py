"""Open a corpus database (SQLite file by default, PostgreSQL by URL), bring its schema
up to date with Alembic, and write one parsed document per transaction."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from ..errors import GongkaiError
from . import schema as S
from .locks import MIGRATION_LOCK

try:
    import fcntl
except ImportError:          # pragma: no cover - not Unix: SQLite migrations are not locked
    fcntl = None

DEFAULT_DB = "gongkai.db"


class CorpusError(GongkaiError):
    """The corpus database cannot be opened or written."""


class DocumentError(CorpusError):
    """One document cannot be written (its data, not the database): recorded, the batch goes on."""


class ReviewKept(DocumentError):
    """A re-parse that gave no report for a reviewed report: the stored report and its
    review are kept unchanged (the document is not replaced)."""


def db_url(url: str | None) -> str:
    """A URL (``sqlite:///path``, ``postgresql://…``) or a plain file path → SQLAlchemy URL."""
    url = url or os.environ.get("GONGKAI_DB") or DEFAULT_DB
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _database_fault(e: Exception) -> bool:
    """The database's fault (locked, full, unreachable, read-only), not the document's."""
    from sqlalchemy.exc import OperationalError as SAOperational
    text = str(e).lower()
    if any(k in text for k in ("locked", "disk", "no space", "unable to open", "readonly", "read-only",
                               "connection", "could not connect", "server closed", "terminating")):
        return True
    return isinstance(e, SAOperational) or e.__class__.__name__ in ("OperationalError", "InterfaceError")


def _data_reason(e: Exception) -> str:
    text = str(e).split("\n")[0]
    low = text.lower()
    if isinstance(e, OverflowError) or any(k in low for k in ("too large", "out of range", "overflow")):
        return "数值超出数据库可存储的范围"
    if "value too long" in low or "too long" in low:
        return "文字过长，超出数据库列的长度"
    if "unique" in low or "duplicate key" in low:
        return "与另一程序同时写入同一记录，重试后仍冲突"
    if "foreign key" in low:
        return "引用的记录不存在"
    return f"数据库拒绝写入：{e.__class__.__name__}: {text[:200]}"


def _explain(url: str, e: Exception) -> str:
    text = str(e).split("\n")[0]
    if "database is locked" in text:
        return f"数据库文件被其他程序锁定（{url}）：请等待另一个导入结束，或关闭占用它的程序后重试"
    low = text.lower()
    if ("disk" in low and ("full" in low or "space" in low)) or "no space left" in low:
        return f"磁盘空间不足，数据库 {url} 未写入（已写入的报告不受影响）"
    if "readonly" in low or "read-only" in low:
        return f"数据库 {url} 是只读的：请检查文件权限"
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
            self._sql_cache: dict = {}
        except CorpusError:
            raise
        except Exception as e:
            raise CorpusError(_explain(self.display, e)) from None

    # ------------------------------------------------------------------ schema
    def migrate(self):
        """Upgrade the schema to the newest revision (creates it in a new database).  Runs
        under a lock (SQLite: a lock file beside the database; PostgreSQL: an advisory
        lock), so two programs opening a new database at once do not both create it."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        if self._current_revision() == head and self._fields_complete():
            return                           # up to date: nothing to run (and the fields are stored)
        with self._migration_lock():
            with self.engine.begin() as conn:
                if self.url.startswith("sqlite"):
                    # pysqlite commits each CREATE TABLE on its own unless a transaction is
                    # open: open one, so that a migration stopped halfway (killed, disk
                    # full) leaves the schema as it was, never half created.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                if MigrationContext.configure(conn).get_current_revision() != head:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
            self._ensure_fields()

    def _current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _fields_complete(self) -> bool:
        from ..formats import national
        import sqlalchemy as sa
        with self.engine.connect() as c:
            n = c.execute(sa.select(sa.func.count()).select_from(S.fields)).scalar()
        return n >= len(national().all_fields())

    @contextmanager
    def _migration_lock(self):
        if self.url.startswith("sqlite"):
            import sqlalchemy as sa
            path = sa.engine.make_url(self.url).database
            if not path or path == ":memory:" or fcntl is None:
                yield
                return
            with open(path + "-migrate.lock", "a+b") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)       # released when the file is closed (or the process dies)
                try:
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
            return
        with self.engine.connect() as lk:
            lk.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            lk.commit()
            try:
                yield
            finally:
                lk.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                lk.commit()

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

    def document_statuses(self) -> dict:
        """documents.status → count (ok, not_report: read but not in the national format, error)."""
        import sqlalchemy as sa
        d = S.documents
        with self.engine.connect() as c:
            return dict(c.execute(sa.select(d.c.status, sa.func.count()).group_by(d.c.status)).all())

    def counts(self) -> dict:
        import sqlalchemy as sa
        with self.engine.connect() as c:
            return {t.name: c.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                    for t in (S.documents, S.reports, S.cells, S.findings, S.agencies)}

    # ------------------------------------------------------------------ writes
    def store(self, doc: dict, report: dict | None, replace: bool = True) -> int:
        """Write one document (and its report) in one transaction; returns the document id.
        ``doc``: sha256, path, size, format, parser_version, status, error.
        ``report``: rows prepared by ``prepare`` (in the worker that parsed it).  A
        document already stored with the same hash is replaced (re-parse) unless
        ``replace`` is false.  See ``store_document``."""
        return self.store_document(doc, report, replace)[0]

    def store_document(self, doc: dict, report: dict | None, replace: bool = True,
                       also=None) -> tuple[int, bool]:
        """As ``store``; returns (document id, written).  ``written`` is false when the same
        content was already stored and ``replace`` is false — also when another program
        stored it meanwhile (a concurrent insert of the same document is not an error).
        ``also(connection, document id, report id or None)`` runs in the same transaction
        when the document is written (an upload item's result: committed with the
        document, or not at all).  Raises ``DocumentError`` for a failure of this document
        alone (the batch goes on) and ``CorpusError`` when the database cannot be written
        (locked, full, gone)."""
        from sqlalchemy.exc import IntegrityError
        for attempt in range(3):
            try:
                return self._store_once(doc, report, replace, also)
            except ReviewKept:
                raise
            except IntegrityError as e:     # a concurrent insert (document or agency): look again
                if attempt == 2:
                    raise self._write_error(doc, e) from None
            except Exception as e:
                raise self._write_error(doc, e) from None

    def _store_once(self, doc, report, replace, also=None):
        with self.engine.begin() as c:
            old = c.exec_driver_sql(f"SELECT id FROM documents WHERE sha256 = {self._mark}",
                                    (doc["sha256"],)).scalar()
            if old is not None and not replace:
                return old, False
            if old is None:             # the document first: a concurrent insert of it fails here
                doc_id = self._insert_returning(c, "documents", {**doc, "imported_at": _now(self.as_float)})
            aid = new_agency = name = None
            if report is not None:
                name = report["report"]["agency_raw"]
                aid, new_agency = self._agency_of(c, name)
            rid = None
            if old is None:
                if report is not None:
                    rid = self._insert_report(c, doc_id, aid, report)
            else:
                doc_id = old
                rid = self._replace_document(c, old, doc, aid, report)
            if also is not None:
                also(c, doc_id, rid)
        if report is not None and new_agency and aid is not None:
            self._agency_cache[name] = aid      # only once committed
        return doc_id, True

    def _agency_of(self, c, name) -> tuple[int | None, bool]:
        """(the agency id for the printed name, whether it was looked up in the database)."""
        from .agencies import agency_id
        aid = self._agency_cache.get(name)
        if aid is not None and c.exec_driver_sql(f"SELECT 1 FROM agencies WHERE id = {self._mark}",
                                                 (aid,)).first() is None:
            aid = None                  # merged into another agency since (catalogue.merge)
        if aid is not None:
            return aid, False
        return agency_id(c, name), True

    def _replace_document(self, c, doc_id, doc, aid, report):
        """Re-import or re-parse: the document's row and its report's row are updated in
        place (their ids, in URLs and upload records, stay), the parse's cells and the
        report's findings are written anew, and a review of the report is carried over
        (``keep_on_replace``: ``review.carry``).  A reviewed report is never replaced by
        no report.  Returns the report id (None: no report)."""
        import sqlalchemy as sa
        rid = c.execute(sa.select(S.reports.c.id).where(S.reports.c.document_id == doc_id)).scalar()
        kept = [] if rid is None else [(after, k) for before, after in _KEEPERS
                                       if (k := before(c, rid)) is not None]
        if kept and report is None:
            why = doc.get("error") or "新解析未得到报告"
            raise ReviewKept(f"{doc.get('path', '')}: 重新解析未得到报告（{why}）；原报告有审核记录，"
                             "已保留原报告和审核记录，未替换")
        c.execute(S.documents.update().where(S.documents.c.id == doc_id)
                  .values(**{k: v for k, v in doc.items() if k != "sha256"}, imported_at=_now(False)))
        if rid is None:
            return self._insert_report(c, doc_id, aid, report) if report is not None else None
        c.execute(S.cells.delete().where(S.cells.c.report_id == rid))
        c.execute(S.findings.delete().where(S.findings.c.report_id == rid))
        c.execute(S.report_indicators.delete().where(S.report_indicators.c.report_id == rid))
        if report is None:
            c.execute(S.reports.delete().where(S.reports.c.id == rid))
            return None
        c.execute(S.reports.update().where(S.reports.c.id == rid).values(agency_id=aid, **report["report"]))
        self._insert_rows(c, rid, aid, report)
        for after, k in kept:
            after(c, self, rid, k)
        return rid

    def _write_error(self, doc, e) -> "CorpusError":
        """A write failure → DocumentError (this document's data) or CorpusError (the database)."""
        orig = getattr(e, "orig", None) or e
        path = doc.get("path", "")
        if _database_fault(orig):
            return CorpusError(f"{path}: 未能写入——{_explain(self.display, orig)}")
        return DocumentError(f"{path}: 无法写入数据库（{_data_reason(orig)}），已记录为失败")

    def _sql(self, table: str, n: int) -> str:
        cols = {"cells": "report_id, field_no, value, status, raw, reason, line, page, source",
                "findings": "report_id, scope, rule, severity, message, table_id, fields, lines, data, reports"}[table]
        mark = "?" if self.url.startswith("sqlite") else "%s"
        return f"INSERT INTO {table} ({cols}) VALUES ({', '.join([mark] * n)})"

    @property
    def _mark(self) -> str:
        return "?" if self.url.startswith("sqlite") else "%s"

    def _insert_returning(self, c, table: str, row: dict) -> int:
        """INSERT … RETURNING id through the DBAPI (no statement building per row)."""
        cols = tuple(row)
        sql = self._sql_cache.get((table, cols))
        if sql is None:
            sql = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([self._mark] * len(cols))}) "
                   "RETURNING id")
            self._sql_cache[(table, cols)] = sql
        return c.exec_driver_sql(sql, tuple(row.values())).scalar()

    def _insert_report(self, c, doc_id, aid, prep):
        rid = self._insert_returning(c, "reports", {"document_id": doc_id, "agency_id": aid, **prep["report"]})
        self._insert_rows(c, rid, aid, prep)
        return rid

    def _insert_rows(self, c, rid, aid, prep):
        """The report's parsed cells, its findings and its row for the explorer."""
        if prep["cells"] and not self.as_float:     # PostgreSQL: COPY, one round trip for ~200 rows
            cur = c.connection.dbapi_connection.cursor()
            with cur.copy("COPY cells (report_id, field_no, value, status, raw, reason, line, page, source) "
                          "FROM STDIN") as cp:
                for r in prep["cells"]:
                    cp.write_row((rid,) + r)
        elif prep["cells"]:    # SQLite: plain DBAPI executemany, the hot path of an import
            c.exec_driver_sql(self._sql("cells", 9), [(rid,) + r for r in prep["cells"]])
        if prep["findings"]:
            c.exec_driver_sql(self._sql("findings", 10), [(rid,) + r for r in prep["findings"]])
        c.execute(S.report_indicators.insert().values(report_id=rid, agency_id=aid, year=prep["report"]["year"],
                                                      **prep["indicators"]))

    def store_report(self, doc: dict, report) -> int:
        """Store a parsed ``Report`` (library use); see ``store``."""
        return self.store(doc, prepare(report, self._fields, self.as_float))

    @property
    def as_float(self) -> bool:
        return self.url.startswith("sqlite")      # SQLite binds no Decimal


_KEEPERS: list = []      # (before, after) pairs: what a report keeps when its parse is replaced


def keep_on_replace(before, after) -> None:
    """Register what must survive a re-import or re-parse of a report (``review.carry``
    registers the review; store cannot import it, the review imports store).
    ``before(connection, report id)`` → what to keep, or None (nothing to keep), read before
    the parse is replaced; ``after(connection, corpus, report id, kept)`` lays it over the
    new parse, in the same transaction.  A report with something to keep is never replaced
    by no report (``ReviewKept``)."""
    if (before, after) not in _KEEPERS:
        _KEEPERS.append((before, after))


def _now(as_text: bool):
    """The import time (SQLite stores it as ISO text, as SQLAlchemy's DateTime does)."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if as_text else now


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


STORABLE_DIGITS = 15      # integer digits a cell value may have: exact as a float (SQLite) and
                          # within Numeric(20, 4) (PostgreSQL); no report counts 10^15 of anything
STORABLE_DECIMALS = 4     # the scale of cells.value


def _unstorable(value) -> str | None:
    """Why a number cannot be stored exactly (None: it can)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    d = Decimal(value) if not isinstance(value, float) else Decimal(str(value))
    if not d.is_finite():
        return "数值无效"
    if abs(d) >= 10 ** STORABLE_DIGITS:
        return f"数值 {_canon(d)} 超出可存储的范围（整数部分最多 {STORABLE_DIGITS} 位）"
    if d != d.quantize(Decimal(1).scaleb(-STORABLE_DECIMALS)):
        return f"数值 {_canon(d)} 的小数超过 {STORABLE_DECIMALS} 位，无法原样存储"
    return None


_SOURCE_EXTRA = ("line_end", "bbox", "row", "col", "table", "ocr")


def prepare(report, fields: list[str], as_float: bool) -> dict:
    """A parsed Report → the rows to insert (all the CPU work of storing, done in the
    worker process that parsed it): the reports row without its ids, cell and finding
    tuples without the report id.  Cells: (field no, value, status, raw — None when
    printed exactly as the value —, reason, line, page, JSON of the rest of the
    provenance and the alternatives)."""
    from .indicators import INDICATORS, stored_row
    from .t2prior import narrative_numbers, stated_numbers
    meta = report.meta
    stated_of = None
    fno = {f: i for i, f in enumerate(fields)}
    vals = [None] * len(fields)
    codes = ["-"] * len(fields)      # "-": the field is not in this report's format
    cells = []
    numbers = {}
    n_unc = 0
    for f, c in report.cells.items():
        value, status = c.value, c.status
        numbers[f] = value
        k = fno.get(f)
        if k is None:
            continue
        src = c.source
        rest = None
        line = page = None
        if src is not None:
            line, page = src.line, src.page
            extra = {x: getattr(src, x) for x in _SOURCE_EXTRA if getattr(src, x) is not None}
            if c.alternatives:
                extra["alternatives"] = c.alternatives
                if status == "uncertain" and f.startswith("t2."):
                    if stated_of is None:
                        stated_of = narrative_numbers(report.narrative)
                    stated = stated_numbers(stated_of, c.raw)
                    if stated:               # kept for the corpus priors (t2prior), which see no prose
                        extra["stated"] = stated
            if extra:
                rest = json.dumps(extra, ensure_ascii=False, default=str)
        printed = "" if value is None else (str(value) if type(value) is int else _canon(value))
        raw, reason = c.raw, c.reason
        why = _unstorable(value)
        if why:                      # kept as text: raw as printed, no number, marked for review
            numbers[f] = value = None
            status, reason = "uncertain", f"{why}，未存数值，请核对原文" + (f"；{reason}" if reason else "")
            raw = c.raw or printed
            printed = ""
        n_unc += status == "uncertain"
        vals[k] = _jsonable(value)
        codes[k] = S.STATUS_CODE.get(status, "u")
        if as_float and isinstance(value, Decimal):
            value = float(value)
        cells.append((k, value, status, None if raw == printed else raw, reason, line, page, rest))
    sev = [f.severity for f in report.findings]
    indicators = stored_row(numbers)
    row = dict(agency_raw=meta.get("agency"), year=meta.get("year"), format=meta.get("format"),
               t3_format=(meta.get("formats") or {}).get("t3"), date=meta.get("date"), n_uncertain=n_unc,
               n_errors=sev.count("error"), n_warnings=sev.count("warning"),
               value_array=json.dumps(vals, separators=(",", ":")), status_codes="".join(codes),
               **{i.id: indicators[i.id] for i in INDICATORS})
    findings = [("report", f.rule, f.severity, f.message, f.table,
                 json.dumps(list(f.fields), ensure_ascii=False) if f.fields else None,
                 json.dumps(list(f.lines)) if f.lines else None,
                 json.dumps(f.data, ensure_ascii=False, default=str) if f.data else None, None)
                for f in report.findings]
    return {"report": row, "cells": cells, "findings": findings, "indicators": indicators}
