"""Indexes for the web app's pages at 100,000 reports (bench/bench_web.py latency, issue
12 item 11): the board finds each agency's newest report of a year by (year, agency, id)
and pages its agencies in (province, city, county, name) order; the report view names an
uploaded file by its upload item's sha256.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_reports_year_agency', 'reports', ['year', 'agency_id', 'id'], unique=False)
    op.create_index('ix_agencies_place', 'agencies', ['province', 'city', 'county', 'name'], unique=False)
    op.create_index('ix_upload_items_sha256', 'upload_items', ['sha256'], unique=False)


def downgrade():
    op.drop_index('ix_upload_items_sha256', table_name='upload_items')
    op.drop_index('ix_agencies_place', table_name='agencies')
    op.drop_index('ix_reports_year_agency', table_name='reports')
