"""Review and sign-off: report_versions (each correction or confirmation of a cell is a
new version of the report's data; version 0 keeps the parse's findings and derived
columns; the parse's cells are never changed), finding_reviews (确认 / 驳回 with a
comment, by rule + cells) and report_reviews (待审核 / 已通过 / 已退回, append-only).

Revision ID: 0006
Revises: 0004 (0005 is written alongside; the chain is set at merge)
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('field_no', sa.SmallInteger(), nullable=True),
    sa.Column('old_value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('old_status', sa.String(length=10), nullable=True),
    sa.Column('old_raw', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Numeric(precision=20, scale=4), nullable=True),
    sa.Column('new_status', sa.String(length=10), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('by_user', sa.String(length=100), nullable=False, server_default=''),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['field_no'], ['fields.no'], ),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'version')
    )
    op.create_table('finding_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=60), nullable=False),
    sa.Column('cells', sa.Text(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('by_user', sa.String(length=100), nullable=False, server_default=''),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_finding_reviews_report', 'finding_reviews', ['report_id'], unique=False)
    op.create_table('report_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('by_user', sa.String(length=100), nullable=False, server_default=''),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_report_reviews_report', 'report_reviews', ['report_id'], unique=False)


def downgrade():
    op.drop_index('ix_report_reviews_report', table_name='report_reviews')
    op.drop_table('report_reviews')
    op.drop_index('ix_finding_reviews_report', table_name='finding_reviews')
    op.drop_table('finding_reviews')
    op.drop_table('report_versions')
