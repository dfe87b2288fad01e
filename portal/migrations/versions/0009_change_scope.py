"""Content changes name their scope, so each node's search index can re-index just what changed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("content_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("content_change", schema=None) as batch_op:
        batch_op.drop_column("scope")
