"""known_requester: the known-requesters directory as an SQL table

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import intake_bot.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_requester",
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("customer_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("case_numbers", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", intake_bot.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address"),
    )


def downgrade() -> None:
    op.drop_table("known_requester")
