"""an intake key on cases: submitting the same intake twice gives the same case

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('intake_key', sa.String(length=32), nullable=True))
        batch.create_unique_constraint('uq_cases_intake_key', ['intake_key'])


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.drop_constraint('uq_cases_intake_key', type_='unique')
        batch.drop_column('intake_key')
