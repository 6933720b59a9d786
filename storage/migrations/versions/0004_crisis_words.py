"""crisis kinds on cases, for cards that say what the emergency is

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(
            sa.Column('crisis_kinds', sa.JSON(), nullable=False, server_default='[]')
        )
    # Telegram's reply-to names the message; this finds the case it belongs to.
    op.create_index('ix_outbox_chat_message', 'outbox', ['chat_id', 'message_id'])


def downgrade() -> None:
    op.drop_index('ix_outbox_chat_message', table_name='outbox')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('crisis_kinds')
