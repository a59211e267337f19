"""Upload jobs of the web app: a job per submission (files, ZIP archives, URLs) and an
item per file, with its stored blob (named by sha256), status, reason and result.  The
queue lives in the database, so jobs survive a restart of the server.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upload_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_upload_jobs_user', 'upload_jobs', ['user_id'], unique=False)
    op.create_table('upload_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('blob', sa.String(length=80), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('agency', sa.String(length=200), nullable=True),
    sa.Column('year', sa.SmallInteger(), nullable=True),
    sa.Column('replace', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('attempts', sa.SmallInteger(), nullable=False, server_default='0'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['upload_jobs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_upload_items_job', 'upload_items', ['job_id'], unique=False)
    op.create_index('ix_upload_items_status', 'upload_items', ['status'], unique=False)


def downgrade():
    op.drop_index('ix_upload_items_status', table_name='upload_items')
    op.drop_index('ix_upload_items_job', table_name='upload_items')
    op.drop_table('upload_items')
    op.drop_index('ix_upload_jobs_user', table_name='upload_jobs')
    op.drop_table('upload_jobs')
