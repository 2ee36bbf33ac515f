"""programme: budgets, gatherings (bijeenkomsten), idea budget fields, conversation.gathering_id

Revision ID: 0006_programme
Revises: 0003_trust
Create Date: 2026-11-28 06:28:47

"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0006_programme'
down_revision = '0005_beheer'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budgets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('wijk_code', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budgets_year'), ['year'], unique=False)

    op.create_geospatial_table('gatherings',
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('attendance_count', sa.Integer(), nullable=False),
    sa.Column('organisations', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('idea_id', sa.Uuid(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('has_conflict', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('buurt_code', sa.String(length=16), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_gatherings_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index(batch_op.f('ix_gatherings_buurt_code'), ['buurt_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gatherings_occurred_at'), ['occurred_at'], unique=False)

    # Plain ADD COLUMN (no batch): SQLite can, and a batch copy of a SpatiaLite table would lose its
    # geometry registration.
    op.add_column('conversations', sa.Column('gathering_id', sa.Uuid(), nullable=True))
    op.create_index('ix_conversations_gathering_id', 'conversations', ['gathering_id'], unique=False)
    op.add_column('ideas', sa.Column('budget_id', sa.Uuid(), nullable=True))
    op.add_column('ideas', sa.Column('budget_spent_cents', sa.BigInteger(), nullable=True))
    op.add_column('ideas', sa.Column(
        'requirements', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
        nullable=False, server_default=sa.text("'[]'")))
    op.create_index('ix_ideas_budget_id', 'ideas', ['budget_id'], unique=False)

def downgrade():
    op.drop_index('ix_ideas_budget_id', table_name='ideas')
    op.drop_index('ix_conversations_gathering_id', table_name='conversations')
    for table, column in (('ideas', 'requirements'), ('ideas', 'budget_spent_cents'), ('ideas', 'budget_id'),
                          ('conversations', 'gathering_id')):
        op.drop_column(table, column)

    with op.batch_alter_table('gatherings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gatherings_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_gatherings_idea_id'))
        batch_op.drop_index(batch_op.f('ix_gatherings_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_gatherings_change_seq'))
        batch_op.drop_index(batch_op.f('ix_gatherings_buurt_code'))
        batch_op.drop_geospatial_index('idx_gatherings_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('gatherings')
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budgets_year'))

    op.drop_table('budgets')
