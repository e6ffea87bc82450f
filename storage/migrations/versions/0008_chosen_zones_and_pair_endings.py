"""chosen time zones, and why pairs ended

``people.timezone_chosen`` marks a zone the member set themselves (`/mentoring timezone`), which
the platform's own (a Slack profile's) no longer overwrites. ``pairs.end_reason`` keeps why a
coordinator ended a pair, for the report; ``pairs.rematched_from_id`` names the pair a re-match
replaced, whose history stays its own.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone_chosen", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("rematched_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_pairs_rematched_from_id_pairs",
            "pairs",
            ["rematched_from_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_pairs_rematched_from_id_pairs", type_="foreignkey")
        batch_op.drop_column("rematched_from_id")
        batch_op.drop_column("end_reason")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("timezone_chosen")
