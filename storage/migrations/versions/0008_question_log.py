"""a count of questions by day, route and entry (no text, no user) for the statistics

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'question_counts',
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('route', sa.String(length=16), nullable=False),
        sa.Column('faq_id', sa.String(length=80), nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', 'route', 'faq_id', 'answered', name=op.f('pk_question_counts')),
    )


def downgrade() -> None:
    op.drop_table('question_counts')
