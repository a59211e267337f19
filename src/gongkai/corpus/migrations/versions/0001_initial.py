"""Initial corpus schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

This first revision creates the schema of ``gongkai.corpus.schema`` as it is at this
revision.  Every later change of schema.py needs a new revision with explicit ``op``
calls (``alembic revision --autogenerate`` against a migrated database); from then on
this file must create the schema as it was here, so freeze the table definitions into
it at that moment.  tests/test_corpus_db.py fails when schema.py and the migrated
database differ."""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    from gongkai.corpus.schema import VIEWS, metadata
    bind = op.get_bind()
    metadata.create_all(bind)
    for name, sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade():
    from gongkai.corpus.schema import VIEWS, metadata
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    metadata.drop_all(op.get_bind())
