"""The unit catalogue (机关名录): an agency's level (province | city | county | township),
the kinds street, township and devzone beside government and department (codes in
agency_types.toml; the column is unchanged), and agency_aliases: every matching key an
agency is known by, so the printed names of one agency resolve to it.

Existing rows: kinds are kept; the level is read from the name (agencies.describe); each
agency's key becomes its first alias, and the key today's rules give its name (when it
differs and no other agency has it) a second one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('agencies', sa.Column('level', sa.String(length=10), nullable=True))
    op.create_table('agency_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), server_default='auto', nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_index('ix_agency_aliases_agency', 'agency_aliases', ['agency_id'], unique=False)
    _backfill(op.get_bind())


def _backfill(c):
    from gongkai.corpus.agencies import describe
    agencies = sa.table("agencies", sa.column("id"), sa.column("key"), sa.column("name"), sa.column("level"))
    aliases = sa.table("agency_aliases", sa.column("key"), sa.column("name"), sa.column("agency_id"),
                       sa.column("source"))
    rows = c.execute(sa.select(agencies.c.id, agencies.c.key, agencies.c.name).order_by(agencies.c.id)).all()
    taken = {r.key for r in rows}
    new = []
    for r in rows:
        info = describe(r.name or r.key)
        if info.level:
            c.execute(agencies.update().where(agencies.c.id == r.id).values(level=info.level))
        new.append({"key": r.key, "name": r.name, "agency_id": r.id, "source": "auto"})
        if info.key and info.key not in taken:
            taken.add(info.key)
            new.append({"key": info.key, "name": info.name, "agency_id": r.id, "source": "auto"})
    if new:
        c.execute(aliases.insert(), new)


def downgrade():
    op.drop_index('ix_agency_aliases_agency', table_name='agency_aliases')
    op.drop_table('agency_aliases')
    with op.batch_alter_table('agencies') as b:
        b.drop_column('level')
