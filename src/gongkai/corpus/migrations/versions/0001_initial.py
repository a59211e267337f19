"""Initial corpus schema: documents, reports, cells, findings, agencies, relations,
fields, and the SQL views for direct queries.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Frozen: this file creates the schema as it was at revision 0001, so it never changes
again; later changes of ``gongkai/corpus/schema.py`` come with a new revision
(``tests/test_corpus_db.py`` fails when schema.py and the migrated database differ)."""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

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


def upgrade():
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('province', sa.String(length=40), nullable=True),
    sa.Column('city', sa.String(length=60), nullable=True),
    sa.Column('county', sa.String(length=60), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('mapped_by', sa.String(length=10), server_default='auto', nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('format', sa.String(length=10), nullable=True),
    sa.Column('parser_version', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    op.create_table('fields',
    sa.Column('no', sa.SmallInteger(), nullable=False),
    sa.Column('id', sa.String(length=60), nullable=False),
    sa.Column('table_id', sa.String(length=4), nullable=False),
    sa.PrimaryKeyConstraint('no'),
    sa.UniqueConstraint('id')
    )
    op.create_table('relations',
    sa.Column('parent_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('parent_id', 'child_id')
    )
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('agency_raw', sa.String(length=200), nullable=True),
    sa.Column('year', sa.SmallInteger(), nullable=True),
    sa.Column('format', sa.String(length=4), nullable=True),
    sa.Column('t3_format', sa.String(length=4), nullable=True),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('n_uncertain', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('n_errors', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('n_warnings', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('value_array', sa.Text(), nullable=False),
    sa.Column('status_codes', sa.Text(), nullable=False),
    sa.Column('applications', sa.Float(), nullable=True),
    sa.Column('disclosure_rate', sa.Float(), nullable=True),
    sa.Column('denial_share', sa.Float(), nullable=True),
    sa.Column('unavailable_share', sa.Float(), nullable=True),
    sa.Column('rejected_share', sa.Float(), nullable=True),
    sa.Column('carry_rate', sa.Float(), nullable=True),
    sa.Column('review_correction_rate', sa.Float(), nullable=True),
    sa.Column('suit_correction_rate', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id')
    )
    op.create_index('ix_reports_agency_year', 'reports', ['agency_id', 'year'], unique=False)
    op.create_index('ix_reports_year', 'reports', ['year'], unique=False)
    op.create_table('cells',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('field_no', sa.SmallInteger(), nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('page', sa.SmallInteger(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['field_no'], ['fields.no'], ),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'field_no'),
    sqlite_with_rowid=False
    )
    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('rule', sa.String(length=60), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('table_id', sa.String(length=20), nullable=True),
    sa.Column('fields', sa.Text(), nullable=True),
    sa.Column('lines', sa.Text(), nullable=True),
    sa.Column('data', sa.Text(), nullable=True),
    sa.Column('reports', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_findings_report', 'findings', ['report_id'], unique=False)
    op.create_index('ix_findings_rule', 'findings', ['rule'], unique=False)
    for name, sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade():
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for table in ("findings", "cells", "reports", "relations", "fields", "documents", "agencies"):
        op.drop_table(table)
