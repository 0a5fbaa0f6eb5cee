"""index lower(to_addr) on the outbox: the per-sender reply limit looks it up per message

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_lower_to_addr", "outbox", [sa.text("lower(to_addr)")])


def downgrade() -> None:
    op.drop_index("ix_outbox_lower_to_addr", table_name="outbox")
