"""report_indicators: one narrow row per report with each indicator's value, numerator and
denominator (and the report's agency and year), so that the corpus explorer aggregates
100,000 reports in SQL without reading the wide reports rows (bench/bench_web.py latency).
Existing reports are filled in from their stored values (value_array, status_codes) with
today's indicator definitions (gongkai.corpus.indicators.stored_row).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    t = op.create_table(
        "report_indicators",
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id")),
        sa.Column("year", sa.SmallInteger()),
        sa.Column('applications', sa.Float()),
        sa.Column('applications_num', sa.Float()),
        sa.Column('disclosure_rate', sa.Float()),
        sa.Column('disclosure_rate_num', sa.Float()),
        sa.Column('disclosure_rate_den', sa.Float()),
        sa.Column('denial_share', sa.Float()),
        sa.Column('denial_share_num', sa.Float()),
        sa.Column('denial_share_den', sa.Float()),
        sa.Column('unavailable_share', sa.Float()),
        sa.Column('unavailable_share_num', sa.Float()),
        sa.Column('unavailable_share_den', sa.Float()),
        sa.Column('rejected_share', sa.Float()),
        sa.Column('rejected_share_num', sa.Float()),
        sa.Column('rejected_share_den', sa.Float()),
        sa.Column('carry_rate', sa.Float()),
        sa.Column('carry_rate_num', sa.Float()),
        sa.Column('carry_rate_den', sa.Float()),
        sa.Column('review_correction_rate', sa.Float()),
        sa.Column('review_correction_rate_num', sa.Float()),
        sa.Column('review_correction_rate_den', sa.Float()),
        sa.Column('suit_correction_rate', sa.Float()),
        sa.Column('suit_correction_rate_num', sa.Float()),
        sa.Column('suit_correction_rate_den', sa.Float()),
    )
    op.create_index("ix_report_indicators_year", "report_indicators", ["year", "agency_id"], unique=False)
    _fill(op.get_bind(), t)


def _fill(c, t):
    from gongkai.corpus.indicators import stored_row
    fields = [f for (f,) in c.execute(sa.text("SELECT id FROM fields ORDER BY no"))]
    rows = c.execute(sa.text("SELECT id, agency_id, year, value_array, status_codes FROM reports ORDER BY id")).all()
    batch = []
    for rid, aid, year, arr, codes in rows:
        values = {f: v for f, v, st in zip(fields, json.loads(arr), codes) if st != "-"}
        batch.append({"report_id": rid, "agency_id": aid, "year": year, **stored_row(values)})
        if len(batch) >= 2000:
            c.execute(t.insert(), batch)
            batch = []
    if batch:
        c.execute(t.insert(), batch)


def downgrade():
    op.drop_index("ix_report_indicators_year", table_name="report_indicators")
    op.drop_table("report_indicators")
