"""coordinators' weekly digests

One row per coordinator and ISO week, written before the digest is sent (a unique pair), with
hashes of the attention reasons it told so the next one tells only what is new.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinator_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coordinator", sa.String(length=100), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seen", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("coordinator", "week"),
    )


def downgrade() -> None:
    op.drop_table("coordinator_digests")
