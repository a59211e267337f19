"""The corpus database schema (SQLAlchemy Core), the same on SQLite and PostgreSQL.
Alembic migrations (``migrations/``) create and upgrade it; this module is the
description the code queries with.

Tables: documents (one per distinct file content), reports (one per parsed document),
cells (one row per report × field), findings (per report, or across reports),
agencies (normalised names, region, kind, level, parent) and their aliases, relations (declared
government ⊃ department links), fields (the canonical field IDs, numbered); the
register's applications, case_events and register_records; the web app's users and
their scopes (user_scopes), upload jobs and items; audit (every change, by whom and when);
the review (gongkai.corpus.review): report_versions (each correction or confirmation of a
cell, version 0 the parse as it was), finding_reviews and report_reviews (append-only)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData,
                        Numeric, SmallInteger, String, Table, Text, UniqueConstraint)

metadata = MetaData()

agencies = Table(
    "agencies", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),     # normalised name (matching key)
    Column("name", String(200), nullable=False),                 # display name
    Column("province", String(40)),
    Column("city", String(60)),
    Column("county", String(60)),
    Column("kind", String(20)),             # agency_types.toml: government department street township devzone
    Column("parent_id", Integer, ForeignKey("agencies.id")),
    Column("mapped_by", String(10), nullable=False, server_default="auto"),   # auto | user
    Column("level", String(10)),            # agency_types.toml: province city county township
)
Index("ix_agencies_place", agencies.c.province, agencies.c.city, agencies.c.county, agencies.c.name)  # board order

agency_aliases = Table(
    "agency_aliases", metadata,             # every matching key an agency is known by (its own included)
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("name", String(200), nullable=False),                 # as printed (display)
    Column("agency_id", Integer, ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(10), nullable=False, server_default="auto"),      # auto | user
)
Index("ix_agency_aliases_agency", agency_aliases.c.agency_id)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("path", Text, nullable=False),                        # path or URL it was imported from
    Column("size", BigInteger),
    Column("format", String(10)),                                # reader: text | pdf | docx | html | ocr
    Column("parser_version", Integer),
    Column("status", String(10), nullable=False),                # ok | error | not_report
    Column("error", Text),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("agency_id", Integer, ForeignKey("agencies.id")),
    Column("agency_raw", String(200)),                           # as printed in the title
    Column("year", SmallInteger),
    Column("format", String(4)),                                 # 2021 | 2019 (表二's)
    Column("t3_format", String(4)),
    Column("date", String(10)),
    Column("n_uncertain", SmallInteger, nullable=False, server_default="0"),
    Column("n_errors", SmallInteger, nullable=False, server_default="0"),
    Column("n_warnings", SmallInteger, nullable=False, server_default="0"),
    Column("value_array", Text, nullable=False),   # JSON array of values in fields order (wide rows)
    Column("status_codes", Text, nullable=False),  # a letter per field: v b t i u (value blank text inferred
                                               # uncertain), "-" for a field not in the report's format
    # indicators (indicators.py), stored for fast statistics
    Column("applications", Float),
    Column("disclosure_rate", Float),
    Column("denial_share", Float),
    Column("unavailable_share", Float),
    Column("rejected_share", Float),
    Column("carry_rate", Float),
    Column("review_correction_rate", Float),
    Column("suit_correction_rate", Float),
)
Index("ix_reports_agency_year", reports.c.agency_id, reports.c.year)


def _indicator_columns():
    from .indicators import INDICATORS
    for ind in INDICATORS:
        yield Column(ind.id, Float)
        yield Column(f"{ind.id}_num", Float)
        if ind.denominator:
            yield Column(f"{ind.id}_den", Float)


# one narrow row per report (migration 0008): what the corpus explorer aggregates in SQL
# without reading the wide reports rows; agency_id and year copied from the report
report_indicators = Table(
    "report_indicators", metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agencies.id")),
    Column("year", SmallInteger),
    *_indicator_columns(),
)
Index("ix_report_indicators_year", report_indicators.c.year, report_indicators.c.agency_id)
Index("ix_reports_year", reports.c.year)
Index("ix_reports_year_agency", reports.c.year, reports.c.agency_id, reports.c.id)     # the board's newest report

fields = Table(
    "fields", metadata,
    Column("no", SmallInteger, primary_key=True),                # position in reports.value_array
    Column("id", String(60), nullable=False, unique=True),       # canonical field ID (t3.new.natural)
    Column("table_id", String(4), nullable=False),
)

cells = Table(
    "cells", metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("field_no", SmallInteger, ForeignKey("fields.no"), primary_key=True),
    Column("value", Numeric(20, 4)),
    Column("status", String(10), nullable=False),
    Column("raw", Text),              # NULL: printed exactly as the value (or empty for a blank)
    Column("reason", Text),
    Column("line", Integer),
    Column("page", SmallInteger),
    Column("source", Text),           # JSON of the rest of the provenance (bbox, table/row/col, ocr)
    sqlite_with_rowid=False,
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE")),   # NULL: across reports
    Column("scope", String(10), nullable=False),                 # report | corpus
    Column("rule", String(60), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("table_id", String(20)),
    Column("fields", Text),           # JSON list
    Column("lines", Text),            # JSON list
    Column("data", Text),             # JSON
    Column("reports", Text),          # JSON list of the report ids a corpus finding is about
)
Index("ix_findings_report", findings.c.report_id)
Index("ix_findings_rule", findings.c.rule)

relations = Table(
    "relations", metadata,
    Column("parent_id", Integer, ForeignKey("agencies.id"), primary_key=True),
    Column("child_id", Integer, ForeignKey("agencies.id"), primary_key=True),
)

# ---- the disclosure register (gongkai.register): applications and their append-only events
applications = Table(
    "applications", metadata,
    Column("id", Integer, primary_key=True),
    Column("agency", String(200), nullable=False, server_default=""),   # the agency keeping the register
    Column("applicant", String(200), nullable=False),
    Column("kind", String(20), nullable=False),                 # 表三 column: natural, commercial, …
    Column("contact", Text),
    Column("request", Text),                                    # what is requested
    Column("form", Text),                                       # the form wanted
    Column("channel", String(20), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("received_on", Date, nullable=False),                # Art. 31 receipt date
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False, server_default=""),
)

case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("application_id", Integer, ForeignKey("applications.id"), nullable=False),
    Column("seq", Integer, nullable=False),                     # 1, 2, … per application
    Column("kind", String(30), nullable=False),
    Column("on_date", Date, nullable=False),                    # the event's legal date
    Column("by_user", String(100), nullable=False, server_default=""),
    Column("basis", Text),                                      # statutory basis
    Column("doc_no", String(100)),                              # 文号
    Column("outcome", String(60)),
    Column("days", Integer),
    Column("voids", Integer),
    Column("amount", Integer),
    Column("due_before", Date),
    Column("due_after", Date),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("application_id", "seq"),
)

register_records = Table(
    "register_records", metadata,                               # 主动公开 records and 复议/诉讼 (register.annual)
    Column("id", Integer, primary_key=True),
    Column("agency", String(200), nullable=False, server_default=""),
    Column("kind", String(30), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("subtype", String(30)),
    Column("ref", Integer),                                     # the record it refers to (repeal, decision, void)
    Column("value", Numeric(20, 4)),
    Column("title", Text),
    Column("doc_no", String(100)),
    Column("by_user", String(100), nullable=False, server_default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by_user", String(100), nullable=False, server_default=""),
    Column("action", String(30), nullable=False),               # insert (rows are never updated or deleted)
    Column("table_name", String(40), nullable=False),
    Column("row_id", Integer, nullable=False),
    Column("old", Text),                                        # JSON
    Column("new", Text),                                        # JSON
)

# ---- accounts of the web app (gongkai.corpus.accounts): who may see and do what
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),      # Argon2id, PHC string
    Column("role", String(10), nullable=False),                 # admin | reviewer | staff | guest
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

user_scopes = Table(
    "user_scopes", metadata,                                    # a user's regions and agencies (reviewer, staff)
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("region", String(200)),                              # a province, city or county name
    Column("agency_id", Integer, ForeignKey("agencies.id")),
)
Index("ix_user_scopes_user", user_scopes.c.user_id)

# ---- upload jobs of the web app (gongkai.corpus.jobs): a durable queue of files to import
upload_jobs = Table(
    "upload_jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(10), nullable=False),               # open (items are the progress)
)
Index("ix_upload_jobs_user", upload_jobs.c.user_id)

upload_items = Table(
    "upload_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("upload_jobs.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(300), nullable=False),                # the file's name as sent: display only
    Column("blob", String(80)),                                 # spool path relative to the spool dir (by sha256)
    Column("size", BigInteger),
    Column("sha256", String(64)),
    Column("url", Text),                                        # fetched from (URL items)
    Column("status", String(12), nullable=False),   # queued running done failed duplicate not_report refused
    Column("reason", Text),                                     # one Chinese line (failed, duplicate, refused)
    Column("document_id", Integer),
    Column("report_id", Integer),
    Column("agency", String(200)),                              # as recognised from the content
    Column("year", SmallInteger),
    Column("replace", Boolean, nullable=False, server_default="0"),   # import despite agency + year duplicate
    Column("attempts", SmallInteger, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_upload_items_job", upload_items.c.job_id)
Index("ix_upload_items_status", upload_items.c.status)
Index("ix_upload_items_sha256", upload_items.c.sha256)

# ---- the review (gongkai.corpus.review): corrections never overwrite the parse (cells)
report_versions = Table(
    "report_versions", metadata,                                # a report's data, one version per change
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),                 # 0: the parse (baseline), then 1, 2, …
    Column("action", String(10), nullable=False),               # parse | correct | confirm
    Column("field_no", SmallInteger, ForeignKey("fields.no")),  # NULL for version 0
    Column("old_value", Numeric(20, 4)),
    Column("old_status", String(10)),
    Column("old_raw", Text),
    Column("new_value", Numeric(20, 4)),
    Column("new_status", String(10)),
    Column("reason", Text),
    Column("by_user", String(100), nullable=False, server_default=""),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("findings", Text),          # JSON: the report's findings once this version was checked
    Column("summary", Text),           # JSON: the reports row's derived columns at this version
    UniqueConstraint("report_id", "version"),
)

finding_reviews = Table(
    "finding_reviews", metadata,                                # 确认 / 驳回 of a finding, append-only
    Column("id", Integer, primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(60), nullable=False),                 # the finding's identity: rule + cells,
    Column("cells", Text, nullable=False),                      # so a recheck keeps the review attached
    Column("finding_id", Integer),                              # the finding row reviewed (informational)
    Column("version", Integer, nullable=False),                 # the data version it was reviewed at
    Column("decision", String(10), nullable=False),             # confirmed | dismissed
    Column("comment", Text),
    Column("by_user", String(100), nullable=False, server_default=""),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("ix_finding_reviews_report", finding_reviews.c.report_id)

report_reviews = Table(
    "report_reviews", metadata,                                 # the report's review state, append-only:
    Column("id", Integer, primary_key=True),                    # the newest row is the current state
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("status", String(10), nullable=False),               # pending | approved | returned
    Column("comment", Text),
    Column("by_user", String(100), nullable=False, server_default=""),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("ix_report_reviews_report", report_reviews.c.report_id)

STATUS_CODE = {"value": "v", "blank": "b", "text": "t", "inferred": "i", "uncertain": "u"}
STATUS_NAME = {**{v: k for k, v in STATUS_CODE.items()}, "-": None}

# Views for people who query the database directly (documented in docs/corpus.md).
VIEWS = {
    "v_reports": """
        SELECT r.id AS report_id, a.name AS agency, a.province, a.city, a.county, a.kind, r.year, r.format,
               r.date, d.path, d.sha256, d.format AS file_format, r.n_uncertain, r.n_errors, r.n_warnings,
               r.applications, r.disclosure_rate, r.denial_share, r.unavailable_share, r.rejected_share,
               r.carry_rate, r.review_correction_rate, r.suit_correction_rate
        FROM reports r JOIN documents d ON d.id = r.document_id LEFT JOIN agencies a ON a.id = r.agency_id""",
    "v_cells": """
        SELECT c.report_id, a.name AS agency, r.year, f.id AS field, c.value, c.status,
               COALESCE(c.raw, '') AS raw, c.line, c.page
        FROM cells c JOIN fields f ON f.no = c.field_no JOIN reports r ON r.id = c.report_id
        LEFT JOIN agencies a ON a.id = r.agency_id""",
    "v_findings": """
        SELECT fi.id, fi.report_id, a.name AS agency, r.year, fi.scope, fi.rule, fi.severity, fi.message,
               fi.fields, fi.reports
        FROM findings fi LEFT JOIN reports r ON r.id = fi.report_id LEFT JOIN agencies a ON a.id = r.agency_id""",
}
