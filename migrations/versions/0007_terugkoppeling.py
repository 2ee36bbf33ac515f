"""terugkoppeling: the e-mail outbox, public notes on signals and ideas, residents' and staff's mail wishes

Revision ID: 0007_terugkoppeling
Revises: 0003_trust
Create Date: 2026-11-28 06:28:00.474743

"""
from alembic import op
import sqlalchemy as sa

revision = '0007_terugkoppeling'
down_revision = '0006_programme'
branch_labels = None
depends_on = None

def upgrade():
    # Columns are added with plain ALTER TABLE, not batch mode: recreating `signals` on SQLite would
    # drop the triggers of 0002 and trip the foreign keys that point at it.
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('to_address', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('unsubscribe_url', sa.String(length=1000), nullable=True),
    sa.Column('entity', sa.String(length=16), nullable=True),
    sa.Column('record_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_record_id'), ['record_id'], unique=False)

    op.add_column('ideas', sa.Column('public_note', sa.Text(), nullable=True))
    op.add_column('ideas', sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('ideas', sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('ideas', sa.Column('status_changed_by_name', sa.String(length=200), nullable=True))

    op.add_column('resident_contacts', sa.Column('updates', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('resident_contacts', sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True))

    op.add_column('signals', sa.Column('public_note', sa.Text(), nullable=True))
    op.add_column('signals', sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('signals', sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('signals', sa.Column('status_changed_by_name', sa.String(length=200), nullable=True))

    op.add_column('users', sa.Column('notify_email', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    op.drop_column('users', 'notify_email')

    op.drop_column('signals', 'status_changed_by_name')
    op.drop_column('signals', 'status_changed_at')
    op.drop_column('signals', 'public')
    op.drop_column('signals', 'public_note')

    op.drop_column('resident_contacts', 'unsubscribed_at')
    op.drop_column('resident_contacts', 'updates')

    op.drop_column('ideas', 'status_changed_by_name')
    op.drop_column('ideas', 'status_changed_at')
    op.drop_column('ideas', 'public')
    op.drop_column('ideas', 'public_note')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_record_id'))
        batch_op.drop_index('ix_notifications_due')

    op.drop_table('notifications')
