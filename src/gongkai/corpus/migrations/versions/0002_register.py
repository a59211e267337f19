"""The disclosure register: applications, their append-only events, records (主动公开
documents and decisions, fees, 复议/诉讼 cases), and the audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency', sa.String(length=200), server_default='', nullable=False),
    sa.Column('applicant', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('request', sa.Text(), nullable=True),
    sa.Column('form', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_user', sa.String(length=100), server_default='', nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('register_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency', sa.String(length=200), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('subtype', sa.String(length=30), nullable=True),
    sa.Column('ref', sa.Integer(), nullable=True),
    sa.Column('value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('doc_no', sa.String(length=100), nullable=True),
    sa.Column('by_user', sa.String(length=100), server_default='', nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('by_user', sa.String(length=100), server_default='', nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('doc_no', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.String(length=60), nullable=True),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('voids', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('due_before', sa.Date(), nullable=True),
    sa.Column('due_after', sa.Date(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'seq')
    )


def downgrade():
    for table in ("case_events", "register_records", "audit", "applications"):
        op.drop_table(table)
