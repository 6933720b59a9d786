"""inbox of Telegram update ids, so no update is handled twice

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inbox',
        sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('received_at', storage.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbox')),
    )
    op.create_index(op.f('ix_inbox_received_at'), 'inbox', ['received_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_inbox_received_at'), table_name='inbox')
    op.drop_table('inbox')
